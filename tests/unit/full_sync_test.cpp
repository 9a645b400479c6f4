// The full sync's pure parts: the SYNC's WHERE as a MySQL predicate (what is pushed, what is left
// to the kernel, literals that stay literals) and SELECT's text read into each type's Value.
#include <catch2/catch.hpp>

#include <memory>

#include "compiler/parse/parser.hpp"
#include "compiler/sema/schema.hpp"
#include "runtime/source/full_sync.hpp"

using namespace obsync;
using obsync::source::parse_text_value;
using obsync::source::pushdown_sql;

namespace {

struct ParsedWhere {
  SourceManager sources;
  DiagnosticSink diags;
  ParsedScript parsed;
  const ast::Expr* where = nullptr;
};

// The WHERE of `SYNC shop.orders TO TOPIC o WHERE <where>;`, parsed as scripts are.
std::unique_ptr<ParsedWhere> parse_where(const std::string& where) {
  auto p = std::make_unique<ParsedWhere>();
  std::string text = "SOURCE ob OCEANBASE (host = 'h', user = 'u');\nSINK k KAFKA (bootstrap = 'k:9092');\n"
                     "PROJECT p;\nSYNC shop.orders TO TOPIC o WHERE " +
                     where + ";\n";
  uint32_t file = p->sources.add("t.sync", text);
  p->parsed = parse_script(p->sources, file, p->diags);
  INFO(where);
  REQUIRE_FALSE(p->diags.has_errors());
  REQUIRE(!p->parsed.script.statements.empty());
  const auto& st = p->parsed.script.statements.back();
  REQUIRE(st.kind == ast::StatementKind::Sync);
  REQUIRE(st.sync.where);
  p->where = st.sync.where.get();
  return p;
}

TableSchema orders_schema() {
  TableSchema t;
  t.name = "orders";
  std::string error;
  auto col = [&](const char* name, const char* type) {
    auto ty = parse_column_type(type, error);
    REQUIRE(ty);
    t.columns.push_back({name, type, *ty});
  };
  col("id", "bigint unsigned NOT NULL");
  col("status", "varchar(20)");
  col("amount", "decimal(10,2)");
  col("created", "datetime(3)");
  col("opens", "time");
  col("doc", "json");
  col("name", "varchar(50)");
  t.primary_key = {"id"};
  return t;
}

std::optional<std::string> pushed(const std::string& where, const TableSchema* schema = nullptr) {
  auto p = parse_where(where);
  return pushdown_sql(*p->where, schema);
}

}  // namespace

TEST_CASE("pushdown: AND-terms the server evaluates as the kernel does", "[full-sync]") {
  TableSchema schema = orders_schema();
  CHECK(pushed("status <> 'cancelled' AND amount >= 100", &schema) ==
        "(`status` <> 'cancelled') AND (`amount` >= 100)");
  // Row-context terms are left to the kernel; the rest still pushed.
  CHECK(pushed("op() <> 'DELETE' AND amount > 5", &schema) == "(`amount` > 5)");
  CHECK(pushed("amount > 5 AND OLD.amount IS DISTINCT FROM amount", &schema) == "(`amount` > 5)");
  CHECK(pushed("commit_ts() > '2026-01-01' AND id < 10 AND op() = 'INSERT'", &schema) == "(`id` < 10)");
  // A term that mixes a pushable and an unpushable part under OR / NOT is left out whole.
  CHECK_FALSE(pushed("amount > 5 OR op() = 'INSERT'", &schema));
  CHECK_FALSE(pushed("NOT (amount > 5 AND OLD.amount > 5)", &schema));
  CHECK_FALSE(pushed("op() = 'INSERT'", &schema));
  // Nested ANDs flatten; && too.
  CHECK(pushed("(id > 1 AND (amount > 2 && op() = 'INSERT')) AND status = 'a'", &schema) ==
        "(`id` > 1) AND (`amount` > 2) AND (`status` = 'a')");
}

