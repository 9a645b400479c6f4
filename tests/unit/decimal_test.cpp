// Decimal against MySQL results (checked on MariaDB 10.11 where both agree; MySQL 8 where noted).
#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "stdlib/decimal.hpp"

using namespace obsync;

namespace {

Decimal D(std::string_view s) {
  auto p = Decimal::parse(s);
  REQUIRE(p.consumed == s.size());
  return p.value;
}

std::string div(std::string_view a, std::string_view b) {
  auto q = D(a).div(D(b));
  return q ? q->to_string() : "NULL";
}

std::string mod(std::string_view a, std::string_view b) {
  auto q = D(a).mod(D(b));
  return q ? q->to_string() : "NULL";
}

std::string round(std::string_view a, int scale,
                  Decimal::Rounding mode = Decimal::Rounding::HalfUp) {
  return D(a).round(scale, mode).to_string();
}

const std::string k65Nines(65, '9');

}  // namespace

TEST_CASE("Decimal prints exactly scale() fraction digits and never -0") {
  CHECK(D("-0.50").to_string() == "-0.50");
  CHECK(D(".5").to_string() == "0.5");
  CHECK(D("-.5").to_string() == "-0.5");
  CHECK(D("-0.0").to_string() == "0.0");
  CHECK(D("-0").to_string() == "0");
  CHECK(Decimal().to_string() == "0");
  CHECK(D("007.100").to_string() == "7.100");
  CHECK(Decimal::from_int(0).to_string() == "0");
  CHECK(Decimal::from_int(std::numeric_limits<int64_t>::min()).to_string() ==
        "-9223372036854775808");
  CHECK(Decimal::from_int(std::numeric_limits<int64_t>::max()).to_string() ==
        "9223372036854775807");
  CHECK(Decimal::from_uint(std::numeric_limits<uint64_t>::max()).to_string() ==
        "18446744073709551615");
  CHECK(D(k65Nines).to_string() == k65Nines);
  CHECK(D("0.000000000000000000000000000001").to_string() == "0.000000000000000000000000000001");
}

TEST_CASE("Decimal::parse reads MySQL's numeric prefix") {
  auto p = Decimal::parse("  -12.340e2");
  CHECK(p.consumed == 11);
  CHECK(p.value.to_string() == "-1234.0");
  CHECK(p.value.scale() == 1);
  CHECK(Decimal::parse("+3").value.to_string() == "3");
  CHECK(Decimal::parse("1e3").value.to_string() == "1000");
  CHECK(Decimal::parse("1.e2").value.to_string() == "100");
  CHECK(Decimal::parse("1e-2").value.to_string() == "0.01");
  CHECK(Decimal::parse("-.5e1").value.to_string() == "-5");
  CHECK(Decimal::parse("0.000").value.to_string() == "0.000");
  CHECK(Decimal::parse("12.5e-1").value.to_string() == "1.25");

  p = Decimal::parse("1e");  // an exponent without digits is not part of the number
  CHECK(p.consumed == 1);
  CHECK(p.value.to_string() == "1");
  p = Decimal::parse("1e+x");
  CHECK(p.consumed == 1);
  p = Decimal::parse("12abc");
  CHECK(p.consumed == 2);
  CHECK(p.value.to_string() == "12");
  CHECK(Decimal::parse("abc").consumed == 0);
  CHECK(Decimal::parse(".").consumed == 0);
  CHECK(Decimal::parse("-").consumed == 0);
  CHECK(Decimal::parse("").consumed == 0);
  CHECK(Decimal::parse("0x10").consumed == 1);
}

