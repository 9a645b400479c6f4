// Lowers a WHERE or COLUMNS expression to an LLVM function over a column-major batch, with the
// interpreter's semantics: MySQL comparison types, three-valued logic, BIGINT overflow errors.
//
// Every node is evaluated eagerly and without branches: a value, a NULL flag and an error flag.
// The interpreter evaluates lazily (AND skips its right side after FALSE, IN stops at the first
// match, NULL short-cuts IN), so the error flag of a node includes a child's error only when the
// interpreter would have evaluated that child. Values of NULL or failed nodes are unspecified
// and never observed. Only the row loop branches: once per row, on the (rare) error flag.
//
// Strings appear only as operands of comparisons (=, <>, <, IN, BETWEEN, <=>) and of IS NULL:
// columns and constants, as (pointer, length). Every string comparison calls the collation's
// own compare in the host (obsync_jit_compare_strings) so that PAD SPACE, case folding and
// binary strings are exactly the interpreter's.
#include "compiler/jit/codegen.hpp"

#include <fmt/format.h>

#include <bit>
#include <cctype>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>
#include <map>

#include "stdlib/compare.hpp"

namespace obsync::jit {
namespace {

// --- the compiled subset ---------------------------------------------------------------------

bool is_comparison(std::string_view fn) {
  return fn == "=" || fn == "<>" || fn == "<" || fn == "<=" || fn == ">" || fn == ">=" || fn == "<=>";
}
bool is_arithmetic(std::string_view fn) { return fn == "+" || fn == "-" || fn == "*" || fn == "NEG"; }

bool is_value_class(TypeClass c) { return c == TypeClass::Int || c == TypeClass::Double || c == TypeClass::Null; }

std::string class_construct(TypeClass c) {
  switch (c) {
    case TypeClass::Decimal: return "DECIMAL values";
    case TypeClass::String: return "string values";
    case TypeClass::Json: return "JSON values";
    case TypeClass::Date:
    case TypeClass::Time:
    case TypeClass::DateTime: return "temporal values";
    default: return "values of this type";
  }
}

bool compiled_comparison(CompareAs as) { return as == CompareAs::Int || as == CompareAs::Double; }

std::string compare_construct(CompareAs as) {
  switch (as) {
    case CompareAs::Decimal: return "DECIMAL comparison";
    case CompareAs::String: return "string comparison";
    case CompareAs::Json: return "JSON comparison";
    default: return "temporal comparison";
  }
}

// The comparison type of the pair (args[0], args[i]) of an IN, BETWEEN or comparison call.
CompareAs pair_comparison(const ir::Expr& e, size_t i) {
  if (e.op == ir::Op::Call) return static_cast<CompareAs>(e.call.variant);
  if (e.compare.as == CompareAs::PerPair) return comparison_type(e.args[0]->type, e.args[i]->type);
  return e.compare.as;
}

// The collation of a string comparison in `e`, as compare_values picks it.
const Collation* comparison_collation(const ir::Expr& e) {
  const Collation* c = e.op == ir::Op::Call ? e.call.collation : e.compare.collation;
  return c ? c : &default_collation();
}

bool is_string_or_null(const ir::Expr& e) { return e.type.cls == TypeClass::String || e.type.cls == TypeClass::Null; }

// The pair (args[0], args[i]) of a comparison: "" when compiled; string_pair says whether its
// operands are read as strings.
std::string check_pair(const ir::Expr& e, size_t i, bool& string_pair) {
  const ir::Expr& a = *e.args[0];
  const ir::Expr& c = *e.args[i];
  string_pair = false;
  if (a.type.cls == TypeClass::Null || c.type.cls == TypeClass::Null) {
    string_pair = true;  // always NULL: the other operand may be a string
    return {};
  }
  CompareAs as = pair_comparison(e, i);
  if (as == CompareAs::String) {
    // compare_values converts a non-string operand to its text first; the kernel does not.
    if (!is_string_or_null(a) || !is_string_or_null(c)) return "string comparison of a converted value";
    string_pair = true;
    return {};
  }
  if (!compiled_comparison(as)) return compare_construct(as);
  return {};
}

// `string_operand`: e is an operand read as a string (of a string comparison or IS NULL).
std::string check(const ir::Expr& e, const std::vector<SqlType>& columns, bool string_operand = false) {
  bool string_value = string_operand && e.type.cls == TypeClass::String;
  if (!is_value_class(e.type.cls) && !string_value) return class_construct(e.type.cls);
  std::vector<bool> string_args(e.args.size(), false);
  switch (e.op) {
    case ir::Op::Const:
      if (string_value && e.constant.cls == TypeClass::String) return {};
      if (!is_value_class(e.constant.cls)) return class_construct(e.constant.cls);
      if (!e.constant.is_null() && e.constant.cls != e.type.cls) return "a constant of a converted type";
      return {};
    case ir::Op::Column: {
      if (e.column < 0 || static_cast<size_t>(e.column) >= columns.size()) return "a column outside the table";
      const SqlType& t = columns[static_cast<size_t>(e.column)];
      if (t.cls == TypeClass::String && string_value) return {};  // COLLATE may have changed its collation
      if (t.cls != TypeClass::Int && t.cls != TypeClass::Double) return class_construct(t.cls);
      if (t.cls != e.type.cls || t.is_unsigned != e.type.is_unsigned) return "a column of a changed type";
      return {};
    }
    case ir::Op::OldColumn: return "OLD.column";
    case ir::Op::OpName: return "op()";
    case ir::Op::CommitTs: return "commit_ts()";
    case ir::Op::Cast: return "CAST";
    case ir::Op::Case: return "CASE";
    case ir::Op::If: return "IF";
    case ir::Op::Coalesce: return "COALESCE";
    case ir::Op::NullIf: return "NULLIF";
    case ir::Op::Call: {
      std::string_view name = e.fn ? e.fn->name : std::string_view("?");
      if (is_comparison(name)) {
        if (e.args.size() != 2) return "a call with an unexpected arity";
        bool string_pair = false;
        std::string why = check_pair(e, 1, string_pair);
        if (!why.empty()) return why;
        string_args[0] = string_args[1] = string_pair;
      } else if (!is_arithmetic(name)) {
        bool is_operator = !std::isalpha(static_cast<unsigned char>(name[0])) || name == "DIV" || name == "LIKE" ||
                           name == "REGEXP" || name == "NEG";
        return fmt::format("{} `{}`", is_operator ? "operator" : "function", name == "NEG" ? "-" : name);
      } else if (e.type.cls == TypeClass::Null) {
        return "an arithmetic result without a type";
      }
      if (e.args.size() != static_cast<size_t>(name == "NEG" ? 1 : 2)) return "a call with an unexpected arity";
      break;
    }
    case ir::Op::In:
    case ir::Op::Between:
      if (e.args.size() < 2 || (e.op == ir::Op::Between && e.args.size() != 3)) return "an unexpected arity";
      for (size_t i = 1; i < e.args.size(); ++i) {
        bool string_pair = false;
        std::string why = check_pair(e, i, string_pair);
        if (!why.empty()) return why;
        string_args[i] = string_pair;
        string_args[0] = string_args[0] || (string_pair && e.args[0]->type.cls == TypeClass::String);
      }
      // A string left operand compared as a number by another pair would need a conversion.
      if (string_args[0]) {
        for (size_t i = 1; i < e.args.size(); ++i)
          if (!string_args[i]) return "a string compared as a number";
      }
      break;
    case ir::Op::And:
    case ir::Op::Or:
    case ir::Op::Xor:
      if (e.args.size() != 2) return "an unexpected arity";
      break;
    case ir::Op::Not:
    case ir::Op::IsNull:
    case ir::Op::IsTrue:
    case ir::Op::IsFalse:
      if (e.args.size() != 1) return "an unexpected arity";
      if (e.op == ir::Op::IsNull) string_args[0] = true;
      break;
  }
  for (size_t i = 0; i < e.args.size(); ++i) {
    if (!e.args[i]) return "an incomplete expression";
    std::string why = check(*e.args[i], columns, string_args[i]);
    if (!why.empty()) return why;
  }
  return {};
}

void collect_columns(const ir::Expr& e, std::map<int, const ir::Expr*>& out) {
  if (e.op == ir::Op::Column) out.emplace(e.column, &e);
  for (const auto& a : e.args) collect_columns(*a, out);
}

// --- code generation -----------------------------------------------------------------------------

enum class Kind : uint8_t { Int, Double, String, Null };

struct CgValue {
  llvm::Value* value = nullptr;  // i64 (Int, Null), double, or i8* (String); unspecified when null or err
  llvm::Value* null = nullptr;   // i1
  llvm::Value* err = nullptr;    // i1, or nullptr: this node never raises an error
  Kind kind = Kind::Null;
  bool is_unsigned = false;      // Int: how the interpreter reads the 64 bits (Value::is_unsigned)
  llvm::Value* len = nullptr;    // String: i64 byte length
};

// A column's arrays, loaded once per batch.
struct ColumnPointers {
  llvm::Value* data = nullptr;      // i64*, double* or i8* (String bytes)
  llvm::Value* validity = nullptr;  // i64*
  llvm::Value* offsets = nullptr;   // i32*, String only
};

struct Ordering {
  llvm::Value *lt, *eq, *gt;  // i1, meaningful when both operands are not NULL
};

class Emitter {
 public:
  Emitter(llvm::Module& module, llvm::IRBuilder<>& b, llvm::Value* row, const std::map<int, ColumnPointers>& columns)
      : module_(module), b_(b), row_(row), columns_(columns) {}

