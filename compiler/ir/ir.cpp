// A readable dump of the IR, for `explain` and tests.
#include "compiler/ir/ir.hpp"

#include <fmt/format.h>

namespace obsync::ir {

static const char* op_name(Op op) {
  switch (op) {
    case Op::Const: return "const";
    case Op::Column: return "column";
    case Op::OldColumn: return "old";
    case Op::OpName: return "op";
    case Op::CommitTs: return "commit_ts";
    case Op::Call: return "call";
    case Op::Cast: return "cast";
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::Xor: return "xor";
    case Op::Not: return "not";
    case Op::IsNull: return "is_null";
    case Op::IsTrue: return "is_true";
    case Op::IsFalse: return "is_false";
    case Op::In: return "in";
    case Op::Between: return "between";
    case Op::Case: return "case";
    case Op::If: return "if";
    case Op::Coalesce: return "coalesce";
    case Op::NullIf: return "nullif";
  }
  return "?";
}

std::string dump(const Expr& e) {
  switch (e.op) {
    case Op::Const:
      return e.constant.is_null() ? "NULL" : fmt::format("{}:{}", render_value(e.constant, e.type), to_string(e.type));
    case Op::Column: return fmt::format("${}:{}", e.column, to_string(e.type));
    case Op::OldColumn: return fmt::format("OLD.${}:{}", e.column, to_string(e.type));
    default: break;
  }
  std::string out = "(";
  out += e.op == Op::Call ? std::string(e.fn->name) : op_name(e.op);
  if (e.negated) out += " not";
  out += fmt::format(" [{}]", to_string(e.type));
  for (const auto& a : e.args) out += " " + (a ? dump(*a) : std::string("?"));
  return out + ")";
}

}  // namespace obsync::ir
