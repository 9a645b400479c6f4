// The JIT: compiles a typed IR expression into a native kernel over a column-major row batch
// with LLVM ORC; what it cannot compile is reported so that the caller runs the interpreter.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ir/ir.hpp"
#include "stdlib/types.hpp"
#include "stdlib/value.hpp"

namespace obsync::jit {

// The kernel's view of a batch, over plain arrays (compiler/ never sees runtime/'s ColumnVector).
// One entry per table column, in table order; only the columns the kernel reads need be set.
//   data[c]      by the column's class: const int64_t* (Int: unsigned values as their bit
//                pattern), const double* (Double), const Decimal* (Decimal), const Temporal*
//                (Date, Time, DateTime), or const char* (String, Json: all rows' bytes back to back)
//   offsets[c]   String and Json: row i is data[c][offsets[c][i] .. offsets[c][i + 1])
//   validity[c]  bit (row & 63) of word row >> 6 set: the row's value is not NULL
// A kernel of an expression with OLD.col, op() or commit_ts() (language.md) also reads entries
// n .. 2n-1 (the before image of the same n columns: OLD.col), entry 2n (data: a const
// uint8_t* of ChangeOp codes, 0 INSERT, 1 UPDATE, 2 DELETE: op()) and entry 2n + 1 (data: one
// const Temporal*, the batch's commit time as DATETIME(6), or null: commit_ts() is NULL).
struct ColumnArrays {
  std::vector<const void*> data;
  std::vector<const uint64_t*> validity;
  std::vector<const uint32_t*> offsets;
};

// Column arrays built from rows of Values (for `eval`, tests and benchmarks; the runtime hands
// its ColumnVectors' arrays over directly). Owns the storage; arrays() stays valid while it lives.
// The rows are INSERTs: OLD.col is NULL, op() 'INSERT', commit_ts() NULL, as the interpreter's
// default RowContext.
class ValueColumns {
 public:
  ValueColumns(const std::vector<SqlType>& types, const std::vector<std::vector<Value>>& rows);
  const ColumnArrays& arrays() const { return arrays_; }

 private:
  struct Column {
    std::vector<int64_t> ints;
    std::vector<double> doubles;
    std::vector<Decimal> decimals;
    std::vector<Temporal> temporals;
    std::string bytes;
    std::vector<uint32_t> offsets;
    std::vector<uint64_t> validity;
  };
  std::vector<Column> columns_;
  std::vector<uint64_t> no_rows_;
  std::vector<uint8_t> ops_;
  ColumnArrays arrays_;
};

// A compiled WHERE: selects the rows whose condition is TRUE (NULL and FALSE are not selected).
class CompiledPredicate {
 public:
  using KernelFn = uint64_t (*)(const void* const* data, const uint64_t* const* validity,
                                const uint32_t* const* offsets, uint64_t rows, uint32_t* selection, int64_t* error_row,
                                void* slots);
  CompiledPredicate(KernelFn fn, std::string key, size_t slots, const std::string* ir)
      : fn_(fn), key_(std::move(key)), slots_(slots), ir_(ir) {}

  // Writes the selected row indices, ascending, to `selection` (room for `rows`). When a row's
  // evaluation raises an error (MySQL's 1690 "BIGINT value is out of range"), or needs the
  // interpreter, the kernel stops there: error_row is that row (the rows before it are in
  // `selection`), else -1. The kernel does not produce messages: run the interpreter from
  // error_row on. Thread-safe (scratch Values are per thread).
  void run(const ColumnArrays& columns, size_t rows, uint32_t* selection, size_t& selected,
           int64_t& error_row) const;
  const std::string& key() const { return key_; }
  // The kernel's optimized LLVM IR (`explain --ir`).
  const std::string& ir() const { return *ir_; }

 private:
  KernelFn fn_;
  std::string key_;
  size_t slots_;
  const std::string* ir_;
};

// A compiled expression (a COLUMNS item, `eval`): one value per row.
class CompiledProjection {
 public:
  using KernelFn = void (*)(const void* const* data, const uint64_t* const* validity, const uint32_t* const* offsets,
                            const uint32_t* rows, uint64_t count, void* values, uint8_t* nulls, int64_t* error_index,
                            void* slots);
  enum class Output : uint8_t { Int, Double, Value };
  CompiledProjection(KernelFn fn, std::string key, size_t slots, Output output, bool is_unsigned,
                     const std::string* ir)
      : fn_(fn), key_(std::move(key)), slots_(slots), output_(output), is_unsigned_(is_unsigned), ir_(ir) {}

  // Evaluates rows rows[0 .. count) (rows 0 .. count-1 when `rows` is null) and writes the k-th
  // one's value to values[k]: int64_t (Output::Int), double (Double) or Value (Value: `values`
  // points to `count` Values) and nulls[k] (1: NULL; the value slot is then unspecified). On an
  // error (or a value the kernel hands to the interpreter) it stops with error_index = k, else -1.
  void run(const ColumnArrays& columns, const uint32_t* rows, size_t count, void* values, uint8_t* nulls,
           int64_t& error_index) const;
  // The same into Values (resized to count); the interpreter finishes nothing: on error_index
  // >= 0 the values from there on are unspecified.
  void run_values(const ColumnArrays& columns, const uint32_t* rows, size_t count, std::vector<Value>& out,
                  int64_t& error_index) const;
  Output output() const { return output_; }
  const std::string& key() const { return key_; }
  const std::string& ir() const { return *ir_; }

 private:
  KernelFn fn_;
  std::string key_;
  size_t slots_;
  Output output_;
  bool is_unsigned_;  // Output::Int: the values are BIGINT UNSIGNED
  const std::string* ir_;
};

// Why the JIT cannot compile `e` over columns of `column_types` ("not compiled: commit_ts()"),
// or empty when it can. Cheap: no LLVM involved (for `check` and `explain`).
std::string why_not_compiled(const ir::Expr& e, const std::vector<SqlType>& column_types);

struct JitStats {
  size_t kernels_compiled = 0;
  size_t cache_hits = 0;
  double last_compile_ms = 0;  // IR generation + passes + machine code of the last new kernel
};

// One LLJIT per process, created on first use. compile_* are thread-safe; kernels are cached
// within the process by (IR, column types, kind, host CPU, LLVM version) and live until exit.
class JitEngine {
 public:
  static JitEngine& instance();

  // nullptr with `why_not` ("not compiled: <construct>") when the expression is outside what
  // the JIT compiles or LLVM failed; the caller then evaluates with the interpreter.
  std::unique_ptr<CompiledPredicate> compile_predicate(const ir::Expr& e, const std::vector<SqlType>& column_types,
                                                       std::string& why_not);
  std::unique_ptr<CompiledProjection> compile_projection(const ir::Expr& e, const std::vector<SqlType>& column_types,
                                                         std::string& why_not);
  JitStats stats() const;
  // "x86_64 znver2, LLVM 14.0.6": what the kernels are compiled for.
  std::string target_description() const;

  JitEngine(const JitEngine&) = delete;
  JitEngine& operator=(const JitEngine&) = delete;
  ~JitEngine();

 private:
  JitEngine();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace obsync::jit
