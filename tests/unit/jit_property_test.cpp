// Property-based differential test of the JIT against the reference interpreter: random
// well-typed expressions over a table of every column type, calling every function and operator
// of the stdlib registry and every IR construct (CASE, IF, IFNULL, COALESCE, NULLIF, CAST, IN,
// BETWEEN, LIKE … ESCAPE, REGEXP, COLLATE, three-valued logic), run as a WHERE (compile_predicate)
// and as a value (compile_projection) over random batches with NULLs and edge values. Both
// engines must select the same rows, produce the same values and stop on the same error row.
//
// Seeds: a fixed one and a fresh one per run (900 expressions each), printed on failure;
// OBSYNC_JIT_SEED=<n> replays one seed (as in jit_test.cpp; 1800 expressions, the first 900 as in
// the two-seed run). A mismatch is shrunk to the smallest failing subexpression and the single
// row that shows it, and printed with the IR dump. Other knobs:
//   OBSYNC_JIT_PROPERTY_COUNT=<n>   n expressions per seed (a longer hunt)
//   OBSYNC_JIT_PROPERTY_TRACE=1     print each expression to stderr (to find one that crashes)
// Expressions that do not bind (illegal mixes of collations, COLLATE on a binary string…) are
// skipped and counted; the summary (a WARN) lists the statistics and the least covered items.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <random>
#include <set>

#include "compiler/interp/interpreter.hpp"
#include "compiler/jit/jit.hpp"
#include "tests/unit/jit_harness.hpp"
#include "compiler/parse/parser.hpp"
#include "compiler/sema/binder.hpp"
#include "stdlib/collation.hpp"
#include "stdlib/function_registry.hpp"

using namespace obsync;

namespace {

using namespace jit_harness;

// --- the table ------------------------------------------------------------------------------------

// Every column type (parse_column_definitions accepts all of them), and a column per collation.
const std::string kColumns =
    "i BIGINT, u BIGINT UNSIGNED, t TINYINT, n INT, d DOUBLE, fl FLOAT, m DECIMAL(10,2), m2 DECIMAL(30,10), "
    "dt DATE, tm TIME(3), ts DATETIME(6), tsp TIMESTAMP, y YEAR, bt BIT(8), "
    "g VARCHAR(20) COLLATE utf8mb4_general_ci, s VARCHAR(20) COLLATE utf8mb4_bin, x VARBINARY(20), tx TEXT, "
    "e ENUM('a','b','c'), st SET('x','y'), j JSON, "
    "ai VARCHAR(20) COLLATE utf8mb4_0900_ai_ci, uc VARCHAR(20) COLLATE utf8mb4_unicode_ci";

constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

// Text values: case variants, trailing spaces, 'ß' (= 's' in general_ci), accents, 4-byte UTF-8,
// a tab, numbers, dates, JSON, LIKE and REGEXP metacharacters.
const std::vector<std::string> kTexts = {
    "", " ", "a", "a ", "a  ", "A", "A ", "b", "B", "ab", "aB", "abc", "ABC", "ß", "s", "ss", "SS", "é", "e", "E",
    "É", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x81", "a\xF0\x9F\x98\x80z", "\xF0\x9D\x84\x9E", "漢字", "a\t", "\t",
    "0", "1", "-1", "12", "12abc", " 42", "1e3", "-0", "0.5", "9223372036854775808", "-9223372036854775809",
    "18446744073709551616", "1e308", "2024-02-29", "2024-02-29 12:34:56.5", "0000-00-00", "12:34:56", "-838:59:59",
    "20240229", "{\"a\": 1}", "[1, 2]", "null", "a%b", "a_b", "%", "_", "\\", "a\\%", "x,y", "c", "Straße",
    "STRASSE", "cancelled", "Cancelled "};

const std::vector<std::string> kBytes = {"",    std::string(1, '\0'), "\xff", "\xc3", "abc", "ABC", "a ",  "a",
                                         "A",   std::string("a\0b", 3), "\x80\x81", "\xc3\x9f", "1", "12", "\t",
                                         "%",  "x"};

const std::vector<std::string> kJsonDocs = {
    "{\"a\": 1, \"b\": [1, 2.5, \"s\", null, true, {\"n\": -1}]}",
    "[]",
    "{}",
    "\"str\"",
    "\"\"",
    "1",
    "-0.5",
    "null",
    "true",
    "false",
    "[1, [2, [3, [4]]]]",
    "{\"k\": {\"n\": -1, \"u\": \"\xF0\x9F\x98\x80\"}, \"a\": \"x\"}",
    "18446744073709551615",
    "-9223372036854775808",
    "1e300",
    "[\"a\", \"B\", \"\"]",
    "{\"a\": {\"b\": [1, {\"c\": 1e300}]}, \"big\": 18446744073709551615}",
    "\"2024-02-29\"",
    "[null]",
};

// An unsigned column value as the runtime reads it from a ColumnVector (ColumnVector::get sets
// both members).
Value unsigned_value(uint64_t v) {
  Value out = Value::from_uint(v);
  out.i = static_cast<int64_t>(v);
  return out;
}

Decimal dec(const std::string& text, int scale) { return Decimal::parse(text).value.with_scale(scale); }

Temporal parsed(std::optional<Temporal> t, const std::string& text) {
  if (!t) FAIL("the test's temporal value does not parse: " << text);
  return *t;
}

// A random value for column `c` (named by the table above).
Value random_value(std::mt19937_64& rng, const ColumnSchema& c) {
  auto pick = [&](size_t n) { return static_cast<size_t>(std::uniform_int_distribution<size_t>(0, n - 1)(rng)); };
  auto from = [&](const auto& list) { return list[pick(std::size(list))]; };
  if (pick(7) == 0) return Value::null();
  bool edge = pick(2) == 0;
  const std::string& name = c.name;
  const SqlType& t = c.type;
  if (name == "i") {
    static const int64_t edges[] = {0, 1, -1, 2, 5, 10, kI64Max, kI64Min, kI64Max - 1, kI64Min + 1,
                                    9007199254740993LL, -9007199254740993LL, 4294967296LL, 3037000500LL,
                                    1709251200LL, -62167219200LL, 20240229LL, 20240229123456LL, 123456LL};
    if (edge) return Value::from_int(from(edges));
    return Value::from_int(pick(4) ? static_cast<int64_t>(pick(61)) - 30 : static_cast<int64_t>(rng()));
  }
  if (name == "u") {
    static const uint64_t edges[] = {0, 1, 2, 5, 10, kU64Max, kU64Max - 1, uint64_t(kI64Max), uint64_t(kI64Max) + 1,
                                     9007199254740993ull, 4294967295ull, 1709251200ull, 20240229ull};
    if (edge) return unsigned_value(from(edges));
    return unsigned_value(pick(4) ? uint64_t(pick(40)) : rng());
  }
  if (name == "t") {
    static const int64_t edges[] = {-128, 127, 0, 1, -1, 64};
    if (edge) return Value::from_int(from(edges));
    return Value::from_int(static_cast<int64_t>(pick(256)) - 128);
  }
  if (name == "n") {
    static const int64_t edges[] = {0, 1, -1, 2147483647, -2147483648LL, 65536, 100, 20240229};
    if (edge) return Value::from_int(from(edges));
    return Value::from_int(pick(4) ? static_cast<int64_t>(pick(41)) - 20 : static_cast<int32_t>(rng()));
  }
  if (name == "y") {
    static const int64_t edges[] = {0, 1901, 2155, 2000, 1970, 2024, 2069, 2070};
    return unsigned_value(static_cast<uint64_t>(edge ? from(edges) : 1901 + static_cast<int64_t>(pick(255))));
  }
  if (name == "d") {
    static const double edges[] = {0.0, -0.0, 1.0, -1.0, 1e308, -1e308, 9007199254740993.0, 9223372036854775808.0,
                                   18446744073709551616.0, 0.5, -2.5, 2.5, 5e-324, 1e-7, 123.456, 1e15 + 0.5,
                                   -0.49999999999999994, 1709251200.5, 20240229.0, 3.0};
    if (edge) return Value::from_double(from(edges));
    return Value::from_double(pick(3) ? std::uniform_real_distribution<double>(-50, 50)(rng)
                                      : static_cast<double>(static_cast<int64_t>(pick(41)) - 20) / 4);
  }
  if (name == "fl") {
    static const float edges[] = {0.0f, -0.0f, 1.5f, 0.1f, -3.40282e38f, 3.40282e38f, 1e-45f, 16777217.0f, 2.5f};
    float f = edge ? from(edges) : std::uniform_real_distribution<float>(-100, 100)(rng);
    return Value::from_double(static_cast<double>(f));
  }
  if (name == "m") {
    static const char* edges[] = {"99999999.99", "-99999999.99", "0.00", "0.50", "-0.50", "-0.01", "1.00", "2.50",
                                  "12.34", "-12.35", "20240229.00"};
    if (edge) return Value::from_decimal(dec(from(edges), 2));
    return Value::from_decimal(dec(fmt::format("{}.{:02d}", static_cast<int>(pick(2001)) - 1000, pick(100)), 2));
  }
  if (name == "m2") {
    static const char* edges[] = {"99999999999999999999.9999999999", "-99999999999999999999.9999999999",
                                  "0.0000000000",  "0.0000000001", "-0.0000000001", "0.5000000000",
                                  "9223372036854775807.0000000000", "18446744073709551615.4999999999",
                                  "-9223372036854775808.5000000000", "1.2345678901"};
    if (edge) return Value::from_decimal(dec(from(edges), 10));
    return Value::from_decimal(
        dec(fmt::format("{}.{:010d}", static_cast<int>(pick(201)) - 100, static_cast<int64_t>(pick(10000000000ull))),
            10));
  }
  if (name == "dt") {
    static const char* edges[] = {"0000-00-00", "2024-02-29", "9999-12-31", "1000-01-01", "1970-01-01", "2038-01-19",
                                  "2000-01-01", "1969-12-31", "0001-01-01", "2023-12-31"};
    std::string text = edge ? from(edges)
                            : fmt::format("{:04d}-{:02d}-{:02d}", 1950 + pick(120), 1 + pick(12), 1 + pick(28));
    return Value::from_temporal(TypeClass::Date, parsed(parse_date(text), text));
  }
  if (name == "tm") {
    static const char* edges[] = {"-838:59:59.000", "838:59:59.000", "00:00:00.000", "-00:00:00.001",
                                  "12:34:56.789",   "-12:00:00.500", "24:00:00.000", "23:59:59.999",
                                  "100:00:00.000",  "-00:00:01.000"};
    std::string text = edge ? from(edges)
                            : fmt::format("{}{:02d}:{:02d}:{:02d}.{:03d}", pick(4) ? "" : "-", pick(30), pick(60),
                                          pick(60), pick(1000));
    return Value::from_temporal(TypeClass::Time, parsed(parse_time(text, 3), text));
  }
  if (name == "ts" || name == "tsp") {
    bool timestamp = name == "tsp";
    static const char* edges[] = {"0000-00-00 00:00:00",        "9999-12-31 23:59:59.999999",
                                  "1970-01-01 00:00:00",        "2024-02-29 12:34:56.123456",
                                  "2038-01-19 03:14:07.999999", "2000-01-01 00:00:00.000001",
                                  "1969-12-31 23:59:59.5",      "2024-03-01 00:00:00"};
    static const char* ts_edges[] = {"1970-01-01 00:00:01", "2038-01-19 03:14:07", "0000-00-00 00:00:00",
                                     "2024-02-29 12:34:56", "2000-01-01 00:00:00"};
    std::string text;
    if (edge) text = timestamp ? from(ts_edges) : from(edges);
    else
      text = fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}{}", 1971 + pick(60), 1 + pick(12), 1 + pick(28),
                         pick(24), pick(60), pick(60),
                         timestamp ? std::string() : fmt::format(".{:06d}", pick(1000000)));
    return Value::from_temporal(TypeClass::DateTime, parsed(parse_datetime(text, t.scale), text));
  }
  if (name == "bt") {
    static const char edges[] = {'\0', '\x01', '\x7f', '\x80', '\xff', 'A', '0'};
    return Value::from_string(std::string(1, edge ? from(edges) : static_cast<char>(pick(256))));
  }
  if (name == "x") return Value::from_string(pick(3) ? from(kBytes) : from(kTexts));
  if (name == "e") {
    static const char* labels[] = {"a", "b", "c", ""};
    return Value::from_string(from(labels));
  }
  if (name == "st") {
    static const char* labels[] = {"", "x", "y", "x,y"};
    return Value::from_string(from(labels));
  }
  if (name == "j") return Value::from_json(from(kJsonDocs));
  // g s tx ai uc: text.
  return Value::from_string(from(kTexts));
}

