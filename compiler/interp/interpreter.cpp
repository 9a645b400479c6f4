// Tree-walking evaluation of the typed IR with MySQL's three-valued logic.
#include "compiler/interp/interpreter.hpp"

#include <fmt/format.h>

#include "stdlib/convert.hpp"

namespace obsync {
namespace {

// SQL truth: 1 true, 0 false, -1 unknown (NULL).
int truth(const Value& v, const SqlType& t) {
  if (v.is_null()) return -1;
  return value_to_bool(v, t) ? 1 : 0;
}

Value from_truth(int t) { return t < 0 ? Value::null() : Value::from_int(t); }

Value coerce(Value v, const SqlType& from, const SqlType& to, EvalContext& ctx) {
  return coerce_value(std::move(v), from, to, ctx);
}

class Evaluator {
 public:
  Evaluator(const RowContext& row, EvalContext& ctx) : row_(row), ctx_(ctx) {}

  Value eval(const ir::Expr& e) {
    if (ctx_.failed) return Value::null();
    Value v = eval_node(e);
    if (ctx_.failed && ctx_.expr_text.empty()) ctx_.expr_text = e.text;
    return v;
  }

 private:
  int compare(const Value& a, const SqlType& ta, const Value& b, const SqlType& tb, const ComparePlan& plan) {
    return compare_values(a, ta, b, tb, plan);
  }

  Value eval_node(const ir::Expr& e) {
    switch (e.op) {
      case ir::Op::Const: return e.constant;
      case ir::Op::Column: {
        if (!row_.row || e.column < 0 || static_cast<size_t>(e.column) >= row_.row->size()) return Value::null();
        return (*row_.row)[static_cast<size_t>(e.column)];
      }
      case ir::Op::OldColumn: {
        if (!row_.old_row || static_cast<size_t>(e.column) >= row_.old_row->size()) return Value::null();
        return (*row_.old_row)[static_cast<size_t>(e.column)];
      }
      case ir::Op::OpName: return Value::from_string(std::string(row_.op));
      case ir::Op::CommitTs:
        return row_.commit_ts ? Value::from_temporal(TypeClass::DateTime, *row_.commit_ts) : Value::null();
      case ir::Op::Call: return call(e);
      case ir::Op::Cast: {
        Value v = eval(*e.args[0]);
        if (v.is_null() || ctx_.failed) return Value::null();
        return convert_value(v, e.args[0]->type, e.type, ctx_);
      }
      case ir::Op::And: {
        int a = truth(eval(*e.args[0]), e.args[0]->type);
        if (a == 0) return Value::from_int(0);  // short-circuit: the right side is not evaluated
        int b = truth(eval(*e.args[1]), e.args[1]->type);
        if (b == 0) return Value::from_int(0);
        return from_truth(a < 0 || b < 0 ? -1 : 1);
      }
      case ir::Op::Or: {
        int a = truth(eval(*e.args[0]), e.args[0]->type);
        if (a == 1) return Value::from_int(1);
        int b = truth(eval(*e.args[1]), e.args[1]->type);
        if (b == 1) return Value::from_int(1);
        return from_truth(a < 0 || b < 0 ? -1 : 0);
      }
      case ir::Op::Xor: {
        int a = truth(eval(*e.args[0]), e.args[0]->type);
        int b = truth(eval(*e.args[1]), e.args[1]->type);
        return from_truth(a < 0 || b < 0 ? -1 : a != b);
      }
      case ir::Op::Not: {
        int a = truth(eval(*e.args[0]), e.args[0]->type);
        return from_truth(a < 0 ? -1 : !a);
      }
      case ir::Op::IsNull: return Value::from_int(eval(*e.args[0]).is_null() != e.negated);
      case ir::Op::IsTrue: return Value::from_int((truth(eval(*e.args[0]), e.args[0]->type) == 1) != e.negated);
      case ir::Op::IsFalse: return Value::from_int((truth(eval(*e.args[0]), e.args[0]->type) == 0) != e.negated);
      case ir::Op::In: {
        Value lhs = eval(*e.args[0]);
        if (lhs.is_null()) return Value::null();
        bool saw_null = false;
        for (size_t i = 1; i < e.args.size(); ++i) {
          Value x = eval(*e.args[i]);
          if (x.is_null()) {
            saw_null = true;
            continue;
          }
          if (compare(lhs, e.args[0]->type, x, e.args[i]->type, e.compare) == 0) return Value::from_int(!e.negated);
        }
        if (saw_null) return Value::null();
        return Value::from_int(e.negated);
      }
      case ir::Op::Between: {
        Value a = eval(*e.args[0]);
        Value lo = eval(*e.args[1]);
        Value hi = eval(*e.args[2]);
        if (a.is_null()) return Value::null();
        int ge = lo.is_null() ? -1 : compare(a, e.args[0]->type, lo, e.args[1]->type, e.compare) >= 0;
        int le = hi.is_null() ? -1 : compare(a, e.args[0]->type, hi, e.args[2]->type, e.compare) <= 0;
        int r = (ge == 0 || le == 0) ? 0 : (ge < 0 || le < 0) ? -1 : 1;
        if (r >= 0 && e.negated) r = !r;
        return from_truth(r);
      }
      case ir::Op::Case: {
        size_t i = 0;
        Value operand;
        if (e.has_operand) operand = eval(*e.args[i++]);
        size_t end = e.args.size() - (e.has_else ? 1 : 0);
        for (; i + 1 < end + 1 && i < end; i += 2) {
          Value w = eval(*e.args[i]);
          bool hit;
          if (e.has_operand) {
            hit = !operand.is_null() && !w.is_null() &&
                  compare(operand, e.args[0]->type, w, e.args[i]->type, e.compare) == 0;
          } else {
            hit = truth(w, e.args[i]->type) == 1;
          }
          if (hit) return coerce(eval(*e.args[i + 1]), e.args[i + 1]->type, e.type, ctx_);
        }
        if (e.has_else) return coerce(eval(*e.args.back()), e.args.back()->type, e.type, ctx_);
        return Value::null();
      }
      case ir::Op::If: {
        bool c = truth(eval(*e.args[0]), e.args[0]->type) == 1;
        const ir::Expr& chosen = *e.args[c ? 1 : 2];
        return coerce(eval(chosen), chosen.type, e.type, ctx_);
      }
      case ir::Op::Coalesce: {
        for (const auto& a : e.args) {
          Value v = eval(*a);
          if (!v.is_null()) return coerce(std::move(v), a->type, e.type, ctx_);
        }
        return Value::null();
      }
      case ir::Op::NullIf: {
        Value a = eval(*e.args[0]);
        Value b = eval(*e.args[1]);
        if (!a.is_null() && !b.is_null() && compare(a, e.args[0]->type, b, e.args[1]->type, e.compare) == 0)
          return Value::null();
        return a;
      }
    }
    return Value::null();
  }

