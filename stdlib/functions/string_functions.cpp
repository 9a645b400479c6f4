// String built-in functions (registered in string_functions()), following MySQL 8's
// item_strfunc.cc: character positions in the argument's character set, byte lengths, and the
// result collation of agg_item_charsets_for_string_result.
#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "stdlib/charset.hpp"
#include "stdlib/compare.hpp"
#include "stdlib/convert.hpp"
#include "stdlib/function_registry.hpp"

namespace obsync {
namespace {

// MySQL 8's default max_allowed_packet: LPAD/RPAD results longer than this are NULL.
constexpr int64_t kMaxAllowedPacket = 64 * 1024 * 1024;

// --- character positions --------------------------------------------------------------

// Byte strings and latin1 count bytes; utf8mb4/utf8mb3 count characters (a bad byte is one).
bool counts_bytes(const Collation* c) { return !c || c->is_binary || c->charset == "latin1"; }

size_t char_length(std::string_view s, const Collation* c) {
  return counts_bytes(c) ? s.size() : utf8_char_length(s);
}

// Byte offset of character n (0-based); s.size() when there are n characters or fewer.
size_t char_offset(std::string_view s, size_t n, const Collation* c) {
  return counts_bytes(c) ? std::min(n, s.size()) : utf8_char_offset(s, n);
}

// Byte length of the character at s[i] (1 for a bad byte).
size_t char_bytes(std::string_view s, size_t i, const Collation* c) {
  if (counts_bytes(c)) return 1;
  char32_t cp = 0;
  int len = utf8_decode(s, i, cp);
  return len > 0 ? static_cast<size_t>(len) : 1;
}

int max_bytes_per_char(const Collation* c) {
  if (counts_bytes(c)) return 1;
  return c->charset == "utf8mb3" ? 3 : 4;
}

// --- argument access ------------------------------------------------------------------

std::string text_of(const Value& v, const SqlType& t) {
  if (v.cls == TypeClass::String || v.cls == TypeClass::Json) return v.str;
  return value_to_string(v, t);
}

struct IntArg {
  int64_t value;
  bool is_unsigned;  // a value above INT64_MAX, or an UNSIGNED argument (MySQL's unsigned_flag)
};
IntArg int_of(const Value& v, const SqlType& t) {
  IntValue i = value_to_int(v, t);
  return {i.value, i.is_unsigned || (t.cls == TypeClass::Int && t.is_unsigned)};
}

// --- typing ---------------------------------------------------------------------------

// Characters of a value's text form (for result lengths); 0 when unknown.
uint32_t text_length(const SqlType& t) {
  switch (t.cls) {
    case TypeClass::String: return t.length;
    case TypeClass::Int: return t.length ? t.length : 20;
    case TypeClass::Decimal: return static_cast<uint32_t>(t.precision) + 2;
    case TypeClass::Double: return 23;
    case TypeClass::Date: return 10;
    case TypeClass::Time: return 10 + (t.scale ? t.scale + 1u : 0u);
    case TypeClass::DateTime: return 19 + (t.scale ? t.scale + 1u : 0u);
    default: return 0;
  }
}

bool any_nullable(std::span<const SqlType> args) {
  return std::any_of(args.begin(), args.end(), [](const SqlType& t) { return t.nullable || t.cls == TypeClass::Null; });
}

// A string result in the collation aggregated from `from` (MySQL's string-result rules).
bool string_result(std::span<const SqlType> from, std::span<const SqlType> all, std::string_view op, uint32_t length,
                   BoundCall& out, std::string& error) {
  auto c = aggregate_collations(from, CollationUse::kStringResult, op, error);
  if (!c) return false;
  out.collation = c->collation;
  out.result = SqlType::string(c->collation, length);
  out.result.derivation = c->derivation;
  out.result.nullable = any_nullable(all);
  return true;
}

SqlType int_result(std::span<const SqlType> args) {
  SqlType t = SqlType::bigint();
  t.length = 10;
  t.nullable = any_nullable(args);
  return t;
}

// --- LOWER, UPPER, LENGTH, CHAR_LENGTH -----------------------------------------------

bool resolve_case(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  return string_result(args, args, "lower", text_length(args[0]), out, error);
}

Value eval_lower(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  std::string s = text_of(a[0], c.args[0]);
  std::string out;
  to_lower(s, c.collation->case_table, out);  // binary strings: CaseTable::None copies
  return Value::from_string(std::move(out));
}

Value eval_upper(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  std::string s = text_of(a[0], c.args[0]);
  std::string out;
  to_upper(s, c.collation->case_table, out);
  return Value::from_string(std::move(out));
}

bool resolve_length(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  auto c = aggregate_collations(args, CollationUse::kStringResult, "char_length", error);
  if (!c) return false;
  out.collation = c->collation;
  out.result = int_result(args);
  return true;
}

Value eval_length(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  return Value::from_int(static_cast<int64_t>(text_of(a[0], c.args[0]).size()));
}

Value eval_char_length(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  return Value::from_int(static_cast<int64_t>(char_length(text_of(a[0], c.args[0]), c.collation)));
}

// --- SUBSTRING, LEFT, RIGHT ----------------------------------------------------------

bool resolve_substring(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  return string_result(args.first(1), args, "substr", text_length(args[0]), out, error);
}

Value eval_substring(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  std::string s = text_of(a[0], c.args[0]);
  IntArg start = int_of(a[1], c.args[1]);
  int64_t length = INT_MAX;
  if (a.size() == 3) {
    IntArg len = int_of(a[2], c.args[2]);
    // A zero or negative length gives ''; a huge unsigned one means "to the end".
    if (len.value <= 0 && (len.value == 0 || !len.is_unsigned)) return Value::from_string({});
    length = len.value;
  }
  if (length <= 0 || length > INT_MAX) length = INT_MAX;
  if ((!start.is_unsigned && (start.value < INT_MIN || start.value > INT_MAX)) ||
      (start.is_unsigned && static_cast<uint64_t>(start.value) > INT_MAX))
    return Value::from_string({});
  // Position 0 and positions before the start give '' (MySQL's charpos of a negative index).
  int64_t first = start.value < 0 ? static_cast<int64_t>(char_length(s, c.collation)) + start.value : start.value - 1;
  if (first < 0) return Value::from_string({});
  size_t from = char_offset(s, static_cast<size_t>(first), c.collation);
  if (from >= s.size()) return Value::from_string({});
  std::string_view rest = std::string_view(s).substr(from);
  size_t bytes = char_offset(rest, static_cast<size_t>(length), c.collation);
  return Value::from_string(std::string(rest.substr(0, bytes)));
}

Value eval_left(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  std::string s = text_of(a[0], c.args[0]);
  IntArg n = int_of(a[1], c.args[1]);
  if (n.value <= 0 && !n.is_unsigned) return Value::from_string({});
  if (n.is_unsigned || static_cast<uint64_t>(n.value) >= s.size()) return Value::from_string(std::move(s));
  s.resize(char_offset(s, static_cast<size_t>(n.value), c.collation));
  return Value::from_string(std::move(s));
}

Value eval_right(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  std::string s = text_of(a[0], c.args[0]);
  IntArg n = int_of(a[1], c.args[1]);
  if (n.value <= 0 && !n.is_unsigned) return Value::from_string({});
  if (n.is_unsigned || static_cast<uint64_t>(n.value) >= s.size()) return Value::from_string(std::move(s));
  size_t chars = char_length(s, c.collation);
  if (chars <= static_cast<size_t>(n.value)) return Value::from_string(std::move(s));
  size_t from = char_offset(s, chars - static_cast<size_t>(n.value), c.collation);
  return Value::from_string(s.substr(from));
}

// --- CONCAT, CONCAT_WS ----------------------------------------------------------------

// The sum of the arguments' lengths; 0 (unknown) when any of them is unknown.
uint32_t total_length(std::span<const SqlType> args) {
  uint64_t length = 0;
  for (const SqlType& t : args) {
    uint32_t n = text_length(t);
    if (n == 0 && t.cls != TypeClass::Null) return 0;
    length += n;
  }
  return length > UINT32_MAX ? 0 : static_cast<uint32_t>(length);
}

bool resolve_concat(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  return string_result(args, args, "concat", total_length(args), out, error);
}

Value eval_concat(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  std::string out;
  for (size_t i = 0; i < a.size(); ++i) out += text_of(a[i], c.args[i]);
  return Value::from_string(std::move(out));
}

bool resolve_concat_ws(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  uint64_t separators = static_cast<uint64_t>(text_length(args[0])) * (args.size() - 2);
  uint32_t values = total_length(args.subspan(1));
  uint32_t length = values == 0 || (text_length(args[0]) == 0 && args.size() > 2) || values + separators > UINT32_MAX
                        ? 0
                        : static_cast<uint32_t>(values + separators);
  if (!string_result(args, args, "concat_ws", length, out, error)) return false;
  out.result.nullable = args[0].nullable || args[0].cls == TypeClass::Null;  // NULL values are skipped
  return true;
}

Value eval_concat_ws(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  if (a[0].is_null()) return Value::null();
  std::string sep = text_of(a[0], c.args[0]);
  std::string out;
  bool first = true;
  for (size_t i = 1; i < a.size(); ++i) {
    if (a[i].is_null()) continue;
    if (!first) out += sep;
    out += text_of(a[i], c.args[i]);
    first = false;
  }
  return Value::from_string(std::move(out));
}

// --- TRIM, LTRIM, RTRIM ---------------------------------------------------------------

enum TrimSide : int64_t { kBoth = 0, kLeading = 1, kTrailing = 2 };

bool resolve_trim(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  return string_result(args, args, "trim", text_length(args[0]), out, error);
}

// Item_func_trim::val_str: removes whole repetitions of `remove` (bytes, case-sensitive);
// at the end only occurrences that start on a character boundary.
std::string trim(std::string s, std::string_view remove, bool leading, bool trailing, const Collation* c) {
  if (remove.empty() || remove.size() > s.size()) return s;
  size_t begin = 0, end = s.size();
  std::string_view v = s;
  if (leading)
    while (begin + remove.size() <= end && v.substr(begin, remove.size()) == remove) begin += remove.size();
  if (trailing) {
    while (end - begin >= remove.size() && v.substr(end - remove.size(), remove.size()) == remove) {
      size_t at = end - remove.size();
      if (!counts_bytes(c)) {
        size_t p = begin;
        while (p < at) p += char_bytes(v, p, c);
        if (p != at) break;
      }
      end = at;
    }
  }
  return s.substr(begin, end - begin);
}

Value eval_trim(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  std::string s = text_of(a[0], c.args[0]);
  std::string remove = a.size() > 1 ? text_of(a[1], c.args[1]) : std::string(" ");
  bool leading = c.param != kTrailing, trailing = c.param != kLeading;
  return Value::from_string(trim(std::move(s), remove, leading, trailing, c.collation));
}

Value eval_ltrim(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  return Value::from_string(trim(text_of(a[0], c.args[0]), " ", true, false, c.collation));
}

Value eval_rtrim(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  return Value::from_string(trim(text_of(a[0], c.args[0]), " ", false, true, c.collation));
}

// --- REPLACE --------------------------------------------------------------------------

bool resolve_replace(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  return string_result(args, args, "replace", 0, out, error);
}

// Case-sensitive (bytes) whatever the collation; in a multi-byte character set matches start on
// character boundaries only, except under the binary-sorting (_bin) collations.
Value eval_replace(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  std::string s = text_of(a[0], c.args[0]);
  std::string from = text_of(a[1], c.args[1]);
  std::string to = text_of(a[2], c.args[2]);
  if (from.empty()) return Value::from_string(std::move(s));
  bool any_byte = counts_bytes(c.collation) || c.collation->name.ends_with("_bin");
  std::string_view v = s;
  std::string out;
  for (size_t i = 0; i < v.size();) {
    if (v.size() - i >= from.size() && v.compare(i, from.size(), from) == 0) {
      out += to;
      i += from.size();
      continue;
    }
    size_t step = any_byte ? 1 : char_bytes(v, i, c.collation);
    out.append(v.substr(i, step));
    i += step;
  }
  return Value::from_string(std::move(out));
}

// --- LOCATE, INSTR --------------------------------------------------------------------

bool resolve_locate_args(const SqlType& needle, const SqlType& haystack, std::span<const SqlType> all,
                         std::string_view op, BoundCall& out, std::string& error) {
  const SqlType pair[] = {needle, haystack};
  auto c = aggregate_collations(pair, CollationUse::kComparison, op, error);
  if (!c) return false;
  out.collation = c->collation;
  out.result = int_result(all);
  return true;
}

bool resolve_locate(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  return resolve_locate_args(args[0], args[1], args, "locate", out, error);
}

bool resolve_instr(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  return resolve_locate_args(args[1], args[0], args, "instr", out, error);
}

// The collation's instr (my_instr_mb): at each character of the haystack, the next
// needle-length bytes are compared with the needle under the collation, without padding.
// Returns the 0-based character index of the match, or -1.
int64_t collation_instr(std::string_view haystack, std::string_view needle, const Collation& c) {
  if (needle.size() > haystack.size()) return -1;
  bool bytes_only = c.is_binary || c.algo == CollationAlgo::MbBin || c.algo == CollationAlgo::Binary;
  // PAD SPACE collations ignore trailing spaces; a sentinel after both sides keeps them.
  std::string needle_key = c.pad_space ? std::string(needle) + "x" : std::string();
  int64_t index = 0;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++index) {
    std::string_view window = haystack.substr(i, needle.size());
    bool equal = bytes_only ? window == needle
                 : c.pad_space ? c.compare(std::string(window) + "x", needle_key, c) == 0
                               : c.compare(window, needle, c) == 0;
    if (equal) return index;
    i += c.is_binary ? 1 : char_bytes(haystack, i, &c);
  }
  return -1;
}

Value locate(const std::string& needle, const std::string& haystack, const Value* pos, const SqlType* pos_type,
             const Collation& c) {
  int64_t start = 0, start_chars = 0;
  if (pos) {
    IntArg p = int_of(*pos, *pos_type);
    if (p.is_unsigned && p.value < 0) return Value::from_int(0);
    start_chars = p.value - 1;
    if (start_chars < 0 || static_cast<uint64_t>(start_chars) > haystack.size()) return Value::from_int(0);
    start = static_cast<int64_t>(char_offset(haystack, static_cast<size_t>(start_chars), &c));
    if (static_cast<size_t>(start) + needle.size() > haystack.size()) return Value::from_int(0);
  }
  // As MySQL, an empty needle is found at the start, reported as a byte offset + 1.
  if (needle.empty()) return Value::from_int(start + 1);
  int64_t found = collation_instr(std::string_view(haystack).substr(static_cast<size_t>(start)), needle, c);
  return Value::from_int(found < 0 ? 0 : found + start_chars + 1);
}

Value eval_locate(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  return locate(text_of(a[0], c.args[0]), text_of(a[1], c.args[1]), a.size() > 2 ? &a[2] : nullptr,
                a.size() > 2 ? &c.args[2] : nullptr, *c.collation);
}

Value eval_instr(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  return locate(text_of(a[1], c.args[1]), text_of(a[0], c.args[0]), nullptr, nullptr, *c.collation);
}

// --- LPAD, RPAD -----------------------------------------------------------------------

bool resolve_pad(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  const SqlType strings[] = {args[0], args[2]};
  if (!string_result(strings, args, "lpad", 0, out, error)) return false;
  out.result.nullable = true;  // a negative length or an empty pad gives NULL
  return true;
}

Value pad(std::span<const Value> a, const BoundCall& c, bool left) {
  IntArg count = int_of(a[1], c.args[1]);
  if (count.value < 0 && !count.is_unsigned) return Value::null();
  std::string s = text_of(a[0], c.args[0]);
  std::string padding = text_of(a[2], c.args[2]);
  int64_t n = count.is_unsigned && count.value < 0 ? INT_MAX : std::min<int64_t>(count.value, INT_MAX);
  size_t chars = char_length(s, c.collation);
  if (static_cast<size_t>(n) <= chars) {
    s.resize(char_offset(s, static_cast<size_t>(n), c.collation));
    return Value::from_string(std::move(s));
  }
  size_t pad_chars = char_length(padding, c.collation);
  if (n * max_bytes_per_char(c.collation) > kMaxAllowedPacket || pad_chars == 0) return Value::null();
  size_t missing = static_cast<size_t>(n) - chars;
  std::string fill;
  for (; missing >= pad_chars; missing -= pad_chars) fill += padding;
  fill.append(padding, 0, char_offset(padding, missing, c.collation));
  return Value::from_string(left ? fill + s : s + fill);
}

Value eval_lpad(std::span<const Value> a, const BoundCall& c, EvalContext&) { return pad(a, c, true); }
Value eval_rpad(std::span<const Value> a, const BoundCall& c, EvalContext&) { return pad(a, c, false); }

// --- HEX ------------------------------------------------------------------------------

bool resolve_hex(std::span<const SqlType> args, BoundCall& out, std::string&) {
  out.collation = &default_collation();
  bool number = args[0].cls == TypeClass::Int || args[0].cls == TypeClass::Decimal || args[0].cls == TypeClass::Double;
  out.result = SqlType::string(&default_collation(), number ? 16 : text_length(args[0]) * 8);  // 0: unknown
  out.result.nullable = any_nullable(args);
  return true;
}

// Item_func_hex: numbers as the hex digits of a 64-bit unsigned value (DECIMAL and DOUBLE
// rounded half away from zero, negatives in two's complement); everything else as its bytes.
Value eval_hex(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  const SqlType& t = c.args[0];
  uint64_t number = 0;
  switch (t.cls) {
    case TypeClass::Int: number = static_cast<uint64_t>(value_to_int(a[0], t).value); break;
    case TypeClass::Decimal:
    case TypeClass::Double: {
      double d = value_to_double(a[0], t);
      if (d <= static_cast<double>(INT64_MIN) || d >= static_cast<double>(UINT64_MAX)) {
        number = ~uint64_t{0};
      } else {
        double r = d + (d > 0 ? 0.5 : -0.5);
        // (ulonglong) of a double as x86-64 computes it: negatives through int64.
        number = r < 9223372036854775808.0 ? static_cast<uint64_t>(static_cast<int64_t>(r))
                                           : static_cast<uint64_t>(r);
      }
      break;
    }
    default: {
      std::string s = text_of(a[0], t);
      std::string out;
      out.reserve(s.size() * 2);
      for (unsigned char ch : s) out += fmt::format("{:02X}", ch);
      return Value::from_string(std::move(out));
    }
  }
  return Value::from_string(fmt::format("{:X}", number));
}

constexpr FunctionDef kStrings[] = {
    {"LOWER", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_case, eval_lower, "LOWER(str)"},
    {"UPPER", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_case, eval_upper, "UPPER(str)"},
    {"LENGTH", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_length, eval_length, "LENGTH(str)"},
    {"CHAR_LENGTH", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_length, eval_char_length, "CHAR_LENGTH(str)"},
    {"SUBSTRING", 2, 3, NullPolicy::NullIfAnyNull, true, resolve_substring, eval_substring,
     "SUBSTRING(str, pos[, len])"},
    {"LEFT", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_substring, eval_left, "LEFT(str, len)"},
    {"RIGHT", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_substring, eval_right, "RIGHT(str, len)"},
    {"CONCAT", 1, -1, NullPolicy::NullIfAnyNull, true, resolve_concat, eval_concat, "CONCAT(str, ...)"},
    {"CONCAT_WS", 2, -1, NullPolicy::Custom, true, resolve_concat_ws, eval_concat_ws,
     "CONCAT_WS(separator, str, ...)"},
    {"TRIM", 1, 2, NullPolicy::NullIfAnyNull, true, resolve_trim, eval_trim,
     "TRIM([[BOTH | LEADING | TRAILING] [remstr] FROM] str)"},
    {"LTRIM", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_trim, eval_ltrim, "LTRIM(str)"},
    {"RTRIM", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_trim, eval_rtrim, "RTRIM(str)"},
    {"REPLACE", 3, 3, NullPolicy::NullIfAnyNull, true, resolve_replace, eval_replace, "REPLACE(str, from, to)"},
    {"LOCATE", 2, 3, NullPolicy::NullIfAnyNull, true, resolve_locate, eval_locate, "LOCATE(substr, str[, pos])"},
    {"INSTR", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_instr, eval_instr, "INSTR(str, substr)"},
    {"LPAD", 3, 3, NullPolicy::NullIfAnyNull, true, resolve_pad, eval_lpad, "LPAD(str, len, padstr)"},
    {"RPAD", 3, 3, NullPolicy::NullIfAnyNull, true, resolve_pad, eval_rpad, "RPAD(str, len, padstr)"},
    {"HEX", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_hex, eval_hex, "HEX(str_or_number)"},
};

}  // namespace

std::span<const FunctionDef> string_functions() { return kStrings; }

}  // namespace obsync
