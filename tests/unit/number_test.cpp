// Numeric conversions against MySQL results (checked on MariaDB 10.11; MySQL 8 where noted).
#include <catch2/catch.hpp>

#include <cfloat>
#include <cmath>
#include <limits>

#include "stdlib/number.hpp"

using namespace obsync;

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

}  // namespace

TEST_CASE("string_to_double reads the longest numeric prefix") {
  auto r = string_to_double("12abc");
  CHECK(r.value == 12);
  CHECK_FALSE(r.complete);
  r = string_to_double("");
  CHECK(r.value == 0);
  CHECK_FALSE(r.complete);  // MySQL warns: Truncated incorrect DOUBLE value: ''
  r = string_to_double(" 1e3x");
  CHECK(r.value == 1000);
  CHECK_FALSE(r.complete);
  r = string_to_double("0x10");  // hex strings are not numbers
  CHECK(r.value == 0);
  CHECK_FALSE(r.complete);
  r = string_to_double("1 ");  // trailing spaces give at most a Note
  CHECK(r.value == 1);
  CHECK(r.complete);
  CHECK(string_to_double("-12.5").complete);
  CHECK(string_to_double(".5").value == 0.5);
  CHECK(string_to_double("-.5e1").value == -5);
  CHECK(string_to_double("1e").value == 1);
  CHECK_FALSE(string_to_double("1e").complete);
  CHECK(string_to_double("1e+").value == 1);
  CHECK(string_to_double("1.").value == 1);
  CHECK(string_to_double("1.e2").value == 100);
  CHECK(string_to_double(".").value == 0);
  CHECK(string_to_double("+3").value == 3);
  CHECK(string_to_double("\n\r\v\f\t 5").value == 5);
  CHECK(string_to_double("0.1").value == 0.1);
  CHECK(string_to_double("123456789012345678901234567890").value == 1.2345678901234568e29);
  CHECK(string_to_double("1e400").value == DBL_MAX);
  CHECK(string_to_double("-1e400").value == -DBL_MAX);
  CHECK(string_to_double("1e-400").value == 0);
  CHECK(string_to_double("0e999999999999").value == 0);
  CHECK(string_to_double("0.000000000000000000000000000000001e400").value == DBL_MAX);
  CHECK(string_to_double("0.000000000000000000000000000000001e330").value == 1e297);
  CHECK(string_to_double("-100000e-400").value == 0);
}

TEST_CASE("string_to_int reads only the integer prefix, as CAST(s AS SIGNED)") {
  auto r = string_to_int("12.7");  // MySQL 8 and MariaDB: 12 with a warning
  CHECK(r.value == 12);
  CHECK_FALSE(r.complete);
  CHECK(string_to_int("1e3").value == 1);
  CHECK(string_to_int("  -12abc").value == -12);
  CHECK(string_to_int(" +5").value == 5);
  CHECK(string_to_int("\t5").value == 5);
  CHECK(string_to_int("5 ").complete);
  CHECK(string_to_int("-0").value == 0);
  r = string_to_int("");
  CHECK(r.value == 0);
  CHECK_FALSE(r.complete);
  CHECK(string_to_int("0x10").value == 0);
  CHECK(string_to_int("+").value == 0);
  CHECK(string_to_int("-").value == 0);
  CHECK(string_to_int("- 5").value == 0);

  r = string_to_int("9223372036854775807");
  CHECK(r.value == kMax);
  CHECK_FALSE(r.is_unsigned);
  r = string_to_int("-9223372036854775808");
  CHECK(r.value == kMin);
  CHECK_FALSE(r.overflow);
  r = string_to_int("9223372036854775808");  // CAST AS SIGNED shows -9223372036854775808
  CHECK(r.is_unsigned);
  CHECK_FALSE(r.overflow);
  CHECK(r.value == kMin);
  r = string_to_int("18446744073709551615");  // CAST AS SIGNED: -1, AS UNSIGNED: 2^64-1
  CHECK(r.is_unsigned);
  CHECK_FALSE(r.overflow);
  CHECK(r.value == -1);
  r = string_to_int("99999999999999999999");
  CHECK(r.overflow);
  CHECK(r.is_unsigned);
  CHECK(r.value == -1);
  r = string_to_int("-9223372036854775809");
  CHECK(r.overflow);
  CHECK(r.value == kMin);
  r = string_to_int("-99999999999999999999");
  CHECK(r.overflow);
  CHECK(r.value == kMin);
}