// --- expression generation ------------------------------------------------------------------------

enum class K : uint8_t { Int, Real, Dec, Str, Date, Time, DateTime, Json, Bool, Any };

// The IR constructs every run must compare (Coverage::add names them so), and the collations.
const std::vector<std::string> kConstructs = {
    "CASE", "CASE else", "CASE operand", "CASE operand else", "IF", "NULLIF", "CAST SIGNED", "CAST UNSIGNED",
    "CAST YEAR", "CAST DECIMAL", "CAST DOUBLE", "CAST FLOAT", "CAST CHAR", "CAST BINARY", "CAST DATE",
    "CAST DATETIME", "CAST TIME", "CAST JSON", "AND", "OR", "XOR", "NOT", "IS NULL", "IS NOT NULL", "IS TRUE",
    "IS NOT TRUE", "IS FALSE", "IS NOT FALSE", "IN", "NOT IN", "BETWEEN", "NOT BETWEEN"};
const std::vector<std::string> kCollationNames = {"utf8mb4_general_ci", "utf8mb4_bin", "utf8mb4_0900_ai_ci",
                                                  "utf8mb4_unicode_ci", "binary"};

// Every registry function and operator (rejected ones have no implementation: skipped).
std::vector<const FunctionDef*> registry_functions() {
  std::vector<const FunctionDef*> out;
  for (auto group : {comparison_operators(), arithmetic_operators(), string_functions(), numeric_functions(),
                     temporal_functions(), control_functions(), json_functions(), hash_functions()})
    for (const FunctionDef& f : group)
      if (f.resolve && f.eval) out.push_back(&f);
  return out;
}