  CgValue emit(const ir::Expr& e) {
    switch (e.op) {
      case ir::Op::Const: return constant(e);
      case ir::Op::Column: return column(e);
      case ir::Op::Call: return call(e);
      case ir::Op::And: return logic_and_or(e, true);
      case ir::Op::Or: return logic_and_or(e, false);
      case ir::Op::Xor: {
        CgValue a = emit(*e.args[0]);
        CgValue c = emit(*e.args[1]);
        auto [ta, na] = truth(a);
        auto [tc, nc] = truth(c);
        return boolean(b_.CreateXor(ta, tc), b_.CreateOr(na, nc), any_err(a.err, c.err));
      }
      case ir::Op::Not: {
        CgValue a = emit(*e.args[0]);
        auto [t, n] = truth(a);
        return boolean(b_.CreateNot(t), n, a.err);
      }
      case ir::Op::IsNull: {
        CgValue a = emit(*e.args[0]);
        return boolean(e.negated ? b_.CreateNot(a.null) : a.null, b_.getFalse(), a.err);
      }
      case ir::Op::IsTrue:
      case ir::Op::IsFalse: {
        CgValue a = emit(*e.args[0]);
        auto [t, n] = truth(a);
        llvm::Value* hit = b_.CreateAnd(b_.CreateNot(n), e.op == ir::Op::IsTrue ? t : b_.CreateNot(t));
        return boolean(e.negated ? b_.CreateNot(hit) : hit, b_.getFalse(), a.err);
      }
      case ir::Op::In: return in_list(e);
      case ir::Op::Between: return between(e);
      default: break;  // rejected by check()
    }
    return null_value();
  }

