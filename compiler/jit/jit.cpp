// The process's LLJIT: validates, generates, optimises with a short pipeline, caches kernels.
// LLVM reports failures as llvm::Error values; they become "not compiled: …" strings here and
// no exception is ever thrown through an LLVM frame.
#include "compiler/jit/jit.hpp"

#include <fmt/format.h>

#include <bit>
#include <chrono>
#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/IRCompileLayer.h>
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
#include <llvm/Transforms/Utils.h>
#include <mutex>
#include <unordered_map>

#include "compiler/jit/codegen.hpp"
#include "stdlib/collation.hpp"

namespace obsync::jit {

namespace {

// Scratch Values for host calls, per thread (kernels may run on several threads at once).
Value* scratch(size_t slots) {
  thread_local std::vector<Value> values;
  if (values.size() < slots) values.resize(slots);
  return values.data();
}

}  // namespace

void CompiledPredicate::run(const ColumnArrays& columns, size_t rows, uint32_t* selection, size_t& selected,
                            int64_t& error_row) const {
  selected = fn_(columns.data.data(), columns.validity.data(), columns.offsets.data(), rows, selection, &error_row,
                 scratch(slots_));
}

void CompiledProjection::run(const ColumnArrays& columns, const uint32_t* rows, size_t count, void* values,
                             uint8_t* nulls, int64_t& error_index) const {
  thread_local std::vector<uint32_t> identity;
  if (!rows) {
    if (identity.size() < count) {
      size_t from = identity.size();
      identity.resize(count);
      for (size_t i = from; i < count; i++) identity[i] = static_cast<uint32_t>(i);
    }
    rows = identity.data();
  }
  fn_(columns.data.data(), columns.validity.data(), columns.offsets.data(), rows, count, values, nulls, &error_index,
      scratch(slots_));
}

void CompiledProjection::run_values(const ColumnArrays& columns, const uint32_t* rows, size_t count,
                                    std::vector<Value>& out, int64_t& error_index) const {
  out.resize(count);
  thread_local std::vector<uint8_t> nulls;
  nulls.resize(count);
  if (output_ == Output::Value) {
    run(columns, rows, count, out.data(), nulls.data(), error_index);
    return;
  }
  thread_local std::vector<int64_t> words;
  words.resize(count);
  run(columns, rows, count, words.data(), nulls.data(), error_index);
  size_t end = error_index >= 0 ? static_cast<size_t>(error_index) : count;
  for (size_t k = 0; k < end; k++) {
    if (nulls[k]) out[k] = Value::null();
    else if (output_ == Output::Double) out[k] = Value::from_double(std::bit_cast<double>(words[k]));
    else if (is_unsigned_) out[k] = Value::from_uint(static_cast<uint64_t>(words[k]));
    else out[k] = Value::from_int(words[k]);
  }
}

ValueColumns::ValueColumns(const std::vector<SqlType>& types, const std::vector<std::vector<Value>>& rows) {
  columns_.resize(types.size());
  for (size_t c = 0; c < types.size(); c++) {
    Column& col = columns_[c];
    col.validity.assign(rows.size() / 64 + 1, 0);
    col.offsets.push_back(0);
    for (size_t r = 0; r < rows.size(); r++) {
      const Value& v = c < rows[r].size() ? rows[r][c] : Value();
      bool valid = !v.is_null() && v.cls == types[c].cls;
      if (valid) col.validity[r >> 6] |= uint64_t{1} << (r & 63);
      switch (types[c].cls) {
        case TypeClass::Int: col.ints.push_back(!valid ? 0 : v.is_unsigned ? static_cast<int64_t>(v.u) : v.i); break;
        case TypeClass::Double: col.doubles.push_back(valid ? v.d : 0); break;
        case TypeClass::Decimal: col.decimals.push_back(valid ? v.dec : Decimal()); break;
        case TypeClass::Date:
        case TypeClass::Time:
        case TypeClass::DateTime: col.temporals.push_back(valid ? v.tm : Temporal()); break;
        default:
          if (valid) col.bytes += v.str;
          col.offsets.push_back(static_cast<uint32_t>(col.bytes.size()));
          break;
      }
    }
    const void* data = nullptr;
    switch (types[c].cls) {
      case TypeClass::Int: data = col.ints.data(); break;
      case TypeClass::Double: data = col.doubles.data(); break;
      case TypeClass::Decimal: data = col.decimals.data(); break;
      case TypeClass::Date:
      case TypeClass::Time:
      case TypeClass::DateTime: data = col.temporals.data(); break;
      default: data = col.bytes.data(); break;
    }
    arrays_.data.push_back(data);
    arrays_.validity.push_back(col.validity.data());
    arrays_.offsets.push_back(col.offsets.data());
  }
  // No before image (all NULL: validity words of zeros), INSERT codes, no commit time.
  no_rows_.assign(rows.size() / 64 + 1, 0);
  ops_.assign(rows.size() + 1, 0);
  for (size_t c = 0; c < types.size(); c++) {
    arrays_.data.push_back(arrays_.data[c]);
    arrays_.validity.push_back(no_rows_.data());
    arrays_.offsets.push_back(arrays_.offsets[c]);
  }
  arrays_.data.push_back(ops_.data());
  arrays_.validity.push_back(no_rows_.data());
  arrays_.offsets.push_back(nullptr);
  arrays_.data.push_back(nullptr);
  arrays_.validity.push_back(nullptr);
  arrays_.offsets.push_back(nullptr);
}

std::string why_not_compiled(const ir::Expr& e, const std::vector<SqlType>& column_types) {
  std::string construct = unsupported_construct(e, column_types);
  return construct.empty() ? std::string() : "not compiled: " + construct;
}

// Machine code for a kernel module: CodeGenOpt::Less for most kernels, CodeGenOpt::None for
// large ones (a 20-term WHERE: its selection DAG at Less costs ~16 ms of a 20 ms budget, at
// None ~4.5 ms, for the same rows/s: its time goes to the many comparisons, not to the code
// quality; bench/RESULTS.md).
class TieredCompiler : public llvm::orc::IRCompileLayer::IRCompiler {
 public:
  static constexpr unsigned kLargeKernel = 200;  // IR instructions after the passes