// Random expression text. Arguments follow each function's usage most of the time and are of a
// random type otherwise (those that do not bind are skipped and counted by the caller).
class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  bool chance(int percent) { return static_cast<int>(pick(100)) < percent; }
  template <typename List>
  std::string from(const List& list) {
    return std::string(list[pick(std::size(list))]);
  }

  std::string expr(K k, int depth) {
    if (k == K::Any) k = random_kind();
    if (k == K::Bool) return condition(depth);
    if (depth <= 0 || chance(25)) return leaf(k);
    int r = static_cast<int>(pick(10));
    if (r < 6) return call_returning(k, depth);
    if (r < 9) return control(k, depth);
    return leaf(k);
  }

  // A call with `fn` at its root (arguments `depth - 1` deep).
  std::string call(std::string_view fn, int depth) {
    int d = std::max(0, depth - 1);
    auto arg = [&](K k) { return chance(15) ? expr(K::Any, d) : expr(k, d); };
    auto num = [&] { return arg(numeric_kind()); };
    auto str = [&] { return arg(K::Str); };
    auto small = [&] { return chance(60) ? from(kSmallInts) : arg(K::Int); };
    auto temporal = [&] {
      static const K kinds[] = {K::Date, K::DateTime, K::DateTime, K::Str, K::Time, K::Int};
      return arg(kinds[pick(std::size(kinds))]);
    };
    if (fn == "+" || fn == "-" || fn == "*" || fn == "/" || fn == "DIV" || fn == "%" || fn == "&" || fn == "|" ||
        fn == "^") {
      std::string op(fn);
      if (fn == "%" && chance(30)) return fmt::format("MOD({}, {})", num(), num());
      if (fn == "%" && chance(30)) op = "MOD";
      return fmt::format("({} {} {})", num(), op, num());
    }
    if (fn == "<<" || fn == ">>") return fmt::format("({} {} {})", num(), fn, chance(70) ? from(kShifts) : num());
    if (fn == "NEG") return chance(80) ? fmt::format("(- {})", num()) : fmt::format("NEG({})", num());
    if (fn == "~") return fmt::format("(~ {})", num());
    if (fn == "=" || fn == "<>" || fn == "<" || fn == "<=" || fn == ">" || fn == ">=" || fn == "<=>") {
      std::string op(fn);
      if (fn == "<>" && chance(30)) op = "!=";
      auto [a, b] = comparable_pair(d);
      return fmt::format("({} {} {})", a, op, b);
    }
    if (fn == "LIKE") {
      std::string out = fmt::format("({} {}LIKE {}", str_operand(d), chance(20) ? "NOT " : "", like_pattern(d));
      if (chance(35)) out += fmt::format(" ESCAPE {}", from(kEscapes));
      return out + ")";
    }
    if (fn == "REGEXP")
      return fmt::format("({} {}{} {})", str_operand(d), chance(20) ? "NOT " : "", chance(20) ? "RLIKE" : "REGEXP",
                         chance(75) ? from(kRegexps) : str());
    if (fn == "SHA1" && chance(30)) return fmt::format("SHA({})", str());
    if (fn == "MD5" || fn == "SHA1" || fn == "CRC32") return fmt::format("{}({})", fn, str());
    if (fn == "SHA2") return fmt::format("SHA2({}, {})", str(), chance(80) ? from(kShaBits) : num());
    if (fn == "JSON_EXTRACT") {
      std::string out = fmt::format("JSON_EXTRACT({}", json_doc(d));
      for (size_t k = 1 + (chance(25) ? pick(3) : 0); k > 0; --k) out += ", " + json_path(d);
      return out + ")";
    }
    if (fn == "JSON_UNQUOTE") return fmt::format("JSON_UNQUOTE({})", chance(60) ? json_doc(d) : str());
    if (fn == "JSON_TYPE" || fn == "JSON_DEPTH") return fmt::format("{}({})", fn, json_doc(d));
    if (fn == "JSON_VALID") return fmt::format("JSON_VALID({})", chance(50) ? json_doc(d) : expr(K::Any, d));
    if (fn == "JSON_QUOTE") return fmt::format("JSON_QUOTE({})", str());
    if (fn == "JSON_ARRAY") {
      std::string out = "JSON_ARRAY(";
      for (size_t k = pick(4); k > 0; --k) out += expr(K::Any, d) + (k > 1 ? ", " : "");
      return out + ")";
    }
    if (fn == "JSON_OBJECT") {
      std::string out = "JSON_OBJECT(";
      size_t pairs = pick(3);
      for (size_t k = 0; k < pairs; ++k)
        out += fmt::format("{}{}, {}", k ? ", " : "", chance(80) ? from(kJsonKeys) : str(), expr(K::Any, d));
      if (chance(5)) out += pairs ? ", 'odd'" : "'odd'";  // an odd count does not bind
      return out + ")";
    }
    if (fn == "JSON_LENGTH" || fn == "JSON_KEYS")
      return chance(50) ? fmt::format("{}({})", fn, json_doc(d)) : fmt::format("{}({}, {})", fn, json_doc(d), json_path(d));
    if (fn == "JSON_CONTAINS_PATH") {
      std::string out = fmt::format("JSON_CONTAINS_PATH({}, {}", json_doc(d), chance(85) ? from(kOneAll) : str());
      for (size_t k = 1 + pick(2); k > 0; --k) out += ", " + json_path(d);
      return out + ")";
    }
    if (fn == "ABS" || fn == "CEIL" || fn == "FLOOR" || fn == "SIGN") {
      std::string name(fn);
      if (fn == "CEIL" && chance(30)) name = "CEILING";
      return fmt::format("{}({})", name, num());
    }
    if (fn == "ROUND")
      return chance(35) ? fmt::format("ROUND({})", num()) : fmt::format("ROUND({}, {})", num(), small());
    if (fn == "TRUNCATE") return fmt::format("TRUNCATE({}, {})", num(), small());
    if (fn == "GREATEST" || fn == "LEAST") {
      K k = chance(60) ? random_kind() : K::Any;
      std::string out = fmt::format("{}({}", fn, expr(k, d));
      for (size_t c = 1 + pick(3); c > 0; --c) out += ", " + (chance(75) ? expr(k, d) : expr(K::Any, d));
      return out + ")";
    }
    if (fn == "LOWER" || fn == "UPPER" || fn == "LENGTH" || fn == "CHAR_LENGTH" || fn == "LTRIM" || fn == "RTRIM") {
      static const std::map<std::string_view, std::string_view> alias = {
          {"LOWER", "LCASE"}, {"UPPER", "UCASE"}, {"LENGTH", "OCTET_LENGTH"}, {"CHAR_LENGTH", "CHARACTER_LENGTH"}};
      std::string name(fn);
      if (auto a = alias.find(fn); a != alias.end() && chance(20)) name = a->second;
      return fmt::format("{}({})", name, str_operand(d));
    }
    if (fn == "SUBSTRING") {
      switch (pick(5)) {
        case 0: return fmt::format("SUBSTRING({} FROM {})", str_operand(d), small());
        case 1: return fmt::format("SUBSTRING({} FROM {} FOR {})", str_operand(d), small(), small());
        case 2: return fmt::format("SUBSTR({}, {})", str_operand(d), small());
        case 3: return fmt::format("MID({}, {}, {})", str_operand(d), small(), small());
        default: return fmt::format("SUBSTRING({}, {}, {})", str_operand(d), small(), small());
      }
    }
    if (fn == "LEFT" || fn == "RIGHT") return fmt::format("{}({}, {})", fn, str_operand(d), small());
    if (fn == "CONCAT") {
      std::string out = "CONCAT(" + str_operand(d);
      for (size_t c = pick(3); c > 0; --c) out += ", " + (chance(70) ? str_operand(d) : expr(K::Any, d));
      return out + ")";
    }
    if (fn == "CONCAT_WS") {
      std::string out = fmt::format("CONCAT_WS({}", chance(70) ? from(kSeparators) : str());
      for (size_t c = 1 + pick(3); c > 0; --c) out += ", " + (chance(70) ? str_operand(d) : expr(K::Any, d));
      return out + ")";
    }
    if (fn == "TRIM") {
      static const char* sides[] = {"", "BOTH ", "LEADING ", "TRAILING "};
      switch (pick(4)) {
        case 0: return fmt::format("TRIM({})", str_operand(d));
        case 1: return fmt::format("TRIM({}FROM {})", from(sides), str_operand(d));
        default: return fmt::format("TRIM({}{} FROM {})", from(sides), chance(70) ? from(kTrimChars) : str(), str_operand(d));
      }
    }
    if (fn == "REPLACE") return fmt::format("REPLACE({}, {}, {})", str_operand(d), str_operand(d), str_operand(d));
    if (fn == "LOCATE") {
      switch (pick(3)) {
        case 0: return fmt::format("LOCATE({}, {})", str_operand(d), str_operand(d));
        case 1: return fmt::format("LOCATE({}, {}, {})", str_operand(d), str_operand(d), small());
        default: return fmt::format("POSITION({} IN {})", str_operand(d), str_operand(d));
      }
    }
    if (fn == "INSTR") return fmt::format("INSTR({}, {})", str_operand(d), str_operand(d));
    if (fn == "LPAD" || fn == "RPAD")
      return fmt::format("{}({}, {}, {})", fn, str_operand(d), small(), chance(80) ? from(kPads) : str());
    if (fn == "HEX") return fmt::format("HEX({})", chance(50) ? str_operand(d) : num());
    if (fn == "DATE" || fn == "YEAR" || fn == "MONTH" || fn == "DAY" || fn == "HOUR" || fn == "MINUTE" ||
        fn == "SECOND") {
      std::string name(fn);
      if (fn == "DAY" && chance(30)) name = "DAYOFMONTH";
      return fmt::format("{}({})", name, temporal());
    }
    if (fn == "DATE_FORMAT") return fmt::format("DATE_FORMAT({}, {})", temporal(), chance(85) ? from(kFormats) : str());
    if (fn == "DATE_ADD" || fn == "DATE_SUB") {
      bool add = fn == "DATE_ADD";
      std::string date = temporal();
      std::string interval = fmt::format("INTERVAL {} {}", interval_value(d), from(kUnits));
      switch (pick(4)) {
        case 0: return fmt::format("({} {} {})", date, add ? "+" : "-", interval);
        case 1:
          if (add) return fmt::format("({} + {})", interval, date);
          return fmt::format("{}({}, {})", fn, date, interval);
        case 2: return fmt::format("{}({}, {})", add ? "ADDDATE" : "SUBDATE", date, chance(50) ? interval : small());
        default: return fmt::format("{}({}, {})", fn, date, interval);
      }
    }
    if (fn == "DATEDIFF") return fmt::format("DATEDIFF({}, {})", temporal(), temporal());
    if (fn == "UNIX_TIMESTAMP") return fmt::format("UNIX_TIMESTAMP({})", chance(70) ? temporal() : num());
    if (fn == "FROM_UNIXTIME") {
      std::string seconds = chance(50) ? from(kUnixSeconds) : num();
      return chance(60) ? fmt::format("FROM_UNIXTIME({})", seconds)
                        : fmt::format("FROM_UNIXTIME({}, {})", seconds, chance(85) ? from(kFormats) : str());
    }
    // A function this generator does not know yet: its arity from the registry, random arguments.
    const FunctionDef* f = find_function(fn);
    std::string out = std::string(fn) + "(";
    int count = f ? f->min_args : 1;
    for (int a = 0; a < count; ++a) out += (a ? ", " : "") + expr(K::Any, d);
    return out + ")";
  }

  // An expression rooted at `target`: "fn:NAME" a registry function or operator, "alias:NAME" a
  // call spelled with an alias of function_names(), else an IR construct ("CASE operand else",
  // "CAST FLOAT", "IS NOT FALSE", "NOT IN"…) or "COLLATE <collation>".
  std::string target(const std::string& t, int depth) {
    int d = std::max(0, depth - 1);
    if (t.rfind("fn:", 0) == 0) return call(t.substr(3), depth);
    if (t.rfind("alias:", 0) == 0) {
      std::string alias = t.substr(6);
      const FunctionDef* f = find_function(alias);
      std::string canonical = f ? std::string(f->name) : alias;
      std::string text;
      for (int attempt = 0; attempt < 30; ++attempt) {
        text = call(canonical, depth);
        if (text.rfind(alias + "(", 0) == 0) return text;
        // SUBSTRING(s FROM p) has no MID(s FROM p).
        if (text.rfind(canonical + "(", 0) == 0 && text.find(" FROM ") == std::string::npos)
          return alias + text.substr(canonical.size());
      }
      return text;
    }
    if (t.rfind("CASE", 0) == 0) {
      K k = random_kind();
      return case_expr(k == K::Bool ? K::Int : k, d, t.find("operand") != std::string::npos,
                       t.find("else") != std::string::npos);
    }
    K k = random_kind();
    if (k == K::Bool) k = K::Str;
    if (t == "IF") return fmt::format("IF({}, {}, {})", condition(d), expr(k, d), chance(80) ? expr(k, d) : expr(K::Any, d));
    if (t == "IFNULL") return fmt::format("IFNULL({}, {})", expr(k, d), expr(k, d));
    if (t == "COALESCE") return fmt::format("COALESCE({}, {}, {})", expr(k, d), expr(k, d), expr(k, d));
    if (t == "NULLIF") return fmt::format("NULLIF({}, {})", expr(k, d), chance(50) ? leaf(k) : expr(k, d));
    if (t.rfind("CAST ", 0) == 0) {
      std::string to = t.substr(5);
      std::string type = to == "DECIMAL"    ? cast_target(K::Dec)
                         : to == "DATETIME" ? cast_target(K::DateTime)
                         : to == "TIME"     ? cast_target(K::Time)
                         : to == "CHAR"     ? (chance(50) ? "CHAR" : "CHAR(3)")
                         : to == "BINARY"   ? (chance(50) ? "BINARY" : "BINARY(2)")
                                            : to;
      return fmt::format("CAST({} AS {})", expr(K::Any, d), type);
    }
    if (t == "AND" || t == "OR" || t == "XOR") return fmt::format("({} {} {})", condition(d), t, condition(d));
    if (t == "NOT") return fmt::format("(NOT {})", condition(d));
    if (t.rfind("IS ", 0) == 0)
      return fmt::format("({} {})", chance(50) ? condition(d) : expr(K::Any, d), t);
    if (t == "IN" || t == "NOT IN") return in_list(d, t == "NOT IN");
    if (t == "BETWEEN" || t == "NOT BETWEEN") return between(d, t == "NOT BETWEEN");
    if (t.rfind("COLLATE ", 0) == 0) {
      std::string collation = t.substr(8);
      static const char* ops[] = {"=", "<", ">=", "<>", "LIKE"};
      static const char* binary[] = {"x", "bt", "BINARY 'a'", "CAST(g AS BINARY)", "X'61'", "x"};
      static const char* text[] = {"g", "s", "tx", "ai", "uc", "e", "'a'", "'ß'", "'A '", "LOWER(g)"};
      bool is_binary = collation == "binary";
      std::string left = is_binary ? from(binary) : from(text);
      std::string right = is_binary ? from(binary) : chance(50) ? from(text) : leaf(K::Str);
      std::string op = from(ops);
      if (op == "LIKE") right = from(kLikePatterns);
      return fmt::format("(({} COLLATE {}) {} {})", left, collation, op, right);
    }
    return expr(K::Any, depth);
  }

  std::string condition(int depth) {
    if (depth <= 0) return chance(50) ? call(from(kComparisons), 1) : leaf(K::Bool);
    int d = depth - 1;
    switch (pick(20)) {
      case 0:
      case 1:
      case 2: return call(from(kComparisons), depth);
      case 3: return fmt::format("({} {} {})", condition(d), from(kAnd), condition(d));
      case 4: return fmt::format("({} {} {})", condition(d), from(kOr), condition(d));
      case 5: return fmt::format("({} XOR {})", condition(d), condition(d));
      case 6: return fmt::format("({} {})", chance(80) ? "NOT" : "!", condition(d));
      case 7: return fmt::format("({} IS {}NULL)", expr(K::Any, d), chance(50) ? "NOT " : "");
      case 8: {
        static const char* truth[] = {"TRUE", "FALSE", "TRUE", "FALSE", "UNKNOWN"};
        return fmt::format("({} IS {}{})", chance(50) ? condition(d) : expr(K::Any, d), chance(50) ? "NOT " : "",
                           from(truth));
      }
      case 9: {
        auto [a, b] = comparable_pair(d);
        return fmt::format("({} IS {}DISTINCT FROM {})", a, chance(50) ? "NOT " : "", b);
      }
      case 10:
      case 11: return in_list(d);
      case 12:
      case 13: return between(d);
      case 14: return call("LIKE", depth);
      case 15: return call("REGEXP", depth);
      case 16: return expr(random_kind(), d);  // a value as a condition: numbers, strings, dates
      case 17: return fmt::format("({} {} {})", expr(K::Any, d), chance(50) ? "AND" : "OR", expr(K::Any, d));
      default: return control(K::Bool, depth);
    }
  }

  K random_kind() {
    static const K kinds[] = {K::Int, K::Int, K::Int, K::Real, K::Real, K::Dec, K::Dec, K::Str, K::Str,
                              K::Str, K::Date, K::Time, K::DateTime, K::Json, K::Bool};
    return kinds[pick(std::size(kinds))];
  }

 private:
  K numeric_kind() {
    static const K kinds[] = {K::Int, K::Int, K::Int, K::Real, K::Real, K::Dec, K::Dec, K::Str, K::Date, K::Time,
                              K::DateTime, K::Bool};
    return kinds[pick(std::size(kinds))];
  }

  // A string operand: a string expression, sometimes with an explicit collation.
  std::string str_operand(int d) {
    std::string s = chance(85) ? expr(K::Str, d) : expr(K::Any, d);
    if (chance(12)) s = fmt::format("({} COLLATE {})", s, from(kCollations));
    return s;
  }

  std::string like_pattern(int d) { return chance(75) ? from(kLikePatterns) : str_operand(d); }

  std::string json_doc(int d) {
    switch (pick(6)) {
      case 0:
      case 1: return "j";
      case 2: return from(kJsonTexts);
      case 3: return expr(K::Json, d);
      case 4: return fmt::format("CAST({} AS JSON)", from(kJsonTexts));
      default: return chance(50) ? expr(K::Str, d) : expr(K::Any, d);
    }
  }
  std::string json_path(int d) { return chance(85) ? from(kJsonPaths) : expr(K::Str, d); }

  std::string interval_value(int d) {
    switch (pick(4)) {
      case 0: return from(kIntervalStrings);
      case 1: return expr(K::Any, d);
      default: return from(kSmallInts);
    }
  }

  // Two operands to compare: mostly of one kind (strings of a compatible collation), else mixed.
  std::pair<std::string, std::string> comparable_pair(int d) {
    if (chance(65)) {
      K k = random_kind();
      if (k == K::Str) return {str_operand(d), str_operand(d)};
      return {expr(k, d), expr(k, d)};
    }
    return {expr(K::Any, d), expr(K::Any, d)};
  }

  // `negate`: 1 NOT IN, 0 IN, -1 either.
  std::string in_list(int d, int negate = -1) {
    K k = random_kind();
    bool no = negate < 0 ? chance(25) : negate == 1;
    std::string out = fmt::format("({} {}IN (", expr(k, d), no ? "NOT " : "");
    for (size_t c = 1 + pick(5); c > 0; --c) {
      int r = static_cast<int>(pick(10));
      out += r < 5 ? leaf(k) : r < 7 ? expr(k, d) : r < 8 ? "NULL" : leaf(random_kind());
      out += c > 1 ? ", " : "))";
    }
    return out;
  }

  std::string between(int d, int negate = -1) {
    K k = random_kind();
    bool no = negate < 0 ? chance(25) : negate == 1;
    auto bound = [&] { return chance(70) ? leaf(k) : chance(50) ? expr(k, d) : leaf(random_kind()); };
    return fmt::format("({} {}BETWEEN {} AND {})", expr(k, d), no ? "NOT " : "", bound(), bound());
  }

  // CASE with or without an operand and an ELSE, of kind k.
  std::string case_expr(K k, int d, bool operand, bool with_else) {
    auto branch = [&] { return chance(80) ? expr(k, d) : expr(K::Any, d); };
    K ko = random_kind();
    std::string out = operand ? "(CASE " + expr(ko, d) : std::string("(CASE");
    for (size_t c = 1 + pick(3); c > 0; --c) {
      std::string when = !operand ? condition(d) : chance(70) ? leaf(ko) : chance(50) ? expr(ko, d) : leaf(random_kind());
      out += fmt::format(" WHEN {} THEN {}", when, branch());
    }
    if (with_else) out += " ELSE " + branch();
    return out + " END)";
  }

  // CASE / IF / IFNULL / COALESCE / NULLIF / CAST of kind k.
  std::string control(K k, int depth) {
    int d = std::max(0, depth - 1);
    auto branch = [&] { return chance(80) ? expr(k, d) : expr(K::Any, d); };
    switch (pick(8)) {
      case 0: return case_expr(k, d, false, chance(60));
      case 1: return case_expr(k, d, true, chance(60));
      case 2: return fmt::format("IF({}, {}, {})", condition(d), branch(), branch());
      case 3: return fmt::format("IFNULL({}, {})", branch(), branch());
      case 4: {
        std::string out = "COALESCE(" + branch();
        for (size_t c = pick(3); c > 0; --c) out += ", " + branch();
        return out + ")";
      }
      case 5: return fmt::format("NULLIF({}, {})", branch(), chance(50) ? leaf(k) : branch());
      default: {
        std::string target = cast_target(k);
        std::string arg = chance(50) ? expr(K::Any, d) : expr(k, d);
        return chance(80) ? fmt::format("CAST({} AS {})", arg, target) : fmt::format("CONVERT({}, {})", arg, target);
      }
    }
  }

  std::string cast_target(K k) {
    switch (k) {
      case K::Int:
      case K::Bool: {
        static const char* t[] = {"SIGNED", "UNSIGNED", "SIGNED INTEGER", "UNSIGNED INT", "YEAR"};
        return from(t);
      }
      case K::Real: return chance(70) ? "DOUBLE" : chance(50) ? "FLOAT" : "FLOAT(30)";
      case K::Dec: {
        switch (pick(4)) {
          case 0: return "DECIMAL";
          case 1: return "DECIMAL(65,30)";
          default: {
            size_t p = 1 + pick(30);
            return fmt::format("DECIMAL({},{})", p, pick(std::min<size_t>(p, 10) + 1));
          }
        }
      }
      case K::Str: {
        static const char* t[] = {"CHAR", "CHAR(3)", "CHAR(0)", "BINARY", "BINARY(2)", "CHAR CHARACTER SET utf8",
                                  "CHAR CHARACTER SET utf8mb4"};
        return from(t);
      }
      case K::Date: return "DATE";
      case K::Time: return chance(50) ? "TIME" : fmt::format("TIME({})", pick(7));
      case K::DateTime: return chance(50) ? "DATETIME" : fmt::format("DATETIME({})", pick(7));
      case K::Json: return "JSON";
      case K::Any: break;
    }
    return "CHAR";
  }

  std::string call_returning(K k, int depth) {
    static const char* ints[] = {"CRC32", "JSON_VALID", "JSON_LENGTH", "JSON_DEPTH", "JSON_CONTAINS_PATH", "LENGTH",
                                 "CHAR_LENGTH", "LOCATE", "INSTR", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND",
                                 "DATEDIFF", "SIGN", "CEIL", "FLOOR", "&", "|", "^", "<<", ">>", "~", "DIV",
                                 "UNIX_TIMESTAMP", "+", "-", "*", "%", "NEG", "ABS", "GREATEST", "LEAST"};
    static const char* nums[] = {"+", "-", "*", "/", "%", "NEG", "ABS", "ROUND", "TRUNCATE", "GREATEST", "LEAST",
                                 "CEIL", "FLOOR", "UNIX_TIMESTAMP", "DIV"};
    static const char* strs[] = {"MD5", "SHA1", "SHA2", "JSON_UNQUOTE", "JSON_TYPE", "JSON_QUOTE", "LOWER", "UPPER",
                                 "SUBSTRING", "LEFT", "RIGHT", "CONCAT", "CONCAT_WS", "TRIM", "LTRIM", "RTRIM",
                                 "REPLACE", "LPAD", "RPAD", "HEX", "DATE_FORMAT", "FROM_UNIXTIME", "GREATEST", "LEAST"};
    static const char* dates[] = {"DATE", "DATE_ADD", "DATE_SUB", "GREATEST", "LEAST"};
    static const char* datetimes[] = {"FROM_UNIXTIME", "DATE_ADD", "DATE_SUB", "GREATEST", "LEAST"};
    static const char* times[] = {"DATE_ADD", "DATE_SUB", "GREATEST", "LEAST"};
    static const char* jsons[] = {"JSON_EXTRACT", "JSON_ARRAY", "JSON_OBJECT", "JSON_KEYS", "JSON_EXTRACT"};
    switch (k) {
      case K::Int: return call(from(ints), depth);
      case K::Real:
      case K::Dec: return call(from(nums), depth);
      case K::Str: return call(from(strs), depth);
      case K::Date: return call(from(dates), depth);
      case K::DateTime: return call(from(datetimes), depth);
      case K::Time: return call(from(times), depth);
      case K::Json: return call(from(jsons), depth);
      default: return condition(depth);
    }
  }

  std::string leaf(K k) {
    bool column = chance(55);
    // Sometimes a value that raises an error on some rows (BIGINT/DOUBLE out of range, invalid
    // JSON, a bad regular expression), to hold lazy evaluation and error rows to the interpreter's.
    if (chance(8)) {
      switch (k) {
        case K::Int: {
          static const char* risky[] = {"(i + 9223372036854775807)", "(u - 1)", "(i * i)", "(- i)", "(u * 2)",
                                        "(n * 4294967296 * 4294967296)", "(u + i)", "(t - 9223372036854775807)",
                                        "JSON_LENGTH(tx)", "(i DIV 0)", "(u * i)"};
          return from(risky);
        }
        case K::Real: {
          static const char* risky[] = {"(d * 1e308)", "(d / 1e-308)", "(- d * 1e308)", "(fl * 1e300 * 1e10)",
                                        "(d + 1.7976931348623157e308)"};
          return from(risky);
        }
        case K::Dec: {
          static const char* risky[] = {"(m2 * m2 * m2 * m2)", "(m / 0)", "(m2 * 99999999999999999999999999999999999.9)"};
          return from(risky);
        }
        case K::Str: {
          static const char* risky[] = {"JSON_UNQUOTE(JSON_EXTRACT(tx, '$'))", "JSON_UNQUOTE(JSON_EXTRACT(g, '$[0]'))",
                                        "CONCAT(s, JSON_TYPE(tx))", "IF(g REGEXP '(', 'y', 'n')",
                                        "LEFT(g, i + 9223372036854775807)"};
          return from(risky);
        }
        case K::Json: {
          static const char* risky[] = {"CAST(tx AS JSON)", "JSON_EXTRACT(g, '$')", "CAST(s AS JSON)"};
          return from(risky);
        }
        default: break;
      }
    }
    switch (k) {
      case K::Int: {
        static const char* cols[] = {"i", "u", "t", "n", "y", "i", "u"};
        static const char* lits[] = {"0", "1", "-1", "2", "3", "5", "10", "100", "-7", "127", "128", "255",
                                     "2147483647", "-2147483648", "4294967295", "9223372036854775807",
                                     "-9223372036854775808", "9223372036854775808", "18446744073709551615", "TRUE",
                                     "FALSE", "0x41", "b'101'", "0b1", "X'7f'", "NULL", "20240229", "1709251200"};
        return column ? from(cols) : from(lits);
      }
      case K::Real: {
        static const char* cols[] = {"d", "fl", "d"};
        static const char* lits[] = {"0e0", "-0e0", "1e308", "-1e308", "2.5e0", "1.5e-7", "1e15", "9007199254740993e0",
                                     "5e-324", "0.1e0", "-2.5e0", "1.8446744073709552e19", "9.223372036854775807e18",
                                     "NULL", "3e0"};
        return column ? from(cols) : from(lits);
      }
      case K::Dec: {
        static const char* cols[] = {"m", "m2"};
        static const char* lits[] = {"0.5", "-0.5", "1.25", "99999999.99", "0.000001", "12345678901234567890.123",
                                     "-0.00", "1.0", "2.50", "-9223372036854775809", "99999999999999999999999999999999999.999999999999999999999999999999", "NULL",
                                     "0.1", "- 9223372036854775808"};
        return column ? from(cols) : from(lits);
      }
      case K::Str: {
        static const char* cols[] = {"g", "s", "x", "tx", "e", "st", "bt", "ai", "uc", "g", "s", "x"};
        if (column) return from(cols);
        if (chance(8)) return "NULL";
        if (chance(6)) return fmt::format("BINARY {}", sql_string(from(kTexts)));
        if (chance(5)) {
          static const char* hex[] = {"X'41'", "X''", "0xC3A9", "X'FF'", "b'01100001'", "0x616263"};
          return from(hex);
        }
        std::string lit = sql_string(from(kTexts));
        if (chance(10)) lit = fmt::format("({} COLLATE {})", lit, from(kTextCollations));
        return lit;
      }
      case K::Date: {
        static const char* lits[] = {"DATE '2024-02-29'", "DATE '0000-00-00'", "DATE '9999-12-31'", "DATE '1970-01-01'",
                                     "CAST('2024-02-30' AS DATE)", "CAST(20240229 AS DATE)", "NULL",
                                     "DATE '2000-01-01'"};
        return column ? "dt" : from(lits);
      }
      case K::Time: {
        static const char* lits[] = {"TIME '12:34:56.5'", "TIME '-838:59:59'", "TIME '838:59:59.999999'",
                                     "TIME '00:00:00'", "TIME '-00:00:00.000001'", "CAST('25:00' AS TIME)", "NULL",
                                     "TIME '1 02:03:04'"};
        return column ? "tm" : from(lits);
      }
      case K::DateTime: {
        static const char* cols[] = {"ts", "tsp"};
        static const char* lits[] = {"TIMESTAMP '2024-02-29 23:59:59.999999'", "TIMESTAMP '0000-00-00 00:00:00'",
                                     "TIMESTAMP '1970-01-01 00:00:00'", "TIMESTAMP '9999-12-31 23:59:59'",
                                     "TIMESTAMP '2038-01-19 03:14:07.5'", "NULL", "CAST('2024-01-01 10:00' AS DATETIME(3))"};
        return column ? from(cols) : from(lits);
      }
      case K::Json: {
        static const char* lits[] = {"j->'$.a'", "j->'$.b'", "j->>'$.a'", "j->'$.k'", "JSON_ARRAY()", "JSON_OBJECT()",
                                     "CAST('[1, \"a\", null]' AS JSON)", "CAST('{\"a\": 1}' AS JSON)", "NULL",
                                     "CAST(1 AS JSON)"};
        return column ? "j" : from(lits);
      }
      case K::Bool: {
        static const char* lits[] = {"TRUE", "FALSE", "NULL", "1", "0"};
        return from(lits);
      }
      case K::Any: break;
    }
    return leaf(random_kind());
  }

  static std::string sql_string(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
      if (c == '\'') out += "''";
      else if (c == '\\') out += "\\\\";
      else if (c == '\t') out += "\\t";
      else out += c;
    }
    return out + "'";
  }

  static constexpr const char* kComparisons[] = {"=", "<>", "<", "<=", ">", ">=", "<=>"};
  static constexpr const char* kAnd[] = {"AND", "&&", "AND"};
  static constexpr const char* kOr[] = {"OR", "||", "OR"};
  static constexpr const char* kSmallInts[] = {"0", "1", "2", "3", "-1", "-2", "5", "10", "NULL", "-100", "100",
                                               "9223372036854775807", "-9223372036854775808", "18446744073709551615",
                                               "'2'", "1.5", "2.5e0"};
  static constexpr const char* kShifts[] = {"0", "1", "3", "63", "64", "65", "-1", "NULL"};
  static constexpr const char* kShaBits[] = {"224", "256", "384", "512", "0", "1", "NULL"};
  static constexpr const char* kCollations[] = {"utf8mb4_general_ci", "utf8mb4_bin", "utf8mb4_0900_ai_ci",
                                                "utf8mb4_unicode_ci", "binary"};
  static constexpr const char* kTextCollations[] = {"utf8mb4_general_ci", "utf8mb4_bin", "utf8mb4_0900_ai_ci",
                                                    "utf8mb4_unicode_ci"};
  static constexpr const char* kLikePatterns[] = {"'a%'", "'%a'", "'%'", "'_'", "'A_'", "'%b%'", "''", "'a'",
                                                  "'a\\\\%'", "'a!%'", "'a!_b'", "'%\\\\_%'", "'ß'", "'s%'",
                                                  "'\xF0\x9F\x98\x80%'", "'_\xF0\x9F\x98\x80'", "'%#%'", "'#_'",
                                                  "'a  '", "'A'", "'%e%'", "'%É%'", "'x,%'", "'%!'", "'1%'", "NULL",
                                                  "'\\\\'"};
  static constexpr const char* kEscapes[] = {"'!'", "'#'", "'\\\\'", "''", "'ab'", "'é'", "'\xF0\x9F\x98\x80'", "NULL",
                                             "'%'", "'a'"};
  static constexpr const char* kRegexps[] = {"'^a'", "'b$'", "'[a-c]+'", "'(a|b)'", "'ß'", "'.'", "'^$'", "'('",
                                             "'[[:alpha:]]'", "'^.{2}$'", "'A'", "'\xF0\x9F\x98\x80'", "'\\\\d+'",
                                             "'[[:space:]]$'", "'*'", "''", "'x{1,'", "NULL", "'a*b'", "'(?i)ab'"};
  static constexpr const char* kJsonTexts[] = {"'{\"a\": 1, \"b\": [1, 2]}'", "'[1, 2, [3]]'", "'\"s\"'", "'1'",
                                               "'not json'", "''", "'{\"a\": {\"b\": null}}'", "'[]'", "'null'",
                                               "'{\"k\": {\"n\": 5}}'", "NULL", "'[1, 2'"};
  static constexpr const char* kJsonPaths[] = {"'$'", "'$.a'", "'$.b[1]'", "'$[0]'", "'$[*]'", "'$.*'", "'$**.n'",
                                               "'$.k.n'", "'$.\"a\"'", "'$[last]'", "'bad'", "'$.'", "'$[1 to 2]'",
                                               "'$.b[5]'", "'$.k'", "NULL", "'$[0][0]'", "'$.a.b'"};
  static constexpr const char* kJsonKeys[] = {"'a'", "'b'", "''", "'a'", "'\xF0\x9F\x98\x80'", "NULL"};
  static constexpr const char* kOneAll[] = {"'one'", "'all'", "'ONE'", "'any'", "NULL"};
  static constexpr const char* kSeparators[] = {"','", "''", "NULL", "' - '", "'\xF0\x9F\x98\x80'"};
  static constexpr const char* kTrimChars[] = {"'a'", "' '", "'ab'", "''", "'x'", "NULL", "'\xF0\x9F\x98\x80'"};
  static constexpr const char* kPads[] = {"'*'", "''", "'ab'", "' '", "'\xF0\x9F\x98\x80'", "NULL"};
  static constexpr const char* kFormats[] = {"'%Y-%m-%d'", "'%H:%i:%s.%f'", "'%W %M %D %j %U %u %V %v %X %x'",
                                             "'%a %b %c %e %k %l %p %r %T %h %I %S %y %%'", "'%'", "''", "'x%Qy'",
                                             "'%Y%m%d%H%i%s'", "NULL", "'%w %f'"};
  static constexpr const char* kUnits[] = {"MICROSECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH",
                                           "QUARTER", "YEAR", "SECOND_MICROSECOND", "MINUTE_MICROSECOND",
                                           "MINUTE_SECOND", "HOUR_MICROSECOND", "HOUR_SECOND", "HOUR_MINUTE",
                                           "DAY_MICROSECOND", "DAY_SECOND", "DAY_MINUTE", "DAY_HOUR", "YEAR_MONTH",
                                           "DAY", "MONTH"};
  static constexpr const char* kIntervalStrings[] = {"'1 02:03:04'", "'1-2'", "'-1'", "'1:30'", "'2.5'", "'abc'",
                                                     "'1 2'", "'100000000'", "'-1 1'", "'0.000001'"};
  static constexpr const char* kUnixSeconds[] = {"0", "1", "1709251200", "2147483647", "2147483648", "-1",
                                                 "1709251200.123456", "32536771199", "32536771200", "NULL",
                                                 "1.5e9"};

  std::mt19937_64 rng_;
};

