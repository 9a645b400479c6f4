// Checker, schema and loader behaviour: each rule produces its code at the right place.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "compiler/sema/checker.hpp"

using namespace obsync;

namespace {

const char* kSchema = R"json({"format":"obsync-schema/1","databases":[{"name":"shop","tables":[
 {"name":"orders","columns":[{"name":"id","type":"bigint unsigned","nullable":false},
   {"name":"status","type":"varchar(20)"},{"name":"amount","type":"decimal(10,2)"},
   {"name":"doc","type":"json"},{"name":"created","type":"datetime(3)"}],"primary_key":["id"]},
 {"name":"logs","columns":[{"name":"msg","type":"text"}]},
 {"name":"v_orders","kind":"view","columns":[{"name":"id","type":"bigint"}]}]}]})json";

const char* kHeader = "SOURCE ob OCEANBASE (host = 'h', user = 'u');\nSINK k KAFKA (bootstrap = 'k:9092');\nPROJECT p;\n";

std::vector<Diagnostic> check(const std::string& body, bool with_schema = true) {
  DiagnosticSink diags;
  Program program = load_program_text("t.sync", std::string(kHeader) + body, ".", diags);
  std::string error;
  static Schema schema = *parse_schema_json(kSchema, error);
  CheckOptions options;
  options.schema = with_schema ? &schema : nullptr;
  options.now = 1800000000;  // 2027-01-15
  check_program(program, options, diags);
  return diags.diagnostics();
}

std::vector<std::string> codes(const std::vector<Diagnostic>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.code);
  return out;
}

}  // namespace

TEST_CASE("column types parse as MySQL spells them") {
  std::string error;
  auto t = parse_column_type("decimal(65,30) unsigned NOT NULL", error);
  REQUIRE(t);
  CHECK(t->cls == TypeClass::Decimal);
  CHECK(t->precision == 65);
  CHECK(t->scale == 30);
  CHECK(t->is_unsigned);
  CHECK_FALSE(t->nullable);
  t = parse_column_type("enum('a','it''s')", error);
  REQUIRE(t);
  CHECK(t->elements == std::vector<std::string>{"a", "it's"});
  t = parse_column_type("varchar(20) COLLATE utf8mb4_bin", error);
  REQUIRE(t);
  CHECK(t->collation->name == "utf8mb4_bin");
  t = parse_column_type("bit(12)", error);
  REQUIRE(t);
  CHECK(t->length == 2);
  CHECK_FALSE(parse_column_type("decimal(66,2)", error));
  CHECK(error.find("precision 66") != std::string::npos);
  CHECK_FALSE(parse_column_type("varchar(10) COLLATE klingon_ci", error));
  CHECK(error.find("klingon_ci") != std::string::npos);
  CHECK_FALSE(parse_column_type("strnig", error));
}

TEST_CASE("column definition lists split at top-level commas") {
  std::string error;
  auto defs = parse_column_definitions("id BIGINT UNSIGNED, price DECIMAL(10,2), e ENUM('x,y','z')", error);
  REQUIRE(defs);
  REQUIRE(defs->size() == 3);
  CHECK((*defs)[2].type.elements.size() == 2);
  CHECK_FALSE(parse_column_definitions("a INT, a INT", error));
  CHECK(error.find("twice") != std::string::npos);
}

TEST_CASE("schema files report where they are wrong") {
  std::string error;
  CHECK_FALSE(parse_schema_json("{", error));
  CHECK_FALSE(parse_schema_json(R"json({"databases":[{"name":"a","tables":[{"name":"t","columns":[{"name":"c","type":"nope"}]}]}]})json", error));
  CHECK(error.find("/databases/0/tables/0/columns/0/type") != std::string::npos);
  auto schema = parse_schema_json(kSchema, error);
  REQUIRE(schema);
  auto round_trip = parse_schema_json(schema_to_json(*schema), error);
  REQUIRE(round_trip);
  CHECK(round_trip->databases[0].tables.size() == 3);
}

TEST_CASE("table patterns follow LIKE") {
  CHECK(name_like("orders_2026", "orders\\_%"));
  CHECK(name_like("Orders", "orders"));
  CHECK_FALSE(name_like("orders", "order"));
  CHECK(name_like("order1", "order_"));
  CHECK(name_like("", "%"));
}

TEST_CASE("a clean script has no diagnostics") {
  CHECK(check("SYNC shop.orders TO TOPIC orders WHERE amount >= 100 AND status <> 'x';").empty());
}