  static llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> create(
      llvm::orc::JITTargetMachineBuilder jtmb) {
    auto small = jtmb.createTargetMachine();
    if (!small) return small.takeError();
    jtmb.setCodeGenOptLevel(llvm::CodeGenOpt::None);
    auto large = jtmb.createTargetMachine();
    if (!large) return large.takeError();
    return std::make_unique<TieredCompiler>(std::move(*small), std::move(*large));
  }

  TieredCompiler(std::unique_ptr<llvm::TargetMachine> small, std::unique_ptr<llvm::TargetMachine> large)
      : IRCompiler(llvm::orc::irManglingOptionsFromTargetOptions(small->Options)),
        small_tm_(std::move(small)),
        large_tm_(std::move(large)),
        small_(*small_tm_),
        large_(*large_tm_) {}

  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> operator()(llvm::Module& m) override {
    return m.getInstructionCount() > kLargeKernel ? large_(m) : small_(m);
  }

 private:
  std::unique_ptr<llvm::TargetMachine> small_tm_, large_tm_;
  llvm::orc::SimpleCompiler small_, large_;
};

struct JitEngine::Impl {
  std::mutex mutex;  // one compile at a time: the cache and the counters
  std::once_flag init_once;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  std::string init_error;  // set when the JIT could not be created
  std::string cpu = llvm::sys::getHostCPUName().str();
  // A compiled kernel: its address and what it needs (scratch, host sites, its IR for explain).
  struct Kernel {
    uint64_t address = 0;
    KernelInfo info;
    std::string ir;
  };
  std::unordered_map<std::string, std::unique_ptr<Kernel>> cache;  // key -> kernel; never erased
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
    // gives the kernels of -O2 at a fraction of its compile time; large kernels use
    // CodeGenOpt::None (TieredCompiler).
    jtmb->setCodeGenOptLevel(llvm::CodeGenOpt::Less);
    auto created = llvm::orc::LLJITBuilder()
                       .setJITTargetMachineBuilder(std::move(*jtmb))
                       .setCompileFunctionCreator(TieredCompiler::create)
                       .create();
    if (!created) {
      init_error = llvm::toString(created.takeError());
      return;
    }
    jit = std::move(*created);
    // The host functions kernels call, by address: no lookup in the process's symbol table.
    llvm::orc::SymbolMap host_functions;
    for (const auto& [symbol, address] : host_symbols())
      host_functions[jit->mangleAndIntern(symbol)] = llvm::JITEvaluatedSymbol(
          llvm::pointerToJITTargetAddress(address), llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
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
    // Measured (bench/RESULTS.md): EarlyCSE instead of GVN and reassociate costs the small
    // kernels nothing at run time and halves the pass time of a 20-term WHERE.
    passes.add(llvm::createEarlyCSEPass());
    passes.add(llvm::createInstructionCombiningPass());
    passes.add(llvm::createCFGSimplificationPass());
    passes.doInitialization();
    for (llvm::Function& f : module) passes.run(f);
    passes.doFinalization();
  }

