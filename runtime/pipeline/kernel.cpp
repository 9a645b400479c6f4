// The interpreter-backed kernel: WHERE with the UPDATE-in/out rule, then COLUMNS.
#include "runtime/pipeline/kernel.hpp"

#include <fmt/format.h>

#include "compiler/interp/interpreter.hpp"
#include "compiler/jit/jit.hpp"

namespace obsync::pipeline {

namespace {

bool uses_change_context(const ir::Expr& e) {
  if (e.op == ir::Op::OpName || e.op == ir::Op::OldColumn) return true;
  for (const auto& a : e.args)
    if (a && uses_change_context(*a)) return true;
  return false;
}

}  // namespace

Temporal commit_ts_value(int64_t us) {
  int64_t secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  int64_t micro = us - secs * 1000000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rest = secs - days * 86400;
  Temporal t = from_days(days + to_days(1970, 1, 1));
  t.hour = static_cast<uint32_t>(rest / 3600);
  t.minute = static_cast<uint8_t>(rest / 60 % 60);
  t.second = static_cast<uint8_t>(rest % 60);
  t.micro = static_cast<uint32_t>(micro);
  return t;
}

struct TableKernel::Jit {
  std::unique_ptr<jit::CompiledPredicate> predicate;
  std::vector<SqlType> types;  // the batch column types it was compiled for
  jit::ColumnArrays arrays;
  std::vector<uint32_t> selection;
};

TableKernel::TableKernel(const SyncTable& table, bool use_jit) : table_(table) {
  change_predicate_ = table.where && uses_change_context(*table.where);
  use_jit_ = use_jit && table.where != nullptr;
  if (!table.where) engine_ = "no WHERE";
  else if (!use_jit) engine_ = "interpreter";
  else if (change_predicate_) engine_ = "interpreter (not compiled: op() or OLD.col)";
}

TableKernel::~TableKernel() = default;

void TableKernel::prepare(const RowBatch& batch) {
  prepared_ = nullptr;
  if (!use_jit_ || change_predicate_ || batch.empty()) return;
  std::vector<SqlType> types;
  types.reserve(batch.after.size());
  for (const auto& c : batch.after) types.push_back(c.type());
  if (!jit_ || jit_->types.size() != types.size()) {
    // Compiled once per kernel (the kernel lives per table and schema version).
    jit_ = std::make_unique<Jit>();
    jit_->types = types;
    std::string why;
    jit_->predicate = jit::JitEngine::instance().compile_predicate(*table_.where, types, why);
    engine_ = jit_->predicate ? "jit" : "interpreter (" + why + ")";
  }
  if (!jit_->predicate) return;
  size_t n = batch.size();
  auto evaluate = [&](const std::vector<ColumnVector>& cols, std::vector<uint8_t>& pass) {
    jit::ColumnArrays& a = jit_->arrays;
    a.data.assign(cols.size(), nullptr);
    a.validity.assign(cols.size(), nullptr);
    a.offsets.assign(cols.size(), nullptr);
    for (size_t c = 0; c < cols.size(); c++) {
      if (cols[c].cls() == TypeClass::Int) {
        a.data[c] = cols[c].i64();
      } else if (cols[c].cls() == TypeClass::Double) {
        a.data[c] = cols[c].f64();
      } else if (cols[c].cls() == TypeClass::String) {
        a.data[c] = cols[c].bytes();
        a.offsets[c] = cols[c].offsets();
      }
      a.validity[c] = cols[c].validity();
    }
    jit_->selection.resize(n);
    size_t selected = 0;
    int64_t error_row = -1;
    jit_->predicate->run(a, n, jit_->selection.data(), selected, error_row);
    if (error_row >= 0) return false;
    pass.assign(n, 0);
    for (size_t k = 0; k < selected; k++) pass[jit_->selection[k]] = 1;
    return true;
  };
  bool needs_before = false, needs_after = false;
  for (ChangeOp op : batch.ops) {
    needs_after = needs_after || op != ChangeOp::Delete;
    needs_before = needs_before || op != ChangeOp::Insert;
  }
  if (needs_after && !evaluate(batch.after, pass_after_)) return;
  if (needs_before && !evaluate(batch.before, pass_before_)) return;
  prepared_ = &batch;
  prepared_rows_ = batch.size();
}

bool TableKernel::where(const std::vector<Value>& row, const std::vector<Value>* old_row, std::string_view op,
                        const std::optional<Temporal>& ts, bool& keep, std::string& error) {
  if (!table_.where) {
    keep = true;
    return true;
  }
  RowContext rc{&row, old_row, op, ts};
  EvalContext ctx;
  keep = evaluate_condition(*table_.where, rc, ctx);
  if (ctx.failed) {
    error = fmt::format("WHERE of `{}`.`{}`: {} in '{}'", table_.database, table_.table, ctx.error,
                        ctx.expr_text.empty() ? table_.where->text : ctx.expr_text);
    return false;
  }
  return true;
}

bool TableKernel::project(const std::vector<Value>& row, const std::vector<Value>* old_row, std::string_view op,
                          const std::optional<Temporal>& ts, std::vector<Value>& out, std::string& error) {
  out.resize(table_.columns.size());
  RowContext rc{&row, old_row, op, ts};
  for (size_t i = 0; i < table_.columns.size(); i++) {
    const auto& c = table_.columns[i];
    EvalContext ctx;
    out[i] = evaluate(*c.expr, rc, ctx);
    if (ctx.failed) {
      error = fmt::format("COLUMNS item `{}` of `{}`.`{}`: {} in '{}'", c.name, table_.database, table_.table,
                          ctx.error, ctx.expr_text.empty() ? c.expr->text : ctx.expr_text);
      return false;
    }
  }
  return true;
}

bool TableKernel::run(const RowBatch& batch, size_t i, bool full_sync, int64_t commit_ts_us, KernelOutput& out,
                      std::string& error) {
  const bool jit = prepared_ == &batch && prepared_rows_ == batch.size();
  std::optional<Temporal> ts;
  if (commit_ts_us) ts = commit_ts_value(commit_ts_us);
  error.clear();
  using encode::RecordKind;
  switch (batch.ops[i]) {
    case ChangeOp::Insert: {
      if (jit && !pass_after_[i]) return false;
      batch.row_values(i, false, after_);
      bool keep = jit;
      if (!jit && (!where(after_, nullptr, "INSERT", ts, keep, error) || !keep)) return false;
      out.kind = full_sync ? RecordKind::FullSyncRow : RecordKind::Insert;
      return project(after_, nullptr, "INSERT", ts, out.after, error);
    }
    case ChangeOp::Delete: {
      if (jit && !pass_before_[i]) return false;
      batch.row_values(i, true, before_);
      bool keep = jit;
      if (!jit && (!where(before_, &before_, "DELETE", ts, keep, error) || !keep)) return false;
      out.kind = RecordKind::Delete;
      return project(before_, &before_, "DELETE", ts, out.before, error);
    }
    case ChangeOp::Update: {
      batch.row_values(i, true, before_);
      batch.row_values(i, false, after_);
      bool in_after = false, in_before = false;
      if (jit) {
        in_after = pass_after_[i] != 0;
        in_before = pass_before_[i] != 0;
      } else {
        if (!where(after_, &before_, "UPDATE", ts, in_after, error)) return false;
        if (change_predicate_) {
          in_before = in_after;
        } else if (!where(before_, &before_, "UPDATE", ts, in_before, error)) {
          return false;
        }
      }
      if (in_before && in_after) {
        out.kind = RecordKind::Update;
        return project(before_, &before_, "UPDATE", ts, out.before, error) &&
               project(after_, &before_, "UPDATE", ts, out.after, error);
      }
      if (in_after) {  // moved into the filtered table
        out.kind = RecordKind::Insert;
        return project(after_, &before_, "UPDATE", ts, out.after, error);
      }
      if (in_before) {  // moved out of it
        out.kind = RecordKind::Delete;
        return project(before_, &before_, "UPDATE", ts, out.before, error);
      }
      return false;
    }
  }
  return false;
}

}  // namespace obsync::pipeline