// --- running both engines ---------------------------------------------------------------------------

// A value as the comparison sees it: its MySQL text, its class and signedness, the bits of a
// double (-0 and 0 print alike), the unscaled DECIMAL.
std::string fingerprint(const Value& v, const SqlType& type) {
  if (v.is_null()) return "NULL";
  std::string out = render_value(v, type);
  switch (v.cls) {
    case TypeClass::Int: out += v.is_unsigned ? " [u]" : " [i]"; break;
    case TypeClass::Double: out += fmt::format(" [d {:x}]", std::bit_cast<uint64_t>(v.d)); break;
    case TypeClass::Decimal: out += fmt::format(" [dec {}]", v.dec.to_string()); break;
    case TypeClass::String: out += " [s]"; break;
    case TypeClass::Json: out += " [json]"; break;
    case TypeClass::Date: out += " [date]"; break;
    case TypeClass::Time: out += fmt::format(" [time {}]", format_time(v.tm, 6)); break;
    case TypeClass::DateTime: out += fmt::format(" [datetime {}]", format_datetime(v.tm, 6)); break;
    case TypeClass::Null: break;
  }
  return out;
}

std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  return out;
}

struct Batch {
  std::vector<std::vector<Value>> rows;
  jit::ValueColumns columns;
  Batch(const std::vector<SqlType>& types, std::vector<std::vector<Value>> r)
      : rows(std::move(r)), columns(types, rows) {}
};

