// Lowers a WHERE or COLUMNS expression to an LLVM function over a column-major batch, with the
// interpreter's semantics: MySQL comparison types, three-valued logic, BIGINT overflow errors.
//
// Two kinds of values flow through a kernel:
// - native: BIGINT (i64 with its signedness), DOUBLE, and strings as (pointer, length). The
//   arithmetic + - * and comparisons of these are generated inline, as are the logic, IN,
//   BETWEEN, CASE, IF, COALESCE and NULLIF around them;
// - boxed: a pointer to a Value in a scratch slot, for DECIMAL, temporal and JSON values. They
//   are produced and consumed by the stdlib's own implementations in the host (host.cpp) through
//   a C ABI: registry functions (LIKE, / DIV %, SUBSTRING, DATE_FORMAT, DECIMAL arithmetic…),
//   conversions (CAST, CASE branches), comparisons (compare_values) and truth (value_to_bool).
//   A native value is boxed when it meets a host function; a host result of a native class comes
//   back native. Nothing is implemented twice.
//
// Native nodes are evaluated eagerly and without branches: a value, a NULL flag and an error
// flag. The interpreter evaluates lazily (AND skips its right side after FALSE, IN stops at the
// first match, CASE evaluates one branch), so the error flag of a node includes a child's error
// only when the interpreter would have evaluated that child, and host calls, which cost more and
// may allocate, run only under `active_`: the condition under which the interpreter evaluates
// the node. Values of NULL, failed or inactive nodes are unspecified and never observed. The
// row loop branches once per row on the (rare) error flag, and around host calls.
#include "compiler/jit/codegen.hpp"

#include <fmt/format.h>

#include <bit>
#include <cctype>
#include <functional>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <map>

#include "stdlib/compare.hpp"
#include "stdlib/convert.hpp"

namespace obsync::jit {
namespace {

// --- the compiled subset ---------------------------------------------------------------------

bool is_comparison(std::string_view fn) {
  return fn == "=" || fn == "<>" || fn == "<" || fn == "<=" || fn == ">" || fn == ">=" || fn == "<=>";
}
bool is_arithmetic(std::string_view fn) { return fn == "+" || fn == "-" || fn == "*" || fn == "NEG"; }

std::string check(const ir::Expr& e, const std::vector<SqlType>& columns) {
  switch (e.op) {
    case ir::Op::Column:
    case ir::Op::OldColumn:
      if (e.column < 0 || static_cast<size_t>(e.column) >= columns.size()) return "a column outside the table";
      break;
    case ir::Op::Call:
      if (!e.fn || !e.fn->eval) return "a call without an implementation";
      if (static_cast<int>(e.args.size()) < e.fn->min_args ||
          (e.fn->max_args >= 0 && static_cast<int>(e.args.size()) > e.fn->max_args))
        return "a call with an unexpected arity";
      break;
    case ir::Op::Cast:
    case ir::Op::Not:
    case ir::Op::IsNull:
    case ir::Op::IsTrue:
    case ir::Op::IsFalse:
      if (e.args.size() != 1) return "an unexpected arity";
      break;
    case ir::Op::And:
    case ir::Op::Or:
    case ir::Op::Xor:
    case ir::Op::NullIf:
      if (e.args.size() != 2) return "an unexpected arity";
      break;
    case ir::Op::In:
      if (e.args.size() < 2) return "an unexpected arity";
      break;
    case ir::Op::Between:
      if (e.args.size() != 3) return "an unexpected arity";
      break;
    case ir::Op::If:
      if (e.args.size() != 3) return "an unexpected arity";
      break;
    case ir::Op::Case:
      if (e.args.size() < (e.has_operand ? 3u : 2u) + (e.has_else ? 1u : 0u)) return "an unexpected arity";
      break;
    case ir::Op::Coalesce:
      if (e.args.empty()) return "an unexpected arity";
      break;
    case ir::Op::Const:
    case ir::Op::OpName:
    case ir::Op::CommitTs: break;
  }
  for (const auto& a : e.args) {
    if (!a) return "an incomplete expression";
    std::string why = check(*a, columns);
    if (!why.empty()) return why;
  }
  return {};
}

// The comparison type of the pair (args[0], args[i]) of an IN, BETWEEN, CASE, NULLIF or
// comparison call.
CompareAs pair_comparison(const ir::Expr& e, size_t i) {
  if (e.op == ir::Op::Call) return static_cast<CompareAs>(e.call.variant);
  if (e.compare.as == CompareAs::PerPair) return comparison_type(e.args[0]->type, e.args[i]->type);
  return e.compare.as;
}

// The plan compare_values gets for that pair.
ComparePlan pair_plan(const ir::Expr& e) {
  if (e.op == ir::Op::Call) return ComparePlan{static_cast<CompareAs>(e.call.variant), e.call.collation};
  return e.compare;
}

// The collation of a string comparison in `e`, as compare_values picks it.
const Collation* comparison_collation(const ir::Expr& e) {
  const Collation* c = e.op == ir::Op::Call ? e.call.collation : e.compare.collation;
  return c ? c : &default_collation();
}

// Where a column's arrays sit in ColumnArrays: the row's column c at c, OLD.c at n + c, the
// operation codes at 2n, the commit time at 2n + 1.
enum class Special : uint8_t { None, Ops, CommitTs };
struct ColumnUse {
  size_t index;
  SqlType type;  // of the column (OLD: the same column's type)
  Special special = Special::None;
};

void collect_columns(const ir::Expr& e, size_t n, const std::vector<SqlType>& types, std::map<size_t, ColumnUse>& out) {
  if (e.op == ir::Op::Column) out.emplace(e.column, ColumnUse{static_cast<size_t>(e.column), types[e.column]});
  if (e.op == ir::Op::OldColumn)
    out.emplace(n + e.column, ColumnUse{n + static_cast<size_t>(e.column), types[e.column]});
  if (e.op == ir::Op::OpName) out.emplace(2 * n, ColumnUse{2 * n, SqlType{}, Special::Ops});
  if (e.op == ir::Op::CommitTs) out.emplace(2 * n + 1, ColumnUse{2 * n + 1, SqlType::datetime(6), Special::CommitTs});
  for (const auto& a : e.args) collect_columns(*a, n, types, out);
}

// --- code generation -----------------------------------------------------------------------------

enum class Kind : uint8_t { Int, Double, String, Boxed, Null };

struct CgValue {
  llvm::Value* value = nullptr;  // i64 (Int, Null), double, i8* (String bytes; Boxed: its Value)
  llvm::Value* null = nullptr;   // i1
  llvm::Value* err = nullptr;    // i1, or nullptr: this node never raises an error
  Kind kind = Kind::Null;
  bool is_unsigned = false;      // Int: how the interpreter reads the 64 bits (Value::is_unsigned)
  llvm::Value* len = nullptr;    // String: i64 byte length
  bool from_host = false;        // String: bytes of a host Value, unspecified unless evaluated
};

// A column's arrays, loaded once per batch.
struct ColumnPointers {
  llvm::Value* data = nullptr;      // i64*, double* or i8* (String bytes, Decimal[], Temporal[])
  llvm::Value* validity = nullptr;  // i64*
  llvm::Value* offsets = nullptr;   // i32*, String and JSON only
  SqlType type;
  Special special = Special::None;  // Ops: uint8_t ChangeOp per row; CommitTs: one Temporal or null
};

struct Ordering {
  llvm::Value *lt, *eq, *gt;  // i1, meaningful when both operands are not NULL
};

class Emitter {
 public:
  Emitter(llvm::Module& module, llvm::IRBuilder<>& b, llvm::Function* fn, llvm::BasicBlock* entry, llvm::Value* row,
          const std::map<size_t, ColumnPointers>& columns, size_t n, llvm::Value* slots, llvm::Value* native,
          KernelInfo& info)
      : module_(module), b_(b), fn_(fn), entry_(entry), row_(row), columns_(columns), n_(n), slots_(slots), native_(native),
        info_(info), active_(b.getTrue()) {}