TEST_CASE("string_to_decimal") {
  bool complete = false;
  CHECK(string_to_decimal("1 ", &complete).to_string() == "1");
  CHECK(complete);
  CHECK(string_to_decimal("1x", &complete).to_string() == "1");
  CHECK_FALSE(complete);
  CHECK(string_to_decimal("", &complete).to_string() == "0");
  CHECK_FALSE(complete);
  CHECK(string_to_decimal(" -1.50e1", &complete).to_string() == "-15.0");
  CHECK(complete);
}

TEST_CASE("double_to_string prints like my_gcvt: plain between 1e-15 and 1e15") {
  CHECK(double_to_string(1e15) == "1e15");
  CHECK(double_to_string(1e16) == "1e16");
  CHECK(double_to_string(1e14) == "100000000000000");
  CHECK(double_to_string(123456789012345.0) == "123456789012345");
  CHECK(double_to_string(1234567890123456.0) == "1.234567890123456e15");
  CHECK(double_to_string(1234567890123456.7) == "1234567890123456.8");
  CHECK(double_to_string(123456789012345.6) == "123456789012345.6");
  CHECK(double_to_string(12345678901234567.0) == "1.2345678901234568e16");
  CHECK(double_to_string(123456789012345678.0) == "1.2345678901234568e17");
  CHECK(double_to_string(12345678901234567890.0) == "1.2345678901234567e19");
  CHECK(double_to_string(1.5e15) == "1.5e15");
  CHECK(double_to_string(1.25e16) == "1.25e16");
  CHECK(double_to_string(1e21) == "1e21");
  CHECK(double_to_string(1.2345e20) == "1.2345e20");
  CHECK(double_to_string(1e100) == "1e100");
  CHECK(double_to_string(100000) == "100000");
  CHECK(double_to_string(100) == "100");
  CHECK(double_to_string(123456.789) == "123456.789");
  CHECK(double_to_string(0.0001) == "0.0001");
  CHECK(double_to_string(1e-5) == "0.00001");
  CHECK(double_to_string(1e-6) == "0.000001");
  CHECK(double_to_string(1e-7) == "0.0000001");
  CHECK(double_to_string(-1e-7) == "-0.0000001");
  CHECK(double_to_string(1.5e-7) == "0.00000015");
  CHECK(double_to_string(0.000123) == "0.000123");
  CHECK(double_to_string(1e-15) == "0.000000000000001");
  CHECK(double_to_string(1.5e-15) == "0.0000000000000015");
  CHECK(double_to_string(1e-16) == "1e-16");
  CHECK(double_to_string(1.2345678901234567e-10) == "0.00000000012345678901234568");
  CHECK(double_to_string(1.2345678901234567e-14) == "0.000000000000012345678901234567");
  CHECK(double_to_string(1.2345678901234567e-15) == "0.0000000000000012345678901234568");
  CHECK(double_to_string(1.5e-30) == "1.5e-30");
  CHECK(double_to_string(0.1 + 0.2) == "0.30000000000000004");
  CHECK(double_to_string(1.0 / 3) == "0.3333333333333333");
  CHECK(double_to_string(2.0 / 3) == "0.6666666666666666");
  CHECK(double_to_string(0.1) == "0.1");
  CHECK(double_to_string(1.7976931348623157e308) == "1.7976931348623157e308");
  CHECK(double_to_string(2.2250738585072014e-308) == "2.2250738585072014e-308");
  CHECK(double_to_string(4.9e-324) == "5e-324");
  CHECK(double_to_string(0.0) == "0");
  CHECK(double_to_string(-0.0) == "-0");  // MySQL 8; MariaDB prints 0
  CHECK(double_to_string(-1.5) == "-1.5");
}

