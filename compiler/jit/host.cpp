// The host side of kernels: the stdlib's implementations (the same the interpreter calls) behind
// a C ABI. Kernels box native values into Values, call a registry function, a conversion or a
// comparison here, and read the result back. Nothing throws through a kernel's frame: every
// entry point is noexcept and turns a failure into status 2, on which the kernel stops at the
// row and its caller asks the interpreter.
#include <cstring>

#include "compiler/interp/interpreter.hpp"
#include "compiler/jit/codegen.hpp"
#include "stdlib/collation.hpp"
#include "stdlib/convert.hpp"
#include "stdlib/like.hpp"

namespace obsync::jit {
namespace {

// The status of `v` as a value of `type`, with its native form in `n` for Int / Double / String.
// A value of another class than its static type (no stdlib function should produce one) is
// status 2: the interpreter evaluates the row.
int32_t finish(const Value& v, const SqlType& type, NativeOut* n) {
  if (v.is_null()) return 1;
  switch (type.cls) {
    case TypeClass::Int:
      if (v.cls != TypeClass::Int || v.is_unsigned != type.is_unsigned) return 2;
      n->i = v.is_unsigned ? static_cast<int64_t>(v.u) : v.i;
      return 0;
    case TypeClass::Double:
      if (v.cls != TypeClass::Double) return 2;
      n->d = v.d;
      return 0;
    case TypeClass::String:
      if (v.cls != TypeClass::String) return 2;
      n->p = v.str.data();
      n->len = v.str.size();
      return 0;
    case TypeClass::Null: return 2;
    default: return v.cls == type.cls ? 0 : 2;
  }
}


}  // namespace
}  // namespace obsync::jit

using obsync::jit::NativeOut;
using obsync::TypeClass;
using obsync::Value;
using obsync::jit::HostSite;