  // SQL truth of a value: (non-zero, NULL).
  std::pair<llvm::Value*, llvm::Value*> truth(const CgValue& v) {
    switch (v.kind) {
      case Kind::Int: return {b_.CreateICmpNE(v.value, b_.getInt64(0)), v.null};
      case Kind::Double:
        // value_to_bool: d != 0 (-0.0 is false).
        return {b_.CreateFCmpUNE(v.value, llvm::ConstantFP::get(b_.getDoubleTy(), 0.0)), v.null};
      case Kind::String:  // rejected by check(): strings are only comparison operands
      case Kind::Null: break;
    }
    return {b_.getFalse(), b_.getTrue()};
  }

 private:
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

  CgValue constant(const ir::Expr& e) {
    const Value& v = e.constant;
    switch (v.cls) {
      case TypeClass::Int:
        return {b_.getInt64(v.is_unsigned ? v.u : static_cast<uint64_t>(v.i)), b_.getFalse(), nullptr, Kind::Int,
                v.is_unsigned};
      case TypeClass::Double:
        return {llvm::ConstantFP::get(b_.getDoubleTy(), v.d), b_.getFalse(), nullptr, Kind::Double, false};
      case TypeClass::String: {
        // The bytes as a private constant of the module (NUL-terminated for a non-empty array).
        auto* init = llvm::ConstantDataArray::getString(module_.getContext(), v.str, true);
        auto* global = new llvm::GlobalVariable(module_, init->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                                init, "str");
        global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
        llvm::Value* bytes = b_.CreateConstInBoundsGEP2_64(init->getType(), global, 0, 0);
        CgValue out{bytes, b_.getFalse(), nullptr, Kind::String, false};
        out.len = b_.getInt64(v.str.size());
        return out;
      }
      default: return null_value();
    }
  }