  CgValue emit(const ir::Expr& e) {
    switch (e.op) {
      case ir::Op::Const: return constant(e);
      case ir::Op::Column: return column(e.column, false);
      case ir::Op::OldColumn: return column(e.column, true);
      case ir::Op::OpName: return op_name();
      case ir::Op::CommitTs: return commit_ts();
      case ir::Op::Call: return call(e);
      case ir::Op::Cast: return cast(e);
      case ir::Op::And: return logic_and_or(e, true);
      case ir::Op::Or: return logic_and_or(e, false);
      case ir::Op::Xor: {
        CgValue a = emit(*e.args[0]);
        CgValue c = emit(*e.args[1]);
        auto [ta, na] = truth(a, e.args[0]->type);
        auto [tc, nc] = truth(c, e.args[1]->type);
        return boolean(b_.CreateXor(ta, tc), b_.CreateOr(na, nc), any_err(a.err, c.err));
      }
      case ir::Op::Not: {
        CgValue a = emit(*e.args[0]);
        auto [t, n] = truth(a, e.args[0]->type);
        return boolean(b_.CreateNot(t), n, a.err);
      }
      case ir::Op::IsNull: {
        CgValue a = emit(*e.args[0]);
        return boolean(e.negated ? b_.CreateNot(a.null) : a.null, b_.getFalse(), a.err);
      }
      case ir::Op::IsTrue:
      case ir::Op::IsFalse: {
        CgValue a = emit(*e.args[0]);
        auto [t, n] = truth(a, e.args[0]->type);
        llvm::Value* hit = b_.CreateAnd(b_.CreateNot(n), e.op == ir::Op::IsTrue ? t : b_.CreateNot(t));
        return boolean(e.negated ? b_.CreateNot(hit) : hit, b_.getFalse(), a.err);
      }
      case ir::Op::In: return in_list(e);
      case ir::Op::Between: return between(e);
      case ir::Op::Case: return case_when(e);
      case ir::Op::If: return if_function(e);
      case ir::Op::Coalesce: return coalesce(e);
      case ir::Op::NullIf: return null_if(e);
    }
    return null_value();
  }

  // SQL truth of a value of type `t`: (non-zero, NULL).
  std::pair<llvm::Value*, llvm::Value*> truth(const CgValue& v, const SqlType& t) {
    switch (v.kind) {
      case Kind::Int: return {b_.CreateICmpNE(v.value, b_.getInt64(0)), v.null};
      case Kind::Double:
        // value_to_bool: d != 0 (-0.0 is false).
        return {b_.CreateFCmpUNE(v.value, llvm::ConstantFP::get(b_.getDoubleTy(), 0.0)), v.null};
      case Kind::String:
      case Kind::Boxed: {
        HostSite* site = new_site();
        site->type = t;
        llvm::Value* r = guarded(b_.CreateAnd(active_, b_.CreateNot(v.null)), [&] {
          return b_.CreateCall(host_fn("obsync_jit_truth", i32(), {ptr(), ptr()}), {site_ptr(site), as_value_ptr(v)});
        }, 0);
        return {b_.CreateICmpNE(r, b_.getInt32(0)), v.null};
      }
      case Kind::Null: break;
    }
    return {b_.getFalse(), b_.getTrue()};
  }

  // Writes `v` as a Value to `dst` (a Value*): the projection output of a non-native result.
  void store_value(const CgValue& v, llvm::Value* dst) { box(v, dst); }

 private:
  llvm::Type* ptr() { return llvm::PointerType::getUnqual(b_.getInt8Ty()); }
  llvm::Type* i32() { return b_.getInt32Ty(); }
  llvm::Type* i64() { return b_.getInt64Ty(); }

  llvm::Value* any_err(llvm::Value* a, llvm::Value* c) {
    if (!a) return c;
    if (!c) return a;
    return b_.CreateOr(a, c);
  }
  // The error of a child the interpreter evaluates only when `evaluated` holds.
  llvm::Value* err_if(llvm::Value* evaluated, llvm::Value* err) { return err ? b_.CreateAnd(evaluated, err) : nullptr; }

  CgValue null_value() { return {b_.getInt64(0), b_.getTrue(), nullptr, Kind::Null, false}; }

  // The interpreter's boolean results are BIGINT 0/1 (Value::from_int).
  CgValue boolean(llvm::Value* bit, llvm::Value* null, llvm::Value* err) {
    return {b_.CreateZExt(bit, b_.getInt64Ty()), null, err, Kind::Int, false};
  }

  // --- host calls ---------------------------------------------------------------------------------

  llvm::FunctionCallee host_fn(const char* name, llvm::Type* ret, std::vector<llvm::Type*> params) {
    llvm::FunctionCallee callee = module_.getOrInsertFunction(name, llvm::FunctionType::get(ret, params, false));
    if (auto* f = llvm::dyn_cast<llvm::Function>(callee.getCallee())) f->addFnAttr(llvm::Attribute::NoUnwind);
    return callee;
  }

  HostSite* new_site() {
    info_.sites.push_back(std::make_unique<HostSite>());
    return info_.sites.back().get();
  }
  llvm::Value* site_ptr(const void* p) {
    return llvm::ConstantExpr::getIntToPtr(b_.getInt64(reinterpret_cast<uintptr_t>(p)), ptr());
  }
  // `count` consecutive scratch Values; the first one's index.
  size_t new_slots(size_t count) {
    size_t first = info_.slots;
    info_.slots += count;
    return first;
  }
  llvm::Value* slot(size_t k) {
    return b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), slots_, k * sizeof(Value), "slot");
  }

  // Emits body() (an i32) only when `cond` holds; else the result is `otherwise`.
  llvm::Value* guarded(llvm::Value* cond, const std::function<llvm::Value*()>& body, int32_t otherwise) {
    if (auto* c = llvm::dyn_cast<llvm::ConstantInt>(cond)) {
      if (c->isOne()) return body();
      return b_.getInt32(otherwise);
    }
    llvm::LLVMContext& ctx = module_.getContext();
    auto* from = b_.GetInsertBlock();
    auto* then = llvm::BasicBlock::Create(ctx, "host", fn_);
    auto* cont = llvm::BasicBlock::Create(ctx, "cont", fn_);
    b_.CreateCondBr(cond, then, cont);
    b_.SetInsertPoint(then);
    llvm::Value* r = body();
    auto* then_end = b_.GetInsertBlock();
    b_.CreateBr(cont);
    b_.SetInsertPoint(cont);
    llvm::PHINode* phi = b_.CreatePHI(i32(), 2);
    phi->addIncoming(r, then_end);
    phi->addIncoming(b_.getInt32(otherwise), from);
    return phi;
  }

  // Writes `v` into the Value at `dst`; i32 status.
  llvm::Value* box(const CgValue& v, llvm::Value* dst) {
    llvm::Value* null = b_.CreateZExt(v.null, i32());
    switch (v.kind) {
      case Kind::Int:
        b_.CreateCall(host_fn("obsync_jit_box_int", b_.getVoidTy(), {ptr(), i64(), i32(), i32()}),
                      {dst, v.value, b_.getInt32(v.is_unsigned), null});
        return b_.getInt32(0);
      case Kind::Double:
        b_.CreateCall(host_fn("obsync_jit_box_double", b_.getVoidTy(), {ptr(), b_.getDoubleTy(), i32()}),
                      {dst, v.value, null});
        return b_.getInt32(0);
      case Kind::String:
        return b_.CreateCall(host_fn("obsync_jit_box_string", i32(), {ptr(), ptr(), i64(), i32()}),
                             {dst, v.value, v.len, null});
      case Kind::Boxed:
        return b_.CreateCall(host_fn("obsync_jit_box_copy", i32(), {ptr(), ptr(), i32()}), {dst, v.value, null});
      case Kind::Null: break;
    }
    b_.CreateCall(host_fn("obsync_jit_box_int", b_.getVoidTy(), {ptr(), i64(), i32(), i32()}),
                  {dst, b_.getInt64(0), b_.getInt32(0), b_.getInt32(1)});
    return b_.getInt32(0);
  }