TEST_CASE("Decimal::parse rounds past 30 fraction digits and saturates past 65 digits") {
  auto p = Decimal::parse("0.1234567890123456789012345678905");
  CHECK(p.truncated);
  CHECK(p.value.to_string() == "0.123456789012345678901234567891");
  p = Decimal::parse("-0.0000000000000000000000000000005");
  CHECK(p.truncated);
  CHECK(p.value.to_string() == "-0.000000000000000000000000000001");
  p = Decimal::parse("0.0000000000000000000000000000004");
  CHECK(p.value.to_string() == "0.000000000000000000000000000000");
  p = Decimal::parse("1e-400");
  CHECK(p.value.is_zero());
  CHECK(p.value.scale() == 30);

  p = Decimal::parse(k65Nines);
  CHECK_FALSE(p.overflow);
  p = Decimal::parse("1" + k65Nines);
  CHECK(p.overflow);
  CHECK(p.value.to_string() == k65Nines);
  p = Decimal::parse("-1e65");
  CHECK(p.overflow);
  CHECK(p.value.to_string() == "-" + k65Nines);
  p = Decimal::parse(k65Nines + ".9");  // rounding carries into a 66th digit
  CHECK(p.overflow);
  p = Decimal::parse("1e64");
  CHECK_FALSE(p.overflow);
  CHECK(p.value.to_string() == "1" + std::string(64, '0'));
  // 60 integer digits leave room for 5 fraction digits.
  p = Decimal::parse(std::string(60, '1') + ".123456");
  CHECK(p.truncated);
  CHECK(p.value.to_string() == std::string(60, '1') + ".12346");
}

TEST_CASE("Decimal addition and subtraction keep max(s1,s2)") {
  CHECK(D("0.1").add(D("0.2")).to_string() == "0.3");
  CHECK(D("1.5").add(D("-1.5")).to_string() == "0.0");
  CHECK(D("-1.5").add(D("1.5")).to_string() == "0.0");
  CHECK(D("1").add(D("0.25")).to_string() == "1.25");
  CHECK(D("-1").sub(D("0.25")).to_string() == "-1.25");
  CHECK(D("0.25").sub(D("1")).to_string() == "-0.75");
  CHECK(D("999999999.999999999").add(D("0.000000001")).to_string() == "1000000000.000000000");
  CHECK(D("-9223372036854775808").sub(D("1")).to_string() == "-9223372036854775809");
  // Results may exceed 65 digits as MySQL's 9-word my_decimal does (a DECIMAL(65,30) column
  // minus 1 prints 36 integer digits on the server); only 82+ integer digits overflow.
  Decimal sum = D(k65Nines).add(D("1"));
  CHECK_FALSE(sum.overflow());
  CHECK(sum.to_string() == "1" + std::string(65, '0'));
  Decimal nines81 = D(std::string(40, '9')).mul(D("1" + std::string(41, '0'))).add(D(std::string(41, '9')));
  CHECK_FALSE(nines81.overflow());
  Decimal huge = nines81.add(D("1"));
  CHECK(huge.overflow());
  CHECK(huge.to_string() == k65Nines);
  Decimal fine = D("1" + std::string(63, '0')).add(D("1"));
  CHECK_FALSE(fine.overflow());
}

TEST_CASE("Decimal multiplication: scale s1+s2 capped at 30, rounded half up") {
  CHECK(D("1.5").mul(D("2.25")).to_string() == "3.375");
  CHECK(D("0.1").mul(D("0.1")).to_string() == "0.01");
  CHECK(D("-2").mul(D("0.5")).to_string() == "-1.0");
  CHECK(D("0.0").mul(D("-1")).to_string() == "0.0");
  CHECK(D("99999999999999999999999999999999").mul(D("99999999999999999999999999999999"))
            .to_string() == "9999999999999999999999999999999800000000000000000000000000000001");
  // MySQL 8 caps the scale at 30 (MariaDB at 38 prints ...0200000000).
  CHECK(D("1.000000000000000000000000000001").mul(D("1.000000000000000000000000000001"))
            .to_string() == "1.000000000000000000000000000002");
  CHECK(D("0.000000000000000000000000000005").mul(D("0.1")).to_string() ==
        "0.000000000000000000000000000001");
  CHECK(D("-0.000000000000000000000000000005").mul(D("0.1")).to_string() ==
        "-0.000000000000000000000000000001");
  Decimal big = D("99999999999999999999999999999999999").mul(D("99999999999999999999999999999999999"));
  CHECK_FALSE(big.overflow());  // 70 digits fit MySQL's 81-digit buffer
  Decimal bigger = D(std::string(41, '9')).mul(D(std::string(41, '9')));
  CHECK(bigger.overflow());
  CHECK(bigger.to_string() == k65Nines);
}