  CgValue column(const ir::Expr& e) {
    const ColumnPointers& p = columns_.at(e.column);
    llvm::Value* word = b_.CreateLoad(
        b_.getInt64Ty(), b_.CreateInBoundsGEP(b_.getInt64Ty(), p.validity, b_.CreateLShr(row_, 6)), "valid");
    llvm::Value* bit = b_.CreateAnd(b_.CreateLShr(word, b_.CreateAnd(row_, 63)), 1);
    llvm::Value* null = b_.CreateICmpEQ(bit, b_.getInt64(0));
    if (p.offsets) {
      // Row i: bytes[offsets[i], offsets[i + 1]) (a NULL row's range is empty).
      llvm::Type* i32 = b_.getInt32Ty();
      llvm::Value* begin = b_.CreateLoad(i32, b_.CreateInBoundsGEP(i32, p.offsets, row_), "begin");
      llvm::Value* end =
          b_.CreateLoad(i32, b_.CreateInBoundsGEP(i32, p.offsets, b_.CreateAdd(row_, b_.getInt64(1))), "end");
      llvm::Value* bytes = b_.CreateInBoundsGEP(b_.getInt8Ty(), p.data, b_.CreateZExt(begin, b_.getInt64Ty()), "str");
      CgValue out{bytes, null, nullptr, Kind::String, false};
      out.len = b_.CreateZExt(b_.CreateSub(end, begin), b_.getInt64Ty(), "len");
      return out;
    }
    bool is_double = e.type.cls == TypeClass::Double;
    llvm::Type* elem = is_double ? b_.getDoubleTy() : b_.getInt64Ty();
    llvm::Value* value = b_.CreateLoad(elem, b_.CreateInBoundsGEP(elem, p.data, row_), "col");
    return {value, null, nullptr, is_double ? Kind::Double : Kind::Int, !is_double && e.type.is_unsigned};
  }

