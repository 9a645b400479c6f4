// `obsync precheck` and `obsync run` against bad set-ups: each gives its clear error and exit
// code, never a crash and never a silent loss (real MariaDB, real Kafka broker).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "tests/infra/kafka_broker.hpp"
#include "tests/infra/mariadb_server.hpp"
#include "tests/infra/process.hpp"

using obsync::test::MariaDbServer;
using obsync::test::run_process;
namespace fs = std::filesystem;

namespace {

struct Setup {
  std::string source_host = "127.0.0.1";
  unsigned source_port = 0;
  std::string password_env = "OBSYNC_ERR_PASSWORD";
  std::string bootstrap;
  std::string syncs;
  std::string project = "errs";
};

fs::path write_script(const MariaDbServer& server, const Setup& s, const std::string& name) {
  fs::path dir = fs::temp_directory_path() / fmt::format("obsync-errors-{}", ::getpid());
  fs::create_directories(dir);
  fs::path path = dir / (name + ".sync");
  std::ofstream(path) << fmt::format(
      "SOURCE db MARIADB (host = '{}', port = {}, user = '{}', password = env('{}'), connect_timeout = 3);\n"
      "SINK k KAFKA (bootstrap = '{}', properties = ('socket.connection.setup.timeout.ms' = '3000'));\n"
      "PROJECT {};\n{}\n",
      s.source_host, s.source_port ? s.source_port : server.port(), server.user(), s.password_env, s.bootstrap,
      s.project, s.syncs);
  return path;
}

std::string state_dir(const std::string& name) {
  return (fs::temp_directory_path() / fmt::format("obsync-errors-{}", ::getpid()) / ("state-" + name)).string();
}

void prepare(MariaDbServer& server) {
  server.execute("CREATE DATABASE IF NOT EXISTS errs");
  server.execute("CREATE TABLE IF NOT EXISTS errs.t (id INT PRIMARY KEY, v VARCHAR(10))");
  server.execute("CREATE TABLE IF NOT EXISTS errs.big (id INT PRIMARY KEY, b LONGBLOB)");
  server.execute("CREATE TABLE IF NOT EXISTS errs.nokey (a INT, b INT)");
  ::setenv("OBSYNC_ERR_PASSWORD", server.password().c_str(), 1);
}

}  // namespace

TEST_CASE("precheck: one line per check, pass/warn/fail and why — exit 0 only when nothing failed", "[e2e]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  auto& kafka = obsync::test::shared_kafka();
  prepare(server);
  Setup s;
  s.bootstrap = kafka.bootstrap();
  s.syncs = "SYNC errs.t TO TOPIC errs_t;\nSYNC errs.big TO TOPIC errs_big;\nSYNC errs.nokey TO TOPIC errs_nokey;";
  auto good = run_process({OBSYNC_BINARY, "precheck", write_script(server, s, "good").string()}, std::chrono::seconds(60));
  INFO(good.out << good.err);
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.out, Catch::Contains("pass  source reachable"));
  CHECK_THAT(good.out, Catch::Contains("pass  privileges"));
  CHECK_THAT(good.out, Catch::Contains("pass  binlog settings"));
  CHECK_THAT(good.out, Catch::Contains("pass  kafka reachable"));
  CHECK_THAT(good.out, Catch::Contains("pass  topic errs_t: can be created"));
  CHECK_THAT(good.out, Catch::Contains("warn  tables and columns"));  // nokey: W0002
  CHECK_THAT(good.out, Catch::Contains("warn  message size errs_big"));
  CHECK(good.out.find(server.password()) == std::string::npos);

  s.syncs = "SYNC errs.t TO EXISTING TOPIC no_such_topic_here;\nSYNC errs.nosuch TO TOPIC errs_x;";
  auto bad = run_process({OBSYNC_BINARY, "precheck", write_script(server, s, "bad").string()}, std::chrono::seconds(60));
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.out, Catch::Contains("FAIL  existing topic no_such_topic_here: does not exist"));
  CHECK_THAT(bad.out, Catch::Contains("FAIL  tables and columns"));
  CHECK_THAT(bad.out, Catch::Contains("nosuch"));
}