  // A Value* holding `v`: a boxed value as it is, a native one boxed into a new slot.
  llvm::Value* as_value_ptr(const CgValue& v) {
    if (v.kind == Kind::Boxed) return v.value;
    llvm::Value* s = slot(new_slots(1));
    box(v, s);
    return s;
  }

  // The result of a host function (its status, the Value it wrote to `out`) as a value of `type`.
  CgValue from_host(llvm::Value* status, const SqlType& type, llvm::Value* out) {
    CgValue v;
    // A failed call (status 2) is NULL too: its NativeOut and `out` were not written, and every
    // consumer that reads bytes or a Value runs only for values that are not NULL. (The error
    // flag stops the row anyway.)
    v.null = b_.CreateICmpNE(status, b_.getInt32(0));
    v.err = b_.CreateICmpEQ(status, b_.getInt32(2));
    llvm::Type* native_type = llvm::StructType::get(i64(), b_.getDoubleTy(), ptr(), i64());
    auto field = [&](unsigned i, llvm::Type* t) {
      llvm::Value* fields = b_.CreateBitCast(native_, llvm::PointerType::getUnqual(native_type));
      return b_.CreateLoad(t, b_.CreateStructGEP(native_type, fields, i));
    };
    switch (type.cls) {
      case TypeClass::Int:
        v.kind = Kind::Int;
        v.value = field(0, i64());
        v.is_unsigned = type.is_unsigned;
        break;
      case TypeClass::Double:
        v.kind = Kind::Double;
        v.value = field(1, b_.getDoubleTy());
        break;
      case TypeClass::String:
        v.kind = Kind::String;
        v.value = field(2, ptr());
        v.len = field(3, i64());
        v.from_host = true;
        break;
      case TypeClass::Null:
        v.kind = Kind::Null;
        v.value = b_.getInt64(0);
        v.null = b_.getTrue();
        break;
      default:
        v.kind = Kind::Boxed;
        v.value = out;
        break;
    }
    return v;
  }

  // A registry function (LIKE, DIV, SUBSTRING, DECIMAL +…) over already evaluated arguments.
  CgValue host_call(const ir::Expr& e, const std::vector<CgValue>& args) {
    HostSite* site = new_site();
    site->fn = e.fn;
    site->call = e.call;
    site->type = e.type;
    site->args = args.size();
    size_t base = new_slots(args.size() + 1);
    llvm::Value* err = nullptr;
    for (const auto& a : args) err = any_err(err, a.err);
    llvm::Value* run = err ? b_.CreateAnd(active_, b_.CreateNot(err)) : active_;
    llvm::Value* out = slot(base + args.size());
    // Constant arguments are boxed once per batch, in the entry block: their slots are theirs.
    std::vector<bool> constant(args.size(), false);
    for (size_t i = 0; i < args.size(); ++i) {
      if (e.args[i]->op != ir::Op::Const) continue;
      constant[i] = true;
      llvm::IRBuilderBase::InsertPoint here = b_.saveIP();
      b_.SetInsertPoint(entry_->getTerminator());
      box(args[i], slot(base + i));
      b_.restoreIP(here);
    }
    llvm::Value* status = guarded(run, [&] {
      for (size_t i = 0; i < args.size(); ++i)
        if (!constant[i]) box(args[i], slot(base + i));
      return b_.CreateCall(host_fn("obsync_jit_call", i32(), {ptr(), ptr(), ptr(), ptr()}),
                           {site_ptr(site), slot(base), out, native_});
    }, 1);
    CgValue r = from_host(status, e.type, out);
    r.err = any_err(err, r.err);
    return r;
  }

  // CAST (convert_value) or the coercion of a CASE/IF/COALESCE branch (coerce_value) of `v`
  // from `from` to `to`, run when `when` holds.
  CgValue convert(const CgValue& v, const SqlType& from, const SqlType& to, bool cast, llvm::Value* when) {
    HostSite* site = new_site();
    site->from = from;
    site->to = to;
    site->type = to;
    size_t base = new_slots(2);
    llvm::Value* run = b_.CreateAnd(when, b_.CreateNot(v.null));
    if (v.err) run = b_.CreateAnd(run, b_.CreateNot(v.err));
    llvm::Value* out = slot(base + 1);
    llvm::Value* status = guarded(run, [&] {
      llvm::Value* in = v.kind == Kind::Boxed ? v.value : slot(base);
      if (v.kind != Kind::Boxed) box(v, in);
      return b_.CreateCall(host_fn("obsync_jit_convert", i32(), {ptr(), i32(), ptr(), ptr(), ptr()}),
                           {site_ptr(site), b_.getInt32(cast), in, out, native_});
    }, 1);
    CgValue r = from_host(status, to, out);
    r.null = b_.CreateOr(v.null, r.null);
    r.err = any_err(v.err, r.err);
    return r;
  }

  // A branch of CASE / IF / COALESCE as the expression's type, as coerce_value does.
  CgValue coerce(const CgValue& v, const SqlType& from, const SqlType& to, llvm::Value* when) {
    if (v.kind == Kind::Null || to.cls == TypeClass::Null) return v;
    bool same = (v.kind == Kind::Int && to.cls == TypeClass::Int && (v.is_unsigned == to.is_unsigned || to.is_unsigned)) ||
                (v.kind == Kind::Double && to.cls == TypeClass::Double) ||
                (v.kind == Kind::String && to.cls == TypeClass::String);
    if (same) return v;
    return convert(v, from, to, false, when);
  }