  // The kernel, or null with `why_not`.
  const Kernel* compile(const ir::Expr& e, const std::vector<SqlType>& column_types, KernelKind kind, std::string& key,
                   std::string& why_not) {
    std::string construct = unsupported_construct(e, column_types);
    if (!construct.empty()) {
      why_not = "not compiled: " + construct;
      return nullptr;
    }
    key = fmt::format("{}|{}|{}|LLVM {}|", kind == KernelKind::Predicate ? "where" : "value", kernel_key(e), cpu,
                      LLVM_VERSION_STRING);
    for (const SqlType& t : column_types) key += to_string(t) + ",";
    std::lock_guard<std::mutex> lock(mutex);
    std::call_once(init_once, [this] { init(); });
    if (!jit) {
      why_not = "not compiled: the JIT is unavailable (" + init_error + ")";
      return nullptr;
    }
    if (auto hit = cache.find(key); hit != cache.end()) {
      ++stats.cache_hits;
      return hit->second.get();
    }
    auto start = std::chrono::steady_clock::now();
    std::string name = fmt::format("obsync_kernel_{}", stats.kernels_compiled);
    auto context = std::make_unique<llvm::LLVMContext>();
    auto module = std::make_unique<llvm::Module>(name, *context);
    module->setDataLayout(jit->getDataLayout());
    module->setTargetTriple(jit->getTargetTriple().str());
    auto kernel = std::make_unique<Kernel>();
    kernel->info = emit_kernel(*module, name, kind, e, column_types);
    std::string verify_errors;
    llvm::raw_string_ostream verify_out(verify_errors);
    if (llvm::verifyModule(*module, &verify_out)) {
      why_not = "not compiled: internal error, invalid LLVM IR: " + verify_out.str();
      return nullptr;
    }
    optimize(*module);
    llvm::raw_string_ostream ir_out(kernel->ir);
    module->print(ir_out, nullptr);
    ir_out.flush();
    if (auto err = jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))) {
      why_not = "not compiled: LLVM: " + llvm::toString(std::move(err));
      return nullptr;
    }
    auto symbol = jit->lookup(name);
    if (!symbol) {
      why_not = "not compiled: LLVM: " + llvm::toString(symbol.takeError());
      return nullptr;
    }
    kernel->address = symbol->getAddress();
    ++stats.kernels_compiled;
    stats.last_compile_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return cache.emplace(key, std::move(kernel)).first->second.get();
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
  const Impl::Kernel* k = impl_->compile(e, column_types, KernelKind::Predicate, key, why_not);
  if (!k) return nullptr;
  return std::make_unique<CompiledPredicate>(reinterpret_cast<CompiledPredicate::KernelFn>(k->address),
                                             std::move(key), k->info.slots, &k->ir);
}

std::unique_ptr<CompiledProjection> JitEngine::compile_projection(const ir::Expr& e,
                                                                  const std::vector<SqlType>& column_types,
                                                                  std::string& why_not) {
  std::string key;
  const Impl::Kernel* k = impl_->compile(e, column_types, KernelKind::Projection, key, why_not);
  if (!k) return nullptr;
  auto output = k->info.output == OutputKind::Int      ? CompiledProjection::Output::Int
                : k->info.output == OutputKind::Double ? CompiledProjection::Output::Double
                                                       : CompiledProjection::Output::Value;
  return std::make_unique<CompiledProjection>(reinterpret_cast<CompiledProjection::KernelFn>(k->address),
                                              std::move(key), k->info.slots, output, e.type.is_unsigned, &k->ir);
}

JitStats JitEngine::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->stats;
}

std::string JitEngine::target_description() const {
  return fmt::format("{} {}, LLVM {}", llvm::sys::getProcessTriple(), impl_->cpu, LLVM_VERSION_STRING);
}

}  // namespace obsync::jit
