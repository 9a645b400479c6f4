// Differential test: every expression of tests/differential/expressions.txt must print the same in
// MariaDB (or MySQL 8 where marked) and in `obsync eval`.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/infra/expression_cases.hpp"
#include "tests/infra/mariadb_server.hpp"
#include "tests/infra/process.hpp"

using namespace obsync::test;

namespace {

// MySQL 8's default sql_mode (MariaDB's default lacks ONLY_FULL_GROUP_BY, NO_ZERO_IN_DATE and
// NO_ZERO_DATE). Only the zero-date flags matter for expressions; strict mode makes a bad `row:`
// value fail loudly instead of being truncated.
constexpr const char* kSqlMode =
    "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

// Errors that mean the table itself is wrong for MariaDB (syntax, unknown function or column,
// wrong argument count): never an expected outcome, use a `mariadb:` line instead.
const std::set<unsigned> kTableBugErrors = {1054, 1064, 1146, 1305, 1582, 1583, 1584};

struct Outcome {
  bool error = false;
  std::string value;   // the printed value ("NULL" for NULL) when !error
  std::string detail;  // error text, for reports

  std::string show() const {
    if (!error) return value;
    return detail.empty() ? std::string(kErrorOutcome) : fmt::format("{} ({})", kErrorOutcome, detail);
  }
};

std::string env_or(const char* name, std::string fallback = {}) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : fallback;
}

// The INSERT for a `row:` object: strings quoted, numbers as written, objects and arrays as JSON
// text (for JSON columns), null as NULL.
std::string insert_sql(MariaDbConnection& conn, const std::string& row_json) {
  auto row = nlohmann::json::parse(row_json);
  if (!row.is_object()) throw std::runtime_error("row is not a JSON object");
  std::vector<std::string> names, values;
  for (const auto& [key, v] : row.items()) {
    names.push_back("`" + key + "`");
    if (v.is_null()) {
      values.push_back("NULL");
    } else if (v.is_string()) {
      values.push_back(conn.quote(v.get<std::string>()));
    } else if (v.is_boolean()) {
      values.push_back(v.get<bool>() ? "TRUE" : "FALSE");
    } else if (v.is_number()) {
      values.push_back(v.dump());
    } else {
      values.push_back(conn.quote(v.dump()));
    }
  }
  return fmt::format("INSERT INTO t ({}) VALUES ({})", fmt::join(names, ", "),
                     fmt::join(values, ", "));
}

// Evaluates every case in MariaDB over one connection. Throws on a broken table (bad columns,
// row, or an expression MariaDB cannot parse).
std::vector<Outcome> evaluate_in_mariadb(const std::vector<ExpressionCase>& cases,
                                         std::vector<std::string>& table_bugs) {
  MariaDbServer& server = shared_mariadb();
  server.execute("CREATE DATABASE IF NOT EXISTS obsync_diff");
  MariaDbConnection conn = server.connect("obsync_diff");
  conn.execute("SET NAMES utf8mb4 COLLATE utf8mb4_general_ci");
  conn.execute("SET time_zone = '+00:00'");
  conn.execute(fmt::format("SET sql_mode = '{}'", kSqlMode));
  conn.execute("SET div_precision_increment = 4");

  std::vector<Outcome> out;
  out.reserve(cases.size());
  std::string table_columns, table_row;  // what table t holds now
  bool table_ok = false;
  for (const auto& c : cases) {
    std::string sql;
    if (c.typed()) {
      if (c.columns != table_columns || c.row_json != table_row) {
        table_columns = c.columns;
        table_row = c.row_json;
        table_ok = false;
        try {
          conn.execute("DROP TABLE IF EXISTS t");
          conn.execute(fmt::format("CREATE TABLE t ({})", to_mariadb_dialect(c.columns)));
          conn.execute(insert_sql(conn, c.row_json));
          table_ok = true;
        } catch (const std::exception& e) {
          table_bugs.push_back(fmt::format("line {}: table for columns/row: {}", c.line, e.what()));
        }
      }
      if (!table_ok) {
        out.push_back({true, "", "table setup failed"});
        continue;
      }
      sql = fmt::format("SELECT {} FROM t", to_mariadb_dialect(c.mariadb_expr));
    } else {
      sql = fmt::format("SELECT {}", to_mariadb_dialect(c.mariadb_expr));
    }
    try {
      auto rows = conn.query(sql);
      if (rows.size() != 1 || rows[0].size() != 1) {
        table_bugs.push_back(fmt::format("line {}: {} returned {} rows", c.line, sql, rows.size()));
        out.push_back({true, "", "not one value"});
        continue;
      }
      out.push_back({false, rows[0][0].value_or("NULL"), ""});
    } catch (const SqlError& e) {
      if (kTableBugErrors.count(e.code()) != 0)
        table_bugs.push_back(fmt::format("line {}: {}", c.line, e.what()));
      out.push_back({true, "", fmt::format("{}: {}", e.code(), e.server_message())});
    }
  }
  return out;
}

Outcome expected_outcome(const ExpressionCase& c, const Outcome& mariadb) {
  if (!c.expect_mysql) return mariadb;
  if (*c.expect_mysql == kErrorOutcome) return {true, "", ""};
  return {false, *c.expect_mysql, ""};
}

// OBSYNC_DIFF_ENGINE=jit runs every case through `obsync eval --engine jit` (ctest's
// differential_jit): the JIT is held to MariaDB by the same cases as the interpreter.
std::vector<std::string> obsync_argv(const ExpressionCase& c) {
  std::vector<std::string> argv{OBSYNC_BINARY, "eval"};
  if (const char* engine = std::getenv("OBSYNC_DIFF_ENGINE")) argv.insert(argv.end(), {"--engine", engine});
  if (c.typed()) {
    argv.insert(argv.end(), {"--columns", c.columns, "--row", c.row_json});
  }
  argv.insert(argv.end(), {"--", c.expr});
  return argv;
}

