// Numeric conversions with MySQL's rules: string -> number prefixes, double -> text, integer overflow.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "stdlib/decimal.hpp"

namespace obsync {

// MySQL reads the longest numeric prefix of a string (after leading spaces); the rest makes a
// "Truncated incorrect ... value" warning but never an error in expressions. `complete` is false
// when no digit was read ('' warns too) and stays true for trailing spaces (a Note at most).
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

// DOUBLE as MySQL prints it (my_gcvt): shortest round-trip digits, plain for 1e-15 <= |x| < 1e15
// ("0.0000001", "100000000000000"), else exponent form without '+' ("1e15", "1.5e-16");
// -0 prints "-0" as MySQL 8 does (MariaDB prints "0").
std::string double_to_string(double v);
// FLOAT column values: at most 6 significant digits (FLT_DIG), ties to even, same layout
// (3.14f -> "3.14", 16777217 -> "16777200", 123456789 -> "123457000").
std::string float_to_string(float v);

// Double -> integer as CAST(x AS SIGNED) / assignments do: rint(), i.e. ties to even
// (CAST(2.5e0 AS SIGNED) = 2; DECIMAL rounds half away instead), clamped; NaN gives 0.
int64_t double_to_int64(double v, bool* overflow);
uint64_t double_to_uint64(double v, bool* overflow);

}  // namespace obsync