TEST_CASE("float_to_string prints a FLOAT with at most 6 digits, ties to even") {
  CHECK(float_to_string(3.14f) == "3.14");
  CHECK(float_to_string(-3.14f) == "-3.14");
  CHECK(float_to_string(0.1f) == "0.1");
  CHECK(float_to_string(0.3f) == "0.3");
  CHECK(float_to_string(1e20f) == "1e20");
  CHECK(float_to_string(16777217.0f) == "16777200");
  CHECK(float_to_string(123456789.0f) == "123457000");
  CHECK(float_to_string(1234567.8f) == "1234570");
  CHECK(float_to_string(1234565.0f) == "1234560");
  CHECK(float_to_string(1234575.0f) == "1234580");
  CHECK(float_to_string(1.17549435e-38f) == "1.17549e-38");
  CHECK(float_to_string(3.4e38f) == "3.4e38");
  CHECK(float_to_string(1e-5f) == "0.00001");
  CHECK(float_to_string(1e-6f) == "0.000001");
  CHECK(float_to_string(1e-7f) == "0.0000001");
  CHECK(float_to_string(0.000001234565f) == "0.00000123457");
  CHECK(float_to_string(1e15f) == "1e15");
  CHECK(float_to_string(2e15f) == "2e15");
  CHECK(float_to_string(1e16f) == "1e16");
  CHECK(float_to_string(1e-15f) == "0.000000000000001");
  CHECK(float_to_string(1.5e-15f) == "0.0000000000000015");
  CHECK(float_to_string(1e-16f) == "1e-16");
  CHECK(float_to_string(0.0f) == "0");
}

TEST_CASE("double_to_int64 rounds with rint (ties to even) and clamps") {
  bool overflow = true;
  CHECK(double_to_int64(2.5, &overflow) == 2);  // CAST(2.5e0 AS SIGNED) = 2
  CHECK_FALSE(overflow);
  CHECK(double_to_int64(-2.5, &overflow) == -2);
  CHECK(double_to_int64(3.5, &overflow) == 4);
  CHECK(double_to_int64(-3.5, &overflow) == -4);
  CHECK(double_to_int64(0.5, &overflow) == 0);
  CHECK(double_to_int64(-0.5, &overflow) == 0);
  CHECK(double_to_int64(2.4999, &overflow) == 2);
  CHECK(double_to_int64(-9223372036854775808.0, &overflow) == kMin);
  CHECK_FALSE(overflow);
  CHECK(double_to_int64(1e19, &overflow) == kMax);
  CHECK(overflow);
  CHECK(double_to_int64(9.3e18, &overflow) == kMax);
  CHECK(overflow);
  CHECK(double_to_int64(9223372036854775808.0, &overflow) == kMax);
  CHECK(overflow);
  CHECK(double_to_int64(-9.3e18, &overflow) == kMin);
  CHECK(overflow);
  CHECK(double_to_int64(std::nan(""), &overflow) == 0);
  CHECK(overflow);
  CHECK(double_to_int64(9007199254740993.0, nullptr) == 9007199254740992);
}

TEST_CASE("double_to_uint64 clamps to [0, 2^64-1]") {
  bool overflow = true;
  CHECK(double_to_uint64(1.8e19, &overflow) == 18000000000000000000u);
  CHECK_FALSE(overflow);
  CHECK(double_to_uint64(-0.4, &overflow) == 0u);
  CHECK_FALSE(overflow);
  CHECK(double_to_uint64(2.5, &overflow) == 2u);
  CHECK(double_to_uint64(-1, &overflow) == 0u);
  CHECK(overflow);
  CHECK(double_to_uint64(1e30, &overflow) == std::numeric_limits<uint64_t>::max());
  CHECK(overflow);
  CHECK(double_to_uint64(18446744073709551616.0, &overflow) ==
        std::numeric_limits<uint64_t>::max());
  CHECK(overflow);
}
