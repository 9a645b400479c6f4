// Numeric functions (registered in numeric_functions()): ABS CEIL FLOOR ROUND TRUNCATE SIGN
// GREATEST LEAST, typed and rounded as MySQL 8 does.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "stdlib/compare.hpp"
#include "stdlib/convert.hpp"
#include "stdlib/function_registry.hpp"

namespace obsync {
namespace {

// The class a numeric function computes in (MySQL's numeric_context_result_type); the NULL
// literal is a string to MySQL, hence DOUBLE.
TypeClass num_class(const SqlType& t) { return t.cls == TypeClass::Null ? TypeClass::Double : numeric_class(t); }

bool is_unsigned_int(const SqlType& t) {
  return t.is_unsigned || (t.cls == TypeClass::String && t.column == ColumnType::Bit);
}

int int_digits(const SqlType& t) { return t.cls == TypeClass::Null ? 1 : decimal_integer_digits(t); }

SqlType decimal_type(int precision, int scale) {
  scale = std::clamp(scale, 0, int(Decimal::kMaxScale));
  return SqlType::decimal(std::clamp(precision, std::max(1, scale), int(Decimal::kMaxPrecision)), scale);
}

SqlType with_nullable(SqlType t, std::span<const SqlType> args) {
  t.nullable = std::any_of(args.begin(), args.end(), [](const SqlType& a) { return a.nullable; });
  return t;
}

Value out_of_range(EvalContext& ctx, bool is_unsigned) {
  ctx.fail(1690, is_unsigned ? "BIGINT UNSIGNED value is out of range" : "BIGINT value is out of range");
  return Value::null();
}

// --- ABS -------------------------------------------------------------------------------------------

bool resolve_abs(std::span<const SqlType> args, BoundCall& out, std::string&) {
  const SqlType& a = args[0];
  switch (num_class(a)) {
    case TypeClass::Double: out.result = SqlType::dbl(); break;
    case TypeClass::Decimal: out.result = decimal_type(int_digits(a) + decimal_scale(a), decimal_scale(a)); break;
    default: out.result = SqlType::bigint(is_unsigned_int(a)); break;
  }
  out.result = with_nullable(out.result, args);
  return true;
}

Value eval_abs(std::span<const Value> args, const BoundCall& call, EvalContext& ctx) {
  const Value& a = args[0];
  const SqlType& t = call.args[0];
  switch (call.result.cls) {
    case TypeClass::Double: return Value::from_double(std::fabs(value_to_double(a, t)));
    case TypeClass::Decimal: return Value::from_decimal(value_to_decimal(a, t).abs());
    default: {
      IntValue i = value_to_int(a, t);
      if (call.result.is_unsigned) return Value::from_uint(static_cast<uint64_t>(i.value));
      if (i.value == std::numeric_limits<int64_t>::min()) return out_of_range(ctx, false);
      return Value::from_int(i.value < 0 ? -i.value : i.value);
    }
  }
}

// --- CEIL / FLOOR --------------------------------------------------------------------------------

bool resolve_int_val(std::span<const SqlType> args, BoundCall& out, std::string&) {
  const SqlType& a = args[0];
  switch (num_class(a)) {
    case TypeClass::Double: out.result = SqlType::dbl(); break;
    case TypeClass::Decimal: {
      // BIGINT while the integer part surely fits, else DECIMAL(n, 0), as MySQL 8 chooses.
      int digits = int_digits(a) + 1;
      out.result = digits <= 18 ? SqlType::bigint(false) : decimal_type(digits, 0);
      break;
    }
    default: out.result = SqlType::bigint(is_unsigned_int(a)); break;
  }
  out.result = with_nullable(out.result, args);
  return true;
}

Value int_val(std::span<const Value> args, const BoundCall& call, EvalContext& ctx, bool ceiling) {
  const Value& a = args[0];
  const SqlType& t = call.args[0];
  switch (num_class(t)) {
    case TypeClass::Double: {
      double d = value_to_double(a, t);
      return Value::from_double(ceiling ? std::ceil(d) : std::floor(d));
    }
    case TypeClass::Decimal: {
      Decimal d = value_to_decimal(a, t).round(0, ceiling ? Decimal::Rounding::Ceiling : Decimal::Rounding::Floor);
      if (call.result.cls == TypeClass::Decimal) return Value::from_decimal(d);
      if (auto i = d.to_int64()) return Value::from_int(*i);
      return out_of_range(ctx, false);
    }
    default: {
      IntValue i = value_to_int(a, t);
      return call.result.is_unsigned ? Value::from_uint(static_cast<uint64_t>(i.value)) : Value::from_int(i.value);
    }
  }
}

Value eval_ceil(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) { return int_val(a, c, ctx, true); }
Value eval_floor(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) { return int_val(a, c, ctx, false); }

// --- ROUND / TRUNCATE ------------------------------------------------------------------------------

constexpr int kTruncate = 1;  // BoundCall::variant

bool resolve_round_impl(std::span<const SqlType> args, BoundCall& out, bool truncate) {
  const SqlType& a = args[0];
  out.variant = truncate ? kTruncate : 0;
  TypeClass cls = num_class(a);
  if (out.param == kRoundDigitsNotConstant) {
    // The digit count is only known per row: DECIMAL keeps its scale, everything else is DOUBLE.
    out.result = cls == TypeClass::Decimal ? decimal_type(int_digits(a) + 1 + decimal_scale(a), decimal_scale(a))
                                           : SqlType::dbl();
  } else {
    int64_t d = out.param;
    int to_set = d < 0 ? 0 : static_cast<int>(d);
    if (cls == TypeClass::Double) {
      out.result = SqlType::dbl();  // printed with the constant's decimals: ROUND(1.5e0, 3) = 1.500
      out.result.scale = static_cast<uint8_t>(std::min<int>(to_set, SqlType::kNotFixedDec));
    } else if (cls == TypeClass::Int) {
      out.result = SqlType::bigint(is_unsigned_int(a));
    } else {
      to_set = std::min(to_set, int(Decimal::kMaxScale));
      int scale = decimal_scale(a);
      int delta = scale - to_set;
      int precision = int_digits(a) + scale;
      int grow = (delta <= 0 || truncate) ? 0 : 1;  // 9.99 rounds to 10.0
      precision -= delta - grow;
      out.result = decimal_type(precision, to_set);
    }
  }
  out.result = with_nullable(out.result, args);
  return true;
}

bool resolve_round(std::span<const SqlType> args, BoundCall& out, std::string&) {
  return resolve_round_impl(args, out, false);
}
bool resolve_truncate(std::span<const SqlType> args, BoundCall& out, std::string&) {
  return resolve_round_impl(args, out, true);
}

// MySQL's my_double_round(): scale by a power of ten, rint() (ties to even) or floor/ceil, and
// scale back, so ROUND(2.5e0) = 2 and ROUND(1.235e0, 2) = 1.24 (1.235 * 100 is 123.50000000000001).
double double_round(double value, int64_t dec, bool dec_unsigned, bool truncate) {
  bool dec_negative = dec < 0 && !dec_unsigned;
  uint64_t abs_dec = dec_negative ? 0 - static_cast<uint64_t>(dec) : static_cast<uint64_t>(dec);
  // Exact powers of ten up to 1e308, as MySQL's log_10[] table; beyond, an infinite divisor.
  static const std::array<double, 309> kPow10 = [] {
    std::array<double, 309> p{};
    for (size_t i = 0; i < p.size(); ++i) p[i] = std::strtod(("1e" + std::to_string(i)).c_str(), nullptr);
    return p;
  }();
  double tmp = abs_dec < kPow10.size() ? kPow10[abs_dec] : HUGE_VAL;
  volatile double div_tmp = value / tmp;
  volatile double mul_tmp = value * tmp;
  if (dec_negative && std::isinf(tmp)) return 0.0;
  if (!dec_negative && std::isinf(mul_tmp)) return value;
  if (truncate) {
    if (value >= 0.0) return dec_negative ? std::floor(div_tmp) * tmp : std::floor(mul_tmp) / tmp;
    return dec_negative ? std::ceil(div_tmp) * tmp : std::ceil(mul_tmp) / tmp;
  }
  return dec_negative ? std::rint(div_tmp) * tmp : std::rint(mul_tmp) / tmp;
}

Value eval_round(std::span<const Value> args, const BoundCall& call, EvalContext& ctx) {
  const Value& a = args[0];
  const SqlType& t = call.args[0];
  bool truncate = call.variant == kTruncate;
  IntValue dec = args.size() > 1 ? value_to_int(args[1], call.args[1]) : IntValue{};
  bool dec_positive = dec.is_unsigned || dec.value >= 0;
  switch (call.result.cls) {
    case TypeClass::Double: return Value::from_double(double_round(value_to_double(a, t), dec.value, dec.is_unsigned, truncate));
    case TypeClass::Decimal: {
      int64_t d = dec_positive ? (dec.is_unsigned && dec.value < 0 ? call.result.scale
                                                                  : std::min<int64_t>(dec.value, call.result.scale))
                               : std::max<int64_t>(dec.value, -1000);
      Decimal r = value_to_decimal(a, t).round(static_cast<int>(d), truncate ? Decimal::Rounding::Truncate
                                                                              : Decimal::Rounding::HalfUp);
      if (r.overflow()) return Value::null();  // my_decimal_round's overflow gives NULL
      return Value::from_decimal(r);
    }
    default: {
      IntValue i = value_to_int(a, t);
      bool is_unsigned = call.result.is_unsigned;
      auto same = [&](uint64_t u, bool negative) {
        if (is_unsigned) return Value::from_uint(u);
        return Value::from_int(negative ? -static_cast<int64_t>(u) : static_cast<int64_t>(u));
      };
      if (dec_positive) return same(static_cast<uint64_t>(i.value), false);  // integers have no fraction
      uint64_t abs_dec = 0 - static_cast<uint64_t>(dec.value);
      if (abs_dec >= 20) return is_unsigned ? Value::from_uint(0) : Value::from_int(0);
      uint64_t p = 1;
      for (uint64_t k = 0; k < abs_dec; ++k) p *= 10;
      bool negative = !is_unsigned && i.value < 0;
      uint64_t mag = negative ? 0 - static_cast<uint64_t>(i.value) : static_cast<uint64_t>(i.value);
      uint64_t down = mag / p * p;
      uint64_t r = down;
      if (!truncate && mag - down >= p / 2) {
        if (down > std::numeric_limits<uint64_t>::max() - p) return out_of_range(ctx, is_unsigned);
        r = down + p;
      }
      if (!is_unsigned && r > (negative ? uint64_t(1) << 63 : uint64_t(INT64_MAX))) return out_of_range(ctx, false);
      return same(r, negative);
    }
  }
}

// --- SIGN ------------------------------------------------------------------------------------------

bool resolve_sign(std::span<const SqlType> args, BoundCall& out, std::string&) {
  out.result = with_nullable(SqlType::bigint(false), args);
  out.result.length = 2;
  return true;
}

Value eval_sign(std::span<const Value> args, const BoundCall& call, EvalContext&) {
  const Value& a = args[0];
  const SqlType& t = call.args[0];
  if (a.cls == TypeClass::Decimal) return Value::from_int(a.dec.is_zero() ? 0 : a.dec.is_negative() ? -1 : 1);
  if (a.cls == TypeClass::Int) return Value::from_int(a.is_unsigned ? a.u != 0 : (a.i > 0) - (a.i < 0));
  double d = value_to_double(a, t);  // MySQL's Item_func_sign reads val_real()
  return Value::from_int(d < 0 ? -1 : d > 0 ? 1 : 0);
}

// --- GREATEST / LEAST -----------------------------------------------------------------------------

bool resolve_min_max(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  auto t = aggregate_types(std::vector<SqlType>(args.begin(), args.end()), error);
  if (!t) return false;
  out.result = *t;
  out.result.nullable = std::any_of(args.begin(), args.end(), [](const SqlType& a) { return a.nullable; });
  CompareAs as = CompareAs::String;
  switch (t->cls) {
    case TypeClass::Int: as = CompareAs::Int; break;
    case TypeClass::Decimal: as = CompareAs::Decimal; break;
    case TypeClass::Double: as = CompareAs::Double; break;
    case TypeClass::Date: as = CompareAs::Date; break;
    case TypeClass::Time: as = CompareAs::Time; break;
    case TypeClass::DateTime: as = CompareAs::DateTime; break;
    case TypeClass::Json: as = CompareAs::Json; break;
    default: as = CompareAs::String; break;
  }
  out.variant = static_cast<int>(as);
  out.collation = t->collation;
  return true;
}

Value min_max(std::span<const Value> args, const BoundCall& call, EvalContext& ctx, int sign) {
  ComparePlan plan{static_cast<CompareAs>(call.variant), call.collation};
  Value best;
  for (size_t i = 0; i < args.size(); ++i) {
    Value v = convert_value(args[i], call.args[i], call.result, ctx);
    if (ctx.failed) return Value::null();
    if (v.is_null()) return Value::null();  // an invalid temporal converts to NULL
    if (i == 0 || compare_values(v, call.result, best, call.result, plan) * sign > 0) best = std::move(v);
  }
  return best;
}

Value eval_greatest(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) { return min_max(a, c, ctx, 1); }
Value eval_least(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) { return min_max(a, c, ctx, -1); }

constexpr FunctionDef kNumeric[] = {
    {"ABS", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_abs, eval_abs, "ABS(x)"},
    {"CEIL", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_int_val, eval_ceil, "CEIL(x)"},
    {"FLOOR", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_int_val, eval_floor, "FLOOR(x)"},
    {"ROUND", 1, 2, NullPolicy::NullIfAnyNull, true, resolve_round, eval_round, "ROUND(x[, digits])"},
    {"TRUNCATE", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_truncate, eval_round, "TRUNCATE(x, digits)"},
    {"SIGN", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_sign, eval_sign, "SIGN(x)"},
    {"GREATEST", 2, -1, NullPolicy::NullIfAnyNull, true, resolve_min_max, eval_greatest, "GREATEST(a, b, ...)"},
    {"LEAST", 2, -1, NullPolicy::NullIfAnyNull, true, resolve_min_max, eval_least, "LEAST(a, b, ...)"},
};

}  // namespace

std::span<const FunctionDef> numeric_functions() { return kNumeric; }

}  // namespace obsync