  // One value out of several: the first `choices` entry whose condition holds, else `otherwise`.
  // Native when all share a kind (and signedness), else boxed (a Value pointer per branch).
  CgValue merge(std::vector<std::pair<llvm::Value*, CgValue>> choices, CgValue otherwise) {
    std::vector<CgValue*> all;
    for (auto& c : choices) all.push_back(&c.second);
    all.push_back(&otherwise);
    const CgValue* first = nullptr;
    bool mixed = false;
    for (const CgValue* v : all) {
      if (v->kind == Kind::Null) continue;
      if (!first) first = v;
      else if (v->kind != first->kind || (v->kind == Kind::Int && v->is_unsigned != first->is_unsigned)) mixed = true;
    }
    if (!first) return null_value();
    if (mixed) {
      // Box each branch where it is chosen.
      llvm::Value* none_before = b_.getTrue();
      for (size_t i = 0; i < all.size(); ++i) {
        CgValue& v = *all[i];
        llvm::Value* chosen = i < choices.size() ? b_.CreateAnd(none_before, choices[i].first) : none_before;
        if (i < choices.size()) none_before = b_.CreateAnd(none_before, b_.CreateNot(choices[i].first));
        if (v.kind == Kind::Boxed || v.kind == Kind::Null) continue;
        llvm::Value* s = slot(new_slots(1));
        guarded(b_.CreateAnd(active_, chosen), [&] { return box(v, s); }, 0);
        CgValue boxed = v;
        boxed.kind = Kind::Boxed;
        boxed.value = s;
        v = boxed;
      }
    }
    Kind kind = mixed ? Kind::Boxed : first->kind;
    auto value_of = [&](const CgValue& v) -> llvm::Value* {
      if (v.kind != Kind::Null) return v.value;
      switch (kind) {
        case Kind::Double: return llvm::ConstantFP::get(b_.getDoubleTy(), 0.0);
        case Kind::String:
        case Kind::Boxed: return llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr()));
        default: return b_.getInt64(0);
      }
    };
    CgValue r = otherwise;
    r.kind = kind;
    r.value = value_of(otherwise);
    r.len = otherwise.kind == Kind::Null ? b_.getInt64(0) : otherwise.len;
    r.is_unsigned = first->is_unsigned;
    r.from_host = false;
    for (const CgValue* v : all) r.from_host = r.from_host || v->from_host;
    for (size_t i = choices.size(); i-- > 0;) {
      const CgValue& v = choices[i].second;
      llvm::Value* c = choices[i].first;
      r.value = b_.CreateSelect(c, value_of(v), r.value);
      r.null = b_.CreateSelect(c, v.null, r.null);
      if (kind == Kind::String) r.len = b_.CreateSelect(c, v.kind == Kind::Null ? b_.getInt64(0) : v.len, r.len);
    }
    r.err = nullptr;  // the caller combines the branches' errors under their conditions
    return r;
  }

  // --- leaves -------------------------------------------------------------------------------------

  llvm::Value* string_global(std::string_view bytes) {
    auto* init = llvm::ConstantDataArray::getString(module_.getContext(), llvm::StringRef(bytes.data(), bytes.size()), true);
    auto* global =
        new llvm::GlobalVariable(module_, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, "str");
    global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    return b_.CreateConstInBoundsGEP2_64(init->getType(), global, 0, 0);
  }

  CgValue constant(const ir::Expr& e) {
    const Value& v = e.constant;
    switch (v.cls) {
      case TypeClass::Int:
        return {b_.getInt64(v.is_unsigned ? v.u : static_cast<uint64_t>(v.i)), b_.getFalse(), nullptr, Kind::Int,
                v.is_unsigned};
      case TypeClass::Double:
        return {llvm::ConstantFP::get(b_.getDoubleTy(), v.d), b_.getFalse(), nullptr, Kind::Double, false};
      case TypeClass::String: {
        CgValue out{string_global(v.str), b_.getFalse(), nullptr, Kind::String, false};
        out.len = b_.getInt64(v.str.size());
        return out;
      }
      case TypeClass::Null: return null_value();
      default: {
        // DECIMAL, temporal, JSON: a Value the kernel owns (HostSite), passed by address.
        HostSite* site = new_site();
        site->constant = v;
        CgValue out{site_ptr(&site->constant), b_.getFalse(), nullptr, Kind::Boxed, false};
        return out;
      }
    }
  }

  llvm::Value* valid_bit(const ColumnPointers& p) {
    llvm::Value* word = b_.CreateLoad(
        b_.getInt64Ty(), b_.CreateInBoundsGEP(b_.getInt64Ty(), p.validity, b_.CreateLShr(row_, 6)), "valid");
    llvm::Value* bit = b_.CreateAnd(b_.CreateLShr(word, b_.CreateAnd(row_, 63)), 1);
    return b_.CreateICmpEQ(bit, b_.getInt64(0));
  }

  CgValue column(int c, bool old) {
    const ColumnPointers& p = columns_.at(static_cast<size_t>(c) + (old ? n_ : 0));
    llvm::Value* null = valid_bit(p);
    switch (p.type.cls) {
      case TypeClass::Int:
      case TypeClass::Double: {
        bool is_double = p.type.cls == TypeClass::Double;
        llvm::Type* elem = is_double ? b_.getDoubleTy() : b_.getInt64Ty();
        llvm::Value* value = b_.CreateLoad(elem, b_.CreateInBoundsGEP(elem, p.data, row_), "col");
        return {value, null, nullptr, is_double ? Kind::Double : Kind::Int, !is_double && p.type.is_unsigned};
      }
      case TypeClass::String: {
        // Row i: bytes[offsets[i], offsets[i + 1]) (a NULL row's range is empty).
        auto [bytes, len] = string_range(p);
        CgValue out{bytes, null, nullptr, Kind::String, false};
        out.len = len;
        return out;
      }
      default: {
        size_t s = new_slots(1);
        llvm::Value* dst = slot(s);
        llvm::Value* offsets =
            p.offsets ? p.offsets : llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(i32()));
        llvm::Value* status = guarded(active_, [&] {
          return b_.CreateCall(host_fn("obsync_jit_box_column", i32(),
                                       {ptr(), ptr(), llvm::PointerType::getUnqual(i32()), i64(), i32(), i32()}),
                               {dst, b_.CreateBitCast(p.data, ptr()), offsets, row_,
                                b_.getInt32(static_cast<int32_t>(p.type.cls)), b_.CreateZExt(null, i32())});
        }, 0);
        return {dst, null, b_.CreateICmpEQ(status, b_.getInt32(2)), Kind::Boxed, false};
      }
    }
  }

  std::pair<llvm::Value*, llvm::Value*> string_range(const ColumnPointers& p) {
    llvm::Type* t32 = b_.getInt32Ty();
    llvm::Value* begin = b_.CreateLoad(t32, b_.CreateInBoundsGEP(t32, p.offsets, row_), "begin");
    llvm::Value* end = b_.CreateLoad(t32, b_.CreateInBoundsGEP(t32, p.offsets, b_.CreateAdd(row_, b_.getInt64(1))), "end");
    llvm::Value* bytes = b_.CreateInBoundsGEP(b_.getInt8Ty(), p.data, b_.CreateZExt(begin, b_.getInt64Ty()), "str");
    return {bytes, b_.CreateZExt(b_.CreateSub(end, begin), b_.getInt64Ty(), "len")};
  }

  // op(): 'INSERT', 'UPDATE' or 'DELETE' from the row's ChangeOp code.
  CgValue op_name() {
    const ColumnPointers& p = columns_.at(2 * n_);
    llvm::Value* code = b_.CreateLoad(b_.getInt8Ty(), b_.CreateInBoundsGEP(b_.getInt8Ty(), p.data, row_), "op");
    llvm::Value* name = b_.CreateSelect(b_.CreateICmpEQ(code, b_.getInt8(0)), string_global("INSERT"),
                                        b_.CreateSelect(b_.CreateICmpEQ(code, b_.getInt8(1)), string_global("UPDATE"),
                                                        string_global("DELETE")));
    CgValue out{name, b_.getFalse(), nullptr, Kind::String, false};
    out.len = b_.getInt64(6);
    return out;
  }

  // commit_ts(): the batch's one commit time (DATETIME(6)), NULL when the caller has none.
  CgValue commit_ts() {
    const ColumnPointers& p = columns_.at(2 * n_ + 1);
    llvm::Value* null = b_.CreateICmpEQ(p.data, llvm::ConstantPointerNull::get(llvm::cast<llvm::PointerType>(ptr())));
    llvm::Value* dst = slot(new_slots(1));
    llvm::Value* status = guarded(active_, [&] {
      return b_.CreateCall(host_fn("obsync_jit_box_column", i32(),
                                   {ptr(), ptr(), llvm::PointerType::getUnqual(i32()), i64(), i32(), i32()}),
                           {dst, p.data, llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(i32())),
                            b_.getInt64(0), b_.getInt32(static_cast<int32_t>(TypeClass::DateTime)),
                            b_.CreateZExt(null, i32())});
    }, 0);
    return {dst, null, b_.CreateICmpEQ(status, b_.getInt32(2)), Kind::Boxed, false};
  }

  // --- comparisons -----------------------------------------------------------------------------

  // The host's compare under `collation`: it only reads its arguments.
  llvm::FunctionCallee compare_strings_fn() {
    llvm::FunctionCallee callee =
        host_fn("obsync_jit_compare_strings", i32(), {ptr(), ptr(), i64(), ptr(), i64()});
    if (auto* fn = llvm::dyn_cast<llvm::Function>(callee.getCallee())) {
      fn->addFnAttr(llvm::Attribute::WillReturn);
      // Reads its arguments; the collation tables it may build on first use are the host's.
      fn->addFnAttr(llvm::Attribute::InaccessibleMemOrArgMemOnly);
      for (unsigned i : {0u, 1u, 3u}) {
        fn->addParamAttr(i, llvm::Attribute::ReadOnly);
        fn->addParamAttr(i, llvm::Attribute::NoCapture);
      }
    }
    return callee;
  }

  Ordering from_three_way(llvm::Value* r) {
    llvm::Value* zero = b_.getInt32(0);
    return {b_.CreateICmpSLT(r, zero), b_.CreateICmpEQ(r, zero), b_.CreateICmpSGT(r, zero)};
  }

  llvm::Value* to_double(const CgValue& v) {
    switch (v.kind) {
      case Kind::Double: return v.value;
      case Kind::Int:
        return v.is_unsigned ? b_.CreateUIToFP(v.value, b_.getDoubleTy()) : b_.CreateSIToFP(v.value, b_.getDoubleTy());
      default: break;  // native arithmetic and comparisons only see Int and Double
    }
    return llvm::ConstantFP::get(b_.getDoubleTy(), 0.0);
  }
  // An integer exactly, whatever its signedness.
  llvm::Value* to_i128(const CgValue& v) {
    llvm::Type* i128 = b_.getInt128Ty();
    if (v.kind != Kind::Int) return llvm::ConstantInt::get(i128, 0);
    return v.is_unsigned ? b_.CreateZExt(v.value, i128) : b_.CreateSExt(v.value, i128);
  }

  static bool numeric(const CgValue& v) { return v.kind == Kind::Int || v.kind == Kind::Double; }

  // Whether the pair compares natively: numbers as Int / Double, strings as strings.
  static bool native_pair(const CgValue& a, const CgValue& c, CompareAs as) {
    if (a.kind == Kind::Null || c.kind == Kind::Null) return true;
    if ((as == CompareAs::Int || as == CompareAs::Double) && numeric(a) && numeric(c)) return true;
    return as == CompareAs::String && a.kind == Kind::String && c.kind == Kind::String;
  }

  // compare_values for the pair (args[0], args[i]) of `e`: inline for Int, Double and strings
  // (the collation's compare, in the host), else compare_values in the host. `when`: both
  // operands are evaluated and not NULL (host calls run only then).
  Ordering order(const CgValue& a_in, const CgValue& c_in, const ir::Expr& e, size_t i,
                 const std::function<llvm::Value*()>& when) {
    if (a_in.kind == Kind::Null || c_in.kind == Kind::Null) return {b_.getFalse(), b_.getFalse(), b_.getFalse()};
    CompareAs as = pair_comparison(e, i);
    // A constant operand of a numeric comparison is converted once, here, as compare_values
    // converts it for every row (value_to_int / value_to_double): 0.05 against a DOUBLE column.
    CgValue a = numeric(c_in) ? fold_constant(a_in, *e.args[0], as) : a_in;
    CgValue c = numeric(a_in) ? fold_constant(c_in, *e.args[i], as) : c_in;
    if (!native_pair(a, c, as)) {
      HostSite* site = new_site();
      site->left = e.args[0]->type;
      site->right = e.args[i]->type;
      site->plan = pair_plan(e);
      llvm::Value* r = guarded(when(), [&] {
        return b_.CreateCall(host_fn("obsync_jit_compare", i32(), {ptr(), ptr(), ptr()}),
                             {site_ptr(site), as_value_ptr(a), as_value_ptr(c)});
      }, 0);
      return from_three_way(r);
    }
    if (a.kind == Kind::String) {
      llvm::Value* coll =
          llvm::ConstantExpr::getIntToPtr(b_.getInt64(reinterpret_cast<uintptr_t>(comparison_collation(e))), ptr());
      auto compare = [&] { return b_.CreateCall(compare_strings_fn(), {coll, a.value, a.len, c.value, c.len}, "cmp"); };
      // Bytes of a host Value are readable only when it was evaluated.
      llvm::Value* r = a.from_host || c.from_host ? guarded(when(), compare, 0) : compare();
      return from_three_way(r);
    }
    if (as == CompareAs::Int && a.kind == Kind::Int && c.kind == Kind::Int) {
      llvm::Value *x = a.value, *y = c.value;
      bool is_unsigned = a.is_unsigned;
      if (a.is_unsigned != c.is_unsigned) {
        x = to_i128(a), y = to_i128(c);
        is_unsigned = false;
      }
      return {is_unsigned ? b_.CreateICmpULT(x, y) : b_.CreateICmpSLT(x, y), b_.CreateICmpEQ(x, y),
              is_unsigned ? b_.CreateICmpUGT(x, y) : b_.CreateICmpSGT(x, y)};
    }
    llvm::Value *x = to_double(a), *y = to_double(c);
    llvm::Value* lt = b_.CreateFCmpOLT(x, y);
    llvm::Value* gt = b_.CreateFCmpOGT(x, y);
    return {lt, b_.CreateNot(b_.CreateOr(lt, gt)), gt};
  }

  // The condition under which a comparison of a and c runs: both evaluated and not NULL.
  std::function<llvm::Value*()> both_values(const CgValue& a, const CgValue& c) {
    llvm::Value* active = active_;
    llvm::Value* a_null = a.null;
    llvm::Value* c_null = c.null;
    return [this, active, a_null, c_null] {
      return b_.CreateAnd(active, b_.CreateAnd(b_.CreateNot(a_null), b_.CreateNot(c_null)));
    };
  }

  CgValue fold_constant(const CgValue& v, const ir::Expr& arg, CompareAs as) {
    if (arg.op != ir::Op::Const || arg.constant.is_null() || numeric(v)) return v;
    if (as == CompareAs::Int) {
      IntValue x = value_to_int(arg.constant, arg.type);
      return {b_.getInt64(static_cast<uint64_t>(x.value)), b_.getFalse(), nullptr, Kind::Int, x.is_unsigned};
    }
    if (as == CompareAs::Double)
      return {llvm::ConstantFP::get(b_.getDoubleTy(), value_to_double(arg.constant, arg.type)), b_.getFalse(), nullptr,
              Kind::Double, false};
    return v;
  }

  // --- operators -------------------------------------------------------------------------------

  CgValue logic_and_or(const ir::Expr& e, bool is_and) {
    CgValue a = emit(*e.args[0]);
    auto [ta, na] = truth(a, e.args[0]->type);
    // AND: decided by a FALSE side; OR: by a TRUE side. The right side is evaluated (and may
    // raise) only when the left one did not decide.
    auto decides = [&](llvm::Value* t, llvm::Value* n) {
      return b_.CreateAnd(b_.CreateNot(n), is_and ? b_.CreateNot(t) : t);
    };
    llvm::Value* left_decides = decides(ta, na);
    llvm::Value* saved = active_;
    active_ = b_.CreateAnd(saved, b_.CreateNot(left_decides));
    CgValue c = emit(*e.args[1]);
    auto [tc, nc] = truth(c, e.args[1]->type);
    active_ = saved;
    llvm::Value* decided = b_.CreateOr(left_decides, decides(tc, nc));
    llvm::Value* null = b_.CreateAnd(b_.CreateNot(decided), b_.CreateOr(na, nc));
    llvm::Value* bit = is_and ? b_.CreateNot(decided) : decided;
    return boolean(bit, null, any_err(a.err, err_if(b_.CreateNot(left_decides), c.err)));
  }

  CgValue call(const ir::Expr& e) {
    std::string_view name = e.fn->name;
    std::vector<CgValue> args;
    for (const auto& a : e.args) args.push_back(emit(*a));
    bool numbers = true;
    for (const auto& a : args) numbers = numbers && (numeric(a) || a.kind == Kind::Null);
    if (is_arithmetic(name) && numbers && args.size() == (name == "NEG" ? 1u : 2u)) {
      bool has_double = false;
      for (const auto& a : args) has_double = has_double || a.kind == Kind::Double;
      if (e.type.cls == TypeClass::Double || (e.type.cls == TypeClass::Int && !has_double))
        return name == "NEG" ? negate(e, args[0]) : arithmetic(e, args[0], args[1]);
    }
    if (is_comparison(name) && args.size() == 2) {
      CompareAs as = pair_comparison(e, 1);
      CgValue a = numeric(args[1]) ? fold_constant(args[0], *e.args[0], as) : args[0];
      CgValue c = numeric(args[0]) ? fold_constant(args[1], *e.args[1], as) : args[1];
      if (native_pair(a, c, as)) return comparison(e, a, c);
    }
    if (name == "LIKE" && args.size() == 2 && args[0].kind == Kind::String && args[1].kind == Kind::String &&
        e.call.args.size() == 2 && e.call.args[0].cls == TypeClass::String && e.call.args[1].cls == TypeClass::String)
      return like(e, args[0], args[1]);
    return host_call(e, args);
  }

  // `s LIKE pattern` on two strings (no ESCAPE): the stdlib's like_match on the bytes, without
  // boxing (what eval_like does for two strings).
  CgValue like(const ir::Expr& e, const CgValue& a, const CgValue& c) {
    llvm::Value* null = b_.CreateOr(a.null, c.null);
    llvm::Value* coll = site_ptr(e.call.collation ? e.call.collation : &default_collation());
    auto match = [&] {
      return b_.CreateCall(host_fn("obsync_jit_like", i32(), {ptr(), ptr(), i64(), ptr(), i64()}),
                           {coll, a.value, a.len, c.value, c.len});
    };
    llvm::Value* r = a.from_host || c.from_host ? guarded(b_.CreateAnd(active_, b_.CreateNot(null)), match, 0) : match();
    return boolean(b_.CreateICmpNE(r, b_.getInt32(0)), null, any_err(a.err, c.err));
  }

  CgValue comparison(const ir::Expr& e, const CgValue& a, const CgValue& c) {
    std::string_view name = e.fn->name;
    llvm::Value* err = any_err(a.err, c.err);  // NullIfAnyNull still evaluates every argument
    Ordering o = order(a, c, e, 1, both_values(a, c));
    if (name == "<=>") {
      llvm::Value* both_null = b_.CreateAnd(a.null, c.null);
      llvm::Value* both = b_.CreateAnd(b_.CreateNot(a.null), b_.CreateNot(c.null));
      return boolean(b_.CreateOr(both_null, b_.CreateAnd(both, o.eq)), b_.getFalse(), err);
    }
    llvm::Value* null = b_.CreateOr(a.null, c.null);
    llvm::Value* bit = name == "="    ? o.eq
                       : name == "<>" ? b_.CreateNot(o.eq)
                       : name == "<"  ? o.lt
                       : name == "<=" ? b_.CreateNot(o.gt)
                       : name == ">"  ? o.gt
                                      : b_.CreateNot(o.lt);
    return boolean(bit, null, err);
  }

  CgValue arithmetic(const ir::Expr& e, const CgValue& a, const CgValue& c) {
    std::string_view name = e.fn->name;
    llvm::Value* err = any_err(a.err, c.err);
    llvm::Value* null = b_.CreateOr(a.null, c.null);
    llvm::Value* computed = b_.CreateNot(null);  // the operator itself runs only without NULLs
    if (e.type.cls == TypeClass::Double) {
      llvm::Value *x = to_double(a), *y = to_double(c);
      llvm::Value* r = name == "+" ? b_.CreateFAdd(x, y) : name == "-" ? b_.CreateFSub(x, y) : b_.CreateFMul(x, y);
      // double_result: MySQL raises "DOUBLE value is out of range" for a non-finite result.
      llvm::Value* abs = b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, r);
      llvm::Value* finite = b_.CreateFCmpOLT(abs, llvm::ConstantFP::getInfinity(b_.getDoubleTy()));
      return {r, null, any_err(err, b_.CreateAnd(computed, b_.CreateNot(finite))), Kind::Double, false};
    }
    bool result_unsigned = e.type.is_unsigned;
    if (name == "*" && a.is_unsigned && c.is_unsigned && a.kind == Kind::Int && c.kind == Kind::Int) {
      // Both below 2^64: the product is in range iff it does not overflow 64 unsigned bits.
      llvm::Value* mul = b_.CreateBinaryIntrinsic(llvm::Intrinsic::umul_with_overflow, a.value, c.value);
      llvm::Value* r = b_.CreateExtractValue(mul, 0);
      llvm::Value* out_of_range = b_.CreateExtractValue(mul, 1);
      if (!result_unsigned) out_of_range = b_.CreateOr(out_of_range, b_.CreateICmpSLT(r, b_.getInt64(0)));
      return {r, null, any_err(err, b_.CreateAnd(computed, out_of_range)), Kind::Int, result_unsigned};
    }
    if (a.kind == Kind::Int && c.kind == Kind::Int && !a.is_unsigned && !c.is_unsigned && !result_unsigned) {
      // Both signed, a signed result: in range iff the 64-bit operation does not overflow.
      auto id = name == "+" ? llvm::Intrinsic::sadd_with_overflow
                : name == "-" ? llvm::Intrinsic::ssub_with_overflow
                              : llvm::Intrinsic::smul_with_overflow;
      llvm::Value* op = b_.CreateBinaryIntrinsic(id, a.value, c.value);
      llvm::Value* out_of_range = b_.CreateExtractValue(op, 1);
      return {b_.CreateExtractValue(op, 0), null, any_err(err, b_.CreateAnd(computed, out_of_range)), Kind::Int, false};
    }
    // Exact in 128 bits: sums of two 64-bit values, and products where at most one factor
    // exceeds 2^63 in magnitude.
    llvm::Value *x = to_i128(a), *y = to_i128(c);
    llvm::Value* r = name == "+" ? b_.CreateAdd(x, y) : name == "-" ? b_.CreateSub(x, y) : b_.CreateMul(x, y);
    return int_result(r, result_unsigned, null, computed, err);
  }

  // int_result: the 128-bit result if it fits BIGINT [UNSIGNED], else MySQL's 1690 error.
  CgValue int_result(llvm::Value* r, bool result_unsigned, llvm::Value* null, llvm::Value* computed,
                     llvm::Value* err) {
    llvm::Value* low = b_.CreateTrunc(r, b_.getInt64Ty());
    llvm::Value* out_of_range =
        result_unsigned ? b_.CreateICmpNE(b_.CreateLShr(r, 64), llvm::ConstantInt::get(b_.getInt128Ty(), 0))
                        : b_.CreateICmpNE(b_.CreateSExt(low, b_.getInt128Ty()), r);
    return {low, null, any_err(err, b_.CreateAnd(computed, out_of_range)), Kind::Int, result_unsigned};
  }

  CgValue negate(const ir::Expr& e, const CgValue& a) {
    if (e.type.cls == TypeClass::Double) return {b_.CreateFNeg(to_double(a)), a.null, a.err, Kind::Double, false};
    llvm::Value* r = b_.CreateSub(llvm::ConstantInt::get(b_.getInt128Ty(), 0), to_i128(a));
    return int_result(r, e.type.is_unsigned, a.null, b_.CreateNot(a.null), a.err);
  }

  CgValue cast(const ir::Expr& e) {
    CgValue a = emit(*e.args[0]);
    return convert(a, e.args[0]->type, e.type, true, active_);
  }

  CgValue in_list(const ir::Expr& e) {
    CgValue lhs = emit(*e.args[0]);
    // A NULL left side returns NULL before the list is evaluated; then the list is evaluated in
    // order up to the first match.
    llvm::Value* evaluating = b_.CreateNot(lhs.null);
    llvm::Value* err = lhs.err;
    llvm::Value* matched = b_.getFalse();
    llvm::Value* saw_null = b_.getFalse();
    llvm::Value* saved = active_;
    for (size_t i = 1; i < e.args.size(); ++i) {
      llvm::Value* evaluated = b_.CreateAnd(evaluating, b_.CreateNot(matched));
      active_ = b_.CreateAnd(saved, evaluated);
      CgValue item = emit(*e.args[i]);
      err = any_err(err, err_if(evaluated, item.err));
      Ordering o = order(lhs, item, e, i, both_values(lhs, item));
      matched = b_.CreateOr(matched, b_.CreateAnd(b_.CreateNot(item.null), o.eq));
      saw_null = b_.CreateOr(saw_null, item.null);
    }
    active_ = saved;
    llvm::Value* null = b_.CreateOr(lhs.null, b_.CreateAnd(b_.CreateNot(matched), saw_null));
    return boolean(e.negated ? b_.CreateNot(matched) : matched, null, err);
  }

  CgValue between(const ir::Expr& e) {
    CgValue a = emit(*e.args[0]);
    CgValue lo = emit(*e.args[1]);
    CgValue hi = emit(*e.args[2]);
    llvm::Value* err = any_err(any_err(a.err, lo.err), hi.err);
    // ge = a >= lo (unknown when lo is NULL), le = a <= hi; FALSE when either is FALSE.
    llvm::Value* below = b_.CreateAnd(b_.CreateNot(lo.null), order(a, lo, e, 1, both_values(a, lo)).lt);
    llvm::Value* above = b_.CreateAnd(b_.CreateNot(hi.null), order(a, hi, e, 2, both_values(a, hi)).gt);
    llvm::Value* outside = b_.CreateOr(below, above);
    llvm::Value* unknown = b_.CreateAnd(b_.CreateNot(outside), b_.CreateOr(lo.null, hi.null));
    llvm::Value* null = b_.CreateOr(a.null, unknown);
    return boolean(e.negated ? outside : b_.CreateNot(outside), null, err);
  }

  CgValue case_when(const ir::Expr& e) {
    llvm::Value* saved = active_;
    size_t i = 0;
    CgValue operand;
    llvm::Value* err = nullptr;
    if (e.has_operand) {
      operand = emit(*e.args[i++]);
      err = operand.err;
    }
    size_t end = e.args.size() - (e.has_else ? 1 : 0);
    llvm::Value* hit_before = b_.getFalse();
    std::vector<std::pair<llvm::Value*, CgValue>> choices;
    for (; i + 1 < end + 1 && i < end; i += 2) {
      llvm::Value* evaluated = b_.CreateNot(hit_before);
      active_ = b_.CreateAnd(saved, evaluated);
      CgValue w = emit(*e.args[i]);
      err = any_err(err, err_if(evaluated, w.err));
      llvm::Value* hit;
      if (e.has_operand) {
        Ordering o = order(operand, w, e, i, both_values(operand, w));
        hit = b_.CreateAnd(b_.CreateAnd(b_.CreateNot(operand.null), b_.CreateNot(w.null)), o.eq);
      } else {
        auto [t, n] = truth(w, e.args[i]->type);
        hit = b_.CreateAnd(t, b_.CreateNot(n));
      }
      llvm::Value* chosen = b_.CreateAnd(evaluated, hit);
      active_ = b_.CreateAnd(saved, chosen);
      CgValue then = coerce(emit(*e.args[i + 1]), e.args[i + 1]->type, e.type, active_);
      err = any_err(err, err_if(chosen, then.err));
      choices.emplace_back(chosen, then);
      hit_before = b_.CreateOr(hit_before, chosen);
    }
    CgValue otherwise = null_value();
    if (e.has_else) {
      llvm::Value* evaluated = b_.CreateNot(hit_before);
      active_ = b_.CreateAnd(saved, evaluated);
      otherwise = coerce(emit(*e.args.back()), e.args.back()->type, e.type, active_);
      err = any_err(err, err_if(evaluated, otherwise.err));
    }
    active_ = saved;
    CgValue r = merge(std::move(choices), otherwise);
    r.err = err;
    return r;
  }

  CgValue if_function(const ir::Expr& e) {
    CgValue c = emit(*e.args[0]);
    auto [t, n] = truth(c, e.args[0]->type);
    llvm::Value* cond = b_.CreateAnd(t, b_.CreateNot(n));
    llvm::Value* saved = active_;
    active_ = b_.CreateAnd(saved, cond);
    CgValue a = coerce(emit(*e.args[1]), e.args[1]->type, e.type, active_);
    active_ = b_.CreateAnd(saved, b_.CreateNot(cond));
    CgValue other = coerce(emit(*e.args[2]), e.args[2]->type, e.type, active_);
    active_ = saved;
    llvm::Value* err = any_err(c.err, any_err(err_if(cond, a.err), err_if(b_.CreateNot(cond), other.err)));
    CgValue r = merge({{cond, a}}, other);
    r.err = err;
    return r;
  }

  CgValue coalesce(const ir::Expr& e) {
    llvm::Value* saved = active_;
    llvm::Value* all_null_before = b_.getTrue();
    llvm::Value* err = nullptr;
    std::vector<std::pair<llvm::Value*, CgValue>> choices;
    for (const auto& arg : e.args) {
      active_ = b_.CreateAnd(saved, all_null_before);
      CgValue v = emit(*arg);
      err = any_err(err, err_if(all_null_before, v.err));
      llvm::Value* chosen = b_.CreateAnd(all_null_before, b_.CreateNot(v.null));
      CgValue cv = coerce(v, arg->type, e.type, b_.CreateAnd(saved, chosen));
      err = any_err(err, err_if(chosen, cv.err));
      choices.emplace_back(chosen, cv);
      all_null_before = b_.CreateAnd(all_null_before, v.null);
    }
    active_ = saved;
    CgValue r = merge(std::move(choices), null_value());
    r.err = err;
    return r;
  }

  CgValue null_if(const ir::Expr& e) {
    CgValue a = emit(*e.args[0]);
    CgValue c = emit(*e.args[1]);
    Ordering o = order(a, c, e, 1, both_values(a, c));
    CgValue r = a;
    llvm::Value* equal = b_.CreateAnd(b_.CreateAnd(b_.CreateNot(a.null), b_.CreateNot(c.null)), o.eq);
    r.null = b_.CreateOr(a.null, equal);
    r.err = any_err(a.err, c.err);
    return r;
  }

  llvm::Module& module_;
  llvm::IRBuilder<>& b_;
  llvm::Function* fn_;
  llvm::BasicBlock* entry_;  // runs once per batch: constants boxed there
  llvm::Value* row_;
  const std::map<size_t, ColumnPointers>& columns_;
  size_t n_;
  llvm::Value* slots_;
  llvm::Value* native_;
  KernelInfo& info_;
  llvm::Value* active_;  // i1: the interpreter evaluates the node being emitted
};