  // The host's compare under `collation` (see codegen.hpp): it only reads its arguments.
  llvm::FunctionCallee compare_strings_fn() {
    llvm::Type* ptr = llvm::PointerType::getUnqual(b_.getInt8Ty());
    llvm::Type* i64 = b_.getInt64Ty();
    auto* type = llvm::FunctionType::get(b_.getInt32Ty(), {ptr, ptr, i64, ptr, i64}, false);
    llvm::FunctionCallee callee = module_.getOrInsertFunction(kCompareStringsSymbol, type);
    if (auto* fn = llvm::dyn_cast<llvm::Function>(callee.getCallee())) {
      fn->addFnAttr(llvm::Attribute::NoUnwind);
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

  Ordering compare_strings(const CgValue& a, const CgValue& c, const Collation* collation) {
    llvm::Type* ptr = llvm::PointerType::getUnqual(b_.getInt8Ty());
    llvm::Value* coll = llvm::ConstantExpr::getIntToPtr(b_.getInt64(reinterpret_cast<uintptr_t>(collation)), ptr);
    llvm::Value* r = b_.CreateCall(compare_strings_fn(), {coll, a.value, a.len, c.value, c.len}, "cmp");
    llvm::Value* zero = b_.getInt32(0);
    return {b_.CreateICmpSLT(r, zero), b_.CreateICmpEQ(r, zero), b_.CreateICmpSGT(r, zero)};
  }

  llvm::Value* to_double(const CgValue& v) {
    switch (v.kind) {
      case Kind::Double: return v.value;
      case Kind::Int:
        return v.is_unsigned ? b_.CreateUIToFP(v.value, b_.getDoubleTy()) : b_.CreateSIToFP(v.value, b_.getDoubleTy());
      case Kind::String:  // rejected by check(): a string is never converted to a number
      case Kind::Null: break;
    }
    return llvm::ConstantFP::get(b_.getDoubleTy(), 0.0);
  }
  // An integer exactly, whatever its signedness.
  llvm::Value* to_i128(const CgValue& v) {
    llvm::Type* i128 = b_.getInt128Ty();
    if (v.kind != Kind::Int) return llvm::ConstantInt::get(i128, 0);
    return v.is_unsigned ? b_.CreateZExt(v.value, i128) : b_.CreateSExt(v.value, i128);
  }

  // compare_values for CompareAs::Int (compare_ints), CompareAs::Double (three_way) and
  // CompareAs::String (the collation's compare, in the host).
  Ordering order(const CgValue& a, const CgValue& c, CompareAs as, const Collation* collation) {
    if (a.kind == Kind::Null || c.kind == Kind::Null) return {b_.getFalse(), b_.getFalse(), b_.getFalse()};
    if (a.kind == Kind::String || c.kind == Kind::String) return compare_strings(a, c, collation);
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

  CgValue logic_and_or(const ir::Expr& e, bool is_and) {
    CgValue a = emit(*e.args[0]);
    CgValue c = emit(*e.args[1]);
    auto [ta, na] = truth(a);
    auto [tc, nc] = truth(c);
    // AND: decided by a FALSE side; OR: by a TRUE side. The right side is evaluated (and may
    // raise) only when the left one did not decide.
    auto decides = [&](llvm::Value* t, llvm::Value* n) {
      return b_.CreateAnd(b_.CreateNot(n), is_and ? b_.CreateNot(t) : t);
    };
    llvm::Value* left_decides = decides(ta, na);
    llvm::Value* decided = b_.CreateOr(left_decides, decides(tc, nc));
    llvm::Value* null = b_.CreateAnd(b_.CreateNot(decided), b_.CreateOr(na, nc));
    llvm::Value* bit = is_and ? b_.CreateNot(decided) : decided;
    return boolean(bit, null, any_err(a.err, err_if(b_.CreateNot(left_decides), c.err)));
  }

  CgValue call(const ir::Expr& e) {
    std::string_view name = e.fn->name;
    if (name == "NEG") return negate(e);
    CgValue a = emit(*e.args[0]);
    CgValue c = emit(*e.args[1]);
    llvm::Value* err = any_err(a.err, c.err);  // NullIfAnyNull still evaluates every argument
    if (name == "<=>") {
      Ordering o = order(a, c, pair_comparison(e, 1), comparison_collation(e));
      llvm::Value* both_null = b_.CreateAnd(a.null, c.null);
      llvm::Value* both_values = b_.CreateAnd(b_.CreateNot(a.null), b_.CreateNot(c.null));
      return boolean(b_.CreateOr(both_null, b_.CreateAnd(both_values, o.eq)), b_.getFalse(), err);
    }
    llvm::Value* null = b_.CreateOr(a.null, c.null);
    if (is_comparison(name)) {
      Ordering o = order(a, c, pair_comparison(e, 1), comparison_collation(e));
      llvm::Value* bit = name == "="    ? o.eq
                         : name == "<>" ? b_.CreateNot(o.eq)
                         : name == "<"  ? o.lt
                         : name == "<=" ? b_.CreateNot(o.gt)
                         : name == ">"  ? o.gt
                                        : b_.CreateNot(o.lt);
      return boolean(bit, null, err);
    }
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

  CgValue negate(const ir::Expr& e) {
    CgValue a = emit(*e.args[0]);
    if (e.type.cls == TypeClass::Double) return {b_.CreateFNeg(to_double(a)), a.null, a.err, Kind::Double, false};
    llvm::Value* r = b_.CreateSub(llvm::ConstantInt::get(b_.getInt128Ty(), 0), to_i128(a));
    return int_result(r, e.type.is_unsigned, a.null, b_.CreateNot(a.null), a.err);
  }

  CgValue in_list(const ir::Expr& e) {
    CgValue lhs = emit(*e.args[0]);
    // A NULL left side returns NULL before the list is evaluated; then the list is evaluated in
    // order up to the first match.
    llvm::Value* evaluating = b_.CreateNot(lhs.null);
    llvm::Value* err = lhs.err;
    llvm::Value* matched = b_.getFalse();
    llvm::Value* saw_null = b_.getFalse();
    for (size_t i = 1; i < e.args.size(); ++i) {
      CgValue item = emit(*e.args[i]);
      err = any_err(err, err_if(b_.CreateAnd(evaluating, b_.CreateNot(matched)), item.err));
      Ordering o = order(lhs, item, pair_comparison(e, i), comparison_collation(e));
      matched = b_.CreateOr(matched, b_.CreateAnd(b_.CreateNot(item.null), o.eq));
      saw_null = b_.CreateOr(saw_null, item.null);
    }
    llvm::Value* null = b_.CreateOr(lhs.null, b_.CreateAnd(b_.CreateNot(matched), saw_null));
    return boolean(e.negated ? b_.CreateNot(matched) : matched, null, err);
  }

  CgValue between(const ir::Expr& e) {
    CgValue a = emit(*e.args[0]);
    CgValue lo = emit(*e.args[1]);
    CgValue hi = emit(*e.args[2]);
    llvm::Value* err = any_err(any_err(a.err, lo.err), hi.err);
    // ge = a >= lo (unknown when lo is NULL), le = a <= hi; FALSE when either is FALSE.
    const Collation* collation = comparison_collation(e);
    llvm::Value* below = b_.CreateAnd(b_.CreateNot(lo.null), order(a, lo, pair_comparison(e, 1), collation).lt);
    llvm::Value* above = b_.CreateAnd(b_.CreateNot(hi.null), order(a, hi, pair_comparison(e, 2), collation).gt);
    llvm::Value* outside = b_.CreateOr(below, above);
    llvm::Value* unknown = b_.CreateAnd(b_.CreateNot(outside), b_.CreateOr(lo.null, hi.null));
    llvm::Value* null = b_.CreateOr(a.null, unknown);
    return boolean(e.negated ? outside : b_.CreateNot(outside), null, err);
  }

  llvm::Module& module_;
  llvm::IRBuilder<>& b_;
  llvm::Value* row_;
  const std::map<int, ColumnPointers>& columns_;
};

void key_of(const ir::Expr& e, std::string& out) {
  out += fmt::format("({} {}{}{}", static_cast<int>(e.op), e.fn ? e.fn->name : "", e.negated ? "!" : "",
                     e.type.is_unsigned ? "u" : "");
  out += fmt::format(" t{} v{} c{}", static_cast<int>(e.type.cls), e.call.variant, static_cast<int>(e.compare.as));
  if (e.op == ir::Op::Column) out += fmt::format(" ${}", e.column);
  // The collations of string comparisons (the dump leaves them out).
  if (e.op == ir::Op::Call && e.call.collation) out += fmt::format(" @{}", e.call.collation->name);
  if (e.compare.collation) out += fmt::format(" @{}", e.compare.collation->name);
  if (e.op == ir::Op::Const) {
    const Value& v = e.constant;
    if (v.cls == TypeClass::Int) {
      out += fmt::format(" {}{}", v.is_unsigned ? "u" : "i", v.is_unsigned ? v.u : static_cast<uint64_t>(v.i));
    } else if (v.cls == TypeClass::Double) {
      out += fmt::format(" d{:x}", std::bit_cast<uint64_t>(v.d));  // the exact bits: 0 and -0 differ
    } else if (v.cls == TypeClass::String) {
      out += fmt::format(" s{}:", v.str.size());  // length-prefixed: any bytes
      out += v.str;
    } else {
      out += fmt::format(" n{}", static_cast<int>(v.cls));
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

bool reads_string_column(const ir::Expr& e, const std::vector<SqlType>& column_types) {
  if (e.op == ir::Op::Column && e.column >= 0 && static_cast<size_t>(e.column) < column_types.size() &&
      column_types[static_cast<size_t>(e.column)].cls == TypeClass::String)
    return true;
  for (const auto& a : e.args)
    if (a && reads_string_column(*a, column_types)) return true;
  return false;
}

std::string kernel_key(const ir::Expr& e) {
  std::string key = ir::dump(e);
  key += " | ";
  key_of(e, key);
  return key;
}

void emit_kernel(llvm::Module& module, const std::string& name, KernelKind kind, const ir::Expr& e) {
  llvm::LLVMContext& ctx = module.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type* i64 = b.getInt64Ty();
  llvm::Type* ptr = llvm::PointerType::getUnqual(b.getInt8Ty());
  llvm::Type* ptr_ptr = llvm::PointerType::getUnqual(ptr);
  llvm::Type* i64_ptr = llvm::PointerType::getUnqual(i64);
  llvm::Type* i64_ptr_ptr = llvm::PointerType::getUnqual(i64_ptr);
  bool predicate = kind == KernelKind::Predicate;
  llvm::Type* i32_ptr = llvm::PointerType::getUnqual(b.getInt32Ty());
  // Predicate: (data, validity, offsets, rows, uint32_t* selection, int64_t* error_row) -> selected
  // Projection: (data, validity, offsets, rows, void* values, uint8_t* nulls, int64_t* error_row)
  std::vector<llvm::Type*> params = {ptr_ptr, i64_ptr_ptr, llvm::PointerType::getUnqual(i32_ptr), i64};
  if (predicate) {
    params.push_back(llvm::PointerType::getUnqual(b.getInt32Ty()));
  } else {
    params.push_back(ptr);
    params.push_back(ptr);
  }
  params.push_back(i64_ptr);
  auto* type = llvm::FunctionType::get(predicate ? i64 : b.getVoidTy(), params, false);
  auto* fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, module);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  for (unsigned i = 0; i < fn->arg_size(); ++i)
    if (fn->getArg(i)->getType()->isPointerTy()) fn->addParamAttr(i, llvm::Attribute::NoAlias);
  llvm::Value* data_arg = fn->getArg(0);
  llvm::Value* validity_arg = fn->getArg(1);
  llvm::Value* offsets_arg = fn->getArg(2);
  llvm::Value* rows = fn->getArg(3);
  llvm::Value* error_row = fn->getArg(predicate ? 5 : 6);

  auto* entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  auto* loop = llvm::BasicBlock::Create(ctx, "loop", fn);
  auto* next = llvm::BasicBlock::Create(ctx, "next", fn);
  auto* failed = llvm::BasicBlock::Create(ctx, "failed", fn);
  auto* done = llvm::BasicBlock::Create(ctx, "done", fn);

  // entry: the arrays of the columns read, once per batch.
  b.SetInsertPoint(entry);
  std::map<int, const ir::Expr*> used;
  collect_columns(e, used);
  std::map<int, ColumnPointers> columns;
  bool root_double = e.type.cls == TypeClass::Double;
  for (auto [c, col] : used) {
    bool is_string = col->type.cls == TypeClass::String;
    llvm::Type* elem = col->type.cls == TypeClass::Double ? b.getDoubleTy() : is_string ? b.getInt8Ty() : i64;
    uint64_t index = static_cast<uint64_t>(c);
    llvm::Value* raw = b.CreateLoad(ptr, b.CreateConstInBoundsGEP1_64(ptr, data_arg, index));
    ColumnPointers& p = columns[c];
    p.data = b.CreateBitCast(raw, llvm::PointerType::getUnqual(elem), fmt::format("data{}", c));
    p.validity =
        b.CreateLoad(i64_ptr, b.CreateConstInBoundsGEP1_64(i64_ptr, validity_arg, index), fmt::format("validity{}", c));
    if (is_string)
      p.offsets = b.CreateLoad(i32_ptr, b.CreateConstInBoundsGEP1_64(i32_ptr, offsets_arg, index),
                               fmt::format("offsets{}", c));
  }
  llvm::Value* selection = predicate ? fn->getArg(4) : nullptr;
  llvm::Type* value_type = root_double ? b.getDoubleTy() : i64;
  llvm::Value* values = predicate ? nullptr : b.CreateBitCast(fn->getArg(4), llvm::PointerType::getUnqual(value_type));
  llvm::Value* nulls = predicate ? nullptr : fn->getArg(5);
  b.CreateCondBr(b.CreateICmpEQ(rows, b.getInt64(0)), done, loop);

  // loop: one row.
  b.SetInsertPoint(loop);
  llvm::PHINode* row = b.CreatePHI(i64, 2, "row");
  llvm::PHINode* count = b.CreatePHI(i64, 2, "selected");
  row->addIncoming(b.getInt64(0), entry);
  count->addIncoming(b.getInt64(0), entry);
  Emitter emitter(module, b, row, columns);
  CgValue result = emitter.emit(e);
  if (result.err) {
    b.CreateCondBr(result.err, failed, next, llvm::MDBuilder(ctx).createBranchWeights(1, 1 << 20));
  } else {
    b.CreateBr(next);
  }

  // next: record the row's outcome and advance.
  b.SetInsertPoint(next);
  llvm::Value* new_count = count;
  if (predicate) {
    auto [t, n] = emitter.truth(result);
    llvm::Value* selected = b.CreateAnd(t, b.CreateNot(n));
    // Branch-free: always write the row index, advance only when selected.
    b.CreateStore(b.CreateTrunc(row, b.getInt32Ty()), b.CreateInBoundsGEP(b.getInt32Ty(), selection, count));
    new_count = b.CreateAdd(count, b.CreateZExt(selected, i64));
  } else {
    llvm::Value* v = result.value;
    if (result.kind == Kind::Null) v = llvm::Constant::getNullValue(value_type);
    b.CreateStore(v, b.CreateInBoundsGEP(value_type, values, row));
    b.CreateStore(b.CreateZExt(result.null, b.getInt8Ty()), b.CreateInBoundsGEP(b.getInt8Ty(), nulls, row));
  }
  llvm::Value* row_next = b.CreateAdd(row, b.getInt64(1));
  row->addIncoming(row_next, next);
  count->addIncoming(new_count, next);
  auto* after = b.GetInsertBlock();
  b.CreateCondBr(b.CreateICmpULT(row_next, rows), loop, done);

  // failed: stop at the row that raised; the caller asks the interpreter for the message.
  b.SetInsertPoint(failed);
  b.CreateStore(row, error_row);
  if (predicate) b.CreateRet(count);
  else b.CreateRetVoid();

  b.SetInsertPoint(done);
  llvm::PHINode* final_count = b.CreatePHI(i64, 2, "total");
  final_count->addIncoming(b.getInt64(0), entry);
  final_count->addIncoming(new_count, after);
  b.CreateStore(b.getInt64(static_cast<uint64_t>(-1)), error_row);
  if (predicate) b.CreateRet(final_count);
  else b.CreateRetVoid();
}

}  // namespace obsync::jit
