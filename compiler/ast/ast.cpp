// Structural equality of expressions (spans and keyword spelling ignored).
#include "compiler/ast/ast.hpp"
#include "stdlib/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace obsync::ast {


bool equal(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.negated != b.negated || a.has_operand != b.has_operand ||
      a.has_else != b.has_else || a.args.size() != b.args.size())
    return false;
  // Keywords and function names are case-insensitive; literal text and column names are not
  // (a string's case is data; a column's case is how the user wrote it).
  bool names_fold = a.kind == ExprKind::Call || a.kind == ExprKind::Collate;
  if (names_fold ? !iequals(a.text, b.text) : a.text != b.text) return false;
  if (!iequals(a.op, b.op) && !((a.op == "!=" && b.op == "<>") || (a.op == "<>" && b.op == "!=")))
    return false;
  if (a.kind == ExprKind::Literal && a.literal_kind != b.literal_kind) return false;
  if (a.kind == ExprKind::Cast &&
      (a.cast.kind != b.cast.kind || a.cast.length != b.cast.length || a.cast.scale != b.cast.scale ||
       !iequals(a.cast.charset, b.cast.charset)))
    return false;
  if (a.kind == ExprKind::Interval && a.unit != b.unit) return false;
  if (a.kind == ExprKind::JsonPath && a.json_path != b.json_path) return false;
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (!a.args[i] || !b.args[i]) {
      if (a.args[i] != b.args[i]) return false;
      continue;
    }
    if (!equal(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

}  // namespace obsync::ast
