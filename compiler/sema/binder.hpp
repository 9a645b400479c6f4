// Binding expressions: names resolved against the table's columns, MySQL result types
// assigned, built-ins looked up in the stdlib registry; the output is the typed IR.
#pragma once
#include <string>
#include <vector>

#include "compiler/ast/ast.hpp"
#include "compiler/ir/ir.hpp"
#include "compiler/sema/diagnostics.hpp"
#include "compiler/sema/schema.hpp"

namespace obsync {

struct BindScope {
  // The table's columns; null when the schema is unknown: then only what needs no column
  // types is checked (functions, arity, literals) and no IR is returned.
  const std::vector<ColumnSchema>* columns = nullptr;
  std::string table_name;   // "shop.orders", for messages
};

// nullptr after errors, or when the scope has no columns.
ir::ExprPtr bind_expression(const ast::Expr& expr, const BindScope& scope, const SourceManager& sources,
                            DiagnosticSink& diags);
// The same, and the result must be usable as a condition (E0303 otherwise).
ir::ExprPtr bind_where(const ast::Expr& expr, const BindScope& scope, const SourceManager& sources,
                       DiagnosticSink& diags);

void report_unknown_column(const std::string& name, SourceSpan span, const TableSchema& table,
                           const std::string& table_name, DiagnosticSink& diags, const char* code = "E0203");

}  // namespace obsync
