// Comparison operators, LIKE and REGEXP (registered in comparison_operators()).
#include <fmt/format.h>

#include "stdlib/compare.hpp"
#include "stdlib/convert.hpp"
#include "stdlib/function_registry.hpp"
#include "stdlib/like.hpp"
#include "stdlib/regexp.hpp"

namespace obsync {
namespace {

SqlType bool_type(bool nullable) {
  SqlType t = SqlType::bigint();
  t.length = 1;
  t.nullable = nullable;
  return t;
}

bool resolve_compare_op(std::span<const SqlType> args, BoundCall& out, std::string& error, std::string_view op) {
  auto plan = plan_comparison(args[0], args[1], error);
  if (!plan) {
    error += fmt::format(" for operation '{}'", op);
    return false;
  }
  out.variant = static_cast<int>(plan->as);
  out.collation = plan->collation;
  out.result = bool_type(args[0].nullable || args[1].nullable);
  return true;
}

// One resolve per operator, so that an illegal mix of collations names it, as MySQL does.
template <char... Op>
bool resolve_compare(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  static constexpr char kOp[] = {Op..., '\0'};
  return resolve_compare_op(args, out, error, kOp);
}

bool resolve_null_safe(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  if (!resolve_compare_op(args, out, error, "<=>")) return false;
  out.result.nullable = false;
  return true;
}

int compare(std::span<const Value> args, const BoundCall& call) {
  ComparePlan plan{static_cast<CompareAs>(call.variant), call.collation};
  return compare_values(args[0], call.args[0], args[1], call.args[1], plan);
}

Value eval_eq(std::span<const Value> a, const BoundCall& c, EvalContext&) { return Value::from_int(compare(a, c) == 0); }
Value eval_ne(std::span<const Value> a, const BoundCall& c, EvalContext&) { return Value::from_int(compare(a, c) != 0); }
Value eval_lt(std::span<const Value> a, const BoundCall& c, EvalContext&) { return Value::from_int(compare(a, c) < 0); }
Value eval_le(std::span<const Value> a, const BoundCall& c, EvalContext&) { return Value::from_int(compare(a, c) <= 0); }
Value eval_gt(std::span<const Value> a, const BoundCall& c, EvalContext&) { return Value::from_int(compare(a, c) > 0); }
Value eval_ge(std::span<const Value> a, const BoundCall& c, EvalContext&) { return Value::from_int(compare(a, c) >= 0); }
Value eval_null_safe_eq(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  if (a[0].is_null() || a[1].is_null()) return Value::from_int(a[0].is_null() && a[1].is_null());
  return Value::from_int(compare(a, c) == 0);
}

bool resolve_like(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  const Collation* c = derive_collation(args[0], args[1], error);
  if (!c) {
    error += " for operation 'like'";
    return false;
  }
  out.collation = c;
  out.result = bool_type(true);
  return true;
}

Value eval_like(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  std::string text = value_to_string(a[0], c.args[0]);
  std::string pattern = value_to_string(a[1], c.args[1]);
  uint32_t escape = kLikeDefaultEscape;
  if (a.size() > 2) {
    std::string e = value_to_string(a[2], c.args[2]);
    if (e.empty()) {
      escape = kLikeNoEscape;
    } else {
      // One character (code point); MySQL rejects longer escapes.
      size_t len = 1;
      unsigned char first = static_cast<unsigned char>(e[0]);
      if (first >= 0xF0) len = 4;
      else if (first >= 0xE0) len = 3;
      else if (first >= 0xC0) len = 2;
      if (e.size() != len && !(c.collation && c.collation->is_binary && e.size() == 1)) {
        ctx.fail(1210, "Incorrect arguments to ESCAPE");
        return Value::null();
      }
      uint32_t cp = first;
      if (len > 1) {
        cp = first & (0xFF >> (len + 1));
        for (size_t i = 1; i < len; ++i) cp = (cp << 6) | (static_cast<unsigned char>(e[i]) & 0x3F);
      }
      escape = cp;
    }
  }
  return Value::from_int(like_match(text, pattern, escape, c.collation ? *c.collation : default_collation()));
}

bool resolve_regexp(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  // MySQL 8.0.22+ rejects a binary string matched with a character string, either way
  // (ER_CHARACTER_SET_MISMATCH); numbers and NULL mix with both.
  auto is_text = [](const SqlType& t) { return t.cls == TypeClass::Json || (t.cls == TypeClass::String && !t.is_binary_string()); };
  for (int i = 0; i < 2; ++i) {
    const SqlType& binary = args[i];
    const SqlType& other = args[1 - i];
    if (binary.is_binary_string() && is_text(other)) {
      error = fmt::format("Character set 'binary' cannot be used in conjunction with '{}' in call to regexp_like",
                          other.cls == TypeClass::Json ? "utf8mb4_bin" : other.collation->name);
      return false;
    }
  }
  const Collation* c = derive_collation(args[0], args[1], error);
  if (!c) {
    error += " for operation 'regexp'";
    return false;
  }
  out.collation = c;
  out.result = bool_type(true);
  return true;
}

Value eval_regexp(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  std::string text = value_to_string(a[0], c.args[0]);
  std::string pattern = value_to_string(a[1], c.args[1]);
  RegexpError error;
  auto match = regexp_like(text, pattern, c.collation ? *c.collation : default_collation(), error);
  if (!match) {
    ctx.fail(error.code, error.message);
    return Value::null();
  }
  return Value::from_int(*match);
}

constexpr FunctionDef kComparison[] = {
    {"=", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_compare<'='>, eval_eq, "a = b"},
    {"<>", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_compare<'<', '>'>, eval_ne, "a <> b"},
    {"<", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_compare<'<'>, eval_lt, "a < b"},
    {"<=", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_compare<'<', '='>, eval_le, "a <= b"},
    {">", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_compare<'>'>, eval_gt, "a > b"},
    {">=", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_compare<'>', '='>, eval_ge, "a >= b"},
    {"<=>", 2, 2, NullPolicy::Custom, true, resolve_null_safe, eval_null_safe_eq, "a <=> b"},
    {"LIKE", 2, 3, NullPolicy::NullIfAnyNull, true, resolve_like, eval_like, "s LIKE pattern [ESCAPE c]"},
    {"REGEXP", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_regexp, eval_regexp, "s REGEXP pattern"},
};

}  // namespace

std::span<const FunctionDef> comparison_operators() { return kComparison; }

}  // namespace obsync
