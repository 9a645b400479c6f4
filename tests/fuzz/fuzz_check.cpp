// libFuzzer target: any bytes as a script (parse + check, with and without a schema) and as an
// expression (parse + bind + interpret over a typed row). Nothing may crash, leak or hit UB.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/interp/interpreter.hpp"
#include "compiler/parse/parser.hpp"
#include "compiler/sema/binder.hpp"
#include "compiler/sema/checker.hpp"
#include "stdlib/convert.hpp"

namespace {

using namespace obsync;

// shop.orders and shop.refunds, enough for column, key and type rules to be exercised.
constexpr const char* kSchemaJson = R"json({"format":"obsync-schema/1","databases":[{"name":"shop","tables":[
 {"name":"orders","kind":"table","columns":[
  {"name":"id","type":"bigint unsigned","nullable":false},
  {"name":"customer_id","type":"int","nullable":true},
  {"name":"status","type":"varchar(20)","nullable":true},
  {"name":"amount","type":"decimal(10,2)","nullable":true},
  {"name":"phone","type":"varchar(32)","nullable":true},
  {"name":"created_at","type":"datetime(3)","nullable":true},
  {"name":"doc","type":"json","nullable":true}],
  "primary_key":["id"],"unique_keys":[]},
 {"name":"refunds","kind":"table","columns":[
  {"name":"id","type":"int","nullable":false},
  {"name":"order_id","type":"bigint unsigned","nullable":true},
  {"name":"reason","type":"text","nullable":true}],
  "primary_key":[],"unique_keys":[["id"]]},
 {"name":"v_orders","kind":"view","columns":[{"name":"id","type":"bigint","nullable":true}],
  "primary_key":[],"unique_keys":[]}]}]})json";

constexpr const char* kColumns =
    "id BIGINT UNSIGNED NOT NULL, n INT, amount DECIMAL(10,2), price DOUBLE, f FLOAT, "
    "name VARCHAR(20), bin VARBINARY(16), t TEXT COLLATE utf8mb4_bin, d DATE, dt DATETIME(3), "
    "tm TIME(2), ts TIMESTAMP, y YEAR, e ENUM('a','b'), s SET('x','y'), doc JSON, b BIT(8), "
    "flag TINYINT(1), u SMALLINT UNSIGNED";

// The values of one row, as text converted to each column's type as an INSERT would.
const char* const kRowText[] = {"18446744073709551615", "-2147483648", "-99999999.99", "1e308", "-3.5",
                                "abc%_\\", "\x01\xff", "Zürich", "2024-02-29", "2024-02-29 23:59:59.999",
                                "-838:59:59.99", "1970-01-01 00:00:01", "2155", "b", "x,y",
                                "{\"a\":[1,2,{\"b\":null}]}", "1", "1", "65535"};

struct Fixture {
  Schema schema;
  std::vector<ColumnSchema> columns;
  std::vector<Value> nulls, values;

  Fixture() {
    std::string error;
    schema = *parse_schema_json(kSchemaJson, error);
    columns = *parse_column_definitions(kColumns, error);
    nulls.resize(columns.size());
    SqlType text_type = *parse_column_type("varchar(255)", error);
    EvalContext ctx;
    for (size_t i = 0; i < columns.size(); ++i) {
      Value v = Value::from_string(i < std::size(kRowText) ? kRowText[i] : "1");
      values.push_back(convert_value(v, text_type, columns[i].type, ctx));
      ctx.failed = false;
    }
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void fuzz_script(const std::string& text, const Schema* schema) {
  DiagnosticSink diags;
  // No base dir that holds scripts: INCLUDEs resolve to missing files (E0010), not to disk.
  Program program = load_program_text("fuzz.sync", text, "/nonexistent-obsync-fuzz", diags);
  CheckOptions options;
  options.schema = schema;
  options.now = 1767225600;  // fixed, so START AT results do not depend on the clock
  check_program(program, options, diags);
  diags.sort_by_location();
  for (const auto& d : diags.diagnostics()) (void)render_human(d, program.sources);
  (void)render_json(diags.diagnostics(), program.sources);
}

void fuzz_expression(const std::string& text) {
  const Fixture& f = fixture();
  SourceManager sources;
  DiagnosticSink diags;
  uint32_t file = sources.add("<expr>", text);
  ast::ExprPtr ast = parse_expression(sources, file, diags);
  if (!ast) return;
  BindScope scope;
  scope.columns = &f.columns;
  scope.table_name = "fuzz.t";
  ir::ExprPtr ir = bind_expression(*ast, scope, sources, diags);
  for (const auto& d : diags.diagnostics()) (void)render_human(d, sources);
  if (!ir) return;
  (void)ir::dump(*ir);
  for (const auto* row : {&f.values, &f.nulls}) {
    RowContext ctx_row;
    ctx_row.row = row;
    ctx_row.old_row = row == &f.values ? &f.nulls : &f.values;
    ctx_row.op = row == &f.values ? "UPDATE" : "DELETE";
    EvalContext ctx;
    Value v = evaluate(*ir, ctx_row, ctx);
    if (!ctx.failed && !v.is_null()) (void)render_value(v, ir->type);
    EvalContext cond_ctx;
    (void)evaluate_condition(*ir, ctx_row, cond_ctx);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return -1;  // scripts are small; bigger inputs only slow the search
  // ANTLR's prediction cache grows with every new input shape; without this, RSS passes the
  // 2 GB limit within the hour. Often, so that each clear is cheap (freeing a cache of a
  // million states under ASan took longer than libFuzzer's timeout).
  static size_t runs = 0;
  if (++runs % 1000 == 0) clear_parser_caches();
  std::string text(reinterpret_cast<const char*>(data), size);
  fuzz_script(text, nullptr);
  fuzz_script(text, &fixture().schema);
  fuzz_expression(text);
  return 0;
}
