// Tests of the differential table parser: directives, annotations, and rejected mistakes.
#include <catch2/catch.hpp>

#include <sstream>

#include "tests/infra/expression_cases.hpp"

using namespace obsync::test;

namespace {
std::vector<ExpressionCase> parse(const std::string& text) {
  std::istringstream in(text);
  return parse_expression_cases(in, "t.txt");
}
}  // namespace

TEST_CASE("expression table: constant and typed cases with annotations", "[differential-parser]") {
  auto cases = parse(
      "# comment\n"
      "[math]\n"
      "1 + 2  \n"
      "\n"
      "1 IS DISTINCT FROM NULL\n"
      "  mariadb: NOT (1 <=> NULL)\n"
      "  # a comment between annotations is fine\n"
      "  because: no IS DISTINCT FROM\n"
      "[typed]\n"
      "columns: id INT, s VARCHAR(5) COLLATE utf8mb4_0900_ai_ci\n"
      "row: {\"id\": 1, \"s\": \"x\"}\n"
      "id + 1\n"
      "\texpect-mysql: !error\n"
      "\tbecause: example\n"
      "columns: none\n"
      "2\n");
  REQUIRE(cases.size() == 4);
  CHECK(cases[0].line == 3);
  CHECK(cases[0].area == "math");
  CHECK(cases[0].expr == "1 + 2");
  CHECK(cases[0].mariadb_expr == "1 + 2");
  CHECK_FALSE(cases[0].typed());
  CHECK(cases[1].expr == "1 IS DISTINCT FROM NULL");
  CHECK(cases[1].mariadb_expr == "NOT (1 <=> NULL)");
  CHECK(cases[2].typed());
  CHECK(cases[2].area == "typed");
  CHECK(cases[2].row_json == "{\"id\": 1, \"s\": \"x\"}");
  CHECK(cases[2].expect_mysql == std::optional<std::string>("!error"));
  CHECK_FALSE(cases[3].typed());
  CHECK(to_mariadb_dialect(cases[2].columns) ==
        "id INT, s VARCHAR(5) COLLATE utf8mb4_uca1400_nopad_ai_ci");
}

TEST_CASE("expression table: malformed input names the line", "[differential-parser]") {
  CHECK_THROWS_WITH(parse("1\n  expect-mysql: 2\n"), Catch::Contains("t.txt:1") &&
                                                         Catch::Contains("because"));
  CHECK_THROWS_WITH(parse("columns: id INT\nid\n"), Catch::Contains("t.txt:2"));
  CHECK_THROWS_WITH(parse("row: {}\n"), Catch::Contains("without `columns:`"));
  CHECK_THROWS_WITH(parse("  mariadb: 1\n"), Catch::Contains("t.txt:1"));
  CHECK_THROWS_WITH(parse("1\n  wat: 2\n"), Catch::Contains("unknown annotation"));
  CHECK_THROWS_WITH(parse("[x]\n  because: y\n"), Catch::Contains("not under a case"));
}
