// Arithmetic and bit operators (registered in arithmetic_operators()), with MySQL 8's typing.
#include <algorithm>
#include <cmath>
#include <limits>

#include "stdlib/collation.hpp"
#include "stdlib/convert.hpp"
#include "stdlib/function_registry.hpp"

namespace obsync {
namespace {

using Int128 = __int128;
constexpr Int128 kInt64Min = std::numeric_limits<int64_t>::min();
constexpr Int128 kInt64Max = std::numeric_limits<int64_t>::max();
constexpr Int128 kUint64Max = std::numeric_limits<uint64_t>::max();

// --- typing -----------------------------------------------------------------------------------

// MySQL's numeric_context_result_type(), except that the NULL literal (a string to MySQL)
// makes the operation DOUBLE, as `CREATE TABLE t AS SELECT NULL + 1` shows.
TypeClass arith_class(const SqlType& t) {
  return t.cls == TypeClass::Null ? TypeClass::Double : numeric_class(t);
}

// BIT values and hex literals read as BIGINT UNSIGNED.
bool int_unsigned(const SqlType& t) {
  return t.is_unsigned || (t.cls == TypeClass::String && t.column == ColumnType::Bit);
}

TypeClass operation_class(const SqlType& a, const SqlType& b) {
  TypeClass ca = arith_class(a), cb = arith_class(b);
  if (ca == TypeClass::Double || cb == TypeClass::Double) return TypeClass::Double;
  if (ca == TypeClass::Decimal || cb == TypeClass::Decimal) return TypeClass::Decimal;
  return TypeClass::Int;
}

// decimal_precision() - decimals: digits before the point.
int int_digits(const SqlType& t) { return t.cls == TypeClass::Null ? 1 : decimal_integer_digits(t); }

SqlType decimal_type(int int_part, int scale) {
  scale = std::min(scale, int(Decimal::kMaxScale));
  return SqlType::decimal(std::clamp(int_part + scale, 1, int(Decimal::kMaxPrecision)), scale);
}

enum Op : int { kAdd, kSub, kMul, kDiv, kIntDiv, kMod };

bool resolve_arith(std::span<const SqlType> args, BoundCall& out, Op op) {
  const SqlType &a = args[0], &b = args[1];
  TypeClass cls = operation_class(a, b);
  if (op == kDiv && cls == TypeClass::Int) cls = TypeClass::Decimal;  // 7 / 2 = 3.5000
  int sa = decimal_scale(a), sb = decimal_scale(b);
  switch (cls) {
    case TypeClass::Double: out.result = SqlType::dbl(); break;
    case TypeClass::Decimal:
      switch (op) {
        case kAdd:
        case kSub: out.result = decimal_type(std::max(int_digits(a), int_digits(b)) + 1, std::max(sa, sb)); break;
        case kMul: out.result = decimal_type(int_digits(a) + int_digits(b), sa + sb); break;
        case kDiv: out.result = decimal_type(int_digits(a) + sb, sa + Decimal::kDivPrecisionIncrement); break;
        case kMod: out.result = decimal_type(std::max(int_digits(a), int_digits(b)), std::max(sa, sb)); break;
        case kIntDiv: break;
      }
      break;
    default: out.result = SqlType::bigint(op == kMod ? int_unsigned(a) : int_unsigned(a) || int_unsigned(b)); break;
  }
  if (op == kIntDiv) {
    out.result = SqlType::bigint(int_unsigned(a) || int_unsigned(b));
    out.variant = cls == TypeClass::Int ? 0 : 1;  // 1: divide as DECIMAL, then truncate
  }
  out.result.nullable = a.nullable || b.nullable || op == kDiv || op == kIntDiv || op == kMod;
  return true;
}

bool resolve_add(std::span<const SqlType> a, BoundCall& o, std::string&) { return resolve_arith(a, o, kAdd); }
bool resolve_sub(std::span<const SqlType> a, BoundCall& o, std::string&) { return resolve_arith(a, o, kSub); }
bool resolve_mul(std::span<const SqlType> a, BoundCall& o, std::string&) { return resolve_arith(a, o, kMul); }
bool resolve_div(std::span<const SqlType> a, BoundCall& o, std::string&) { return resolve_arith(a, o, kDiv); }
bool resolve_int_div(std::span<const SqlType> a, BoundCall& o, std::string&) { return resolve_arith(a, o, kIntDiv); }
bool resolve_mod(std::span<const SqlType> a, BoundCall& o, std::string&) { return resolve_arith(a, o, kMod); }

bool resolve_neg(std::span<const SqlType> args, BoundCall& out, std::string&) {
  const SqlType& a = args[0];
  switch (arith_class(a)) {
    case TypeClass::Double: out.result = SqlType::dbl(); break;
    case TypeClass::Decimal: out.result = decimal_type(int_digits(a), decimal_scale(a)); break;
    default:
      // -id of an unsigned id is signed; the binder sets param 1 for a constant whose negation
      // MySQL computes as DECIMAL (- -9223372036854775808).
      out.result = out.param == 1 ? decimal_type(int_digits(a), 0) : SqlType::bigint(false);
      break;
  }
  out.result.nullable = a.nullable;
  return true;
}

// --- evaluation helpers --------------------------------------------------------------------------

// An integer operand exactly, whatever its signedness.
Int128 exact_int(const Value& v, const SqlType& t) {
  IntValue i = value_to_int(v, t);
  return i.is_unsigned ? Int128(static_cast<uint64_t>(i.value)) : Int128(i.value);
}

// The result of an integer operation if it fits the result type; MySQL raises 1690 otherwise.
Value int_result(Int128 r, const BoundCall& call, EvalContext& ctx) {
  if (call.result.is_unsigned) {
    if (r < 0 || r > kUint64Max) {
      ctx.fail(1690, "BIGINT UNSIGNED value is out of range");
      return Value::null();
    }
    return Value::from_uint(static_cast<uint64_t>(r));
  }
  if (r < kInt64Min || r > kInt64Max) {
    ctx.fail(1690, "BIGINT value is out of range");
    return Value::null();
  }
  return Value::from_int(static_cast<int64_t>(r));
}

Value decimal_result(const Decimal& d, EvalContext& ctx) {
  if (d.overflow()) {
    ctx.fail(1690, "DECIMAL value is out of range");
    return Value::null();
  }
  return Value::from_decimal(d);
}

Value double_result(double d, EvalContext& ctx) {
  if (!std::isfinite(d)) {
    ctx.fail(1690, "DOUBLE value is out of range");
    return Value::null();
  }
  return Value::from_double(d);
}

struct Operands {
  const Value &a, &b;
  const SqlType &ta, &tb;
};
Operands operands(std::span<const Value> args, const BoundCall& call) {
  return {args[0], args[1], call.args[0], call.args[1]};
}

Value eval_add(std::span<const Value> args, const BoundCall& call, EvalContext& ctx) {
  auto [a, b, ta, tb] = operands(args, call);
  switch (call.result.cls) {
    case TypeClass::Double: return double_result(value_to_double(a, ta) + value_to_double(b, tb), ctx);
    case TypeClass::Decimal: return decimal_result(value_to_decimal(a, ta).add(value_to_decimal(b, tb)), ctx);
    default: return int_result(exact_int(a, ta) + exact_int(b, tb), call, ctx);
  }
}

Value eval_sub(std::span<const Value> args, const BoundCall& call, EvalContext& ctx) {
  auto [a, b, ta, tb] = operands(args, call);
  switch (call.result.cls) {
    case TypeClass::Double: return double_result(value_to_double(a, ta) - value_to_double(b, tb), ctx);
    case TypeClass::Decimal: return decimal_result(value_to_decimal(a, ta).sub(value_to_decimal(b, tb)), ctx);
    default: return int_result(exact_int(a, ta) - exact_int(b, tb), call, ctx);
  }
}

Value eval_mul(std::span<const Value> args, const BoundCall& call, EvalContext& ctx) {
  auto [a, b, ta, tb] = operands(args, call);
  switch (call.result.cls) {
    case TypeClass::Double: return double_result(value_to_double(a, ta) * value_to_double(b, tb), ctx);
    case TypeClass::Decimal: return decimal_result(value_to_decimal(a, ta).mul(value_to_decimal(b, tb)), ctx);
    default: {
      // |a|, |b| < 2^64: the magnitude of the product fits 128 unsigned bits.
      Int128 x = exact_int(a, ta), y = exact_int(b, tb);
      bool negative = (x < 0) != (y < 0);
      using U128 = unsigned __int128;
      U128 m = U128(x < 0 ? -x : x) * U128(y < 0 ? -y : y);
      if (m > U128(kUint64Max) + 1) return int_result(negative ? kInt64Min - 1 : kUint64Max + 1, call, ctx);
      return int_result(negative ? -Int128(m) : Int128(m), call, ctx);
    }
  }
}

Value eval_div(std::span<const Value> args, const BoundCall& call, EvalContext& ctx) {
  auto [a, b, ta, tb] = operands(args, call);
  if (call.result.cls == TypeClass::Double) {
    double y = value_to_double(b, tb);
    if (y == 0) return Value::null();  // division by zero: NULL with a warning in a SELECT
    return double_result(value_to_double(a, ta) / y, ctx);
  }
  auto q = value_to_decimal(a, ta).div(value_to_decimal(b, tb), Decimal::kDivPrecisionIncrement, true);
  if (!q) return Value::null();
  return decimal_result(*q, ctx);
}

Value eval_int_div(std::span<const Value> args, const BoundCall& call, EvalContext& ctx) {
  auto [a, b, ta, tb] = operands(args, call);
  if (call.variant == 1) {
    // MySQL divides as DECIMAL with no extra digits and truncates the quotient.
    auto q = value_to_decimal(a, ta).div(value_to_decimal(b, tb), 0, true);
    if (!q) return Value::null();
    Decimal t = q->round(0, Decimal::Rounding::Truncate);
    if (!t.overflow()) {
      if (call.result.is_unsigned && !t.is_negative()) {
        if (auto u = t.to_uint64()) return Value::from_uint(*u);
      } else if (!call.result.is_unsigned) {
        if (auto i = t.to_int64()) return Value::from_int(*i);
      } else if (t.is_zero()) {
        return Value::from_uint(0);
      }
    }
    ctx.fail(1690, call.result.is_unsigned ? "BIGINT UNSIGNED value is out of range" : "BIGINT value is out of range");
    return Value::null();
  }
  Int128 x = exact_int(a, ta), y = exact_int(b, tb);
  if (y == 0) return Value::null();
  Int128 q = x / y;  // truncates toward zero, as MySQL's unsigned division of the magnitudes
  // MySQL negates an unsigned magnitude and refuses one above INT64_MAX, so even
  // -9223372036854775808 DIV 1 is out of range.
  if (q < 0 && -q > kInt64Max) {
    ctx.fail(1690, call.result.is_unsigned ? "BIGINT UNSIGNED value is out of range" : "BIGINT value is out of range");
    return Value::null();
  }
  return int_result(q, call, ctx);
}

Value eval_mod(std::span<const Value> args, const BoundCall& call, EvalContext& ctx) {
  auto [a, b, ta, tb] = operands(args, call);
  switch (call.result.cls) {
    case TypeClass::Double: {
      double y = value_to_double(b, tb);
      if (y == 0) return Value::null();
      return double_result(std::fmod(value_to_double(a, ta), y), ctx);
    }
    case TypeClass::Decimal: {
      auto r = value_to_decimal(a, ta).mod(value_to_decimal(b, tb));
      if (!r) return Value::null();
      return decimal_result(*r, ctx);
    }
    default: {
      Int128 x = exact_int(a, ta), y = exact_int(b, tb);
      if (y == 0) return Value::null();
      return int_result(x % y, call, ctx);  // C++ and MySQL both give the dividend's sign
    }
  }
}

Value eval_neg(std::span<const Value> args, const BoundCall& call, EvalContext& ctx) {
  const Value& a = args[0];
  const SqlType& ta = call.args[0];
  switch (call.result.cls) {
    case TypeClass::Double: return Value::from_double(-value_to_double(a, ta));
    case TypeClass::Decimal: return Value::from_decimal(value_to_decimal(a, ta).negate());
    default: return int_result(-exact_int(a, ta), call, ctx);
  }
}

// --- bit operators -------------------------------------------------------------------------------

// MySQL 8 evaluates bit operators on byte strings when the operands are binary strings (BINARY,
// VARBINARY, BLOB, CAST(… AS BINARY), UNHEX()…); hex and bit literals count as numbers unless the
// other operand is such a binary string. BIT columns are numbers. MariaDB always works on
// BIGINT UNSIGNED.
bool is_bit_literal(const SqlType& t) {
  return t.cls == TypeClass::String && t.column == ColumnType::Bit && t.precision == 0;
}
bool is_byte_string(const SqlType& t) {
  return t.is_binary_string() && t.column != ColumnType::Bit;
}

constexpr int kBytewise = 1;  // BoundCall::variant

SqlType bit_result(bool bytewise, const SqlType& like, bool nullable) {
  SqlType t = bytewise ? SqlType::varbinary(like.length) : SqlType::bigint(true);
  t.nullable = nullable;
  return t;
}

bool resolve_bit2(std::span<const SqlType> args, BoundCall& out, std::string&) {
  const SqlType &a = args[0], &b = args[1];
  bool bytewise = (is_byte_string(a) || is_bit_literal(a)) && (is_byte_string(b) || is_bit_literal(b)) &&
                  !(is_bit_literal(a) && is_bit_literal(b));
  out.variant = bytewise ? kBytewise : 0;
  out.result = bit_result(bytewise, is_byte_string(a) ? a : b, a.nullable || b.nullable);
  return true;
}

bool resolve_bit1(std::span<const SqlType> args, BoundCall& out, std::string&) {
  bool bytewise = is_byte_string(args[0]);
  out.variant = bytewise ? kBytewise : 0;
  bool nullable = args[0].nullable || (args.size() > 1 && args[1].nullable);
  out.result = bit_result(bytewise, args[0], nullable);
  return true;
}

uint64_t bit_operand(const Value& v, const SqlType& t) { return static_cast<uint64_t>(value_to_int(v, t).value); }

template <typename F>
Value bit2(std::span<const Value> args, const BoundCall& call, EvalContext& ctx, F f) {
  if (call.variant == kBytewise) {
    std::string a = value_to_string(args[0], call.args[0]), b = value_to_string(args[1], call.args[1]);
    if (a.size() != b.size()) {
      ctx.fail(3513, "Binary operands of bitwise operators must be of equal length");
      return Value::null();
    }
    for (size_t i = 0; i < a.size(); ++i)
      a[i] = static_cast<char>(f(static_cast<unsigned char>(a[i]), static_cast<unsigned char>(b[i])));
    return Value::from_string(std::move(a));
  }
  return Value::from_uint(f(bit_operand(args[0], call.args[0]), bit_operand(args[1], call.args[1])));
}

Value eval_bit_and(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  return bit2(a, c, ctx, [](uint64_t x, uint64_t y) { return x & y; });
}
Value eval_bit_or(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  return bit2(a, c, ctx, [](uint64_t x, uint64_t y) { return x | y; });
}
Value eval_bit_xor(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  return bit2(a, c, ctx, [](uint64_t x, uint64_t y) { return x ^ y; });
}

Value eval_bit_not(std::span<const Value> args, const BoundCall& call, EvalContext&) {
  if (call.variant == kBytewise) {
    std::string s = value_to_string(args[0], call.args[0]);
    for (char& c : s) c = static_cast<char>(~static_cast<unsigned char>(c));
    return Value::from_string(std::move(s));
  }
  return Value::from_uint(~bit_operand(args[0], call.args[0]));
}

// Shifts a big-endian byte string by `shift` bits, keeping its length (MySQL 8).
std::string shift_bytes(const std::string& s, uint64_t shift, bool left) {
  std::string out(s.size(), '\0');
  const uint64_t bits = uint64_t(s.size()) * 8;
  if (shift >= bits) return out;
  auto bit = [&](uint64_t i) { return (static_cast<unsigned char>(s[i / 8]) >> (7 - i % 8)) & 1; };
  for (uint64_t i = 0; i < bits; ++i) {
    // bit i of the result (0 = most significant) comes from bit i+shift (left) or i-shift (right)
    bool on = left ? (i + shift < bits && bit(i + shift)) : (i >= shift && bit(i - shift));
    if (on) out[i / 8] = static_cast<char>(static_cast<unsigned char>(out[i / 8]) | (0x80 >> (i % 8)));
  }
  return out;
}

template <bool kLeft>
Value eval_shift(std::span<const Value> args, const BoundCall& call, EvalContext&) {
  uint64_t shift = bit_operand(args[1], call.args[1]);  // a negative count is huge: the result is 0
  if (call.variant == kBytewise)
    return Value::from_string(shift_bytes(value_to_string(args[0], call.args[0]), shift, kLeft));
  uint64_t v = bit_operand(args[0], call.args[0]);
  if (shift >= 64) return Value::from_uint(0);
  return Value::from_uint(kLeft ? v << shift : v >> shift);
}

constexpr FunctionDef kArithmetic[] = {
    {"+", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_add, eval_add, "a + b"},
    {"-", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_sub, eval_sub, "a - b"},
    {"*", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_mul, eval_mul, "a * b"},
    {"/", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_div, eval_div, "a / b"},
    {"DIV", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_int_div, eval_int_div, "a DIV b"},
    {"%", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_mod, eval_mod, "a % b, MOD(a, b)"},
    {"NEG", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_neg, eval_neg, "-a"},
    {"&", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_bit2, eval_bit_and, "a & b"},
    {"|", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_bit2, eval_bit_or, "a | b"},
    {"^", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_bit2, eval_bit_xor, "a ^ b"},
    {"<<", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_bit1, eval_shift<true>, "a << n"},
    {">>", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_bit1, eval_shift<false>, "a >> n"},
    {"~", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_bit1, eval_bit_not, "~a"},
};

}  // namespace

std::span<const FunctionDef> arithmetic_operators() { return kArithmetic; }

}  // namespace obsync
