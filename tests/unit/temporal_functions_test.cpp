// Temporal functions end to end (parse, bind, interpret): results and result types as MySQL 8
// gives them in time zone UTC. Cases where MariaDB 10.11 differs say so.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "compiler/interp/interpreter.hpp"
#include "compiler/parse/parser.hpp"
#include "compiler/sema/binder.hpp"
#include "compiler/sema/schema.hpp"
#include "stdlib/value.hpp"

using namespace obsync;

namespace {

struct Evaluated {
  std::string text;  // the mysql client's text, "NULL", or "error"
  SqlType type;
};

// Evaluates `expr` over one row of DATE/DATETIME/TIME columns given as text.
Evaluated eval_row(const std::string& expr, const std::string& column_defs = "",
                   const std::vector<std::string>& row_text = {}) {
  std::vector<ColumnSchema> columns;
  std::vector<Value> row;
  if (!column_defs.empty()) {
    std::string error;
    auto defs = parse_column_definitions(column_defs, error);
    REQUIRE(defs);
    columns = *defs;
    for (size_t i = 0; i < columns.size(); ++i) {
      const SqlType& t = columns[i].type;
      const std::string& s = row_text.at(i);
      if (s == "NULL") {
        row.push_back(Value::null());
      } else if (t.cls == TypeClass::Date) {
        row.push_back(Value::from_temporal(TypeClass::Date, *parse_date(s)));
      } else if (t.cls == TypeClass::DateTime) {
        row.push_back(Value::from_temporal(TypeClass::DateTime, *parse_datetime(s, t.scale)));
      } else if (t.cls == TypeClass::Time) {
        row.push_back(Value::from_temporal(TypeClass::Time, *parse_time(s, t.scale)));
      } else {
        row.push_back(Value::from_string(s));
      }
    }
  }
  SourceManager sources;
  DiagnosticSink diags;
  uint32_t file = sources.add("<expr>", expr);
  ast::ExprPtr ast = parse_expression(sources, file, diags);
  REQUIRE(ast);
  BindScope scope;
  scope.columns = &columns;
  ir::ExprPtr ir = bind_expression(*ast, scope, sources, diags);
  if (diags.has_errors() || !ir) return {"error", SqlType{}};
  RowContext ctx_row;
  ctx_row.row = &row;
  EvalContext ctx;
  Value v = evaluate(*ir, ctx_row, ctx);
  if (ctx.failed) return {"error", ir->type};
  return {v.is_null() ? "NULL" : render_value(v, ir->type), ir->type};
}

std::string eval(const std::string& expr) { return eval_row(expr).text; }

}  // namespace

TEST_CASE("date parts and DATE()", "[temporal-functions]") {
  CHECK(eval("DATE('2026-01-31 10:11:12')") == "2026-01-31");
  CHECK(eval("DATE('2026-02-29')") == "NULL");
  CHECK(eval("DATE('garbage')") == "NULL");
  CHECK(eval("YEAR('2026-01-31 10:00:00')") == "2026");
  CHECK(eval("MONTH(DATE '2026-12-01')") == "12");
  CHECK(eval("DAYOFMONTH('2026-02-01')") == "1");
  CHECK(eval("HOUR('838:00:00')") == "838");
  CHECK(eval("HOUR('2026-01-31 10:11:12')") == "10");
  CHECK(eval("MINUTE(TIMESTAMP '2026-01-31 10:59:00')") == "59");
  CHECK(eval("SECOND(TIMESTAMP '2026-01-31 10:11:12.999')") == "12");
  CHECK(eval("SECOND(NULL)") == "NULL");
}

TEST_CASE("DATE_FORMAT and DATEDIFF", "[temporal-functions]") {
  CHECK(eval("DATE_FORMAT(DATE '2026-01-31', '%W %M %e %D %y')") == "Saturday January 31 31st 26");
  CHECK(eval("DATE_FORMAT('2026-01-31', '%H:%i:%s')") == "00:00:00");
  CHECK(eval("DATE_FORMAT('garbage', '%Y')") == "NULL");
  CHECK(eval("DATE_FORMAT('2026-01-31', '')") == "NULL");
  CHECK(eval("DATEDIFF('2026-01-01 23:59:59', '2026-01-02')") == "-1");
  CHECK(eval("DATEDIFF(DATE '2026-01-31', TIMESTAMP '2025-01-31 10:00:00')") == "365");
  CHECK(eval("DATEDIFF('0000-00-00', '2026-01-01')") == "NULL");
}

TEST_CASE("DATE_ADD result types follow the first argument and the unit", "[temporal-functions]") {
  auto date_day = eval_row("DATE '2026-01-31' + INTERVAL 1 MONTH");
  CHECK(date_day.text == "2026-02-28");
  CHECK(date_day.type.cls == TypeClass::Date);
  auto date_hour = eval_row("DATE '2026-01-31' + INTERVAL 1 HOUR");
  CHECK(date_hour.text == "2026-01-31 01:00:00");
  CHECK(date_hour.type.cls == TypeClass::DateTime);
  // A string stays a string: a date for day units, a datetime for time units.
  auto str = eval_row("'2026-01-31' + INTERVAL 1 DAY");
  CHECK(str.text == "2026-02-01");
  CHECK(str.type.cls == TypeClass::String);
  CHECK(eval("'2026-01-31' + INTERVAL 1 HOUR") == "2026-01-31 01:00:00");
  // MySQL 8 prints a string result's fraction with six digits (MariaDB: '.5').
  CHECK(eval("DATE_ADD('2026-01-31 10:00:00', INTERVAL 1.5 SECOND)") == "2026-01-31 10:00:01.500000");
  // The fsp comes from the interval: MICROSECOND units give 6, SECOND its decimals.
  CHECK(eval("TIMESTAMP '2026-01-31 10:00:00' + INTERVAL 1 MICROSECOND") == "2026-01-31 10:00:00.000001");
  CHECK(eval("TIMESTAMP '2026-01-31 10:00:00' + INTERVAL 1.25 SECOND") == "2026-01-31 10:00:01.25");
  CHECK(eval("TIMESTAMP '2026-01-31 10:00:00.123' + INTERVAL 1 SECOND") == "2026-01-31 10:00:01.123");
  CHECK(eval("DATE '2026-01-31' + INTERVAL 1.5 DAY") == "2026-02-02");  // val_int rounds
  CHECK(eval("TIME '10:00:00' + INTERVAL 30 MINUTE") == "10:30:00");
  CHECK(eval("TIME '10:00:00' + INTERVAL 1 MONTH") == "NULL");
}

