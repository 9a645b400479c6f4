// Lowering of the typed IR to LLVM IR: one loop-over-rows function per kernel (internal to jit/).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/ir/ir.hpp"

namespace llvm {
class Module;
}

// The host function behind every string comparison in a kernel: `collation`'s own compare
// (stdlib/collation.hpp, the interpreter's code) over two byte ranges; -1, 0 or 1. Defined in
// jit.cpp and registered in the LLJIT as an absolute symbol; `collation` is a const Collation*
// that the kernel embeds as a constant (kernels live in this process only).
extern "C" int32_t obsync_jit_compare_strings(const void* collation, const char* a, uint64_t a_len, const char* b,
                                              uint64_t b_len) noexcept;

namespace obsync::jit {

inline constexpr char kCompareStringsSymbol[] = "obsync_jit_compare_strings";

enum class KernelKind : uint8_t { Predicate, Projection };

// "" when `e` is inside the compiled subset, else the construct that is not ("string values").
std::string unsupported_construct(const ir::Expr& e, const std::vector<SqlType>& column_types);

// Whether `e` reads a String column (its kernel then needs ColumnArrays::offsets).
bool reads_string_column(const ir::Expr& e, const std::vector<SqlType>& column_types);

// Emits the kernel `name` into `module` with the C ABI of CompiledPredicate::KernelFn or
// CompiledProjection::KernelFn. `e` must have passed unsupported_construct().
void emit_kernel(llvm::Module& module, const std::string& name, KernelKind kind, const ir::Expr& e);

// A cache key for `e`: its dump plus what the dump leaves out (comparison plans, exact constants).
std::string kernel_key(const ir::Expr& e);

}  // namespace obsync::jit
