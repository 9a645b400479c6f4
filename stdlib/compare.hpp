// MySQL comparison semantics: which type two values are compared as, and the comparison itself.
#pragma once
#include <optional>

#include "stdlib/collation.hpp"
#include "stdlib/types.hpp"
#include "stdlib/value.hpp"

namespace obsync {

// How two operands are compared (MySQL's Arg_comparator choice).
enum class CompareAs : uint8_t { Int, Decimal, Double, String, DateTime, Date, Time, Json };

struct ComparePlan {
  CompareAs as = CompareAs::Double;
  const Collation* collation = nullptr;  // String
};

// The plan for comparing values of types a and b (also for IN lists and BETWEEN, by folding).
// Fails (nullopt, `error` set) for strings of incompatible collations.
std::optional<ComparePlan> plan_comparison(const SqlType& a, const SqlType& b, std::string& error);
ComparePlan plan_comparison_list(const std::vector<SqlType>& types, std::string& error, bool& ok);

// Three-way comparison of two non-NULL values; warnings (truncated strings) are ignored as in
// MySQL's SELECT.
int compare_values(const Value& a, const SqlType& ta, const Value& b, const SqlType& tb, const ComparePlan& plan);

// The collation of a string operation over two strings: MySQL's coercibility rules
// (explicit COLLATE > column > literal), binary wins over non-binary.
const Collation* derive_collation(const SqlType& a, const SqlType& b, std::string& error);

}  // namespace obsync