TEST_CASE("DATE_ADD ranges, NULLs and ADDDATE", "[temporal-functions]") {
  CHECK(eval("DATE '9999-12-31' + INTERVAL 1 DAY") == "NULL");
  CHECK(eval("DATE_SUB('0001-01-01', INTERVAL 1 DAY)") == "NULL");
  CHECK(eval("DATE_ADD('garbage', INTERVAL 1 DAY)") == "NULL");
  CHECK(eval("DATE '2026-01-31' + INTERVAL NULL DAY") == "NULL");
  CHECK(eval("NULL + INTERVAL 1 DAY") == "NULL");
  CHECK(eval("DATE_ADD('2026-01-31 10:00:00', INTERVAL '-1 1' DAY_HOUR)") == "2026-01-30 09:00:00");
  CHECK(eval("ADDDATE('2026-01-31', 3)") == "2026-02-03");
  CHECK(eval("SUBDATE(DATE '2026-03-01', 1)") == "2026-02-28");
  CHECK(eval("ADDDATE('2026-01-31', INTERVAL 1 MONTH)") == "2026-02-28");
}

TEST_CASE("UNIX_TIMESTAMP and FROM_UNIXTIME functions", "[temporal-functions]") {
  CHECK(eval("UNIX_TIMESTAMP('2026-01-31 10:00:00')") == "1769853600");
  CHECK(eval("UNIX_TIMESTAMP('2026-01-31 10:00:00.123')") == "1769853600.123");
  CHECK(eval("UNIX_TIMESTAMP(DATE '2026-01-31')") == "1769817600");
  // Out of range or not a datetime: 0, not NULL (MySQL 8; MariaDB gives NULL).
  CHECK(eval("UNIX_TIMESTAMP('1969-12-31 23:59:59')") == "0");
  CHECK(eval("UNIX_TIMESTAMP('2040-01-01 00:00:00')") == "2208988800");
  CHECK(eval("UNIX_TIMESTAMP('3001-01-19 00:00:00')") == "0");
  CHECK(eval("UNIX_TIMESTAMP('garbage')") == "0.000000");
  auto typed = eval_row("UNIX_TIMESTAMP(ts)", "ts DATETIME(3)", {"2026-01-31 10:00:00.5"});
  CHECK(typed.text == "1769853600.500");
  CHECK(typed.type.cls == TypeClass::Decimal);
  CHECK(eval("FROM_UNIXTIME(0)") == "1970-01-01 00:00:00");
  CHECK(eval("FROM_UNIXTIME(1769853600.5)") == "2026-01-31 10:00:00.5");
  CHECK(eval("FROM_UNIXTIME(-1)") == "NULL");
  CHECK(eval("FROM_UNIXTIME(2147483648)") == "2038-01-19 03:14:08");
  CHECK(eval("FROM_UNIXTIME(32536771199)") == "3001-01-18 23:59:59");
  CHECK(eval("FROM_UNIXTIME(32536771200)") == "NULL");
  CHECK(eval("FROM_UNIXTIME('1769853600')") == "2026-01-31 10:00:00.000000");
  CHECK(eval("FROM_UNIXTIME(1769853600, '%Y-%m-%d %H')") == "2026-01-31 10");
  CHECK(eval_row("FROM_UNIXTIME(UNIX_TIMESTAMP(ts))", "ts DATETIME(3)", {"2026-01-31 10:00:00.123"}).text ==
        "2026-01-31 10:00:00.123");
}

TEST_CASE("typed temporal columns through functions", "[temporal-functions]") {
  const std::string cols = "d DATE, ts DATETIME(3), tm TIME(2)";
  const std::vector<std::string> row = {"2026-01-31", "2026-01-31 10:00:00.123", "12:34:56.78"};
  CHECK(eval_row("ts + INTERVAL 1 DAY", cols, row).text == "2026-02-01 10:00:00.123");
  CHECK(eval_row("DATE_ADD(ts, INTERVAL '1:30' HOUR_MINUTE)", cols, row).text == "2026-01-31 11:30:00.123");
  CHECK(eval_row("d + INTERVAL 1 MONTH", cols, row).text == "2026-02-28");
  CHECK(eval_row("SECOND(tm)", cols, row).text == "56");
  CHECK(eval_row("DATE_FORMAT(tm, '%H:%i:%s')", cols, row).text == "12:34:56");
  CHECK(eval_row("DATEDIFF(ts, d)", cols, row).text == "0");
}

TEST_CASE("CAST of an out-of-range DOUBLE to SIGNED clamps", "[temporal-functions]") {
  CHECK(eval("CAST(1e20 AS SIGNED)") == "9223372036854775807");
  CHECK(eval("CAST(-1e20 AS SIGNED)") == "-9223372036854775808");
}
