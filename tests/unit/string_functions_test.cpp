// String built-ins through the registry: MySQL 8 answers for positions, collations and NULLs.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "stdlib/compare.hpp"
#include "stdlib/function_registry.hpp"

using namespace obsync;

namespace {

struct Arg {
  Value value;
  SqlType type;
};

Arg str(std::string s, const char* collation = "utf8mb4_general_ci", uint8_t derivation = SqlType::kCoercible) {
  SqlType t = SqlType::string(find_collation(collation));
  t.derivation = derivation;
  t.nullable = false;
  return {Value::from_string(std::move(s)), t};
}
Arg num(int64_t v) {
  SqlType t = SqlType::bigint();
  t.nullable = false;
  return {Value::from_int(v), t};
}
Arg real(double v) {
  SqlType t = SqlType::dbl();
  t.nullable = false;
  return {Value::from_double(v), t};
}
Arg null() {
  SqlType t;
  t.derivation = SqlType::kIgnorable;
  return {Value::null(), t};
}

// Resolves and evaluates name(args) as the interpreter does; nullopt for a resolve error.
std::optional<Value> call(const char* name, std::vector<Arg> args, int64_t param = 0) {
  const FunctionDef* fn = find_function(name);
  REQUIRE(fn != nullptr);
  BoundCall bound;
  bound.param = param;
  std::vector<SqlType> types;
  std::vector<Value> values;
  for (auto& a : args) {
    types.push_back(a.type);
    values.push_back(a.value);
  }
  std::string error;
  if (!fn->resolve(types, bound, error)) return std::nullopt;
  bound.args = types;
  if (fn->null_policy == NullPolicy::NullIfAnyNull)
    for (const Value& v : values)
      if (v.is_null()) return Value::null();
  EvalContext ctx;
  return fn->eval(values, bound, ctx);
}

std::string text(const char* name, std::vector<Arg> args, int64_t param = 0) {
  auto v = call(name, std::move(args), param);
  REQUIRE(v.has_value());
  if (v->is_null()) return "NULL";
  if (v->cls == TypeClass::Int) return std::to_string(v->i);
  return v->str;
}

}  // namespace

TEST_CASE("SUBSTRING, LEFT and RIGHT count characters") {
  CHECK(text("SUBSTRING", {str("hello"), num(2)}) == "ello");
  CHECK(text("SUBSTRING", {str("hello"), num(-3), num(2)}) == "ll");
  CHECK(text("SUBSTRING", {str("hello"), num(0)}).empty());
  CHECK(text("SUBSTRING", {str("hello"), num(-10)}).empty());
  CHECK(text("SUBSTRING", {str("hello"), num(2), num(-1)}).empty());
  CHECK(text("SUBSTRING", {str("h\xC3\xA9llo"), num(2), num(2)}) == "\xC3\xA9l");
  CHECK(text("SUBSTRING", {str("h\xC3\xA9llo", "binary"), num(2), num(2)}) == "\xC3\xA9");  // bytes
  CHECK(text("SUBSTRING", {num(12345), num(2), num(2)}) == "23");
  CHECK(text("LEFT", {str("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"), num(2)}) == "\xE6\x97\xA5\xE6\x9C\xAC");
  CHECK(text("LEFT", {str("hello"), num(-1)}).empty());
  CHECK(text("RIGHT", {str("hello"), num(10)}) == "hello");
  CHECK(text("RIGHT", {str("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"), num(1)}) == "\xE8\xAA\x9E");
  CHECK(text("LENGTH", {str("\xF0\x9F\x98\x80")}) == "4");
  CHECK(text("CHAR_LENGTH", {str("\xF0\x9F\x98\x80")}) == "1");
  CHECK(text("CHAR_LENGTH", {str("\xF0\x9F\x98\x80", "binary")}) == "4");
}

TEST_CASE("CONCAT, CONCAT_WS, TRIM, REPLACE") {
  CHECK(text("CONCAT", {str("a"), num(1), real(-1)}) == "a1-1");
  CHECK(text("CONCAT", {str("a"), null()}) == "NULL");
  CHECK(text("CONCAT_WS", {str(","), str("a"), null(), str("b")}) == "a,b");
  CHECK(text("CONCAT_WS", {null(), str("a")}) == "NULL");
  CHECK(text("CONCAT_WS", {str(","), null(), null()}).empty());
  CHECK(text("TRIM", {str("  a  ")}) == "a");
  CHECK(text("TRIM", {str("xxaxx"), str("x")}, 1) == "axx");
  CHECK(text("TRIM", {str("xxaxx"), str("x")}, 2) == "xxa");
  CHECK(text("TRIM", {str("abababa"), str("ab")}) == "a");
  CHECK(text("TRIM", {str("a"), str("")}) == "a");
  CHECK(text("LTRIM", {str("  a  ")}) == "a  ");
  CHECK(text("RTRIM", {str("\t a \t")}) == "\t a \t");  // spaces only
  CHECK(text("REPLACE", {str("aaa"), str("aa"), str("b")}) == "ba");
  CHECK(text("REPLACE", {str("ABC"), str("b"), str("x")}) == "ABC");  // case-sensitive
  CHECK(text("REPLACE", {str("abc"), str(""), str("x")}) == "abc");
}