void key_of(const ir::Expr& e, std::string& out) {
  out += fmt::format("({} {}{}{}{}{}", static_cast<int>(e.op), e.fn ? e.fn->name : "", e.negated ? "!" : "",
                     e.type.is_unsigned ? "u" : "", e.has_operand ? "o" : "", e.has_else ? "e" : "");
  out += fmt::format(" t{} v{} p{} c{}", to_string(e.type), e.call.variant, e.call.param, static_cast<int>(e.compare.as));
  if (e.op == ir::Op::Call)
    for (const SqlType& t : e.call.args) out += " a" + to_string(t);
  if (e.op == ir::Op::Column || e.op == ir::Op::OldColumn) out += fmt::format(" ${}", e.column);
  // The collations of string comparisons (the dump leaves them out).
  if (e.op == ir::Op::Call && e.call.collation) out += fmt::format(" @{}", e.call.collation->name);
  if (e.compare.collation) out += fmt::format(" @{}", e.compare.collation->name);
  if (e.type.collation) out += fmt::format(" #{}", e.type.collation->name);
  if (e.op == ir::Op::Const) {
    const Value& v = e.constant;
    if (v.cls == TypeClass::Int) {
      out += fmt::format(" {}{}", v.is_unsigned ? "u" : "i", v.is_unsigned ? v.u : static_cast<uint64_t>(v.i));
    } else if (v.cls == TypeClass::Double) {
      out += fmt::format(" d{:x}", std::bit_cast<uint64_t>(v.d));  // the exact bits: 0 and -0 differ
    } else if (v.cls == TypeClass::String || v.cls == TypeClass::Json) {
      out += fmt::format(" s{}:", v.str.size());  // length-prefixed: any bytes
      out += v.str;
    } else if (v.cls == TypeClass::Null) {
      out += " n";
    } else {
      std::string text = render_value(v, e.type);
      out += fmt::format(" k{}:{}:{}", static_cast<int>(v.cls), text.size(), text);
      if (v.cls == TypeClass::Decimal) out += fmt::format(":{}", v.dec.scale());
    }
  }
  for (const auto& a : e.args) {
    out += ' ';
    key_of(*a, out);
  }
  out += ')';
}

}  // namespace