WhereOutcome interpret_where(const ir::Expr& e, const Batch& batch) { return jit_harness::interpret_where(e, batch.rows); }
WhereOutcome jit_where(const jit::CompiledPredicate& kernel, const ir::Expr& e, const Batch& batch) {
  return jit_harness::jit_where(kernel, e, batch.columns.arrays(), batch.rows);
}

struct ValuesOutcome {
  std::vector<std::string> values;  // up to the error
  int64_t error_row = -1;
  std::string error;
  bool operator==(const ValuesOutcome&) const = default;
};

std::string describe(const ValuesOutcome& o) {
  return fmt::format("[{}], error_row {}{}", printable(fmt::format("{}", fmt::join(o.values, " | "))), o.error_row,
                     o.error.empty() ? "" : " " + o.error);
}

std::string interpreter_value_error(const ir::Expr& e, const std::vector<Value>& row) {
  RowContext ctx_row;
  ctx_row.row = &row;
  EvalContext ctx;
  evaluate(e, ctx_row, ctx);
  return ctx.failed ? fmt::format("{} in '{}'", ctx.error, ctx.expr_text) : std::string("(the interpreter: no error)");
}

// `rows`: the rows to evaluate, in order (a projection runs over a WHERE's selection); null: all.
ValuesOutcome interpret_values(const ir::Expr& e, const Batch& batch, const std::vector<uint32_t>* rows = nullptr) {
  ValuesOutcome out;
  size_t n = rows ? rows->size() : batch.rows.size();
  for (size_t k = 0; k < n; ++k) {
    RowContext ctx_row;
    ctx_row.row = &batch.rows[rows ? (*rows)[k] : k];
    EvalContext ctx;
    Value v = evaluate(e, ctx_row, ctx);
    if (ctx.failed) {
      out.error_row = static_cast<int64_t>(k);
      out.error = fmt::format("{} in '{}'", ctx.error, ctx.expr_text);
      break;
    }
    out.values.push_back(fingerprint(v, e.type));
  }
  return out;
}

