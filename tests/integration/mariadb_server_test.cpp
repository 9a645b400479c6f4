// Integration tests of the private MariaDB harness itself: start, binlog settings, stop.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/infra/mariadb_server.hpp"

using namespace obsync::test;

namespace {
std::string variable(MariaDbServer& server, const std::string& name) {
  auto rows = server.query("SHOW GLOBAL VARIABLES LIKE '" + name + "'");
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].size() == 2);
  return rows[0][1].value_or("NULL");
}
}  // namespace

TEST_CASE("shared MariaDB answers and has the binlog settings obsync needs", "[mariadb]") {
  MariaDbServer& server = shared_mariadb();
  CHECK(server.running());
  CHECK(server.host() == "127.0.0.1");
  CHECK(server.port() > 0);
  CHECK_FALSE(server.password().empty());

  auto version = server.scalar("SELECT VERSION()");
  REQUIRE(version);
  CHECK_THAT(*version, Catch::Contains("MariaDB"));

  CHECK(variable(server, "log_bin") == "ON");
  CHECK(variable(server, "binlog_format") == "ROW");
  CHECK(variable(server, "binlog_row_image") == "FULL");
  CHECK(variable(server, "binlog_row_metadata") == "FULL");
  CHECK(variable(server, "server_id") == "1");
  CHECK(variable(server, "time_zone") == "+00:00");
  CHECK(variable(server, "character_set_server") == "utf8mb4");
  CHECK(variable(server, "collation_server") == "utf8mb4_general_ci");
  CHECK(variable(server, "port") == std::to_string(server.port()));
}

TEST_CASE("the test user connects over TCP and the client maps NULL to nullopt", "[mariadb]") {
  MariaDbServer& server = shared_mariadb();
  MariaDbConnection conn = server.connect();
  auto rows = conn.query("SELECT NULL, '', 'a\\0b', 1.50");
  REQUIRE(rows.size() == 1);
  CHECK_FALSE(rows[0][0].has_value());
  CHECK(rows[0][1] == std::optional<std::string>(""));
  CHECK(rows[0][2] == std::optional<std::string>(std::string("a\0b", 3)));
  CHECK(rows[0][3] == std::optional<std::string>("1.50"));
  CHECK(conn.scalar("SELECT CURRENT_USER()") == std::optional<std::string>("obsync_test@%"));
  CHECK(conn.quote("it's") == "'it\\'s'");
}

TEST_CASE("SQL errors carry the server's code, text and the statement", "[mariadb]") {
  MariaDbServer& server = shared_mariadb();
  try {
    server.execute("SELECT * FROM no_such_db.no_such_table");
    FAIL("expected an SqlError");
  } catch (const SqlError& e) {
    CHECK(e.code() == 1146);  // ER_NO_SUCH_TABLE
    CHECK_THAT(e.what(), Catch::Contains("no_such_db"));
    CHECK(e.sql() == "SELECT * FROM no_such_db.no_such_table");
  }
  try {
    server.execute("SELECT 18446744073709551615 + 1");
    FAIL("expected an SqlError");
  } catch (const SqlError& e) {
    CHECK(e.code() == 1690);  // ER_DATA_OUT_OF_RANGE
  }
}

TEST_CASE("a private server honours MINIMAL row metadata and stop removes its directory",
          "[mariadb]") {
  std::filesystem::path dir;
  {
    MariaDbOptions options;
    options.binlog_row_metadata = BinlogRowMetadata::Minimal;
    options.extra_args.push_back("--max-connections=50");
    MariaDbServer server(options);
    dir = server.directory();
    CHECK(std::filesystem::exists(dir));
    CHECK(server.port() != shared_mariadb().port());
    CHECK(variable(server, "binlog_row_metadata") == "MINIMAL");
    CHECK(variable(server, "max_connections") == "50");  // extra args override the defaults

    // Rows written to the binlog: a table change shows up in SHOW BINLOG EVENTS.
    server.execute("CREATE DATABASE harness");
    server.execute("CREATE TABLE harness.t (id INT PRIMARY KEY, v VARCHAR(10))");
    server.execute("INSERT INTO harness.t VALUES (1, 'x')");
    bool saw_rows = false;
    for (const auto& row : server.query("SHOW BINLOG EVENTS")) {
      if (row.size() > 2 && row[2] && *row[2] == "Write_rows_v1") saw_rows = true;
    }
    CHECK(saw_rows);

    server.stop();
    CHECK_FALSE(server.running());
    CHECK_FALSE(std::filesystem::exists(dir));
    server.stop();  // idempotent
  }
  CHECK_FALSE(std::filesystem::exists(dir));
}