  Value call(const ir::Expr& e) {
    std::vector<Value> args;
    args.reserve(e.args.size());
    for (const auto& a : e.args) {
      args.push_back(eval(*a));
      if (ctx_.failed) return Value::null();
      if (e.fn->null_policy == NullPolicy::NullIfAnyNull && args.back().is_null()) {
        // MySQL still evaluates the remaining arguments (they may raise errors).
        for (size_t i = args.size(); i < e.args.size(); ++i) {
          eval(*e.args[i]);
          if (ctx_.failed) return Value::null();
        }
        return Value::null();
      }
    }
    return e.fn->eval(args, e.call, ctx_);
  }

  const RowContext& row_;
  EvalContext& ctx_;
};

}  // namespace

Value coerce_value(Value v, const SqlType& from, const SqlType& to, EvalContext& ctx) {
  if (v.is_null() || to.cls == TypeClass::Null) return v;
  if (v.cls == to.cls && (to.cls != TypeClass::Int || v.is_unsigned == to.is_unsigned || to.is_unsigned)) {
    if (to.cls != TypeClass::Decimal) return v;
  }
  return convert_value(v, from, to, ctx);
}

Value evaluate(const ir::Expr& e, const RowContext& row, EvalContext& ctx) {
  Evaluator ev(row, ctx);
  Value v = ev.eval(e);
  return ctx.failed ? Value::null() : v;
}

bool evaluate_condition(const ir::Expr& e, const RowContext& row, EvalContext& ctx) {
  Value v = evaluate(e, row, ctx);
  return !v.is_null() && value_to_bool(v, e.type);
}

}  // namespace obsync
