// MySQL comparison semantics: which type two values are compared as, and the comparison itself.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stdlib/collation.hpp"
#include "stdlib/types.hpp"
#include "stdlib/value.hpp"

namespace obsync {

// How two operands are compared (MySQL's Arg_comparator choice). PerPair: an IN list or a CASE
// whose elements have different types; each element is compared with the left operand by the
// type of that pair (MySQL's cmp_item per result type), strings by the plan's collation.
enum class CompareAs : uint8_t { Int, Decimal, Double, String, DateTime, Date, Time, Json, PerPair };

struct ComparePlan {
  CompareAs as = CompareAs::Double;
  const Collation* collation = nullptr;  // String
};

// The plan for comparing values of types a and b. Fails (nullopt, `error` set) for strings of
// incompatible collations.
std::optional<ComparePlan> plan_comparison(const SqlType& a, const SqlType& b, std::string& error);
// The comparison type of a and b alone (no collation).
CompareAs comparison_type(const SqlType& a, const SqlType& b);
// types[0] against each of types[1..]. kFolded (BETWEEN): one type for all, as MySQL's
// agg_cmp_type. kPairwise (IN, CASE operand): PerPair when the pairs' types differ.
enum class ListComparison : uint8_t { kFolded, kPairwise };
ComparePlan plan_comparison_list(const std::vector<SqlType>& types, std::string& error, bool& ok,
                                 ListComparison mode = ListComparison::kPairwise);

// Three-way comparison of two non-NULL values; warnings (truncated strings) are ignored as in
// MySQL's SELECT.
int compare_values(const Value& a, const SqlType& ta, const Value& b, const SqlType& tb, const ComparePlan& plan);

// A collation and its coercibility (MySQL's DTCollation).
struct DerivedCollation {
  const Collation* collation = nullptr;
  uint8_t derivation = SqlType::kCoercible;
};
// What a value of type t contributes to collation aggregation: strings their own, numbers and
// temporals the connection collation with NUMERIC coercibility, NULL IGNORABLE.
DerivedCollation derived_collation(const SqlType& t);

// MySQL's agg_item_charsets: the collation of an operation over `types`. Comparison (and LIKE,
// LOCATE…) rejects an undecided result (NONE); a string result (CONCAT…) keeps it, so that only
// a later comparison fails. On failure `error` holds MySQL's message for operation `op`.
enum class CollationUse : uint8_t { kComparison, kStringResult };
std::optional<DerivedCollation> aggregate_collations(std::span<const SqlType> types, CollationUse use,
                                                     std::string_view op, std::string& error);

// The collation for comparing two strings (aggregate_collations for a comparison); nullptr with
// `error` ("Illegal mix of collations (…) and (…)", without the operation) on a conflict.
const Collation* derive_collation(const SqlType& a, const SqlType& b, std::string& error);

}  // namespace obsync
