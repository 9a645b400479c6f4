// Numeric conversions with MySQL's rules: string -> number prefixes, double -> text, integer overflow.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "stdlib/decimal.hpp"

namespace obsync {

// MySQL reads the longest numeric prefix of a string (after leading spaces); the rest makes a
// "Truncated incorrect ... value" warning but never an error in expressions.
struct StringToDouble { double value = 0; bool complete = false; };
StringToDouble string_to_double(std::string_view s);

struct StringToInt {
  int64_t value = 0;      // clamped to the type's range on overflow
  bool is_unsigned = false;  // the value needed BIGINT UNSIGNED ('18446744073709551615')
  bool overflow = false;
  bool complete = false;
};
// As CAST(s AS SIGNED) reads a string: integer prefix ("12.7" -> 12, "1e3" -> 1 as MySQL 8 does).
StringToInt string_to_int(std::string_view s);
Decimal string_to_decimal(std::string_view s, bool* complete = nullptr);

// DOUBLE as MySQL prints it: shortest round-trip digits, exponent form outside 1e-5..1e15
// ("1e20", "1.5e-7", "-0" prints "-0"), like the mysql client shows it.
std::string double_to_string(double v);
// FLOAT column values print with float (single precision) shortest digits.
std::string float_to_string(float v);

// Double -> integer as CAST(x AS SIGNED) / assignments do: round half away from zero, clamp.
int64_t double_to_int64(double v, bool* overflow);
uint64_t double_to_uint64(double v, bool* overflow);

}  // namespace obsync
