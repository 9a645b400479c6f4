// Lowering of the typed IR to LLVM IR: one loop-over-rows function per kernel (internal to jit/).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/ir/ir.hpp"

namespace llvm {
class Module;
}

namespace obsync::jit {

enum class KernelKind : uint8_t { Predicate, Projection };

// What a projection kernel writes per row: int64_t, double, or a Value (every other result, and
// an integer whose signedness the kernel only knows per row).
enum class OutputKind : uint8_t { Int, Double, Value };

// What a host function needs from one IR node, copied out of the IR: kernels are cached for the
// life of the process and outlive the plans they were compiled from. Kernels embed its address.
struct HostSite {
  const FunctionDef* fn = nullptr;  // a registry call: fn->eval(args, call)
  BoundCall call;
  SqlType from, to;                 // a conversion (CAST, or a CASE/IF/COALESCE branch)
  SqlType left, right;              // a comparison: compare_values(a, left, b, right, plan)
  ComparePlan plan;
  SqlType type;                     // the type of the value a host function returns (or tests)
  size_t args = 0;
  Value constant;                   // a constant the kernel cannot hold natively (DECIMAL, DATE…)
};

// The host functions kernels call (host.cpp): the stdlib's own implementations behind a C ABI.
// Each is noexcept; failures come back as a status. Slots are Values the caller of the kernel
// provides (KernelInfo::slots of them).
//   status: 0 a value, 1 NULL, 2 an error or a value the kernel cannot take natively
//   NativeOut: the value's native form for Int / Double / String results
struct NativeOut {
  int64_t i;
  double d;
  const char* p;
  uint64_t len;
};
std::vector<std::pair<std::string, void*>> host_symbols();

struct KernelInfo {
  size_t slots = 0;                 // Values of scratch the kernel uses
  OutputKind output = OutputKind::Int;
  std::vector<std::unique_ptr<HostSite>> sites;  // owned with the kernel
};

// "" when `e` is inside the compiled subset, else the construct that is not ("commit_ts()").
// `columns`: the table's column types (OLD.col reads the before image of the same columns).
std::string unsupported_construct(const ir::Expr& e, const std::vector<SqlType>& column_types);

// Emits the kernel `name` into `module` with the C ABI of CompiledPredicate::KernelFn or
// CompiledProjection::KernelFn. `e` must have passed unsupported_construct().
KernelInfo emit_kernel(llvm::Module& module, const std::string& name, KernelKind kind, const ir::Expr& e,
                       const std::vector<SqlType>& column_types);

// A cache key for `e`: its dump plus what the dump leaves out (comparison plans, exact constants).
std::string kernel_key(const ir::Expr& e);

}  // namespace obsync::jit
