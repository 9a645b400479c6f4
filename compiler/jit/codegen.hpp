// Lowering of the typed IR to LLVM IR: one loop-over-rows function per kernel (internal to jit/).
#pragma once
#include <string>
#include <vector>

#include "compiler/ir/ir.hpp"

namespace llvm {
class Module;
}

namespace obsync::jit {

enum class KernelKind : uint8_t { Predicate, Projection };

// "" when `e` is inside the compiled subset, else the construct that is not ("string values").
std::string unsupported_construct(const ir::Expr& e, const std::vector<SqlType>& column_types);

// Emits the kernel `name` into `module` with the C ABI of CompiledPredicate::KernelFn or
// CompiledProjection::KernelFn. `e` must have passed unsupported_construct().
void emit_kernel(llvm::Module& module, const std::string& name, KernelKind kind, const ir::Expr& e);

// A cache key for `e`: its dump plus what the dump leaves out (comparison plans, exact constants).
std::string kernel_key(const ir::Expr& e);

}  // namespace obsync::jit
