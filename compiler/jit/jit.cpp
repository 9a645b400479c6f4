// The process's LLJIT: validates, generates, optimises with a short pipeline, caches kernels.
// LLVM reports failures as llvm::Error values; they become "not compiled: …" strings here and
// no exception is ever thrown through an LLVM frame.
#include "compiler/jit/jit.hpp"

#include <fmt/format.h>

#include <chrono>
#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar.h>
#include <llvm/Transforms/Scalar/GVN.h>
#include <mutex>
#include <unordered_map>

#include "compiler/jit/codegen.hpp"
#include "stdlib/collation.hpp"

// The interpreter's string comparison (compare_values → Collation::compare) for kernels. noexcept:
// nothing may unwind through a kernel's frame.
extern "C" int32_t obsync_jit_compare_strings(const void* collation, const char* a, uint64_t a_len, const char* b,
                                              uint64_t b_len) noexcept {
  const auto& c = *static_cast<const obsync::Collation*>(collation);
  return c.compare(std::string_view(a, a_len), std::string_view(b, b_len), c);
}

namespace obsync::jit {

std::string why_not_compiled(const ir::Expr& e, const std::vector<SqlType>& column_types) {
  std::string construct = unsupported_construct(e, column_types);
  return construct.empty() ? std::string() : "not compiled: " + construct;
}

struct JitEngine::Impl {
  std::mutex mutex;  // one compile at a time: the cache and the counters
  std::once_flag init_once;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::string init_error;  // set when the JIT could not be created
  std::string cpu = llvm::sys::getHostCPUName().str();
  std::unordered_map<std::string, uint64_t> cache;  // key -> kernel address
  JitStats stats;

  void init() {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!jtmb) {
      init_error = llvm::toString(jtmb.takeError());
      return;
    }
    // Measured (research notes, bench/jit_where): CodeGenOpt::Less with a few function passes
    // gives the kernels of -O2 at a fraction of its compile time.
    jtmb->setCodeGenOptLevel(llvm::CodeGenOpt::Less);
    auto created = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
    if (!created) {
      init_error = llvm::toString(created.takeError());
      return;
    }
    jit = std::move(*created);
    // The host functions kernels call, by address: no lookup in the process's symbol table.
    llvm::orc::SymbolMap host_functions;
    host_functions[jit->mangleAndIntern(kCompareStringsSymbol)] =
        llvm::JITEvaluatedSymbol(llvm::pointerToJITTargetAddress(&obsync_jit_compare_strings),
                                 llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
    if (auto err = jit->getMainJITDylib().define(llvm::orc::absoluteSymbols(std::move(host_functions)))) {
      init_error = llvm::toString(std::move(err));
      jit.reset();
      return;
    }
    // Resolving other symbols from the process keeps a libcall LLVM may emit (e.g. a 128-bit
    // helper, memcmp) from failing at link time.
    auto generator =
        llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(jit->getDataLayout().getGlobalPrefix());
    if (generator) jit->getMainJITDylib().addGenerator(std::move(*generator));
    else llvm::consumeError(generator.takeError());
  }

  static void optimize(llvm::Module& module) {
    llvm::legacy::FunctionPassManager passes(&module);
    passes.add(llvm::createInstructionCombiningPass());
    passes.add(llvm::createReassociatePass());
    passes.add(llvm::createGVNPass());
    passes.add(llvm::createCFGSimplificationPass());
    passes.add(llvm::createInstructionCombiningPass());
    passes.doInitialization();
    for (llvm::Function& f : module) passes.run(f);
    passes.doFinalization();
  }

  // The kernel's address, or 0 with `why_not`.
  uint64_t compile(const ir::Expr& e, const std::vector<SqlType>& column_types, KernelKind kind, std::string& key,
                   std::string& why_not) {
    std::string construct = unsupported_construct(e, column_types);
    if (!construct.empty()) {
      why_not = "not compiled: " + construct;
      return 0;
    }
    key = fmt::format("{}|{}|{}|LLVM {}|", kind == KernelKind::Predicate ? "where" : "value", kernel_key(e), cpu,
                      LLVM_VERSION_STRING);
    for (const SqlType& t : column_types) key += to_string(t) + ",";
    std::lock_guard<std::mutex> lock(mutex);
    std::call_once(init_once, [this] { init(); });
    if (!jit) {
      why_not = "not compiled: the JIT is unavailable (" + init_error + ")";
      return 0;
    }
    if (auto hit = cache.find(key); hit != cache.end()) {
      ++stats.cache_hits;
      return hit->second;
    }
    auto start = std::chrono::steady_clock::now();
    std::string name = fmt::format("obsync_kernel_{}", stats.kernels_compiled);
    auto context = std::make_unique<llvm::LLVMContext>();
    auto module = std::make_unique<llvm::Module>(name, *context);
    module->setDataLayout(jit->getDataLayout());
    module->setTargetTriple(jit->getTargetTriple().str());
    emit_kernel(*module, name, kind, e);
    std::string verify_errors;
    llvm::raw_string_ostream verify_out(verify_errors);
    if (llvm::verifyModule(*module, &verify_out)) {
      why_not = "not compiled: internal error, invalid LLVM IR: " + verify_out.str();
      return 0;
    }
    optimize(*module);
    if (auto err = jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))) {
      why_not = "not compiled: LLVM: " + llvm::toString(std::move(err));
      return 0;
    }
    auto symbol = jit->lookup(name);
    if (!symbol) {
      why_not = "not compiled: LLVM: " + llvm::toString(symbol.takeError());
      return 0;
    }
    uint64_t address = symbol->getAddress();
    ++stats.kernels_compiled;
    stats.last_compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    cache.emplace(key, address);
    return address;
  }
};

JitEngine::JitEngine() : impl_(std::make_unique<Impl>()) {}
JitEngine::~JitEngine() = default;

JitEngine& JitEngine::instance() {
  static JitEngine engine;
  return engine;
}

std::unique_ptr<CompiledPredicate> JitEngine::compile_predicate(const ir::Expr& e,
                                                                const std::vector<SqlType>& column_types,
                                                                std::string& why_not) {
  std::string key;
  uint64_t address = impl_->compile(e, column_types, KernelKind::Predicate, key, why_not);
  if (!address) return nullptr;
  return std::make_unique<CompiledPredicate>(reinterpret_cast<CompiledPredicate::KernelFn>(address), std::move(key));
}

std::unique_ptr<CompiledProjection> JitEngine::compile_projection(const ir::Expr& e,
                                                                  const std::vector<SqlType>& column_types,
                                                                  std::string& why_not) {
  std::string key;
  uint64_t address = impl_->compile(e, column_types, KernelKind::Projection, key, why_not);
  if (!address) return nullptr;
  TypeClass result = e.type.cls == TypeClass::Double ? TypeClass::Double : TypeClass::Int;
  return std::make_unique<CompiledProjection>(reinterpret_cast<CompiledProjection::KernelFn>(address), std::move(key),
                                              result);
}

JitStats JitEngine::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->stats;
}

std::string JitEngine::target_description() const {
  return fmt::format("{} {}, LLVM {}", llvm::sys::getProcessTriple(), impl_->cpu, LLVM_VERSION_STRING);
}

}  // namespace obsync::jit
