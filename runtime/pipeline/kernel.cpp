// The interpreter-backed kernel: WHERE with the UPDATE-in/out rule, then COLUMNS.
#include "runtime/pipeline/kernel.hpp"

#include <fmt/format.h>

#include <algorithm>

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
  std::vector<SqlType> types;  // the batch column types it was compiled for
  std::unique_ptr<jit::CompiledPredicate> predicate;                // null: no WHERE
  std::vector<std::unique_ptr<jit::CompiledProjection>> columns;  // one per COLUMNS item
  jit::ColumnArrays arrays;
  std::vector<uint32_t> selection;
  // The prepared batch's output values: values[image][item][k] for the k-th row of rows[image]
  // (0: after image, 1: before image); index[image][row] is that k.
  std::vector<uint32_t> rows[2];
  std::vector<uint32_t> index[2];
  std::vector<std::vector<Value>> values[2];
};

TableKernel::TableKernel(const SyncTable& table, bool use_jit) : table_(table) {
  change_predicate_ = table.where && uses_change_context(*table.where);
  use_jit_ = use_jit;
  if (!use_jit) engine_ = "interpreter";
  else engine_ = "jit";  // until the first batch compiles (or does not)
}

TableKernel::~TableKernel() = default;

namespace {

// The kernel's arrays for `current` (the row's image), the before image (OLD.col) and the
// operations (op()): the layout of jit::ColumnArrays.
void fill_arrays(jit::ColumnArrays& a, const std::vector<ColumnVector>& current, const RowBatch& batch,
                 const Temporal* commit_ts) {
  size_t n = current.size();
  a.data.assign(2 * n + 2, nullptr);
  a.validity.assign(2 * n + 2, nullptr);
  a.offsets.assign(2 * n + 2, nullptr);
  auto put = [&](size_t at, const ColumnVector& col) {
    switch (col.cls()) {
      case TypeClass::Int: a.data[at] = col.i64(); break;
      case TypeClass::Double: a.data[at] = col.f64(); break;
      case TypeClass::Decimal: a.data[at] = col.dec(); break;
      case TypeClass::Date:
      case TypeClass::Time:
      case TypeClass::DateTime: a.data[at] = col.tm(); break;
      default:
        a.data[at] = col.bytes();
        a.offsets[at] = col.offsets();
        break;
    }
    a.validity[at] = col.validity();
  };
  for (size_t c = 0; c < n; c++) put(c, current[c]);
  for (size_t c = 0; c < n && c < batch.before.size(); c++) put(n + c, batch.before[c]);
  static_assert(sizeof(ChangeOp) == 1 && static_cast<int>(ChangeOp::Update) == 1 &&
                static_cast<int>(ChangeOp::Delete) == 2);
  a.data[2 * n] = batch.ops.data();
  a.data[2 * n + 1] = commit_ts;
}

}  // namespace

