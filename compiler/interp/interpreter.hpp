// The reference interpreter: evaluates the typed IR one row at a time. It defines what the JIT
// must compute, and is the fallback when a kernel cannot be compiled.
#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include "compiler/ir/ir.hpp"

namespace obsync {

// The row an expression sees: its columns (after image; before image for DELETE), the before
// image for OLD.col, the operation and the commit time.
struct RowContext {
  const std::vector<Value>* row = nullptr;
  const std::vector<Value>* old_row = nullptr;  // null: INSERT, or the full sync
  std::string_view op = "INSERT";
  std::optional<Temporal> commit_ts;
};

// A branch of CASE / IF / COALESCE (of type `from`) as the expression's type `to`: unchanged
// when it already is of that class (a signed BIGINT stays signed in an unsigned result),
// converted otherwise. The JIT calls this too: one definition of the rule.
Value coerce_value(Value v, const SqlType& from, const SqlType& to, EvalContext& ctx);

// Evaluates `e`; on an evaluation error (MySQL raises one) ctx.failed is set and NULL returned.
Value evaluate(const ir::Expr& e, const RowContext& row, EvalContext& ctx);
// The truth of a condition: NULL and errors count as false (the row is not selected).
bool evaluate_condition(const ir::Expr& e, const RowContext& row, EvalContext& ctx);

}  // namespace obsync