TEST_CASE("run: unreachable source, wrong password, unreachable Kafka, a topic that cannot be created", "[e2e]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  auto& kafka = obsync::test::shared_kafka();
  prepare(server);
  Setup s;
  s.bootstrap = kafka.bootstrap();
  s.syncs = "SYNC errs.t TO TOPIC errs_t2;";

  SECTION("nobody listens on the source's port") {
    Setup x = s;
    x.source_port = obsync::test::find_free_port();
    auto r = run_process({OBSYNC_BINARY, "run", write_script(server, x, "nosource").string(), "--state-dir",
                          state_dir("nosource")},
                         std::chrono::seconds(60));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(fmt::format("127.0.0.1:{}", x.source_port)));
    CHECK_THAT(r.err, Catch::Contains("check that the server is running"));
  }
  SECTION("a wrong password") {
    ::setenv("OBSYNC_ERR_WRONG", "Wrong-Pass-77", 1);
    Setup x = s;
    x.password_env = "OBSYNC_ERR_WRONG";
    auto r = run_process({OBSYNC_BINARY, "run", write_script(server, x, "wrongpw").string(), "--state-dir",
                          state_dir("wrongpw")},
                         std::chrono::seconds(60));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("Access denied"));
    CHECK(r.err.find("Wrong-Pass-77") == std::string::npos);
  }
  SECTION("Kafka unreachable") {
    Setup x = s;
    x.bootstrap = fmt::format("127.0.0.1:{}", obsync::test::find_free_port());
    auto r = run_process({OBSYNC_BINARY, "run", write_script(server, x, "nokafka").string(), "--state-dir",
                          state_dir("nokafka")},
                         std::chrono::seconds(90));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains(x.bootstrap));
    CHECK_THAT(r.err, Catch::Contains("metadata"));
  }
  SECTION("a topic that cannot be created (3 replicas on 1 broker)") {
    Setup x = s;
    x.syncs = "SYNC errs.t TO TOPIC errs_three (PARTITIONS 2, REPLICAS 3);";
    auto r = run_process({OBSYNC_BINARY, "run", write_script(server, x, "topic").string(), "--state-dir",
                          state_dir("topic")},
                         std::chrono::seconds(90));
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("cannot create topic errs_three"));
    CHECK_THAT(r.err, Catch::Contains("eplication factor"));
  }
}

TEST_CASE("run: a 20 MB row against a 1 MB topic limit stops with the table, position and what to do", "[e2e]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  auto& kafka = obsync::test::shared_kafka();
  prepare(server);
  server.execute("SET GLOBAL max_allowed_packet = 67108864");
  server.execute("DROP TABLE IF EXISTS errs.huge");
  server.execute("CREATE TABLE errs.huge (id INT PRIMARY KEY, b LONGBLOB)");
  Setup s;
  s.bootstrap = kafka.bootstrap();
  s.project = "errs_huge";
  s.syncs = "SYNC errs.huge TO TOPIC errs_huge;";
  fs::path script = write_script(server, s, "huge");
  // The first run creates the topic and synchronizes nothing; then a small and a huge row.
  auto first = run_process({OBSYNC_BINARY, "run", script.string(), "--state-dir", state_dir("huge"),
                            "--stop-after-idle", "2"},
                           std::chrono::seconds(60));
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  auto conn = server.connect("errs");
  conn.execute("INSERT INTO huge VALUES (1, x'00')");
  conn.execute("INSERT INTO huge VALUES (2, REPEAT('x', 20 * 1024 * 1024))");
  auto r = run_process({OBSYNC_BINARY, "run", script.string(), "--state-dir", state_dir("huge"),
                        "--stop-after-idle", "5"},
                       std::chrono::seconds(90));
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("errs.huge"));
  CHECK_THAT(r.err, Catch::Contains("mysql-bin."));
  CHECK_THAT(r.err, Catch::Contains("too large"));
  CHECK_THAT(r.err, Catch::Contains("max.message.bytes"));
  // The checkpoint stays before the failing transaction: the small row's transaction is in, the
  // huge one is not, and a second attempt stops at the same place.
  auto again = run_process({OBSYNC_BINARY, "run", script.string(), "--state-dir", state_dir("huge"),
                            "--stop-after-idle", "5"},
                           std::chrono::seconds(90));
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.err, Catch::Contains("too large"));
  server.execute("DROP TABLE errs.huge");
}
