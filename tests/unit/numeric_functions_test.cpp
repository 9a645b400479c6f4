// ABS CEIL FLOOR ROUND TRUNCATE SIGN GREATEST LEAST against MySQL 8's answers.
#include <catch2/catch.hpp>

#include "tests/unit/numeric_test_util.hpp"

using obsync::testing::eval_expr;

TEST_CASE("ABS keeps the argument's class and rejects -2^63") {
  CHECK(eval_expr("ABS(-1.50)") == "1.50");
  CHECK(eval_expr("ABS('-3')") == "3");
  CHECK(eval_expr("ABS(-9223372036854775807)") == "9223372036854775807");
  CHECK(eval_expr("ABS(-9223372036854775808)") == "!error 1690");
  CHECK(eval_expr("ABS(CAST(18446744073709551615 AS UNSIGNED))") == "18446744073709551615");
}

TEST_CASE("CEIL and FLOOR") {
  CHECK(eval_expr("CEIL(1.2)") == "2");
  CHECK(eval_expr("CEIL(-0.5)") == "0");      // DECIMAL has no negative zero
  CHECK(eval_expr("CEIL(-0.5e0)") == "-0");   // DOUBLE does (MySQL 8 prints it)
  CHECK(eval_expr("FLOOR(-1.2e0)") == "-2");
  CHECK(eval_expr("FLOOR(1.999999999999999999999999999999)") == "1");
  CHECK(eval_expr("CEIL('1.2')") == "2");
}

TEST_CASE("ROUND rounds DECIMAL half away from zero and DOUBLE half to even") {
  CHECK(eval_expr("ROUND(2.5)") == "3");
  CHECK(eval_expr("ROUND(-2.5)") == "-3");
  CHECK(eval_expr("ROUND(2.5e0)") == "2");
  CHECK(eval_expr("ROUND(3.5e0)") == "4");
  CHECK(eval_expr("ROUND(1.235e0, 2)") == "1.24");  // 1.235 * 100 = 123.50000000000001
  CHECK(eval_expr("ROUND(1.2345, 2)") == "1.23");
  CHECK(eval_expr("ROUND(1.5, 3)") == "1.500");     // a constant digit count sets the scale
  CHECK(eval_expr("ROUND(9.99, 1)") == "10.0");
  CHECK(eval_expr("ROUND(1234.5, -2)") == "1200");
  CHECK(eval_expr("ROUND(1250, -2)") == "1300");
  CHECK(eval_expr("ROUND(-1250, -2)") == "-1300");
  CHECK(eval_expr("ROUND(12345, -10)") == "0");
  CHECK(eval_expr("ROUND(1.5, NULL)") == "NULL");
  CHECK(eval_expr("ROUND(18446744073709551615, -1)") == "!error 1690");
}

TEST_CASE("TRUNCATE drops digits toward zero") {
  CHECK(eval_expr("TRUNCATE(1.999, 2)") == "1.99");
  CHECK(eval_expr("TRUNCATE(-1.999, 0)") == "-1");
  CHECK(eval_expr("TRUNCATE(1234, -2)") == "1200");
  CHECK(eval_expr("TRUNCATE(1.999e0, 1)") == "1.9");
  CHECK(eval_expr("TRUNCATE(1.5, 5)") == "1.50000");
}

TEST_CASE("SIGN") {
  CHECK(eval_expr("SIGN(-3)") == "-1");
  CHECK(eval_expr("SIGN(-0e0)") == "0");
  CHECK(eval_expr("SIGN(18446744073709551615)") == "1");
  CHECK(eval_expr("SIGN('-2')") == "-1");
}

TEST_CASE("GREATEST and LEAST compare in the aggregated type") {
  CHECK(eval_expr("GREATEST(1, NULL, 3)") == "NULL");
  CHECK(eval_expr("GREATEST('10', '9')") == "9");
  CHECK(eval_expr("GREATEST(10, 9.5)") == "10.0");
  CHECK(eval_expr("GREATEST(1.10, 1.1)") == "1.10");
  CHECK(eval_expr("GREATEST(-1, 18446744073709551615)") == "18446744073709551615");
  CHECK(eval_expr("LEAST(-1, 18446744073709551615)") == "-1");
  CHECK(eval_expr("GREATEST('a', 'B')") == "B");
  CHECK(eval_expr("GREATEST('a', 'B' COLLATE utf8mb4_bin)") == "a");
  CHECK(eval_expr("LEAST(DATE '2026-01-01', TIMESTAMP '2025-12-31 10:00:00')") == "2025-12-31 10:00:00");
}

TEST_CASE("ROUND of a DOUBLE prints the constant's decimals") {
  CHECK(eval_expr("ROUND(1.5e0, 3)") == "1.500");
  CHECK(eval_expr("TRUNCATE(2e0, 2)") == "2.00");
  CHECK(eval_expr("ROUND('1.5', 2)") == "1.50");
  CHECK(eval_expr("ROUND(1, 2)") == "1");
  CHECK(eval_expr("ROUND(1.5, 1+1)") == "1.50");  // a constant expression counts as constant
  CHECK(eval_expr("ROUND(1.25e0, 1+0)") == "1.2");
}