void TableKernel::prepare(const RowBatch& batch, int64_t commit_ts_us) {
  prepared_ = nullptr;
  if (!use_jit_ || batch.empty()) return;
  std::vector<SqlType> types;
  types.reserve(batch.after.size());
  for (const auto& c : batch.after) types.push_back(c.type());
  if (!jit_ || jit_->types.size() != types.size()) {
    // Compiled once per kernel (the kernel lives per table and schema version). A kernel runs
    // when the WHERE and every COLUMNS item compile; else the interpreter runs the table.
    jit_ = std::make_unique<Jit>();
    jit_->types = types;
    std::string why;
    bool ok = true;
    if (table_.where) {
      jit_->predicate = jit::JitEngine::instance().compile_predicate(*table_.where, types, why);
      ok = jit_->predicate != nullptr;
      if (!ok) why = "WHERE " + why;
    }
    for (size_t i = 0; ok && i < table_.columns.size(); i++) {
      auto kernel = jit::JitEngine::instance().compile_projection(*table_.columns[i].expr, types, why);
      if (!kernel) {
        why = fmt::format("COLUMNS item `{}` {}", table_.columns[i].name, why);
        ok = false;
      }
      jit_->columns.push_back(std::move(kernel));
    }
    if (!ok) {
      jit_->predicate.reset();
      jit_->columns.clear();
    }
    jit_->columns.shrink_to_fit();
    engine_ = ok ? "jit" : "interpreter (" + why + ")";
    compiled_ = ok;
  }
  if (!compiled_) return;
  const size_t n = batch.size();
  // commit_ts() as run() gives it to the interpreter: NULL without a commit time.
  if (commit_ts_us) commit_ts_ = commit_ts_value(commit_ts_us);
  const Temporal* commit_ts = commit_ts_us ? &commit_ts_ : nullptr;
  // WHERE: a row predicate on each image (the UPDATE-in/out rule); a change predicate once per
  // change, on the after image for INSERT and UPDATE and on the before image for DELETE.
  auto evaluate = [&](const std::vector<ColumnVector>& current, std::vector<uint8_t>& pass) {
    pass.assign(n, 1);
    if (!jit_->predicate) return true;
    fill_arrays(jit_->arrays, current, batch, commit_ts);
    jit_->selection.resize(n);
    size_t selected = 0;
    int64_t error_row = -1;
    jit_->predicate->run(jit_->arrays, n, jit_->selection.data(), selected, error_row);
    if (error_row >= 0) {
      // The kernel stopped at a row: an error MySQL raises (the interpreter, row by row, words
      // it), or a value it hands to the interpreter. Either way the interpreter runs the batch.
      return false;
    }
    std::fill(pass.begin(), pass.end(), 0);
    for (size_t k = 0; k < selected; k++) pass[jit_->selection[k]] = 1;
    return true;
  };
  bool needs_before = false, needs_after = false;
  for (ChangeOp op : batch.ops) {
    needs_after = needs_after || op != ChangeOp::Delete;
    needs_before = needs_before || op != ChangeOp::Insert;
  }
  if (change_predicate_) needs_before = std::find(batch.ops.begin(), batch.ops.end(), ChangeOp::Delete) != batch.ops.end();
  if (needs_after && !evaluate(batch.after, pass_after_)) return;
  if (needs_before && !evaluate(batch.before, pass_before_)) return;
  if (change_predicate_) {
    // One verdict per change: an UPDATE stays an UPDATE or is dropped.
    pass_before_.resize(n);
    for (size_t i = 0; i < n; i++)
      if (batch.ops[i] == ChangeOp::Update) pass_before_[i] = pass_after_[i];
  }
  // COLUMNS: each item over the rows that go out with that image.
  for (int image = 0; image < 2; image++) {
    auto& rows = jit_->rows[image];
    rows.clear();
    jit_->index[image].assign(n, UINT32_MAX);
    for (size_t i = 0; i < n; i++) {
      bool wanted = image == 0 ? batch.ops[i] != ChangeOp::Delete && pass_after_[i]
                               : batch.ops[i] != ChangeOp::Insert && pass_before_[i];
      if (!wanted) continue;
      jit_->index[image][i] = static_cast<uint32_t>(rows.size());
      rows.push_back(static_cast<uint32_t>(i));
    }
    jit_->values[image].resize(jit_->columns.size());
    if (rows.empty()) continue;
    fill_arrays(jit_->arrays, image == 0 ? batch.after : batch.before, batch, commit_ts);
    for (size_t item = 0; item < jit_->columns.size(); item++) {
      int64_t error_index = -1;
      jit_->columns[item]->run_values(jit_->arrays, rows.data(), rows.size(), jit_->values[image][item], error_index);
      if (error_index >= 0) return;  // the interpreter runs the batch and reports it
    }
  }
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

bool TableKernel::projected(size_t row, bool before_image, std::vector<Value>& out) {
  int image = before_image ? 1 : 0;
  uint32_t k = jit_->index[image][row];
  if (k == UINT32_MAX) return false;
  out.resize(jit_->columns.size());
  for (size_t item = 0; item < out.size(); item++) out[item] = std::move(jit_->values[image][item][k]);
  return true;
}

bool TableKernel::run(const RowBatch& batch, size_t i, bool full_sync, int64_t commit_ts_us, KernelOutput& out,
                      std::string& error) {
  const bool jit = prepared_ == &batch && prepared_rows_ == batch.size();
  error.clear();
  using encode::RecordKind;
  if (jit) {
    // Everything was computed over the batch: pick the row's verdict and values.
    bool in_after = batch.ops[i] != ChangeOp::Delete && pass_after_[i];
    bool in_before = batch.ops[i] != ChangeOp::Insert && pass_before_[i];
    switch (batch.ops[i]) {
      case ChangeOp::Insert:
        if (!in_after) return false;
        out.kind = full_sync ? RecordKind::FullSyncRow : RecordKind::Insert;
        return projected(i, false, out.after);
      case ChangeOp::Delete:
        if (!in_before) return false;
        out.kind = RecordKind::Delete;
        return projected(i, true, out.before);
      case ChangeOp::Update:
        if (in_before && in_after) {
          out.kind = RecordKind::Update;
          return projected(i, true, out.before) && projected(i, false, out.after);
        }
        if (in_after) {
          out.kind = RecordKind::Insert;
          return projected(i, false, out.after);
        }
        if (in_before) {
          out.kind = RecordKind::Delete;
          return projected(i, true, out.before);
        }
        return false;
    }
    return false;
  }
  std::optional<Temporal> ts;
  if (commit_ts_us) ts = commit_ts_value(commit_ts_us);
  switch (batch.ops[i]) {
    case ChangeOp::Insert: {
      batch.row_values(i, false, after_);
      bool keep = false;
      if (!where(after_, nullptr, "INSERT", ts, keep, error) || !keep) return false;
      out.kind = full_sync ? RecordKind::FullSyncRow : RecordKind::Insert;
      return project(after_, nullptr, "INSERT", ts, out.after, error);
    }
    case ChangeOp::Delete: {
      batch.row_values(i, true, before_);
      bool keep = false;
      if (!where(before_, &before_, "DELETE", ts, keep, error) || !keep) return false;
      out.kind = RecordKind::Delete;
      return project(before_, &before_, "DELETE", ts, out.before, error);
    }
    case ChangeOp::Update: {
      batch.row_values(i, true, before_);
      batch.row_values(i, false, after_);
      bool in_after = false, in_before = false;
      if (!where(after_, &before_, "UPDATE", ts, in_after, error)) return false;
      if (change_predicate_) {
        in_before = in_after;
      } else if (!where(before_, &before_, "UPDATE", ts, in_before, error)) {
        return false;
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
