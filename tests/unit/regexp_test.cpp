// REGEXP through ICU: characters (not bytes), case from the collation, MySQL's errors.
#include <catch2/catch.hpp>

#include "stdlib/function_registry.hpp"
#include "stdlib/regexp.hpp"

using namespace obsync;

namespace {
int like(std::string_view subject, std::string_view pattern, const char* collation = "utf8mb4_general_ci") {
  RegexpError error;
  auto r = regexp_like(subject, pattern, *find_collation(collation), error);
  return r ? static_cast<int>(*r) : -error.code;
}
}  // namespace

TEST_CASE("REGEXP matches characters under the collation's case rule") {
  CHECK(like("\xF0\x9F\x98\x80", "^.$") == 1);  // one character, four bytes
  CHECK(like("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "^\xE6\x97\xA5.\xE8\xAA\x9E$") == 1);
  CHECK(like("ABC", "abc") == 1);
  CHECK(like("ABC", "abc", "utf8mb4_bin") == 0);
  CHECK(like("ABC", "abc", "utf8mb4_0900_as_cs") == 0);
  CHECK(like("ABC", "abc", "utf8mb4_0900_ai_ci") == 1);
  CHECK(like("\xC3\xA9", "e") == 0);  // no accent folding in ICU
  CHECK(like("abc123", "^[a-z]+[0-9]+$") == 1);
  CHECK(like("a1", "[[:digit:]]") == 1);
  CHECK(like("foo.bar", "o\\.b") == 1);
  CHECK(like("fooxbar", "o\\.b") == 0);
  CHECK(like("a\nb", "a.b") == 0);  // '.' does not match a line terminator
  CHECK(like("a", "(") == -3691);
  CHECK(like("a", "a{2,1}") == -3693);
}

TEST_CASE("REGEXP rejects a binary string with a character string") {
  const FunctionDef* fn = find_function("REGEXP");
  REQUIRE(fn != nullptr);
  auto resolves = [&](SqlType a, SqlType b) {
    const SqlType args[] = {a, b};
    BoundCall out;
    std::string error;
    return fn->resolve(std::span<const SqlType>(args), out, error);
  };
  SqlType text = SqlType::string(&default_collation());
  SqlType bytes = SqlType::varbinary();
  CHECK_FALSE(resolves(bytes, text));
  CHECK_FALSE(resolves(text, bytes));
  CHECK(resolves(bytes, bytes));
  CHECK(resolves(SqlType::bigint(), bytes));
  CHECK(resolves(SqlType::null_type(), bytes));
}
