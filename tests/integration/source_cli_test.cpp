// `obsync schema pull` and `obsync binlog tail` against the private MariaDB, as a user runs them:
// a script with the server's address and the password in an environment variable.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/infra/mariadb_server.hpp"
#include "tests/infra/process.hpp"

using obsync::test::MariaDbServer;
using obsync::test::run_process;
namespace fs = std::filesystem;

namespace {

// A script whose source is `server`; the password comes from OBSYNC_TEST_PASSWORD.
fs::path write_script(const MariaDbServer& server, const std::string& name, const std::string& syncs,
                      const std::string& password_env = "OBSYNC_TEST_PASSWORD") {
  fs::path dir = fs::temp_directory_path() / fmt::format("obsync-cli-{}-{}", name, ::getpid());
  fs::create_directories(dir);
  fs::path path = dir / (name + ".sync");
  std::ofstream(path) << fmt::format(
      "SOURCE db MARIADB (host = '127.0.0.1', port = {}, user = '{}', password = env('{}'), heartbeat = 1);\n"
      "SINK k KAFKA (bootstrap = '127.0.0.1:9');\n"
      "PROJECT {};\n{}\n",
      server.port(), server.user(), password_env, name, syncs);
  return path;
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    out.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("schema pull writes the schema file that check --schema reads", "[source-cli]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  server.execute("DROP DATABASE IF EXISTS clidb");
  server.execute("CREATE DATABASE clidb");
  server.execute("CREATE TABLE clidb.orders (id BIGINT UNSIGNED PRIMARY KEY, status VARCHAR(20) NOT NULL, "
                 "amount DECIMAL(10,2), created_at DATETIME(3), UNIQUE KEY (status, id))");
  ::setenv("OBSYNC_TEST_PASSWORD", server.password().c_str(), 1);
  fs::path script = write_script(server, "pull", "SYNC clidb.orders TO TOPIC orders WHERE amount >= 100;");
  fs::path out = script.parent_path() / "schema.json";
  auto r = run_process({OBSYNC_BINARY, "schema", "pull", script.string(), "-o", out.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("1 tables"));
  std::ifstream in(out);
  auto schema = nlohmann::json::parse(in);
  CHECK(schema.dump().find("decimal(10,2)") != std::string::npos);
  CHECK(schema.dump().find("\"orders\"") != std::string::npos);

  // The pulled schema resolves the script's columns: a typo is now caught offline.
  auto ok = run_process({OBSYNC_BINARY, "check", "--schema", out.string(), script.string()});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  fs::path typo = write_script(server, "typo", "SYNC clidb.orders TO TOPIC orders WHERE amont >= 100;");
  auto bad = run_process({OBSYNC_BINARY, "check", "--schema", out.string(), typo.string()});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("amount"));  // did you mean
  CHECK(r.out.find(server.password()) == std::string::npos);
  CHECK(r.err.find(server.password()) == std::string::npos);
}

TEST_CASE("binlog tail prints the script's row changes as JSON lines", "[source-cli]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  server.execute("DROP DATABASE IF EXISTS tail1");
  server.execute("CREATE DATABASE tail1");
  server.execute("CREATE TABLE tail1.t (id INT PRIMARY KEY, name VARCHAR(20), e ENUM('a','b'))");
  server.execute("CREATE TABLE tail1.skipped (id INT PRIMARY KEY)");
  auto status = server.query("SHOW MASTER STATUS");
  std::string from = fmt::format("{}:{}", *status[0][0], *status[0][1]);
  server.execute("INSERT INTO tail1.skipped VALUES (1)");
  server.execute("INSERT INTO tail1.t VALUES (1, 'ü😀', 'b'), (2, NULL, 'a')");
  server.execute("UPDATE tail1.t SET name = 'x' WHERE id = 2");
  ::setenv("OBSYNC_TEST_PASSWORD", server.password().c_str(), 1);
  fs::path script = write_script(server, "tail", "SYNC tail1.t TO TOPIC tail_t;");
  auto r = run_process({OBSYNC_BINARY, "binlog", "tail", script.string(), "--from", from, "--limit", "3"},
                       std::chrono::seconds(60));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto lines = json_lines(r.out);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["db"] == "tail1");
  CHECK(lines[0]["table"] == "t");
  CHECK(lines[0]["op"] == "INSERT");
  CHECK(lines[0]["columns"] == nlohmann::json::array({"id", "name", "e"}));
  CHECK(lines[0]["after"] == nlohmann::json::array({"1", "ü😀", "b"}));
  CHECK(lines[0]["before"].is_null());
  CHECK(lines[1]["after"] == nlohmann::json::array({"2", nullptr, "a"}));
  CHECK(lines[2]["op"] == "UPDATE");
  CHECK(lines[2]["before"] == nlohmann::json::array({"2", nullptr, "a"}));
  CHECK(lines[2]["after"] == nlohmann::json::array({"2", "x", "a"}));
  CHECK(lines[0]["file"] == *status[0][0]);
  CHECK_FALSE(lines[0]["gtid"].is_null());
  CHECK(r.err.find(server.password()) == std::string::npos);
}

TEST_CASE("binlog tail and schema pull: clear errors for a wrong password and an unset variable", "[source-cli]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  ::setenv("OBSYNC_WRONG_PASSWORD", "not-the-Password-42", 1);
  fs::path script = write_script(server, "wrong", "SYNC clidb.orders TO TOPIC orders;", "OBSYNC_WRONG_PASSWORD");
  for (std::vector<std::string> argv : {std::vector<std::string>{OBSYNC_BINARY, "schema", "pull", script.string()},
                                        std::vector<std::string>{OBSYNC_BINARY, "binlog", "tail", script.string()}}) {
    auto r = run_process(argv);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(fmt::format("{}@127.0.0.1:{}", server.user(), server.port())));
    CHECK_THAT(r.err, Catch::Contains("Access denied"));
    CHECK(r.err.find("not-the-Password-42") == std::string::npos);
  }
  fs::path unset = write_script(server, "unset", "SYNC clidb.orders TO TOPIC orders;", "OBSYNC_NO_SUCH_VARIABLE_X");
  auto r = run_process({OBSYNC_BINARY, "binlog", "tail", unset.string()});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("OBSYNC_NO_SUCH_VARIABLE_X"));
  CHECK_THAT(r.err, Catch::Contains("not set"));
}