// Runs `obsync eval` for every case on `jobs` threads; results by case index.
std::vector<ProcessResult> evaluate_in_obsync(const std::vector<ExpressionCase>& cases,
                                              unsigned jobs) {
  std::vector<ProcessResult> results(cases.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < cases.size(); i = next++)
      results[i] = run_process(obsync_argv(cases[i]), std::chrono::seconds(20));
  };
  std::vector<std::jthread> pool;
  for (unsigned j = 0; j < jobs; ++j) pool.emplace_back(worker);
  pool.clear();  // joins
  return results;
}

std::string first_line(const std::string& s) {
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

// Empty when obsync's run matches `want`, else a description of what obsync did.
std::string compare(const Outcome& want, const ProcessResult& got) {
  if (got.timed_out) return "timed out";
  if (got.term_signal != 0) return fmt::format("killed by signal {}", got.term_signal);
  if (want.error) {
    if (got.exit_code == 1) return {};
    return fmt::format("exit {}, printed {:?}", got.exit_code, got.out);
  }
  if (got.exit_code == 0 && got.out == want.value + "\n") return {};
  if (got.exit_code != 0)
    return fmt::format("exit {}: {}", got.exit_code, first_line(got.err));
  std::string printed = got.out;
  if (!printed.empty() && printed.back() == '\n') printed.pop_back();
  return printed.find('\n') == std::string::npos ? printed : fmt::format("{:?}", got.out);
}

// For reviewing the table: every case with MariaDB's answer (OBSYNC_DIFF_MARIADB_ONLY=FILE).
void write_mariadb_answers(const std::string& path, const std::vector<ExpressionCase>& cases,
                           const std::vector<Outcome>& answers) {
  std::ofstream out(path);
  std::string area;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    if (c.area != area) {
      area = c.area;
      out << "\n[" << area << "]\n";
    }
    out << fmt::format("{:5} {}\n", c.line, c.expr);
    if (c.typed()) out << fmt::format("        row: {}\n", c.row_json);
    out << fmt::format("        mariadb: {}\n", answers[i].show());
    if (c.expect_mysql) out << fmt::format("        expect-mysql: {}\n", *c.expect_mysql);
  }
}

}  // namespace

TEST_CASE("expressions evaluate as in MariaDB / MySQL 8", "[differential]") {
  std::string file = std::string(OBSYNC_SOURCE_DIR) + "/tests/differential/expressions.txt";
  std::ifstream in(file);
  REQUIRE(in.good());
  auto cases = parse_expression_cases(in, "tests/differential/expressions.txt");
  if (auto area = env_or("OBSYNC_DIFF_AREA"); !area.empty()) {
    std::erase_if(cases, [&](const ExpressionCase& c) { return c.area != area; });
  }
  REQUIRE_FALSE(cases.empty());

  auto started = std::chrono::steady_clock::now();
  std::vector<std::string> table_bugs;
  auto answers = evaluate_in_mariadb(cases, table_bugs);
  auto mariadb_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);

  if (auto path = env_or("OBSYNC_DIFF_MARIADB_ONLY"); !path.empty()) {
    if (path == "1") path = "differential-mariadb.txt";
    write_mariadb_answers(path, cases, answers);
    WARN("MariaDB answers written to " << std::filesystem::absolute(path).string());
  }
  INFO(fmt::format("{} cases; MariaDB side took {} ms", cases.size(), mariadb_ms.count()));
  if (!table_bugs.empty()) {
    FAIL(fmt::format("{} case(s) MariaDB cannot run (fix the table):\n{}", table_bugs.size(),
                     fmt::join(table_bugs, "\n")));
  }
  if (!env_or("OBSYNC_DIFF_MARIADB_ONLY").empty()) return;

  unsigned jobs = static_cast<unsigned>(std::stoul(env_or("OBSYNC_DIFF_JOBS", "2")));
  auto results = evaluate_in_obsync(cases, std::max(1u, jobs));

  std::vector<std::string> mismatches;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    Outcome want = expected_outcome(c, answers[i]);
    std::string diff = compare(want, results[i]);
    if (diff.empty()) continue;
    std::string msg = fmt::format("expressions.txt:{}: {}\n", c.line, c.expr);
    if (c.typed()) msg += fmt::format("    columns: {}\n    row: {}\n", c.columns, c.row_json);
    msg += fmt::format("    {}: {}\n", c.expect_mysql ? "mysql 8 (expect-mysql)" : "mariadb",
                       want.show());
    if (c.expect_mysql) msg += fmt::format("    (mariadb: {})\n", answers[i].show());
    msg += fmt::format("    obsync: {}", diff);
    mismatches.push_back(std::move(msg));
  }
  auto total_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  INFO(fmt::format("total {} ms", total_ms.count()));
  if (!mismatches.empty()) {
    // Catch wraps messages at 80 columns; the file keeps each value on one line.
    std::string report_path = env_or("OBSYNC_DIFF_REPORT", "differential-report.txt");
    std::ofstream(report_path) << fmt::format("{}\n", fmt::join(mismatches, "\n"));
    FAIL(fmt::format("{} of {} expressions differ (unwrapped list: {}):\n{}", mismatches.size(),
                     cases.size(), std::filesystem::absolute(report_path).string(),
                     fmt::join(mismatches, "\n")));
  }
}
