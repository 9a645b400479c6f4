// obsync eval: evaluate one expression with MySQL semantics and print it as the mysql client does.
#include <fmt/format.h>

#include <bit>
#include <cstdlib>
#include <array>
#include <iostream>
#include <nlohmann/json.hpp>

#include "compiler/interp/interpreter.hpp"
#include "compiler/jit/jit.hpp"
#include "compiler/parse/parser.hpp"
#include "compiler/sema/binder.hpp"
#include "stdlib/convert.hpp"
#include "tools/obsync/commands.hpp"
#include "tools/obsync/row_json.hpp"

namespace obsync::cli {

namespace {

// Evaluates `ir` with the JIT through a one-row batch: true with `value` set, or false with
// `why_not` when the expression is outside what the JIT compiles. An evaluation error leaves
// ctx.failed set (the interpreter, rerun on the failing row, words the message).
bool evaluate_with_jit(const ir::Expr& ir, const std::vector<ColumnSchema>& columns, const std::vector<Value>& row,
                       Value& value, EvalContext& ctx, std::string& why_not) {
  std::vector<SqlType> types;
  for (const auto& c : columns) types.push_back(c.type);
  auto kernel = jit::JitEngine::instance().compile_projection(ir, types, why_not);
  if (!kernel) return false;
  jit::ValueColumns batch(types, {row});
  std::vector<Value> out;
  int64_t error_index = -1;
  kernel->run_values(batch.arrays(), nullptr, 1, out, error_index);
  if (error_index == 0) {
    // An error (the interpreter words it) or a value the kernel leaves to the interpreter.
    RowContext ctx_row;
    ctx_row.row = &row;
    value = evaluate(ir, ctx_row, ctx);
    // OBSYNC_JIT_STRICT (the differential suite through the JIT): a kernel that hands a row
    // without an error to the interpreter is reported, so that suite proves the kernel's values.
    if (!ctx.failed && std::getenv("OBSYNC_JIT_STRICT"))
      ctx.fail(0, "the JIT kernel stopped at a row the interpreter evaluates without an error");
    return true;
  }
  value = std::move(out[0]);
  return true;
}

int evaluate_and_print_with(const std::string& expr_text, const std::vector<ColumnSchema>& columns,
                            const std::string& row_json, bool use_jit, std::ostream& out, std::ostream& err) {
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
  EvalContext ctx;
  Value v;
  std::string why_not;
  if (!use_jit || !evaluate_with_jit(*ir, columns, row, v, ctx, why_not)) {
    if (use_jit) err << "(interpreter: " << why_not << ")\n";
    RowContext ctx_row;
    ctx_row.row = &row;
    v = evaluate(*ir, ctx_row, ctx);
  }
  if (ctx.failed) {
    err << fmt::format("error: {} in '{}'\n", ctx.error, ctx.expr_text.empty() ? expr_text : ctx.expr_text);
    return kExitFailure;
  }
  out << (v.is_null() ? std::string("NULL") : render_value(v, ir->type)) << "\n";
  return kExitOk;
}

}  // namespace

int evaluate_and_print(const std::string& expr_text, const std::vector<ColumnSchema>& columns,
                       const std::string& row_json, std::ostream& out, std::ostream& err) {
  return evaluate_and_print_with(expr_text, columns, row_json, false, out, err);
}

namespace {

struct EvalArgs {
  std::string columns;
  std::string row;
  std::string engine = "interp";
  std::vector<std::string> expr_words;
};

int run_eval(const EvalArgs& args) {
  if (args.engine != "interp" && args.engine != "jit") {
    std::cerr << "error: unknown engine `" << args.engine << "`\n"
              << "  = help: use --engine interp or --engine jit\n";
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
  return evaluate_and_print_with(expr_text, columns, args.row, args.engine == "jit", std::cout, std::cerr);
}

}  // namespace

void register_eval(CLI::App& app, Action& action) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "Evaluate one expression with MySQL semantics");
  cmd->add_option("--columns", args->columns, "column definitions, e.g. 'id BIGINT UNSIGNED, price DECIMAL(10,2)'");
  cmd->add_option("--row", args->row, "the row's values as a JSON object, e.g. '{\"id\": 1, \"price\": \"9.99\"}'");
  cmd->add_option("--engine", args->engine,
                  "interp (reference interpreter) or jit (LLVM kernel, else the interpreter with a note)");
  cmd->add_option("expr", args->expr_words, "the expression (put -- before one that starts with -)")->required();
  cmd->callback([args, &action] { action = [args] { return run_eval(*args); }; });
}

}  // namespace obsync::cli