ValuesOutcome jit_values(const jit::CompiledProjection& kernel, const ir::Expr& e, const Batch& batch,
                         const std::vector<uint32_t>* rows = nullptr) {
  ValuesOutcome out;
  std::vector<Value> values;
  size_t n = rows ? rows->size() : batch.rows.size();
  kernel.run_values(batch.columns.arrays(), rows ? rows->data() : nullptr, n, values, out.error_row);
  size_t end = out.error_row >= 0 ? static_cast<size_t>(out.error_row) : n;
  for (size_t k = 0; k < end && k < values.size(); ++k) out.values.push_back(fingerprint(values[k], e.type));
  if (out.error_row >= 0 && static_cast<size_t>(out.error_row) < n)
    out.error = interpreter_value_error(e, batch.rows[rows ? (*rows)[static_cast<size_t>(out.error_row)]
                                                           : static_cast<size_t>(out.error_row)]);
  return out;
}

// --- coverage and statistics ------------------------------------------------------------------------

struct Coverage {
  // How many compared expressions had each item.
  struct Counts : std::map<std::string, int> {
    void insert(const std::string& key) { ++(*this)[key]; }
  };
  Counts functions;   // registry names of Call nodes
  Counts constructs;  // IR ops and their variants ("CASE operand else", "CAST DATE"…)
  Counts columns;
  Counts collations;  // of string comparisons and string functions
  Counts spellings;   // function_names() (aliases included) written in the text

  void add_spellings(const std::string& text, const std::vector<std::string>& names) {
    std::string upper_text;
    for (char c : text) upper_text += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const auto& name : names) {
      for (size_t at = upper_text.find(name); at != std::string::npos; at = upper_text.find(name, at + 1)) {
        bool word_start = at == 0 || !(std::isalnum(static_cast<unsigned char>(upper_text[at - 1])) || upper_text[at - 1] == '_');
        size_t end = at + name.size();
        bool call = end < upper_text.size() && upper_text[end] == '(';
        // Operators with a name: a MOD b, a DIV b, a LIKE b, a REGEXP b.
        bool infix = (name == "MOD" || name == "DIV" || name == "LIKE" || name == "REGEXP") && end < upper_text.size() &&
                     upper_text[end] == ' ' && at > 0 && upper_text[at - 1] == ' ';
        if (word_start && (call || infix)) {
          spellings.insert(name);
          break;
        }
      }
    }
  }

  void add(const ir::Expr& e, const std::vector<ColumnSchema>& table) {
    switch (e.op) {
      case ir::Op::Call:
        if (e.fn) functions.insert(std::string(e.fn->name));
        if (e.call.collation) collations.insert(std::string(e.call.collation->name));
        break;
      case ir::Op::Column: columns.insert(table[static_cast<size_t>(e.column)].name); break;
      case ir::Op::Cast: constructs.insert("CAST " + cast_name(e.type)); break;
      case ir::Op::Case:
        constructs.insert(fmt::format("CASE{}{}", e.has_operand ? " operand" : "", e.has_else ? " else" : ""));
        break;
      case ir::Op::And: constructs.insert("AND"); break;
      case ir::Op::Or: constructs.insert("OR"); break;
      case ir::Op::Xor: constructs.insert("XOR"); break;
      case ir::Op::Not: constructs.insert("NOT"); break;
      case ir::Op::IsNull: constructs.insert(e.negated ? "IS NOT NULL" : "IS NULL"); break;
      case ir::Op::IsTrue: constructs.insert(e.negated ? "IS NOT TRUE" : "IS TRUE"); break;
      case ir::Op::IsFalse: constructs.insert(e.negated ? "IS NOT FALSE" : "IS FALSE"); break;
      case ir::Op::In: constructs.insert(e.negated ? "NOT IN" : "IN"); break;
      case ir::Op::Between: constructs.insert(e.negated ? "NOT BETWEEN" : "BETWEEN"); break;
      case ir::Op::If: constructs.insert("IF"); break;
      case ir::Op::Coalesce: constructs.insert(e.args.size() == 2 ? "COALESCE/IFNULL (2)" : "COALESCE (n)"); break;
      case ir::Op::NullIf: constructs.insert("NULLIF"); break;
      default: break;
    }
    if (e.compare.collation) collations.insert(std::string(e.compare.collation->name));
    for (const auto& a : e.args) add(*a, table);
  }

  static std::string cast_name(const SqlType& t) {
    switch (t.cls) {
      case TypeClass::Int: return t.column == ColumnType::Year ? "YEAR" : t.is_unsigned ? "UNSIGNED" : "SIGNED";
      case TypeClass::Decimal: return "DECIMAL";
      case TypeClass::Double: return t.column == ColumnType::Float ? "FLOAT" : "DOUBLE";
      case TypeClass::String: return t.is_binary_string() ? "BINARY" : "CHAR";
      case TypeClass::Date: return "DATE";
      case TypeClass::Time: return "TIME";
      case TypeClass::DateTime: return "DATETIME";
      case TypeClass::Json: return "JSON";
      case TypeClass::Null: return "NULL";
    }
    return "?";
  }
};