TEST_CASE("Decimal division: scale s1+4, MySQL's word-truncated quotient rounded half up") {
  CHECK(div("1", "3") == "0.3333");
  CHECK(div("2", "3") == "0.6667");
  CHECK(div("10", "4") == "2.5000");
  CHECK(div("1.00", "3") == "0.333333");
  CHECK(div("-7", "2") == "-3.5000");
  CHECK(div("7", "-2") == "-3.5000");
  CHECK(div("-7", "-2") == "3.5000");
  CHECK(div("2.0", "3") == "0.66667");
  CHECK(div("1.0000", "3") == "0.33333333");
  CHECK(div("1", "3.0000000000000000000000000000") == "0.3333");
  CHECK(div("10.00", "3.0") == "3.333333");
  CHECK(div("20", "3.0") == "6.6667");
  // The quotient is computed to whole 9-digit words and truncated there first.
  CHECK(div("2.00000", "3") == "0.666666666");
  CHECK(div("2.00000", "3.0") == "0.666666667");
  CHECK(div("0.00002", "3") == "0.000006666");
  CHECK(div("2.00000", "7") == "0.285714285");
  CHECK(div("1234567890123456789012345678901234567890.1234567891", "0.0000000003") ==
        "4115226300411522630041152263004115226300411522630.33333333333333");
  // MySQL 8 caps the scale at 30 (MariaDB prints 31 digits here).
  CHECK(div("2.000000000000000000000000000", "3") == "0.666666666666666666666666666667");
  CHECK(div("0", "3") == "0.0000");
  CHECK(div("-0.0", "3") == "0.00000");
  CHECK(div("5", "0") == "NULL");
  CHECK(div("5", "0.000") == "NULL");
  // div_precision_increment=0: no word of fraction is computed, so integers truncate.
  CHECK(D("2").div(D("3"), 0)->to_string() == "0");
  CHECK(D("7").div(D("2"), 0)->to_string() == "3");
  CHECK(D("2.0").div(D("3"), 0)->to_string() == "0.7");
  CHECK(D("2.0000").div(D("3"), 5)->to_string() == "0.666666666");
  CHECK(D("2").div(D("3"), 5)->to_string() == "0.66667");
}

TEST_CASE("Decimal MOD: scale max(s1,s2), sign of the dividend") {
  CHECK(mod("5", "-3") == "2");
  CHECK(mod("-5", "3") == "-2");
  CHECK(mod("-5.5", "2") == "-1.5");
  CHECK(mod("7.5", "-2") == "1.5");
  CHECK(mod("0.0", "1") == "0.0");
  CHECK(mod("-4", "2") == "0");
  CHECK(mod("10", "0.3") == "0.1");
  CHECK(mod("5", "0") == "NULL");
  CHECK(mod("5.5", "0.0") == "NULL");
}

