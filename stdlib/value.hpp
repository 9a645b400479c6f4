// A single SQL value as the reference interpreter handles it, and its MySQL text form.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "stdlib/decimal.hpp"
#include "stdlib/temporal.hpp"
#include "stdlib/types.hpp"

namespace obsync {

// A value of one TypeClass. Only the member for its class is meaningful. The interpreter is the
// reference engine, so clarity wins over compactness here; the batch runtime uses columns.
struct Value {
  TypeClass cls = TypeClass::Null;  // Null: SQL NULL (of any type)
  bool is_unsigned = false;         // Int: read `u` instead of `i`
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  Decimal dec;
  std::string str;                  // String (bytes in the collation's charset) and Json (text)
  Temporal tm;                      // Date, Time, DateTime

  bool is_null() const { return cls == TypeClass::Null; }

  static Value null() { return {}; }
  static Value from_int(int64_t v) { Value x; x.cls = TypeClass::Int; x.i = v; return x; }
  static Value from_uint(uint64_t v) { Value x; x.cls = TypeClass::Int; x.is_unsigned = true; x.u = v; return x; }
  static Value from_double(double v) { Value x; x.cls = TypeClass::Double; x.d = v; return x; }
  static Value from_decimal(Decimal v) { Value x; x.cls = TypeClass::Decimal; x.dec = v; return x; }
  static Value from_string(std::string v) { Value x; x.cls = TypeClass::String; x.str = std::move(v); return x; }
  static Value from_temporal(TypeClass cls, Temporal t) { Value x; x.cls = cls; x.tm = t; return x; }
  static Value from_json(std::string v) { Value x; x.cls = TypeClass::Json; x.str = std::move(v); return x; }
};

// The value's MySQL text form, exactly as the `mysql` client prints it in batch mode (without
// escaping): "NULL" is not produced here (callers print NULL for null values). `type` gives the
// scale for DECIMAL, the fsp for temporals and FLOAT vs DOUBLE precision.
std::string render_value(const Value& v, const SqlType& type);

}  // namespace obsync