std::string unsupported_construct(const ir::Expr& e, const std::vector<SqlType>& column_types) {
  return check(e, column_types);
}

std::string kernel_key(const ir::Expr& e) {
  std::string key = ir::dump(e);
  key += " | ";
  key_of(e, key);
  return key;
}

KernelInfo emit_kernel(llvm::Module& module, const std::string& name, KernelKind kind, const ir::Expr& e,
                       const std::vector<SqlType>& column_types) {
  KernelInfo info;
  llvm::LLVMContext& ctx = module.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type* i64 = b.getInt64Ty();
  llvm::Type* i32 = b.getInt32Ty();
  llvm::Type* ptr = llvm::PointerType::getUnqual(b.getInt8Ty());
  llvm::Type* ptr_ptr = llvm::PointerType::getUnqual(ptr);
  llvm::Type* i64_ptr = llvm::PointerType::getUnqual(i64);
  llvm::Type* i64_ptr_ptr = llvm::PointerType::getUnqual(i64_ptr);
  llvm::Type* i32_ptr = llvm::PointerType::getUnqual(i32);
  bool predicate = kind == KernelKind::Predicate;
  // Predicate: (data, validity, offsets, rows, uint32_t* selection, int64_t* error_row, slots) -> selected
  // Projection: (data, validity, offsets, const uint32_t* rows, count, values, uint8_t* nulls,
  //              int64_t* error_row, slots)
  std::vector<llvm::Type*> params = {ptr_ptr, i64_ptr_ptr, llvm::PointerType::getUnqual(i32_ptr)};
  if (predicate) {
    params.insert(params.end(), {i64, i32_ptr, i64_ptr, ptr});
  } else {
    params.insert(params.end(), {i32_ptr, i64, ptr, ptr, i64_ptr, ptr});
  }
  auto* type = llvm::FunctionType::get(predicate ? i64 : b.getVoidTy(), params, false);
  auto* fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, module);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  for (unsigned i = 0; i < fn->arg_size(); ++i)
    if (fn->getArg(i)->getType()->isPointerTy()) fn->addParamAttr(i, llvm::Attribute::NoAlias);
  llvm::Value* data_arg = fn->getArg(0);
  llvm::Value* validity_arg = fn->getArg(1);
  llvm::Value* offsets_arg = fn->getArg(2);
  llvm::Value* rows_in = predicate ? nullptr : fn->getArg(3);
  llvm::Value* rows = fn->getArg(predicate ? 3 : 4);
  llvm::Value* error_row = fn->getArg(predicate ? 5 : 7);
  llvm::Value* slots = fn->getArg(predicate ? 6 : 8);

  auto* entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  auto* loop = llvm::BasicBlock::Create(ctx, "loop", fn);
  auto* ok = llvm::BasicBlock::Create(ctx, "ok", fn);
  auto* failed = llvm::BasicBlock::Create(ctx, "failed", fn);
  auto* done = llvm::BasicBlock::Create(ctx, "done", fn);

  // entry: the arrays of the columns read, once per batch.
  b.SetInsertPoint(entry);
  llvm::Type* native_type = llvm::StructType::get(i64, b.getDoubleTy(), ptr, i64);
  llvm::Value* native_fields = b.CreateAlloca(native_type, nullptr, "native");
  // Never read before a host call writes it; zeroed so that nothing reads an uninitialized byte.
  b.CreateStore(llvm::Constant::getNullValue(native_type), native_fields);
  llvm::Value* native = b.CreateBitCast(native_fields, ptr);
  size_t n = column_types.size();
  std::map<size_t, ColumnUse> used;
  collect_columns(e, n, column_types, used);
  std::map<size_t, ColumnPointers> columns;
  for (auto& [index, use] : used) {
    ColumnPointers& p = columns[index];
    p.type = use.type;
    p.special = use.special;
    bool plain = use.special == Special::None;
    bool with_offsets = plain && (use.type.cls == TypeClass::String || use.type.cls == TypeClass::Json);
    llvm::Type* elem = !plain                                ? b.getInt8Ty()
                       : use.type.cls == TypeClass::Double ? b.getDoubleTy()
                       : use.type.cls == TypeClass::Int    ? i64
                                                           : b.getInt8Ty();
    llvm::Value* raw = b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(ptr, data_arg, index));
    p.data = b.CreateBitCast(raw, llvm::PointerType::getUnqual(elem), fmt::format("data{}", index));
    if (plain)
      p.validity = b.CreateLoad(i64_ptr, b.CreateConstInBoundsGEP1_64(i64_ptr, validity_arg, index),
                                fmt::format("validity{}", index));
    if (with_offsets)
      p.offsets = b.CreateLoad(i32_ptr, b.CreateConstInBoundsGEP1_64(i32_ptr, offsets_arg, index),
                               fmt::format("offsets{}", index));
  }
  llvm::Value* selection = predicate ? fn->getArg(4) : nullptr;
  llvm::Value* values = predicate ? nullptr : fn->getArg(5);
  llvm::Value* nulls = predicate ? nullptr : fn->getArg(6);
  b.CreateCondBr(b.CreateICmpEQ(rows, b.getInt64(0)), done, loop);

  // loop: one row (k-th of the batch, or of `rows_in`).
  b.SetInsertPoint(loop);
  llvm::PHINode* k = b.CreatePHI(i64, 2, "k");
  llvm::PHINode* count = b.CreatePHI(i64, 2, "selected");
  k->addIncoming(b.getInt64(0), entry);
  count->addIncoming(b.getInt64(0), entry);
  llvm::Value* row = predicate ? static_cast<llvm::Value*>(k)
                               : b.CreateZExt(b.CreateLoad(i32, b.CreateInBoundsGEP(i32, rows_in, k)), i64, "row");
  Emitter emitter(module, b, fn, entry, row, columns, n, slots, native, info);
  CgValue result = emitter.emit(e);
  if (result.err) {
    b.CreateCondBr(result.err, failed, ok, llvm::MDBuilder(ctx).createBranchWeights(1, 1 << 20));
  } else {
    b.CreateBr(ok);
  }

  // ok: record the row's outcome and advance.
  b.SetInsertPoint(ok);
  llvm::Value* new_count = count;
  if (predicate) {
    auto [t, nul] = emitter.truth(result, e.type);
    llvm::Value* selected = b.CreateAnd(t, b.CreateNot(nul));
    // Branch-free: always write the row index, advance only when selected.
    b.CreateStore(b.CreateTrunc(k, i32), b.CreateInBoundsGEP(i32, selection, count));
    new_count = b.CreateAdd(count, b.CreateZExt(selected, i64));
  } else {
    bool native_int = result.kind == Kind::Int && result.is_unsigned == e.type.is_unsigned;
    bool null_of_number = result.kind == Kind::Null && (e.type.cls == TypeClass::Int || e.type.cls == TypeClass::Double);
    if (native_int || (null_of_number && e.type.cls == TypeClass::Int)) {
      info.output = OutputKind::Int;
    } else if (result.kind == Kind::Double || null_of_number) {
      info.output = OutputKind::Double;
    } else {
      info.output = OutputKind::Value;
    }
    if (info.output == OutputKind::Value) {
      emitter.store_value(result, b.CreateInBoundsGEP(b.getInt8Ty(), values, b.CreateMul(k, b.getInt64(sizeof(Value)))));
    } else {
      llvm::Type* value_type = info.output == OutputKind::Double ? b.getDoubleTy() : i64;
      llvm::Value* v = result.kind == Kind::Null ? llvm::Constant::getNullValue(value_type) : result.value;
      llvm::Value* typed = b.CreateBitCast(values, llvm::PointerType::getUnqual(value_type));
      b.CreateStore(v, b.CreateInBoundsGEP(value_type, typed, k));
    }
    b.CreateStore(b.CreateZExt(result.null, b.getInt8Ty()), b.CreateInBoundsGEP(b.getInt8Ty(), nulls, k));
  }
  llvm::Value* k_next = b.CreateAdd(k, b.getInt64(1));
  auto* latch = b.GetInsertBlock();
  k->addIncoming(k_next, latch);
  count->addIncoming(new_count, latch);
  b.CreateCondBr(b.CreateICmpULT(k_next, rows), loop, done);

  // failed: stop at the row that raised; the caller asks the interpreter for the message.
  b.SetInsertPoint(failed);
  b.CreateStore(k, error_row);
  if (predicate) b.CreateRet(count);
  else b.CreateRetVoid();

  b.SetInsertPoint(done);
  llvm::PHINode* final_count = b.CreatePHI(i64, 2, "total");
  final_count->addIncoming(b.getInt64(0), entry);
  final_count->addIncoming(new_count, latch);
  b.CreateStore(b.getInt64(static_cast<uint64_t>(-1)), error_row);
  if (predicate) b.CreateRet(final_count);
  else b.CreateRetVoid();
  return info;
}

}  // namespace obsync::jit