struct Stats {
  int generated = 0, bound = 0, bind_failed = 0;
  std::map<std::string, int> bind_failures;  // by the diagnostic's first line
  int compared_where = 0, compared_values = 0, not_compiled = 0;
  int where_errors = 0, value_errors = 0, selecting = 0, all_null_values = 0;
  int mismatches = 0;
  std::map<std::string, int> result_types;  // of the compared expressions, by class
  double compile_seconds = 0, bind_seconds = 0, run_seconds = 0;
  Coverage where, values;
};

// The first line of a diagnostic, with quoted parts and numbers blurred, to group failures.
std::string failure_kind(const std::string& errors) {
  std::string line = errors.substr(0, errors.find('\n'));
  if (size_t code = line.find("error["); code != std::string::npos) line = line.substr(code);
  std::string out;
  bool quoted = false;
  for (char c : line) {
    if (c == '`' || c == '\'') {
      quoted = !quoted;
      if (quoted) out += "…";
      continue;
    }
    if (!quoted) out += c;
  }
  return out.substr(0, 110);
}

// --- mismatches: shrinking and reporting ---------------------------------------------------------

enum class Mode { Where, Values };

struct Repro {
  std::string text;
  std::vector<std::vector<Value>> rows;
  std::string expected, got;
  std::string ir;
};

class Checker {
 public:
  Checker(const std::vector<ColumnSchema>& columns) : columns_(columns), types_(types_of(columns)) {}

  // One run of a kernel: a batch, and for a projection the rows to evaluate (null: all).
  struct Run {
    const Batch* batch;
    const std::vector<uint32_t>* rows = nullptr;
    std::string label;
  };

  // Compiles `e` once and runs it in `mode` over each run in turn (the kernel's scratch carries
  // over from one run to the next, as in the runtime); "" when the engines agree on all of them,
  // else both outcomes of the first run that differs (its index in `failed_run`). `compiled`
  // tells whether the JIT compiled it (why not in `why`). The outcomes of runs[0] are returned.
  std::string differ(Mode mode, const ir::Expr& e, const std::vector<Run>& runs, bool& compiled, std::string& why,
                     size_t* failed_run = nullptr, WhereOutcome* where_out = nullptr,
                     ValuesOutcome* values_out = nullptr) {
    why.clear();
    auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<jit::CompiledPredicate> predicate;
    std::unique_ptr<jit::CompiledProjection> projection;
    if (mode == Mode::Where) predicate = jit::JitEngine::instance().compile_predicate(e, types_, why);
    else projection = jit::JitEngine::instance().compile_projection(e, types_, why);
    auto t1 = std::chrono::steady_clock::now();
    compile_seconds += std::chrono::duration<double>(t1 - t0).count();
    compiled = predicate || projection;
    if (!compiled) return {};
    std::string out;
    for (size_t r = 0; r < runs.size() && out.empty(); ++r) {
      const Run& run = runs[r];
      std::string prefix = run.label.empty() ? "" : run.label + "\n";
      if (mode == Mode::Where) {
        WhereOutcome expected = interpret_where(e, *run.batch);
        WhereOutcome got = jit_where(*predicate, e, *run.batch);
        if (r == 0 && where_out) *where_out = expected;
        if (!(expected == got))
          out = fmt::format("{}interpreter: {}\njit:         {}", prefix, describe(expected), describe(got));
      } else {
        ValuesOutcome expected = interpret_values(e, *run.batch, run.rows);
        ValuesOutcome got = jit_values(*projection, e, *run.batch, run.rows);
        if (r == 0 && values_out) *values_out = expected;
        if (!(expected == got))
          out = fmt::format("{}interpreter: {}\njit:         {}", prefix, describe(expected), describe(got));
      }
      if (!out.empty() && failed_run) *failed_run = r;
    }
    run_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    return out;
  }

  std::string differ(Mode mode, const ir::Expr& e, const Batch& batch, bool& compiled, std::string& why) {
    return differ(mode, e, {Run{&batch, nullptr, ""}}, compiled, why);
  }

  // The smallest subexpression and the single row (when one suffices) that still differ.
  Repro shrink(Mode mode, const std::string& text, const ir::Expr& e, const Batch& batch) {
    Repro best{text, batch.rows, {}, {}, ir::dump(e)};
    std::vector<std::string> candidates;
    collect_texts(e, candidates);
    candidates.push_back(text);
    std::sort(candidates.begin(), candidates.end(),
              [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    for (const std::string& candidate : candidates) {
      Bound b = bind_text(candidate, columns_);
      if (!b.ir) continue;
      bool compiled = false;
      std::string why;
      if (differ(mode, *b.ir, batch, compiled, why).empty()) continue;
      best.text = candidate;
      best.ir = ir::dump(*b.ir);
      // One row: the first one on which the smaller batch still differs.
      for (const auto& row : batch.rows) {
        Batch one(types_, {row});
        std::string d = differ(mode, *b.ir, one, compiled, why);
        if (!d.empty()) {
          best.rows = {row};
          break;
        }
      }
      Batch final_batch(types_, best.rows);
      std::string d = differ(mode, *b.ir, final_batch, compiled, why);
      size_t split = d.find("\njit:");
      best.expected = d.substr(0, split);
      best.got = split == std::string::npos ? "" : d.substr(split + 1);
      break;
    }
    return best;
  }

  // The row's values of the columns `text` reads.
  std::string describe_rows(const std::string& text, const std::vector<std::vector<Value>>& rows) {
    Bound b = bind_text(text, columns_);
    std::set<int> used;
    if (b.ir) used_columns(*b.ir, used);
    std::string out;
    size_t shown = 0;
    for (const auto& row : rows) {
      if (++shown > 8) {
        out += fmt::format("  … ({} rows)\n", rows.size());
        break;
      }
      std::vector<std::string> parts;
      for (int c : used) {
        const Value& v = row[static_cast<size_t>(c)];
        parts.push_back(fmt::format("{} {} = {}", columns_[static_cast<size_t>(c)].name,
                                    to_string(columns_[static_cast<size_t>(c)].type),
                                    v.is_null() ? "NULL" : "'" + printable(render_value(v, types_[static_cast<size_t>(c)])) + "'"));
      }
      out += "  row: " + (parts.empty() ? std::string("(no column)") : fmt::format("{}", fmt::join(parts, ", "))) + "\n";
    }
    return out;
  }

 private:
  static void collect_texts(const ir::Expr& e, std::vector<std::string>& out) {
    if (e.op != ir::Op::Column && e.op != ir::Op::Const && !e.text.empty()) out.push_back(e.text);
    for (const auto& a : e.args) collect_texts(*a, out);
  }
  static void used_columns(const ir::Expr& e, std::set<int>& out) {
    if (e.op == ir::Op::Column) out.insert(e.column);
    for (const auto& a : e.args) used_columns(*a, out);
  }

  const std::vector<ColumnSchema>& columns_;
  std::vector<SqlType> types_;

 public:
  double compile_seconds = 0, run_seconds = 0;
};

std::vector<uint64_t> seeds_to_run(uint64_t fixed) {
  if (const char* replay = std::getenv("OBSYNC_JIT_SEED")) return {std::strtoull(replay, nullptr, 10)};
  return {fixed, std::random_device{}()};
}

constexpr size_t kMaxText = 160;

// Found by this test and fixed (each with a MariaDB differential case where MySQL decides): a
// failed host call's string read by its consumer (memory safety); unsigned values the stdlib
// computes converted to DATE/TIME as 0; NULL-typed arguments (NULLIF(NULL, x)) bound as the
// unknown-schema placeholder. Nothing is kept out of the comparison.

// Runs `count` expressions from `seed` through both engines in both modes. Every other
// expression has a registry function at its root, round robin over the registry; the others are
// random expressions of a random type.
void run_seed(uint64_t seed, int count, Stats& stats, std::vector<std::string>& reports) {
  auto columns = columns_of(kColumns);
  auto types = types_of(columns);
  Checker checker(columns);
  Generator gen(seed);
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ull);
  const std::vector<std::string> names = function_names();
  // What every other expression is rooted at, round robin: each registry function and operator,
  // each alias, each IR construct and each collation.
  std::vector<std::string> targets;
  for (const FunctionDef* f : registry_functions()) targets.push_back("fn:" + std::string(f->name));
  for (const auto& name : names)
    if (const FunctionDef* f = find_function(name); f && f->name != name) targets.push_back("alias:" + name);
  targets.push_back("alias:NEG");  // NEG(x), which `- x` does not spell
  for (const auto& c : kConstructs) targets.push_back(c);
  targets.insert(targets.end(), {"IFNULL", "COALESCE"});
  for (const auto& c : kCollationNames) targets.push_back("COLLATE " + c);
  const bool trace = std::getenv("OBSYNC_JIT_PROPERTY_TRACE") != nullptr;
  std::set<std::string> reported;  // one report per shrunk expression
  for (int i = 0; i < count; ++i) {
    // ANTLR's parse time grows faster than the text: long expressions are regenerated shallower.
    std::string text;
    int depth = 1 + static_cast<int>(rng() % 4);
    for (int attempt = 0; attempt < 8 && (text.empty() || text.size() > kMaxText); ++attempt) {
      if (attempt > 1 && depth > 1) --depth;
      if (i % 2 == 0) {
        text = gen.target(targets[static_cast<size_t>(i / 2) % targets.size()], depth);
      } else {
        text = gen.expr(K::Any, depth);
      }
    }
    ++stats.generated;
    // A crash kills the test before it reports: OBSYNC_JIT_PROPERTY_TRACE=1 prints each expression.
    if (trace) std::fprintf(stderr, "seed %llu, expression #%d: %s\n", static_cast<unsigned long long>(seed), i,
                            text.c_str());
    auto t0 = std::chrono::steady_clock::now();
    Bound bound = bind_text(text, columns);
    stats.bind_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!bound.ir) {
      ++stats.bind_failed;
      ++stats.bind_failures[failure_kind(bound.errors)];
      continue;
    }
    ++stats.bound;
    std::vector<std::vector<Value>> rows(60 + rng() % 41);
    for (auto& row : rows)
      for (const auto& c : columns) row.push_back(random_value(rng, c));
    Batch batch(types, std::move(rows));
    // A second, smaller batch through the same kernel (stale scratch state would show), and for
    // projections an ascending subset of rows, as the runtime passes a WHERE's selection.
    std::vector<std::vector<Value>> more(1 + rng() % 20);
    for (auto& row : more)
      for (const auto& c : columns) row.push_back(random_value(rng, c));
    Batch second(types, std::move(more));
    std::vector<uint32_t> subset;
    for (uint32_t r = 0; r < batch.rows.size(); ++r)
      if (rng() % 3 == 0) subset.push_back(r);
    for (Mode mode : {Mode::Where, Mode::Values}) {
      bool compiled = false;
      std::string why;
      WhereOutcome where;
      ValuesOutcome values;
      std::vector<Checker::Run> runs = {{&batch, nullptr, ""}, {&second, nullptr, "(a second batch)"}};
      if (mode == Mode::Values) runs.push_back({&batch, &subset, fmt::format("(rows [{}])", fmt::join(subset, ","))});
      size_t failed_run = 0;
      std::string d = checker.differ(mode, *bound.ir, runs, compiled, why, &failed_run, &where, &values);
      if (!compiled) {
        ++stats.not_compiled;
        if (reports.size() < 40)
          reports.push_back(fmt::format("not compiled ({}): {}\n  {}\n  seed {}, expression #{}",
                                        mode == Mode::Where ? "WHERE" : "value", text, why, seed, i));
        continue;
      }
      Coverage& cov = mode == Mode::Where ? stats.where : stats.values;
      cov.add(*bound.ir, columns);
      cov.add_spellings(text, names);
      if (mode == Mode::Where) {
        ++stats.compared_where;
        stats.where_errors += where.error_row >= 0;
        stats.selecting += !where.selection.empty();
      } else {
        ++stats.compared_values;
        ++stats.result_types[Coverage::cast_name(bound.ir->type)];
        stats.value_errors += values.error_row >= 0;
        stats.all_null_values +=
            std::all_of(values.values.begin(), values.values.end(), [](const std::string& v) { return v == "NULL"; });
      }
      if (d.empty()) continue;
      ++stats.mismatches;
      // Shrink over the rows of the run that differed.
      std::vector<std::vector<Value>> failing_rows;
      if (runs[failed_run].rows) {
        for (uint32_t r : *runs[failed_run].rows) failing_rows.push_back(runs[failed_run].batch->rows[r]);
      } else {
        failing_rows = runs[failed_run].batch->rows;
      }
      Batch failing(types, std::move(failing_rows));
      Repro r = checker.shrink(mode, text, *bound.ir, failing);
      if (!reported.insert(fmt::format("{}|{}", static_cast<int>(mode), r.text)).second) continue;
      if (reports.size() >= 60) continue;
      reports.push_back(fmt::format(
          "{} mismatch (seed {}, replay: OBSYNC_JIT_SEED={}, expression #{})\n"
          "  expression: {}\n  IR:         {}\n  minimal:    {}\n  minimal IR: {}\n{}  {}\n  {}\n"
          "  full batch: {}",
          mode == Mode::Where ? "WHERE" : "value", seed, seed, i, text, ir::dump(*bound.ir), r.text, r.ir,
          checker.describe_rows(r.text, r.rows), r.expected, r.got, printable(d)));
    }
  }
  stats.compile_seconds += checker.compile_seconds;
  stats.run_seconds += checker.run_seconds;
}