TEST_CASE("Decimal rounding is half away from zero, also for negative scales") {
  CHECK(round("1234.5678", 2) == "1234.57");
  CHECK(round("-1234.5678", -2) == "-1200");
  CHECK(round("1234.5", -2) == "1200");
  CHECK(round("5.5", -1) == "10");
  CHECK(round("-5.5", -1) == "-10");
  CHECK(round("1234.5", -4) == "0");
  CHECK(round("5678", -4) == "10000");
  CHECK(round("-0.5", 0) == "-1");
  CHECK(round("-2.5", 0) == "-3");
  CHECK(round("2.5", 0) == "3");
  CHECK(round("-0.4", 0) == "0");
  CHECK(round("0.4999", 0) == "0");
  CHECK(round("99.5", 0) == "100");
  CHECK(round("999.9", -3) == "1000");
  CHECK(round("1.5", 3) == "1.500");
  CHECK(round("1.5", 40) == "1.500000000000000000000000000000");  // MySQL 8 caps at 30
  CHECK(round("5", -100) == "0");
  CHECK(round("1.25", 1) == "1.3");
  CHECK(round("-1.25", 1) == "-1.3");
  using R = Decimal::Rounding;
  CHECK(round("1234.5678", -2, R::Truncate) == "1200");
  CHECK(round("-1.99", 0, R::Truncate) == "-1");
  CHECK(round("-1.5", 0, R::Ceiling) == "-1");
  CHECK(round("-1.5", 0, R::Floor) == "-2");
  CHECK(round("1.000", 0, R::Ceiling) == "1");
  CHECK(round("-0.1", 0, R::Floor) == "-1");
  CHECK(round("0.1", 0, R::Ceiling) == "1");
  CHECK(round("-0.1", 0, R::Ceiling) == "0");
  CHECK(D("1.005").with_scale(2).to_string() == "1.01");
  CHECK(D("1.5").with_scale(4).to_string() == "1.5000");
}

TEST_CASE("Decimal::from_double uses the shortest round-trip digits") {
  CHECK(Decimal::from_double(0.1)->to_string() == "0.1");
  CHECK(Decimal::from_double(1e-7)->to_string() == "0.0000001");
  CHECK(Decimal::from_double(0.1 + 0.2)->to_string() == "0.30000000000000004");
  CHECK(Decimal::from_double(1e20)->to_string() == "100000000000000000000");
  CHECK(Decimal::from_double(-2.5)->to_string() == "-2.5");
  CHECK(Decimal::from_double(-0.0)->to_string() == "0");
  CHECK(Decimal::from_double(123456789012345678.0)->to_string() == "123456789012345680");
  CHECK(Decimal::from_double(1.5e-31)->to_string() == "0.000000000000000000000000000000");
  CHECK(Decimal::from_double(1e65)->overflow());
  CHECK_FALSE(Decimal::from_double(std::numeric_limits<double>::infinity()));
  CHECK_FALSE(Decimal::from_double(std::numeric_limits<double>::quiet_NaN()));
}

TEST_CASE("Decimal converts to double and integers") {
  CHECK(D("0.1").to_double() == 0.1);
  CHECK(D("-1234.5").to_double() == -1234.5);
  CHECK(D("2.5").to_int64() == 3);  // CAST(2.5 AS SIGNED) = 3
  CHECK(D("-2.5").to_int64() == -3);
  CHECK(D("-0.4").to_int64() == 0);
  CHECK(D("9223372036854775807.4").to_int64() == std::numeric_limits<int64_t>::max());
  CHECK_FALSE(D("9223372036854775807.5").to_int64());
  CHECK(D("-9223372036854775808.4").to_int64() == std::numeric_limits<int64_t>::min());
  CHECK_FALSE(D("-9223372036854775808.5").to_int64());
  CHECK(D("18446744073709551615").to_uint64() == std::numeric_limits<uint64_t>::max());
  CHECK_FALSE(D("18446744073709551615.5").to_uint64());
  CHECK(D("-0.4").to_uint64() == 0u);
  CHECK_FALSE(D("-0.5").to_uint64());
}

TEST_CASE("Decimal compares by value, not by scale") {
  CHECK(D("1.0") == D("1"));
  CHECK(D("-0.00") == D("0"));
  CHECK(D("-1").compare(D("0.5")) == -1);
  CHECK(D("-1").compare(D("-2")) == 1);
  CHECK(D("0.10").compare(D("0.09")) == 1);
  CHECK(D("123").precision() == 3);
  CHECK(D("12.34").precision() == 4);
  CHECK(D("12.34").integer_digits() == 2);
  CHECK(D("0.5").precision() == 1);
  CHECK(D("0.5").integer_digits() == 0);
  CHECK(D("0").precision() == 1);
  CHECK(D("-0.05").negate().to_string() == "0.05");
  CHECK(D("0.0").negate().is_negative() == false);
  CHECK(D("-7.25").abs().to_string() == "7.25");
}