TEST_CASE("pushdown: operators as MySQL spells them", "[full-sync]") {
  TableSchema schema = orders_schema();
  CHECK(pushed("status IS DISTINCT FROM 'a'", &schema) == "(NOT (`status` <=> 'a'))");
  CHECK(pushed("status IS NOT DISTINCT FROM NULL", &schema) == "(`status` <=> NULL)");
  CHECK(pushed("amount BETWEEN -1.5 AND 2e3", &schema) == "(`amount` BETWEEN (-1.5) AND 2e3)");
  CHECK(pushed("id NOT IN (1, 2, 3)", &schema) == "(`id` NOT IN (1, 2, 3))");
  CHECK(pushed("status IS NOT NULL", &schema) == "(`status` IS NOT NULL)");
  CHECK(pushed("(amount > 1) IS TRUE", &schema) == "((`amount` > 1) IS TRUE)");
  CHECK(pushed("id != 3 AND !(id = 4)", &schema) == "(`id` <> 3) AND (NOT (`id` = 4))");
  CHECK(pushed("id DIV 2 = 1 || id MOD 2 = 0", &schema) == "(((`id` DIV 2) = 1) OR ((`id` MOD 2) = 0))");
  CHECK(pushed("CASE WHEN amount > 1 THEN 1 ELSE 0 END = 1", &schema) ==
        "((CASE WHEN (`amount` > 1) THEN 1 ELSE 0 END) = 1)");
  CHECK(pushed("CAST(amount AS DECIMAL(10,1)) > 1", &schema) == "(CAST(`amount` AS DECIMAL(10,1)) > 1)");
  CHECK(pushed("CONVERT(id, SIGNED) > 1", &schema) == "(CAST(`id` AS SIGNED) > 1)");
  CHECK(pushed("BINARY status = 'A'", &schema) == "(CAST(`status` AS BINARY) = 'A')");
  CHECK(pushed("LOWER(status) IN ('a', 'b') AND LENGTH(name) > 2", &schema) ==
        "(LOWER(`status`) IN ('a', 'b')) AND (LENGTH(`name`) > 2)");
  CHECK(pushed("TRIM(LEADING 'x' FROM status) = 'y'", &schema) == "(TRIM(LEADING 'x' FROM `status`) = 'y')");
  CHECK(pushed("POSITION('a' IN status) > 0", &schema) == "(POSITION('a' IN `status`) > 0)");
  CHECK(pushed("`status` = TRUE OR status = x'4142' OR status = 0b01", &schema) ==
        "(((`status` = TRUE) OR (`status` = 0x4142)) OR (`status` = 0b01))");
  CHECK(pushed("-amount < - -3", &schema) == "((-`amount`) < (-(-3)))");
}

TEST_CASE("pushdown: string literals stay literals whatever they hold", "[full-sync]") {
  TableSchema schema = orders_schema();
  CHECK(pushed("name = 'it''s'", &schema) == "(`name` = 'it''s')");
  CHECK(pushed("name = 'a\" OR 1=1 -- '", &schema) == "(`name` = 'a\" OR 1=1 -- ')");
  // Backslashes and control bytes: hex with the utf8mb4 introducer, valid in every sql_mode.
  CHECK(pushed("name LIKE 'a\\_b'", &schema) == "(`name` LIKE _utf8mb4 X'615C5F62')");
  CHECK(pushed("name = 'x\\ny'", &schema) == "(`name` = _utf8mb4 X'780A79')");
  CHECK(pushed("name = 'x\\'' OR name = '\\\\'", &schema) == "((`name` = 'x''') OR (`name` = _utf8mb4 X'5C'))");
  CHECK(pushed("name = '漢字😀'", &schema) == "(`name` = '漢字😀')");
  CHECK(pushed("name LIKE 'a|%' ESCAPE '|'", &schema) == "(`name` LIKE 'a|%' ESCAPE '|')");
  // Identifiers are back-quoted with back-quotes doubled.
  TableSchema odd;
  odd.name = "odd";
  std::string error;
  odd.columns.push_back({"we`ird", "int", *parse_column_type("int", error)});
  CHECK(pushed("`we``ird` = 1", &odd) == "(`we``ird` = 1)");
}

