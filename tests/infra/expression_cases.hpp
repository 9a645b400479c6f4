// The differential expression table (tests/differential/expressions.txt): parsing and rendering.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace obsync::test {

// One expression to evaluate in MariaDB and in `obsync eval`; format in tests/differential/README.md.
struct ExpressionCase {
  int line = 0;              // 1-based line of the expression in the file
  std::string area;          // the enclosing [section]
  std::string expr;          // what obsync evaluates
  std::string mariadb_expr;  // what MariaDB evaluates: `expr` unless a `mariadb:` line says otherwise
  std::string columns;       // column definitions of the row; empty for a constant expression
  std::string row_json;      // the row as a JSON object; empty for a constant expression
  std::optional<std::string> expect_mysql;  // MySQL 8's answer where MariaDB 10.11 differs
  std::string because;                      // why the `mariadb:` or `expect-mysql:` line exists

  bool typed() const { return !columns.empty(); }
};

// Spelling of an expected error in `expect-mysql:` lines and in printed outcomes.
inline constexpr std::string_view kErrorOutcome = "!error";

// Parses the whole table; throws std::runtime_error naming `file_name:line` on a malformed line.
std::vector<ExpressionCase> parse_expression_cases(std::istream& in, std::string_view file_name);

// MariaDB 10.11 spellings of what MySQL 8 / OceanBase names differently (today: the
// utf8mb4_0900_ai_ci collation, which MariaDB lacks; its NO PAD UCA equivalent stands in).
std::string to_mariadb_dialect(std::string_view sql);

}  // namespace obsync::test