extern "C" {

// The interpreter's string comparison (compare_values → Collation::compare): -1, 0 or 1.
int32_t obsync_jit_compare_strings(const void* collation, const char* a, uint64_t a_len, const char* b,
                                   uint64_t b_len) noexcept {
  const auto& c = *static_cast<const obsync::Collation*>(collation);
  return c.compare(std::string_view(a, a_len), std::string_view(b, b_len), c);
}

// text LIKE pattern (no ESCAPE) under `collation`: eval_like's like_match on two strings.
int32_t obsync_jit_like(const void* collation, const char* text, uint64_t text_len, const char* pattern,
                        uint64_t pattern_len) noexcept {
  try {
    return obsync::like_match(std::string_view(text, text_len), std::string_view(pattern, pattern_len),
                              obsync::kLikeDefaultEscape, *static_cast<const obsync::Collation*>(collation))
               ? 1
               : 0;
  } catch (...) {
    return 0;
  }
}

void obsync_jit_box_int(Value* s, int64_t v, int32_t is_unsigned, int32_t is_null) noexcept {
  if (is_null) {
    s->cls = TypeClass::Null;
    return;
  }
  s->cls = TypeClass::Int;
  s->is_unsigned = is_unsigned != 0;
  s->i = v;
  s->u = static_cast<uint64_t>(v);
}

void obsync_jit_box_double(Value* s, double v, int32_t is_null) noexcept {
  s->cls = is_null ? TypeClass::Null : TypeClass::Double;
  s->d = v;
}

// Reuses the slot's string capacity: no allocation once a row's length was seen.
int32_t obsync_jit_box_string(Value* s, const char* p, uint64_t len, int32_t is_null) noexcept {
  if (is_null) {
    s->cls = TypeClass::Null;
    return 0;
  }
  try {
    s->cls = TypeClass::String;
    s->str.assign(p, len);
    return 0;
  } catch (...) {
    return 2;
  }
}

int32_t obsync_jit_box_copy(Value* s, const Value* v, int32_t is_null) noexcept {
  if (is_null) {
    s->cls = TypeClass::Null;
    return 0;
  }
  try {
    *s = *v;
    return 0;
  } catch (...) {
    return 2;
  }
}

// Row `row` of a column the kernel does not read natively: DECIMAL (data: Decimal[]), DATE /
// TIME / DATETIME (Temporal[]), JSON and strings (bytes + offsets).
int32_t obsync_jit_box_column(Value* s, const void* data, const uint32_t* offsets, uint64_t row, int32_t cls,
                              int32_t is_null) noexcept {
  if (is_null) {
    s->cls = TypeClass::Null;
    return 0;
  }
  try {
    auto c = static_cast<TypeClass>(cls);
    s->cls = c;
    switch (c) {
      case TypeClass::Decimal: s->dec = static_cast<const obsync::Decimal*>(data)[row]; break;
      case TypeClass::Date:
      case TypeClass::Time:
      case TypeClass::DateTime: s->tm = static_cast<const obsync::Temporal*>(data)[row]; break;
      case TypeClass::String:
      case TypeClass::Json:
        s->str.assign(static_cast<const char*>(data) + offsets[row], offsets[row + 1] - offsets[row]);
        break;
      case TypeClass::Int: s->i = static_cast<const int64_t*>(data)[row]; s->u = static_cast<uint64_t>(s->i); break;
      case TypeClass::Double: s->d = static_cast<const double*>(data)[row]; break;
      case TypeClass::Null: break;
    }
    return 0;
  } catch (...) {
    return 2;
  }
}

// A registry function over site->args slots starting at `args`, as the interpreter calls it.
int32_t obsync_jit_call(const HostSite* site, Value* args, Value* out, NativeOut* native) noexcept {
  try {
    if (site->fn->null_policy == obsync::NullPolicy::NullIfAnyNull) {
      for (size_t i = 0; i < site->args; i++)
        if (args[i].is_null()) return 1;
    }
    obsync::EvalContext ctx;
    *out = site->fn->eval(std::span<const Value>(args, site->args), site->call, ctx);
    if (ctx.failed) return 2;
    return obsync::jit::finish(*out, site->type, native);
  } catch (...) {
    return 2;
  }
}

// CAST (cast != 0: convert_value) or a CASE/IF/COALESCE branch (coerce_value) from site->from
// to site->to.
int32_t obsync_jit_convert(const HostSite* site, int32_t cast, const Value* in, Value* out,
                           NativeOut* native) noexcept {
  try {
    obsync::EvalContext ctx;
    if (in->is_null()) return 1;
    *out = cast ? obsync::convert_value(*in, site->from, site->to, ctx)
                : obsync::coerce_value(*in, site->from, site->to, ctx);
    if (ctx.failed) return 2;
    return obsync::jit::finish(*out, site->type, native);
  } catch (...) {
    return 2;
  }
}

// compare_values(a, left, b, right, plan): -1, 0 or 1 (both are not NULL).
int32_t obsync_jit_compare(const HostSite* site, const Value* a, const Value* b) noexcept {
  try {
    return obsync::compare_values(*a, site->left, *b, site->right, site->plan);
  } catch (...) {
    return 0;
  }
}

// value_to_bool of a value that is not NULL.
int32_t obsync_jit_truth(const HostSite* site, const Value* v) noexcept {
  try {
    return obsync::value_to_bool(*v, site->type) ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

}  // extern "C"

namespace obsync::jit {

std::vector<std::pair<std::string, void*>> host_symbols() {
  return {
      {"obsync_jit_compare_strings", reinterpret_cast<void*>(&obsync_jit_compare_strings)},
      {"obsync_jit_like", reinterpret_cast<void*>(&obsync_jit_like)},
      {"obsync_jit_box_int", reinterpret_cast<void*>(&obsync_jit_box_int)},
      {"obsync_jit_box_double", reinterpret_cast<void*>(&obsync_jit_box_double)},
      {"obsync_jit_box_string", reinterpret_cast<void*>(&obsync_jit_box_string)},
      {"obsync_jit_box_copy", reinterpret_cast<void*>(&obsync_jit_box_copy)},
      {"obsync_jit_box_column", reinterpret_cast<void*>(&obsync_jit_box_column)},
      {"obsync_jit_call", reinterpret_cast<void*>(&obsync_jit_call)},
      {"obsync_jit_convert", reinterpret_cast<void*>(&obsync_jit_convert)},
      {"obsync_jit_compare", reinterpret_cast<void*>(&obsync_jit_compare)},
      {"obsync_jit_truth", reinterpret_cast<void*>(&obsync_jit_truth)},
  };
}

}  // namespace obsync::jit
