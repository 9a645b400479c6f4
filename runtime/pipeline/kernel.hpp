// A SYNC's compiled WHERE and COLUMNS for one table at one schema version, run over row
// batches: which rows go out as what (the UPDATE-in/out rule) and their output values. This is
// the interpreter-backed kernel, and the JIT's when the WHERE and every COLUMNS item compile.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/sema/checker.hpp"
#include "runtime/batch/row_batch.hpp"
#include "runtime/encode/encoder.hpp"

namespace obsync::pipeline {

struct KernelOutput {
  encode::RecordKind kind = encode::RecordKind::Insert;
  std::vector<Value> before, after;  // output columns; filled for the images `kind` has
};

class TableKernel {
 public:
  // `table` is a typed SyncTable (checked against this table's schema); it must outlive the kernel.
  // `use_jit`: compile the WHERE and the COLUMNS with the JIT when it can (else the
  // interpreter runs them).
  explicit TableKernel(const SyncTable& table, bool use_jit = false);
  ~TableKernel();

  // Before run() on the rows of `batch`: evaluates the WHERE and the COLUMNS of every row at
  // once with the JIT kernels when there are. When a kernel stops at a row (an evaluation error),
  // nothing is precomputed and run() evaluates row by row with the interpreter, which reports
  // the error with MySQL's exact message at the same row.
  // `commit_ts_us`: the batch's commit time (one transaction, or a full-sync chunk), 0: none.
  void prepare(const RowBatch& batch, int64_t commit_ts_us);
  void unprepare() { prepared_ = nullptr; }  // after the batch's rows: its content changes next
  // "jit" or "interpreter (not compiled: …)": for the log and explain.
  const std::string& engine() const { return engine_; }

  // Row `row` of `batch`: false when the row is filtered out; true with `out` set. On an
  // evaluation error (MySQL raises one: overflow, bad conversion…) returns false with `error`
  // set to a sentence naming the expression; the caller stops the project.
  bool run(const RowBatch& batch, size_t row, bool full_sync, int64_t commit_ts_us, KernelOutput& out,
           std::string& error);

  // True when the WHERE uses op() or OLD.col: it describes changes, not rows, so it is evaluated
  // once per change and an UPDATE stays an UPDATE (the in/out rule needs a row predicate).
  bool change_predicate() const { return change_predicate_; }
  const SyncTable& table() const { return table_; }

 private:
  bool where(const std::vector<Value>& row, const std::vector<Value>* old_row, std::string_view op,
             const std::optional<Temporal>& ts, bool& keep, std::string& error);
  bool project(const std::vector<Value>& row, const std::vector<Value>* old_row, std::string_view op,
               const std::optional<Temporal>& ts, std::vector<Value>& out, std::string& error);

  bool projected(size_t row, bool before_image, std::vector<Value>& out);

  const SyncTable& table_;
  bool change_predicate_ = false;
  bool compiled_ = false;
  Temporal commit_ts_;
  std::vector<Value> before_, after_;
  // The JIT's kernels and, for the prepared batch, each row's WHERE result on its after and
  // before image and its output values.
  struct Jit;
  std::unique_ptr<Jit> jit_;
  bool use_jit_ = false;
  std::string engine_ = "interpreter";
  const RowBatch* prepared_ = nullptr;
  size_t prepared_rows_ = 0;
  std::vector<uint8_t> pass_after_, pass_before_;
};

// The commit time as the DATETIME(6) commit_ts() returns (UTC).
Temporal commit_ts_value(int64_t commit_ts_us);

}  // namespace obsync::pipeline