TEST_CASE("pushdown: what the server would evaluate differently is left to the kernel", "[full-sync]") {
  TableSchema schema = orders_schema();
  CHECK_FALSE(pushed("doc->>'$.a' = 'x'", &schema));
  CHECK_FALSE(pushed("JSON_UNQUOTE(JSON_EXTRACT(doc, '$.a')) = 'x'", &schema));
  CHECK_FALSE(pushed("name REGEXP '^a'", &schema));
  CHECK_FALSE(pushed("name COLLATE utf8mb4_bin = 'a'", &schema));
  CHECK_FALSE(pushed("CAST(doc AS JSON) = 1", &schema));
  CHECK_FALSE(pushed("UNKNOWN_FN(id) = 1", &schema));
  CHECK_FALSE(pushed("no_such_column = 1", &schema));
  // Date functions: pushed on DATETIME columns, not on TIME (MySQL takes today's date there).
  CHECK(pushed("YEAR(created) = 2026 AND created >= TIMESTAMP '2026-01-01 00:00:00'", &schema) ==
        "(YEAR(`created`) = 2026) AND (`created` >= TIMESTAMP '2026-01-01 00:00:00')");
  CHECK(pushed("created < DATE_ADD('2026-01-01', INTERVAL 1 DAY)", &schema) ==
        "(`created` < DATE_ADD('2026-01-01', INTERVAL 1 DAY))");
  CHECK_FALSE(pushed("YEAR(opens) = 2026", &schema));
  CHECK_FALSE(pushed("opens < created", &schema));
  CHECK(pushed("opens < '10:00:00' AND HOUR(opens) > 8", &schema) == "(`opens` < '10:00:00') AND (HOUR(`opens`) > 8)");
  // Without a schema the column types are unknown: date conversions stay with the kernel.
  CHECK_FALSE(pushed("YEAR(created) = 2026"));
  CHECK(pushed("amount > 1 AND status = 'x'") == "(`amount` > 1) AND (`status` = 'x')");
}

// --- parse_text_value ------------------------------------------------------------------------

namespace {

SqlType type_of(const char* text) {
  std::string error;
  auto t = parse_column_type(text, error);
  INFO(text << ": " << error);
  REQUIRE(t);
  return *t;
}

// Parses `text` as `type` and renders it back: SELECT's text must come back unchanged.
std::string round_trip(const char* type, std::string_view text) {
  SqlType t = type_of(type);
  Value v;
  std::string why;
  INFO(type << " '" << text << "'");
  REQUIRE(parse_text_value(t, text, v, why));
  CHECK(why.empty());
  return render_value(v, t);
}

std::string failure(const char* type, std::string_view text) {
  SqlType t = type_of(type);
  Value v;
  std::string why;
  INFO(type << " '" << text << "'");
  CHECK_FALSE(parse_text_value(t, text, v, why));
  return why;
}

}  // namespace

TEST_CASE("parse_text_value: integers at their limits", "[full-sync]") {
  CHECK(round_trip("bigint", "-9223372036854775808") == "-9223372036854775808");
  CHECK(round_trip("bigint", "9223372036854775807") == "9223372036854775807");
  CHECK(round_trip("bigint unsigned", "18446744073709551615") == "18446744073709551615");
  CHECK(round_trip("tinyint", "-128") == "-128");
  CHECK(round_trip("year", "0000") == "0000");
  CHECK(round_trip("year", "2155") == "2155");
  Value v;
  std::string why;
  REQUIRE(parse_text_value(type_of("bigint unsigned"), "18446744073709551615", v, why));
  CHECK(v.cls == TypeClass::Int);
  CHECK(v.is_unsigned);
  CHECK(v.u == 18446744073709551615ull);
  REQUIRE(parse_text_value(type_of("int"), "-5", v, why));
  CHECK_FALSE(v.is_unsigned);  // reused Value: the flag is reset
  CHECK(v.i == -5);
  CHECK(failure("bigint", "9223372036854775808").find("BIGINT") != std::string::npos);
  CHECK(failure("bigint unsigned", "-1").find("'-1'") != std::string::npos);
  failure("int", "");
  failure("int", "12a");
  failure("int", " 12");
  failure("int", "1.5");
}

