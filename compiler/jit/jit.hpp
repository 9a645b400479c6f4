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

namespace obsync::jit {

// The kernel's view of a batch, over plain arrays (compiler/ never sees runtime/'s ColumnVector).
// One entry per table column, in table order; only the columns the kernel reads need be set.
//   data[c]      const int64_t* (Int: unsigned values as their bit pattern), const double* (Double)
//                or const char* (String: the bytes of all rows, back to back)
//   offsets[c]   String only: row i is data[c][offsets[c][i] .. offsets[c][i + 1]); may be left
//                empty when no String column is read
//   validity[c]  bit (row & 63) of word row >> 6 set: the row's value is not NULL
struct ColumnArrays {
  std::vector<const void*> data;
  std::vector<const uint64_t*> validity;
  std::vector<const uint32_t*> offsets;
};

// A compiled WHERE: selects the rows whose condition is TRUE (NULL and FALSE are not selected).
class CompiledPredicate {
 public:
  using KernelFn = uint64_t (*)(const void* const* data, const uint64_t* const* validity,
                                const uint32_t* const* offsets, uint64_t rows, uint32_t* selection, int64_t* error_row);
  CompiledPredicate(KernelFn fn, std::string key) : fn_(fn), key_(std::move(key)) {}

  // Writes the selected row indices, ascending, to `selection` (room for `rows`). When a row's
  // evaluation raises an error (MySQL's 1690 "BIGINT value is out of range"), the kernel stops
  // there: error_row is that row (the rows before it are in `selection`), else -1. The kernel
  // does not produce the message: run the interpreter on error_row for it.
  void run(const ColumnArrays& columns, size_t rows, uint32_t* selection, size_t& selected,
           int64_t& error_row) const {
    selected = fn_(columns.data.data(), columns.validity.data(), columns.offsets.data(), rows, selection, &error_row);
  }
  const std::string& key() const { return key_; }

 private:
  KernelFn fn_;
  std::string key_;
};

// A compiled expression (a COLUMNS item, `eval`): one value per row.
class CompiledProjection {
 public:
  using KernelFn = void (*)(const void* const* data, const uint64_t* const* validity, const uint32_t* const* offsets,
                            uint64_t rows, void* values, uint8_t* nulls, int64_t* error_row);
  CompiledProjection(KernelFn fn, std::string key, TypeClass result) : fn_(fn), key_(std::move(key)), result_(result) {}

  // Writes row i's value to values[i] (int64_t for an Int result, double for Double) and
  // nulls[i] (1: NULL; its value slot is unspecified). Errors as CompiledPredicate::run.
  void run(const ColumnArrays& columns, size_t rows, void* values, uint8_t* nulls, int64_t& error_row) const {
    fn_(columns.data.data(), columns.validity.data(), columns.offsets.data(), rows, values, nulls, &error_row);
  }
  // Int (values are int64_t; the expression's SqlType says signedness) or Double.
  TypeClass result_class() const { return result_; }
  const std::string& key() const { return key_; }

 private:
  KernelFn fn_;
  std::string key_;
  TypeClass result_;
};

// Why the JIT cannot compile `e` over columns of `column_types` ("not compiled: string
// comparison"), or empty when it can. Cheap: no LLVM involved (for `check` and `explain`).
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