std::string missing(const Coverage::Counts& have, const std::vector<std::string>& want) {
  std::vector<std::string> out;
  for (const auto& w : want)
    if (!have.count(w)) out.push_back(w);
  return fmt::format("{}", fmt::join(out, ", "));
}

// The `n` least covered of `want` ("IS NOT FALSE 12"), to see how far coverage is from failing.
std::string least(const Coverage::Counts& have, const std::vector<std::string>& want, size_t n) {
  std::vector<std::pair<int, std::string>> counts;
  for (const auto& w : want) counts.emplace_back(have.count(w) ? have.at(w) : 0, w);
  std::sort(counts.begin(), counts.end());
  std::vector<std::string> out;
  for (size_t k = 0; k < n && k < counts.size(); ++k) out.push_back(fmt::format("{} {}", counts[k].second, counts[k].first));
  return fmt::format("{}", fmt::join(out, ", "));
}

}  // namespace

TEST_CASE("jit property: every function, column type and construct computes the interpreter's result",
          "[jit][property]") {
  auto start = std::chrono::steady_clock::now();
  Stats stats;
  std::vector<std::string> reports;
  std::vector<uint64_t> seeds = seeds_to_run(20250611);
  int per_seed = seeds.size() == 1 ? 1800 : 900;
  // OBSYNC_JIT_PROPERTY_COUNT=<n>: n expressions per seed (a longer hunt).
  if (const char* count = std::getenv("OBSYNC_JIT_PROPERTY_COUNT")) per_seed = std::max(100, std::atoi(count));
  for (uint64_t seed : seeds) run_seed(seed, per_seed, stats, reports);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::string seed_list = fmt::format("{}", fmt::join(seeds, ", "));
  INFO("seeds " << seed_list << " (replay one: OBSYNC_JIT_SEED=<seed>)");
  for (const auto& r : reports) FAIL_CHECK(r);
  CHECK(stats.mismatches == 0);
  CHECK(stats.not_compiled == 0);

  // Coverage: every registry function and operator, in both modes.
  std::vector<std::string> functions;
  for (const FunctionDef* f : registry_functions()) functions.emplace_back(f->name);
  std::string missing_where = missing(stats.where.functions, functions);
  std::string missing_values = missing(stats.values.functions, functions);
  INFO("functions never compared as a WHERE: " << missing_where);
  INFO("functions never compared as a value: " << missing_values);
  CHECK(missing_where.empty());
  CHECK(missing_values.empty());
  // Every name function_names() lists (aliases included) was written in a compared expression,
  // and resolves to a registry function covered above.
  std::vector<std::string> names = function_names();
  std::string missing_spellings = missing(stats.where.spellings, names) + " / " + missing(stats.values.spellings, names);
  INFO("function names never written in a compared expression (WHERE / value): " << missing_spellings);
  CHECK(missing_spellings == " / ");
  for (const auto& name : names) {
    const FunctionDef* f = find_function(name);
    INFO(name);
    REQUIRE(f);
    CHECK(stats.where.functions.count(std::string(f->name)));
  }
  // Rejected (non-deterministic) functions have no implementation and cannot be bound.
  for (const FunctionDef& f : rejected_functions()) CHECK(f.eval == nullptr);

  std::vector<std::string> constructs = kConstructs;
  constructs.insert(constructs.end(), {"COALESCE/IFNULL (2)", "COALESCE (n)"});
  std::string missing_constructs = missing(stats.where.constructs, constructs) + " / " +
                                   missing(stats.values.constructs, constructs);
  INFO("constructs never compared (WHERE / value): " << missing_constructs);
  CHECK(missing_constructs == " / ");
  std::vector<std::string> column_names;
  for (const auto& c : columns_of(kColumns)) column_names.push_back(c.name);
  std::string missing_columns = missing(stats.where.columns, column_names) + " / " +
                                missing(stats.values.columns, column_names);
  INFO("columns never read (WHERE / value): " << missing_columns);
  CHECK(missing_columns == " / ");
  const std::vector<std::string>& collations = kCollationNames;
  std::string missing_collations = missing(stats.where.collations, collations) + " / " +
                                   missing(stats.values.collations, collations);
  INFO("collations never compared under (WHERE / value): " << missing_collations);
  CHECK(missing_collations == " / ");

  std::string failures;
  std::vector<std::pair<int, std::string>> by_count;
  for (const auto& [kind, n] : stats.bind_failures) by_count.emplace_back(n, kind);
  std::sort(by_count.rbegin(), by_count.rend());
  for (size_t k = 0; k < by_count.size() && k < 12; ++k)
    failures += fmt::format("\n    {:5} {}", by_count[k].first, by_count[k].second);
  std::string types;
  for (const auto& [type, n] : stats.result_types) types += fmt::format("{}{} {}", types.empty() ? "" : ", ", type, n);
  std::string summary = fmt::format(
      "jit property: seeds {}: {} expressions generated, {} bound, {} did not bind; compared {} as WHERE "
      "({} selecting rows, {} stopping on an error) and {} as values ({} with an error, {} all NULL); "
      "{} mismatches; {} not compiled; {:.1f} s (bind {:.1f} s, compile {:.1f} s, run {:.1f} s)\n"
      "  compared values by result type: {}\n"
      "  least covered (in compared values): functions {}; names {}; constructs {}; collations {}; columns {}\n"
      "  most frequent bind failures:{}",
      seed_list, stats.generated, stats.bound, stats.bind_failed, stats.compared_where, stats.selecting,
      stats.where_errors, stats.compared_values, stats.value_errors, stats.all_null_values, stats.mismatches,
      stats.not_compiled, seconds, stats.bind_seconds, stats.compile_seconds, stats.run_seconds,
      types, least(stats.values.functions, functions, 4), least(stats.values.spellings, names, 4),
      least(stats.values.constructs, constructs, 4), least(stats.values.collations, collations, 2),
      least(stats.values.columns, column_names, 3), failures);
  WARN(summary);

  // The test cannot pass by testing nothing.
  int expressions = per_seed * static_cast<int>(seeds.size());
  CHECK(stats.bound >= expressions * 6 / 10);
  CHECK(stats.compared_where >= expressions * 6 / 10);
  CHECK(stats.compared_values >= expressions * 6 / 10);
  CHECK(stats.selecting >= expressions / 5);
  CHECK(stats.where_errors >= expressions / 100);
  CHECK(stats.value_errors >= expressions / 100);
}