TEST_CASE("unknown columns get a did-you-mean") {
  auto ds = check("SYNC shop.orders TO TOPIC orders WHERE amout > 1;");
  REQUIRE(codes(ds) == std::vector<std::string>{"E0203"});
  CHECK(ds[0].message == "unknown column `amout` in shop.orders");
  CHECK(ds[0].help == "did you mean `amount`?");
}

TEST_CASE("schema resolution: databases, tables, views, patterns") {
  CHECK(codes(check("SYNC shp.orders TO TOPIC orders;")) == std::vector<std::string>{"E0202"});
  CHECK(codes(check("SYNC shop.order TO TOPIC orders;")) == std::vector<std::string>{"E0204"});
  CHECK(codes(check("SYNC shop.v_orders TO TOPIC orders;")) == std::vector<std::string>{"E0206"});
  CHECK(codes(check("SYNC shop.'x%' TO TOPIC orders;")) == std::vector<std::string>{"E0205"});
}

TEST_CASE("WHERE must be a condition") {
  auto ds = check("SYNC shop.orders TO TOPIC orders WHERE status;");
  REQUIRE(codes(ds) == std::vector<std::string>{"E0303"});
  CHECK(ds[0].help == "compare it: status <> ''");
  CHECK(check("SYNC shop.orders TO TOPIC orders WHERE status;", false).empty());  // unknown type
}

TEST_CASE("key columns are kept and tables without a key warn") {
  auto ds = check("SYNC shop.orders TO TOPIC orders COLUMNS (status);");
  REQUIRE(codes(ds) == std::vector<std::string>{"W0001"});
  ds = check("SYNC shop.logs TO TOPIC logs;");
  REQUIRE(codes(ds) == std::vector<std::string>{"W0002"});
  CHECK(check("SYNC shop.logs TO TOPIC logs SHARD BY (msg);").empty());
}

TEST_CASE("START AT rules") {
  DiagnosticSink diags;
  auto body = "SOURCE ob OCEANBASE (host = 'h', user = 'u');\nSINK k KAFKA (bootstrap = 'k:9092');\n"
              "PROJECT p TYPES (SCHEMA, INCREMENTAL) START AT '2030-01-01 00:00:00';\nSYNC a.b TO TOPIC ccc;";
  Program program = load_program_text("t.sync", body, ".", diags);
  CheckOptions options;
  options.now = 1800000000;
  check_program(program, options, diags);
  REQUIRE(codes(diags.diagnostics()) == std::vector<std::string>{"E0107"});
  CHECK(diags.diagnostics()[0].message.find("in the future") != std::string::npos);
}

TEST_CASE("includes resolve relative to the including file and cycles are reported") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "obsync_include_test";
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "main.sync") << "INCLUDE 'sub/a.sync';\nPROJECT p;\nSYNC a.b TO TOPIC ccc;\n";
  std::ofstream(dir / "sub" / "a.sync") << "INCLUDE 'b.sync';\nSOURCE ob OCEANBASE (host = 'h', user = 'u');\n";
  std::ofstream(dir / "sub" / "b.sync") << "INCLUDE 'a.sync';\nSINK k KAFKA (bootstrap = 'k:9092');\n";
  DiagnosticSink diags;
  Program program = load_program((dir / "main.sync").string(), diags);
  CHECK(program.files.size() == 3);
  REQUIRE(codes(diags.diagnostics()) == std::vector<std::string>{"E0011"});
  CHECK(diags.diagnostics()[0].message == "include cycle: a.sync -> b.sync -> a.sync");
  check_program(program, {}, diags);
  CHECK(diags.error_count() == 1);  // the SOURCE and SINK from the includes are seen
  fs::remove_all(dir);
}

#include "compiler/sema/route.hpp"

TEST_CASE("route_table: exact names win over patterns, case-insensitive", "[route]") {
  DiagnosticSink diags;
  Program program = load_program_text("r.sync", R"(
SOURCE s MYSQL (host = 'h', user = 'u');
SINK k KAFKA (bootstrap = 'b:9092');
PROJECT p;
SYNC shop.* TO TOPIC everything;
SYNC shop.orders TO TOPIC orders;
SYNC logs.'audit_%' TO TOPIC audit;
)", ".", diags);
  Plan plan = check_program(program, {}, diags);
  REQUIRE(!diags.has_errors());
  CHECK(route_table(plan, "shop", "orders") == 1);
  CHECK(route_table(plan, "SHOP", "Orders") == 1);
  CHECK(route_table(plan, "shop", "items") == 0);
  CHECK(route_table(plan, "logs", "audit_2026") == 2);
  CHECK(route_table(plan, "logs", "audit") == -1);  // `_` needs one character
  CHECK(route_table(plan, "logs", "auditx") == 2);   // … any one: LIKE rules
  CHECK(route_table(plan, "other", "orders") == -1);
}
