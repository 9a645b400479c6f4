// Conversions between value classes as MySQL applies them in expressions (val_int, val_real,
// val_decimal, val_str, get_date…): the one place where coercion rules live.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stdlib/decimal.hpp"
#include "stdlib/function_registry.hpp"
#include "stdlib/temporal.hpp"
#include "stdlib/types.hpp"
#include "stdlib/value.hpp"

namespace obsync {

// All take a non-NULL value and its static type.
double value_to_double(const Value& v, const SqlType& t);
Decimal value_to_decimal(const Value& v, const SqlType& t);
// MySQL's val_int(): doubles and decimals round half away from zero; strings read their
// integer prefix (as CAST(... AS SIGNED)); temporals give their numeric form. `is_unsigned`
// says how to read the 64 bits (true for values above INT64_MAX).
struct IntValue {
  int64_t value = 0;
  bool is_unsigned = false;
};
IntValue value_to_int(const Value& v, const SqlType& t);
// val_str(): the MySQL text form.
std::string value_to_string(const Value& v, const SqlType& t);
// Truth value of a non-NULL value (WHERE, AND, OR, IF): non-zero number.
bool value_to_bool(const Value& v, const SqlType& t);
// get_date(): DATETIME from any class; nullopt when the value is not a valid date.
std::optional<Temporal> value_to_datetime(const Value& v, const SqlType& t);
std::optional<Temporal> value_to_date(const Value& v, const SqlType& t);
std::optional<Temporal> value_to_time(const Value& v, const SqlType& t);

// Converts a non-NULL value to `target` (CAST semantics and result-type coercion). May produce
// NULL (invalid temporal) or fail with an error in `ctx` (BIGINT out of range where MySQL errors).
Value convert_value(const Value& v, const SqlType& from, const SqlType& target, EvalContext& ctx);

// Numeric typing helpers shared by the binder and function resolution.
int decimal_integer_digits(const SqlType& t);  // digits before the point when seen as DECIMAL
int decimal_scale(const SqlType& t);           // scale when seen as DECIMAL
// The class a value of type t takes in arithmetic: Int, Decimal or Double.
TypeClass numeric_class(const SqlType& t);
// The common type of CASE / IF / COALESCE branches (MySQL's aggregate_type): nullopt with
// `error` when string collations conflict.
std::optional<SqlType> aggregate_types(const std::vector<SqlType>& types, std::string& error);
// A literal's value and type, as the parser of MySQL reads it; nullopt for an invalid literal.
enum class LiteralClass { Integer, Decimal, Real, Hex, Bit };
std::optional<std::pair<Value, SqlType>> numeric_literal(std::string_view text, LiteralClass kind);

}  // namespace obsync
