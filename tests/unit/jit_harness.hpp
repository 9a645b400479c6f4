// What the JIT tests share: binding an expression over column definitions, and a WHERE through
// the interpreter and through a kernel, as comparable outcomes (jit_test.cpp,
// jit_property_test.cpp).
#pragma once
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "compiler/interp/interpreter.hpp"
#include "compiler/jit/jit.hpp"
#include "compiler/parse/parser.hpp"
#include "compiler/sema/binder.hpp"

namespace obsync::jit_harness {

struct Bound {
  ir::ExprPtr ir;
  std::string errors;
};

inline Bound bind_text(const std::string& text, const std::vector<ColumnSchema>& columns) {
  SourceManager sources;
  DiagnosticSink diags;
  uint32_t file = sources.add("<expr>", text);
  ast::ExprPtr ast = parse_expression(sources, file, diags);
  Bound out;
  if (ast) {
    BindScope scope;
    scope.columns = &columns;
    out.ir = bind_expression(*ast, scope, sources, diags);
  }
  for (const auto& d : diags.diagnostics()) out.errors += render_human(d, sources, false);
  if (diags.has_errors()) out.ir.reset();
  if (!out.ir && out.errors.empty()) out.errors = "(no IR, no diagnostic)";
  return out;
}

inline std::vector<ColumnSchema> columns_of(const std::string& definitions) {
  std::string error;
  auto columns = parse_column_definitions(definitions, error);
  INFO(error);
  REQUIRE(columns);
  return *columns;
}

inline std::vector<SqlType> types_of(const std::vector<ColumnSchema>& columns) {
  std::vector<SqlType> types;
  for (const auto& c : columns) types.push_back(c.type);
  return types;
}

// What a WHERE did: the rows kept before the first error, that error's row and message.
struct WhereOutcome {
  std::vector<uint32_t> selection;
  int64_t error_row = -1;
  std::string error;  // "BIGINT value is out of range in 'a + 1'"
  bool operator==(const WhereOutcome&) const = default;
};

inline std::string describe(const WhereOutcome& o) {
  return fmt::format("selected [{}], error_row {}{}", fmt::join(o.selection, ","), o.error_row,
                     o.error.empty() ? "" : " " + o.error);
}

inline std::string interpreter_error(const ir::Expr& e, const std::vector<Value>& row) {
  RowContext ctx_row;
  ctx_row.row = &row;
  EvalContext ctx;
  evaluate_condition(e, ctx_row, ctx);
  return ctx.failed ? fmt::format("{} in '{}'", ctx.error, ctx.expr_text) : std::string("(the interpreter: no error)");
}

inline WhereOutcome interpret_where(const ir::Expr& e, const std::vector<std::vector<Value>>& rows) {
  WhereOutcome out;
  for (size_t i = 0; i < rows.size(); ++i) {
    RowContext ctx_row;
    ctx_row.row = &rows[i];
    EvalContext ctx;
    bool keep = evaluate_condition(e, ctx_row, ctx);
    if (ctx.failed) {
      out.error_row = static_cast<int64_t>(i);
      out.error = fmt::format("{} in '{}'", ctx.error, ctx.expr_text);
      break;
    }
    if (keep) out.selection.push_back(static_cast<uint32_t>(i));
  }
  return out;
}

// `arrays` are `rows` as the kernel reads them.
inline WhereOutcome jit_where(const jit::CompiledPredicate& kernel, const ir::Expr& e, const jit::ColumnArrays& arrays,
                              const std::vector<std::vector<Value>>& rows) {
  WhereOutcome out;
  out.selection.resize(rows.size() + 1);
  size_t selected = 0;
  kernel.run(arrays, rows.size(), out.selection.data(), selected, out.error_row);
  out.selection.resize(selected);
  // The kernel names the row; the interpreter, evaluating from there on, words the message.
  if (out.error_row >= 0) out.error = interpreter_error(e, rows[static_cast<size_t>(out.error_row)]);
  return out;
}

}  // namespace obsync::jit_harness
