// obsync eval: evaluate one expression with MySQL semantics and print it as the mysql client does.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "compiler/interp/interpreter.hpp"
#include "compiler/parse/parser.hpp"
#include "compiler/sema/binder.hpp"
#include "stdlib/convert.hpp"
#include "tools/obsync/commands.hpp"
#include "tools/obsync/row_json.hpp"

namespace obsync::cli {

int evaluate_and_print(const std::string& expr_text, const std::vector<ColumnSchema>& columns,
                       const std::string& row_json, std::ostream& out, std::ostream& err) {
  std::vector<Value> row(columns.size());
  if (!row_json.empty()) {
    std::string error;
    if (!parse_row_json(row_json, columns, row, error)) {
      err << "error: --row: " << error << "\n";
      return kExitUsage;
    }
  }
  SourceManager sources;
  DiagnosticSink diags;
  uint32_t file = sources.add("<expr>", expr_text);
  ast::ExprPtr ast = parse_expression(sources, file, diags);
  ir::ExprPtr ir;
  if (ast) {
    BindScope scope;
    scope.columns = &columns;
    ir = bind_expression(*ast, scope, sources, diags);
  }
  if (diags.has_errors() || !ir) {
    for (const auto& d : diags.diagnostics()) err << render_human(d, sources, use_color());
    if (!diags.has_errors()) err << "error: the expression could not be compiled\n";
    return kExitFailure;
  }
  for (const auto& d : diags.diagnostics()) err << render_human(d, sources, use_color());
  RowContext ctx_row;
  ctx_row.row = &row;
  EvalContext ctx;
  Value v = evaluate(*ir, ctx_row, ctx);
  if (ctx.failed) {
    err << fmt::format("error: {} in '{}'\n", ctx.error, ctx.expr_text.empty() ? expr_text : ctx.expr_text);
    return kExitFailure;
  }
  out << (v.is_null() ? std::string("NULL") : render_value(v, ir->type)) << "\n";
  return kExitOk;
}

namespace {

struct EvalArgs {
  std::string columns;
  std::string row;
  std::string engine = "interp";
  std::vector<std::string> expr_words;
};

int run_eval(const EvalArgs& args) {
  if (args.engine != "interp") {
    std::cerr << "error: the `" << args.engine << "` engine is not available in this build\n"
              << "  = help: use --engine interp\n";
    return kExitUsage;
  }
  std::string expr_text;
  for (const auto& w : args.expr_words) expr_text += (expr_text.empty() ? "" : " ") + w;
  std::vector<ColumnSchema> columns;
  if (!args.columns.empty()) {
    std::string error;
    auto defs = parse_column_definitions(args.columns, error);
    if (!defs) {
      std::cerr << "error: --columns: " << error << "\n"
                << "  = help: write MySQL column definitions: 'id BIGINT UNSIGNED, name VARCHAR(20)'\n";
      return kExitUsage;
    }
    columns = std::move(*defs);
  }
  return evaluate_and_print(expr_text, columns, args.row, std::cout, std::cerr);
}

}  // namespace

void register_eval(CLI::App& app, Action& action) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "Evaluate one expression with MySQL semantics");
  cmd->add_option("--columns", args->columns, "column definitions, e.g. 'id BIGINT UNSIGNED, price DECIMAL(10,2)'");
  cmd->add_option("--row", args->row, "the row's values as a JSON object, e.g. '{\"id\": 1, \"price\": \"9.99\"}'");
  cmd->add_option("--engine", args->engine, "interp (reference interpreter) or jit");
  cmd->add_option("expr", args->expr_words, "the expression (put -- before one that starts with -)")->required();
  cmd->callback([args, &action] { action = [args] { return run_eval(*args); }; });
}

}  // namespace obsync::cli