TEST_CASE("LOCATE and INSTR use the collation") {
  CHECK(text("LOCATE", {str("B"), str("abc")}) == "2");
  CHECK(text("LOCATE", {str("B"), str("abc", "utf8mb4_bin", SqlType::kExplicit)}) == "0");
  CHECK(text("LOCATE", {str("b"), str("abcb"), num(3)}) == "4");
  CHECK(text("LOCATE", {str("b"), str("abc"), num(0)}) == "0");
  CHECK(text("LOCATE", {str(""), str("abc")}) == "1");
  CHECK(text("LOCATE", {str("\xC3\x89"), str("caf\xC3\xA9")}) == "4");  // É in café
  CHECK(text("INSTR", {str("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"), str("\xE8\xAA\x9E")}) == "3");
  // No padding inside the search: 'e ' is not 'é' although 'e ' = 'é' under PAD SPACE.
  CHECK(text("LOCATE", {str("\xC3\xA9"), str("xe y")}) == "0");
  // Two column collations of one character set that are neither binary: illegal mix.
  CHECK_FALSE(call("LOCATE", {str("a", "utf8mb4_general_ci", SqlType::kImplicit),
                              str("a", "utf8mb4_unicode_ci", SqlType::kImplicit)}));
}

TEST_CASE("LPAD, RPAD and HEX") {
  CHECK(text("LPAD", {str("abc"), num(5), str("xy")}) == "xyabc");
  CHECK(text("LPAD", {str("abc"), num(2), str("x")}) == "ab");
  CHECK(text("LPAD", {str("abc"), num(2), str("")}) == "ab");  // truncation needs no pad
  CHECK(text("LPAD", {str("abc"), num(5), str("")}) == "NULL");
  CHECK(text("LPAD", {str("abc"), num(-1), str("x")}) == "NULL");
  CHECK(text("RPAD", {str("abc"), num(6), str("xy")}) == "abcxyx");
  CHECK(text("RPAD", {str("abc"), num(100000000), str("x")}) == "NULL");  // > max_allowed_packet
  CHECK(text("HEX", {num(255)}) == "FF");
  CHECK(text("HEX", {num(-1)}) == "FFFFFFFFFFFFFFFF");
  CHECK(text("HEX", {real(2.5)}) == "3");
  CHECK(text("HEX", {real(-1.5)}) == "FFFFFFFFFFFFFFFE");
  CHECK(text("HEX", {str("\xC3\xA9")}) == "C3A9");
}

TEST_CASE("collation aggregation follows MySQL 8's DTCollation::aggregate") {
  auto agg = [](std::vector<SqlType> types, CollationUse use) {
    std::string error;
    auto c = aggregate_collations(types, use, "=", error);
    return c ? std::string(c->collation->name) : "error: " + error;
  };
  auto col = [](const char* name, uint8_t derivation) {
    SqlType t = SqlType::string(find_collation(name));
    t.derivation = derivation;
    return t;
  };
  using K = CollationUse;
  // A _bin collation wins over a _ci one of the same character set and coercibility.
  CHECK(agg({col("utf8mb4_bin", SqlType::kImplicit), col("utf8mb4_general_ci", SqlType::kImplicit)}, K::kComparison) ==
        "utf8mb4_bin");
  CHECK(agg({col("utf8mb4_general_ci", SqlType::kImplicit), col("utf8mb4_unicode_ci", SqlType::kImplicit)},
            K::kComparison) ==
        "error: Illegal mix of collations (utf8mb4_general_ci,IMPLICIT) and (utf8mb4_unicode_ci,IMPLICIT) for "
        "operation '='");
  // For a string result the pair is undecided (utf8mb4_bin, NONE), not an error.
  CHECK(agg({col("utf8mb4_general_ci", SqlType::kImplicit), col("utf8mb4_unicode_ci", SqlType::kImplicit)},
            K::kStringResult) == "utf8mb4_bin");
  CHECK(agg({col("utf8mb4_bin", SqlType::kExplicit), col("utf8mb4_general_ci", SqlType::kExplicit)}, K::kComparison)
            .starts_with("error"));
  CHECK(agg({col("utf8mb4_bin", SqlType::kImplicit), col("utf8mb4_0900_bin", SqlType::kImplicit)}, K::kComparison)
            .starts_with("error"));
  // A binary string wins unless the character string has the stronger coercibility.
  CHECK(agg({col("utf8mb4_general_ci", SqlType::kCoercible), col("binary", SqlType::kImplicit)}, K::kComparison) ==
        "binary");
  CHECK(agg({col("utf8mb4_general_ci", SqlType::kImplicit), col("binary", SqlType::kCoercible)}, K::kComparison) ==
        "utf8mb4_general_ci");
  CHECK(agg({SqlType::bigint(), col("utf8mb4_bin", SqlType::kCoercible)}, K::kStringResult) == "utf8mb4_bin");
}

TEST_CASE("IN lists with mixed types compare each pair by its own type") {
  auto plan_of = [](std::vector<SqlType> types) {
    std::string error;
    bool ok = true;
    return plan_comparison_list(types, error, ok);
  };
  SqlType s = SqlType::string(&default_collation());
  ComparePlan plan = plan_of({s, s, SqlType::bigint()});
  CHECK(plan.as == CompareAs::PerPair);
  // '1.0' IN ('1', 2): the string pair compares as strings, so '1.0' <> '1'.
  CHECK(compare_values(Value::from_string("1.0"), s, Value::from_string("1"), s, plan) != 0);
  CHECK(compare_values(Value::from_string("2.0"), s, Value::from_int(2), SqlType::bigint(), plan) == 0);
  std::string error;
  bool ok = true;
  CHECK(plan_comparison_list({s, s, SqlType::bigint()}, error, ok, ListComparison::kFolded).as == CompareAs::Double);
}