TEST_CASE("parse_text_value: DECIMAL, FLOAT and DOUBLE exactly", "[full-sync]") {
  CHECK(round_trip("decimal(65,30)", "-99999999999999999999999999999999999.999999999999999999999999999999") ==
        "-99999999999999999999999999999999999.999999999999999999999999999999");
  CHECK(round_trip("decimal(65,30)", "-0.000000000000000000000000000001") == "-0.000000000000000000000000000001");
  CHECK(round_trip("decimal(10,2) unsigned", "0.00") == "0.00");
  CHECK(round_trip("decimal(5,0)", "-99999") == "-99999");
  CHECK(round_trip("float", "-3.40282e38") == "-3.40282e38");
  CHECK(round_trip("float", "0.1") == "0.1");
  CHECK(round_trip("double", "-1.7976931348623157e308") == "-1.7976931348623157e308");
  CHECK(round_trip("double", "0.1") == "0.1");
  CHECK(round_trip("double", "-0") == "-0");
  // A FLOAT's text reads as the float the binlog carries, widened: not as the nearest double.
  Value v;
  std::string why;
  REQUIRE(parse_text_value(type_of("float"), "0.1", v, why));
  CHECK(v.d == static_cast<double>(0.1f));
  CHECK(v.d != 0.1);
  failure("decimal(10,2)", "1.2.3");
  failure("decimal(10,2)", "abc");
  failure("decimal(10,2)", "");
  failure("float", "3.5e38");  // beyond FLOAT
  failure("double", "1e999");
  failure("double", "inf");
  failure("double", "nan");
  failure("double", "1,5");
}

TEST_CASE("parse_text_value: temporals as the server prints them", "[full-sync]") {
  CHECK(round_trip("date", "0000-00-00") == "0000-00-00");
  CHECK(round_trip("date", "9999-12-31") == "9999-12-31");
  CHECK(round_trip("datetime", "0000-00-00 00:00:00") == "0000-00-00 00:00:00");
  CHECK(round_trip("datetime(6)", "9999-12-31 23:59:59.999999") == "9999-12-31 23:59:59.999999");
  CHECK(round_trip("timestamp(3)", "2038-01-19 03:14:07.999") == "2038-01-19 03:14:07.999");
  CHECK(round_trip("time", "-838:59:59") == "-838:59:59");
  CHECK(round_trip("time(6)", "838:59:59.000000") == "838:59:59.000000");
  CHECK(round_trip("time(3)", "-00:00:00.001") == "-00:00:00.001");
  CHECK(round_trip("time(1)", "-00:00:01.5") == "-00:00:01.5");
  CHECK(round_trip("time", "12:34:56") == "12:34:56");
  Value v;
  std::string why;
  REQUIRE(parse_text_value(type_of("time(3)"), "-00:00:00.001", v, why));
  CHECK(v.tm == Temporal{0, 0, 0, 0, 0, 0, 1000, true});
  REQUIRE(parse_text_value(type_of("datetime(6)"), "2026-11-25 10:11:12.000001", v, why));
  CHECK(v.tm == Temporal{2026, 11, 25, 10, 11, 12, 1, false});
  CHECK(failure("date", "2026-13-01").find("YYYY-MM-DD") != std::string::npos);
  failure("date", "2026-1-01");
  failure("date", "2026-01-01 00:00:00");
  failure("datetime", "2026-01-01");
  failure("datetime", "2026-01-01 24:00:00");
  failure("datetime(6)", "2026-01-01 00:00:00.1234567");
  failure("datetime", "2026-01-01T00:00:00");
  failure("time", "839:00:00");
  failure("time", "12:60:00");
  failure("time", "1:00:00");
  failure("time", "12:00");
  failure("time", "--12:00:00");
}

TEST_CASE("parse_text_value: strings, bytes and JSON keep their bytes", "[full-sync]") {
  CHECK(round_trip("varchar(10)", "") == "");
  CHECK(round_trip("varbinary(10)", std::string_view("\0\xff", 2)) == std::string("\0\xff", 2));
  CHECK(round_trip("enum('a','b')", "b") == "b");
  CHECK(round_trip("set('x','y')", "x,y") == "x,y");
  CHECK(round_trip("bit(13)", std::string_view("\x1f\xff", 2)) == std::string("\x1f\xff", 2));
  Value v;
  std::string why;
  REQUIRE(parse_text_value(type_of("json"), "{\"a\": 1}", v, why));
  CHECK(v.cls == TypeClass::Json);
  CHECK(v.str == "{\"a\": 1}");
  // An error names the text (shortened, control bytes shown) and the type.
  std::string long_text(200, 'x');
  std::string why_long = failure("int", long_text);
  CHECK(why_long.find(std::string(64, 'x') + "…") != std::string::npos);
  CHECK(why_long.find(std::string(65, 'x')) == std::string::npos);
  CHECK(failure("int", "1\n").find("\\x0A") != std::string::npos);
}
