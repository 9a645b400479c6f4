// Evaluates one expression through parser, binder and interpreter, as `obsync eval` does.
#pragma once
#include <string>
#include <vector>

#include "compiler/interp/interpreter.hpp"
#include "compiler/parse/parser.hpp"
#include "compiler/sema/binder.hpp"
#include "stdlib/value.hpp"

namespace obsync::testing {

// The printed value, "NULL", "!error <code>" when evaluation raises, "!compile" when binding fails.
inline std::string eval_expr(const std::string& text, const std::vector<ColumnSchema>& columns = {},
                             const std::vector<Value>& row = {}) {
  SourceManager sources;
  DiagnosticSink diags;
  uint32_t file = sources.add("<expr>", text);
  ast::ExprPtr ast = parse_expression(sources, file, diags);
  if (!ast) return "!compile";
  BindScope scope;
  scope.columns = &columns;
  ir::ExprPtr ir = bind_expression(*ast, scope, sources, diags);
  if (!ir || diags.has_errors()) return "!compile";
  RowContext ctx_row;
  ctx_row.row = &row;
  EvalContext ctx;
  Value v = evaluate(*ir, ctx_row, ctx);
  if (ctx.failed) return "!error " + std::to_string(ctx.error_code);
  return v.is_null() ? "NULL" : render_value(v, ir->type);
}

}  // namespace obsync::testing
