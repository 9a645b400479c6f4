// Smoke test: the type layer links and names types as MySQL does.
#include <catch2/catch.hpp>

#include "stdlib/collation.hpp"
#include "stdlib/types.hpp"

using namespace obsync;

TEST_CASE("SqlType spells MySQL type names") {
  CHECK(to_string(SqlType::bigint(true)) == "BIGINT UNSIGNED");
  CHECK(to_string(SqlType::decimal(10, 2)) == "DECIMAL(10,2)");
  CHECK(to_string(SqlType::string(find_collation("utf8mb4_bin"), 20)) == "VARCHAR(20) COLLATE utf8mb4_bin");
  CHECK(find_collation("no_such_collation") == nullptr);
}
