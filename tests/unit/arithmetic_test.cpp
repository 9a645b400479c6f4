// Arithmetic and bit operators against MySQL 8's answers (MariaDB 10.11 agrees unless noted).
#include <catch2/catch.hpp>

#include "compiler/sema/schema.hpp"
#include "tests/unit/numeric_test_util.hpp"

using obsync::testing::eval_expr;

namespace {

// Evaluates `expr` over one row of typed columns.
std::string eval_typed(const std::string& expr, const std::string& defs, std::vector<obsync::Value> row) {
  std::string error;
  auto columns = obsync::parse_column_definitions(defs, error);
  REQUIRE(columns);
  return eval_expr(expr, *columns, row);
}

}  // namespace

TEST_CASE("arithmetic result classes follow the operands") {
  CHECK(eval_expr("1 + 2") == "3");
  CHECK(eval_expr("1 + 2.5") == "3.5");
  CHECK(eval_expr("1 + 2e0") == "3");
  CHECK(eval_expr("'2' + '3'") == "5");  // strings add as DOUBLE
  CHECK(eval_expr("2 * 3.50") == "7.00");
  CHECK(eval_expr("0x1F + 0") == "31");  // hex literals are unsigned integers
  CHECK(eval_expr("0.1e0 + 0.2e0") == "0.30000000000000004");
  CHECK(eval_expr("0.1 + 0.2") == "0.3");
}

TEST_CASE("division keeps MySQL's scale and its internal 9-digit words") {
  CHECK(eval_expr("7 / 2") == "3.5000");
  CHECK(eval_expr("1.0 / 3") == "0.33333");
  CHECK(eval_expr("2 / 3") == "0.6667");
  CHECK(eval_expr("CAST(1/3 AS DECIMAL(65,30))") == "0.333333333000000000000000000000");
  CHECK(eval_expr("1/3*3") == "1.0000");
  CHECK(eval_expr("7 / 0") == "NULL");
  CHECK(eval_expr("1e0 / 0") == "NULL");
  CHECK(eval_expr("7 DIV 2") == "3");
  CHECK(eval_expr("-7 DIV 2") == "-3");
  CHECK(eval_expr("5.5 DIV 2") == "2");
  CHECK(eval_expr("0.3 DIV 0.1000001") == "2");  // truncates the unrounded quotient
  CHECK(eval_expr("7 DIV 0") == "NULL");
  CHECK(eval_expr("-7 % 3") == "-1");
  CHECK(eval_expr("7 % -3") == "1");
  CHECK(eval_expr("MOD(-7.5, 2)") == "-1.5");
  CHECK(eval_expr("10e0 % 3") == "1");
  CHECK(eval_expr("7 MOD 0") == "NULL");
}

TEST_CASE("integer overflow raises 1690") {
  CHECK(eval_expr("9223372036854775807 + 1") == "!error 1690");
  CHECK(eval_expr("18446744073709551615 + 0") == "18446744073709551615");
  CHECK(eval_expr("18446744073709551615 + 1") == "!error 1690");
  CHECK(eval_expr("CAST(1 AS UNSIGNED) - 2") == "!error 1690");
  CHECK(eval_expr("CAST(5 AS UNSIGNED) - 2") == "3");
  CHECK(eval_expr("-9223372036854775807 - 1") == "-9223372036854775808");
  CHECK(eval_expr("-9223372036854775808 - 1") == "!error 1690");
  CHECK(eval_expr("4294967296 * 4294967296") == "!error 1690");
  CHECK(eval_expr("-4294967296 * 2147483648") == "-9223372036854775808");
  CHECK(eval_expr("1e308 * 10") == "!error 1690");
  CHECK(eval_expr("-9223372036854775808 DIV 1") == "!error 1690");  // MySQL negates a magnitude
  CHECK(eval_typed("-id", "id BIGINT UNSIGNED", {obsync::Value::from_uint(18446744073709551615ULL)}) ==
        "!error 1690");
  CHECK(eval_typed("-id", "id BIGINT UNSIGNED", {obsync::Value::from_uint(1)}) == "-1");
  CHECK(eval_typed("n DIV -1", "n BIGINT", {obsync::Value::from_int(INT64_MIN)}) == "!error 1690");
}

TEST_CASE("negative zero prints as MySQL 8 prints it") {
  CHECK(eval_expr("-0e0") == "-0");
  CHECK(eval_expr("0e0 * -1") == "-0");
  CHECK(eval_expr("-0.00 + 0") == "0.00");
}

TEST_CASE("bit operators work on BIGINT UNSIGNED") {
  CHECK(eval_expr("~0") == "18446744073709551615");
  CHECK(eval_expr("1 << 63") == "9223372036854775808");
  CHECK(eval_expr("1 << 64") == "0");
  CHECK(eval_expr("1 << -1") == "0");
  CHECK(eval_expr("-1 >> 1") == "9223372036854775807");
  CHECK(eval_expr("5.6 & 7") == "6");  // DECIMAL rounds half away from zero
  CHECK(eval_expr("2.5e0 | 0") == "2");  // DOUBLE rounds half to even (rint)
  CHECK(eval_expr("0xFF & 0x0F") == "15");  // two hex literals stay numbers
  CHECK(eval_expr("~NULL") == "NULL");
}

TEST_CASE("bit operators on binary strings work bytewise (MySQL 8)") {
  CHECK(eval_expr("BINARY 'a' | BINARY 'b'") == "c");
  CHECK(eval_expr("BINARY 'ab' & 0x6162") == "ab");  // a hex literal beside a binary string
  CHECK(eval_expr("BINARY 'a' ^ BINARY 'ab'") == "!error 3513");
  CHECK(eval_expr("BINARY 'a' << 1") == "\xC2");
  CHECK(eval_expr("BINARY 'ab' >> 4") == "\x06\x16");
  CHECK(eval_expr("~BINARY 'a'") == "\x9E");
}

TEST_CASE("CAST of a DOUBLE to SIGNED clamps as Item_float::val_int does") {
  CHECK(eval_expr("CAST(1e20 AS SIGNED)") == "9223372036854775807");
  CHECK(eval_expr("CAST(-1e20 AS SIGNED)") == "-9223372036854775808");
  CHECK(eval_expr("CAST(18446744073709551615 AS SIGNED)") == "-1");  // integers wrap
}

TEST_CASE("negating a constant beyond BIGINT gives DECIMAL, as MySQL's resolution does") {
  CHECK(eval_expr("- -9223372036854775808") == "9223372036854775808");
  CHECK(eval_expr("-CAST(18446744073709551615 AS UNSIGNED)") == "-18446744073709551615");
  CHECK(eval_expr("-9223372036854775808") == "-9223372036854775808");
}
