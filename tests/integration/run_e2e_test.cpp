// `obsync run` end to end through the real servers: a private MariaDB and a real Kafka broker.
// The test consumes each topic, rebuilds the table from the messages and compares it with
// SELECT on the source (filtered and projected): identical. Then it kills obsync with SIGKILL
// mid-stream, restarts it from its checkpoint, and checks that nothing was lost.
#include <catch2/catch.hpp>

#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/infra/kafka_broker.hpp"
#include "tests/infra/mariadb_server.hpp"
#include "tests/infra/process.hpp"

using obsync::test::MariaDbServer;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

struct Consumed {
  std::string key;
  json value;
  int32_t partition = 0;
};

// Every message of `topic` from the beginning, until `idle` passes without a new one.
std::vector<Consumed> consume_all(const std::string& bootstrap, const std::string& topic,
                                  std::chrono::milliseconds idle = std::chrono::milliseconds(3000)) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  std::string group = fmt::format("e2e-{}-{}", topic, std::random_device{}());
  rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  REQUIRE(rk);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  REQUIRE(rd_kafka_subscribe(rk, topics) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(topics);
  std::vector<Consumed> out;
  auto last = std::chrono::steady_clock::now();
  auto deadline = last + std::chrono::seconds(60);
  bool got_any = false;
  while (std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (m == nullptr) {
      if (got_any && std::chrono::steady_clock::now() - last > idle) break;
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      Consumed c;
      c.partition = m->partition;
      if (m->key) c.key.assign(static_cast<const char*>(m->key), m->key_len);
      c.value = json::parse(std::string(static_cast<const char*>(m->payload), m->len));
      out.push_back(std::move(c));
      got_any = true;
      last = std::chrono::steady_clock::now();
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

// The table a consumer rebuilds from canal messages: id → the row's values as strings.
using Table = std::map<std::string, std::map<std::string, std::optional<std::string>>>;

Table rebuild_canal(const std::vector<Consumed>& messages, const std::string& key_column) {
  // Per partition the order is the source's; keys never move between partitions.
  std::map<int32_t, std::vector<const Consumed*>> by_partition;
  for (const auto& m : messages) by_partition[m.partition].push_back(&m);
  Table t;
  for (const auto& [p, ms] : by_partition)
    for (const Consumed* m : ms) {
      const json& v = m->value;
      if (v.value("isDdl", false)) continue;
      std::string type = v["type"];
      for (const auto& row : v["data"]) {
        std::string id = row[key_column];
        if (type == "DELETE") {
          t.erase(id);
          continue;
        }
        auto& r = t[id];
        r.clear();
        for (auto it = row.begin(); it != row.end(); ++it)
          r[it.key()] = it->is_null() ? std::nullopt : std::optional<std::string>(it->get<std::string>());
      }
    }
  return t;
}

Table select_table(MariaDbServer& server, const std::string& sql, const std::string& key_column) {
  auto conn = server.connect("e2e");
  conn.execute("SET time_zone = '+00:00'");
  auto rows = conn.query(sql);
  auto cols = conn.last_columns();
  Table t;
  for (const auto& r : rows) {
    std::map<std::string, std::optional<std::string>> row;
    std::string id;
    for (size_t i = 0; i < cols.size(); i++) {
      row[cols[i]] = r[i];
      if (cols[i] == key_column) id = *r[i];
    }
    t[id] = row;
  }
  return t;
}

void random_workload(MariaDbServer& server, std::mt19937& rng, int statements, int& next_id) {
  auto conn = server.connect("e2e");
  static const char* statuses[] = {"new", "paid", "shipped", "cancelled"};
  for (int i = 0; i < statements; i++) {
    int what = static_cast<int>(rng() % 10);
    if (what < 5) {
      int id = next_id++;
      conn.execute(fmt::format("INSERT INTO orders VALUES ({}, {}, '{}', {}.{:02d}, '2026-01-{:02d} 10:00:00.{:03d}', {})",
                               id, rng() % 50, statuses[rng() % 4], rng() % 1000, rng() % 100, 1 + rng() % 28,
                               rng() % 1000, rng() % 3 == 0 ? "NULL" : "'n😀'"));
    } else if (what < 8) {
      conn.execute(fmt::format("UPDATE orders SET status = '{}', amount = amount + 1 WHERE id % 7 = {}",
                               statuses[rng() % 4], rng() % 7));
    } else if (what < 9) {
      conn.execute(fmt::format("DELETE FROM orders WHERE id % 11 = {} LIMIT 2", rng() % 11));
    } else {
      conn.execute("BEGIN");
      for (int k = 0; k < 5; k++)
        conn.execute(fmt::format("INSERT INTO orders VALUES ({}, 1, 'paid', 5.00, '2026-02-01 00:00:00', 'batch')",
                                 next_id++));
      conn.execute("COMMIT");
    }
  }
}

fs::path write_script(const MariaDbServer& server, const obsync::test::KafkaBroker& kafka, const fs::path& dir) {
  fs::create_directories(dir);
  fs::path path = dir / "e2e.sync";
  std::ofstream(path) << fmt::format(
      "SOURCE db MARIADB (host = '127.0.0.1', port = {}, user = '{}', password = env('OBSYNC_E2E_PASSWORD'), "
      "heartbeat = 1);\n"
      "SINK k KAFKA (bootstrap = '{}');\n"
      "PROJECT e2e;\n"
      "SYNC e2e.orders TO TOPIC e2e_orders (PARTITIONS 3)\n"
      "  WHERE status <> 'cancelled'\n"
      "  COLUMNS (id, customer_id, status, amount, created_at, note)\n"
      "  SHARD BY (id)\n"
      "  FORMAT canal;\n",
      server.port(), server.user(), kafka.bootstrap());
  return path;
}

const char* kSelect =
    "SELECT id, customer_id, status, amount, created_at, note FROM orders WHERE status <> 'cancelled'";

}  // namespace

TEST_CASE("run: full + incremental sync through a real broker rebuild the filtered table exactly — kill -9 and resume",
          "[e2e]") {
  if (!obsync::test::kafka_libs_present()) FAIL("Kafka jars missing: run tools/install-deps.sh");
  MariaDbServer& server = obsync::test::shared_mariadb();
  obsync::test::KafkaBroker& kafka = obsync::test::shared_kafka();
  server.execute("DROP DATABASE IF EXISTS e2e");
  server.execute("CREATE DATABASE e2e");
  server.execute("CREATE TABLE e2e.orders (id BIGINT PRIMARY KEY, customer_id INT, status VARCHAR(20), amount "
                 "DECIMAL(10,2), created_at DATETIME(3), note VARCHAR(20))");
  std::mt19937 rng(20261203);
  int next_id = 1;
  random_workload(server, rng, 200, next_id);  // before the run: the full sync copies these

  ::setenv("OBSYNC_E2E_PASSWORD", server.password().c_str(), 1);
  fs::path dir = fs::temp_directory_path() / fmt::format("obsync-e2e-{}", ::getpid());
  fs::remove_all(dir);
  fs::path script = write_script(server, kafka, dir);
  std::string state = (dir / "state").string();

  // Run 1: full sync, then changes while it streams; ends after 3 idle seconds.
  obsync::test::ProcessResult first;
  std::thread runner([&] {
    first = obsync::test::run_process({OBSYNC_BINARY, "run", script.string(), "--state-dir", state,
                                       "--stop-after-idle", "4"},
                                      std::chrono::seconds(120));
  });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  random_workload(server, rng, 150, next_id);
  runner.join();
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.err, Catch::Contains("full sync done"));
  CHECK(first.err.find(server.password()) == std::string::npos);

  auto messages = consume_all(kafka.bootstrap(), "e2e_orders");
  Table rebuilt = rebuild_canal(messages, "id");
  Table source = select_table(server, kSelect, "id");
  CHECK(rebuilt.size() == source.size());
  CHECK(rebuilt == source);

  // Run 2: killed with SIGKILL in the middle of a stream of changes, then run 3 resumes.
  fs::path log = dir / "run2.log";
  {
    obsync::test::ChildProcess child({OBSYNC_BINARY, "run", script.string(), "--state-dir", state}, log);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    random_workload(server, rng, 100, next_id);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ::kill(child.pid(), SIGKILL);
    child.stop(std::chrono::milliseconds(100));
  }
  random_workload(server, rng, 50, next_id);  // while it is down
  auto third = obsync::test::run_process(
      {OBSYNC_BINARY, "run", script.string(), "--state-dir", state, "--stop-after-idle", "3"}, std::chrono::seconds(120));
  INFO(third.err);
  REQUIRE(third.exit_code == 0);
  CHECK_THAT(third.err, Catch::Contains("resuming"));
  messages = consume_all(kafka.bootstrap(), "e2e_orders");
  rebuilt = rebuild_canal(messages, "id");
  source = select_table(server, kSelect, "id");
  CHECK(rebuilt.size() == source.size());
  CHECK(rebuilt == source);
  CHECK(source.size() > 100);
  WARN(fmt::format("{} messages rebuild {} rows", messages.size(), rebuilt.size()));

  auto status = obsync::test::run_process({OBSYNC_BINARY, "status", script.string(), "--state-dir", state});
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("full sync    done"));
  fs::remove_all(dir);
}

TEST_CASE("run: DDL ON sends the source's DDL to every partition of the topic, in order with the rows", "[e2e]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  obsync::test::KafkaBroker& kafka = obsync::test::shared_kafka();
  server.execute("DROP DATABASE IF EXISTS e2eddl");
  server.execute("CREATE DATABASE e2eddl");
  server.execute("CREATE TABLE e2eddl.t (id INT PRIMARY KEY, v VARCHAR(10))");
  ::setenv("OBSYNC_E2E_PASSWORD", server.password().c_str(), 1);
  fs::path dir = fs::temp_directory_path() / fmt::format("obsync-e2eddl-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path script = dir / "ddl.sync";
  std::ofstream(script) << fmt::format(
      "SOURCE db MARIADB (host = '127.0.0.1', port = {}, user = '{}', password = env('OBSYNC_E2E_PASSWORD'), "
      "heartbeat = 1);\nSINK k KAFKA (bootstrap = '{}');\nPROJECT e2eddl DDL ON;\n"
      "SYNC e2eddl.t TO TOPIC e2eddl_t (PARTITIONS 3) FORMAT canal;\n",
      server.port(), server.user(), kafka.bootstrap());
  obsync::test::ProcessResult r;
  std::thread runner([&] {
    r = obsync::test::run_process({OBSYNC_BINARY, "run", script.string(), "--state-dir", (dir / "s").string(),
                                   "--stop-after-idle", "4"},
                                  std::chrono::seconds(90));
  });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto conn = server.connect("e2eddl");
  conn.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')");
  conn.execute("ALTER TABLE t ADD COLUMN w INT");
  conn.execute("INSERT INTO t VALUES (5, 'e', 7)");
  runner.join();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto messages = consume_all(kafka.bootstrap(), "e2eddl_t");
  std::set<int32_t> ddl_partitions;
  for (const auto& m : messages)
    if (m.value.value("isDdl", false)) {
      ddl_partitions.insert(m.partition);
      CHECK_THAT(m.value["sql"].get<std::string>(), Catch::Contains("ADD COLUMN w"));
      CHECK(m.value["type"] == "ALTER");
    }
  CHECK(ddl_partitions == std::set<int32_t>{0, 1, 2});
  // The row after the DDL carries the new column.
  bool saw_w = false;
  for (const auto& m : messages)
    if (!m.value.value("isDdl", false) && m.value["data"][0]["id"] == "5") saw_w = m.value["data"][0]["w"] == "7";
  CHECK(saw_w);
  fs::remove_all(dir);
}

TEST_CASE("run: --engine jit and --engine interp deliver the same rows — an overflow stops both alike", "[e2e]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  obsync::test::KafkaBroker& kafka = obsync::test::shared_kafka();
  server.execute("DROP DATABASE IF EXISTS e2ejit");
  server.execute("CREATE DATABASE e2ejit");
  server.execute("CREATE TABLE e2ejit.t (id INT PRIMARY KEY, a BIGINT, b DOUBLE, u BIGINT UNSIGNED)");
  ::setenv("OBSYNC_E2E_PASSWORD", server.password().c_str(), 1);
  auto conn = server.connect("e2ejit");
  std::mt19937 rng(7);
  auto workload = [&](int n) {
    for (int i = 0; i < n; i++) {
      int id = static_cast<int>(rng() % 300);
      switch (rng() % 3) {
        case 0:
          conn.execute(fmt::format("REPLACE INTO t VALUES ({}, {}, {}, {})", id, static_cast<int>(rng() % 20) - 5,
                                   (rng() % 200) / 10.0, rng() % 2 ? "18446744073709551615" : "NULL"));
          break;
        case 1:
          conn.execute(fmt::format("UPDATE t SET a = a + {}, b = b - 1 WHERE id % 10 = {}", static_cast<int>(rng() % 7) - 3,
                                   rng() % 10));
          break;
        default:
          conn.execute(fmt::format("DELETE FROM t WHERE id = {}", id));
      }
    }
  };
  workload(300);
  fs::path dir = fs::temp_directory_path() / fmt::format("obsync-e2ejit-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto script = [&](const std::string& name, const std::string& where) {
    fs::path p = dir / (name + ".sync");
    std::ofstream(p) << fmt::format(
        "SOURCE db MARIADB (host = '127.0.0.1', port = {}, user = '{}', password = env('OBSYNC_E2E_PASSWORD'), "
        "heartbeat = 1);\nSINK k KAFKA (bootstrap = '{}');\nPROJECT {};\n"
        "SYNC e2ejit.t TO TOPIC {} WHERE {} FORMAT canal;\n",
        server.port(), server.user(), kafka.bootstrap(), name, name, where);
    return p;
  };
  const std::string where = "a > 5 AND b < 10 OR u >= 18446744073709551000";
  std::vector<obsync::test::ProcessResult> results(2);
  std::vector<std::string> engines = {"jit", "interp"};
  {
    std::vector<std::thread> runners;
    for (size_t k = 0; k < 2; k++)
      runners.emplace_back([&, k] {
        results[k] = obsync::test::run_process({OBSYNC_BINARY, "run", script("e2ejit_" + engines[k], where).string(),
                                                "--engine", engines[k], "--state-dir",
                                                (dir / engines[k]).string(), "--stop-after-idle", "4"},
                                               std::chrono::seconds(120));
      });
    std::this_thread::sleep_for(std::chrono::seconds(4));
    workload(300);
    for (auto& t : runners) t.join();
  }
  for (size_t k = 0; k < 2; k++) {
    INFO(engines[k] << ": " << results[k].err);
    REQUIRE(results[k].exit_code == 0);
  }
  CHECK_THAT(results[0].err, Catch::Contains("kernel e2ejit.t: jit"));
  CHECK_THAT(results[1].err, Catch::Contains("kernel e2ejit.t: interpreter"));
  Table jit = rebuild_canal(consume_all(kafka.bootstrap(), "e2ejit_jit"), "id");
  Table interp = rebuild_canal(consume_all(kafka.bootstrap(), "e2ejit_interp"), "id");
  auto rows = server.connect("e2ejit").query("SELECT id FROM t WHERE " + where);
  CHECK(jit == interp);
  CHECK(jit.size() == rows.size());
  CHECK(jit.size() > 10);

  // A WHERE that overflows on one row of the incremental sync: both engines stop there with
  // MySQL's message, the table and the position. (In a full sync MariaDB itself raises it: the
  // WHERE is pushed into the SELECT.)
  int next = 1000;
  for (const auto& engine : engines) {
    fs::path p = dir / ("ovf_" + engine + ".sync");
    std::ofstream(p) << fmt::format(
        "SOURCE db MARIADB (host = '127.0.0.1', port = {}, user = '{}', password = env('OBSYNC_E2E_PASSWORD'), "
        "heartbeat = 1);\nSINK k KAFKA (bootstrap = '{}');\nPROJECT ovf_{} TYPES (SCHEMA, INCREMENTAL);\n"
        "SYNC e2ejit.t TO TOPIC e2ejit_ovf_{} WHERE a + 1 > 0 FORMAT canal;\n",
        server.port(), server.user(), kafka.bootstrap(), engine, engine);
    obsync::test::ProcessResult r;
    std::thread runner([&] {
      r = obsync::test::run_process({OBSYNC_BINARY, "run", p.string(), "--engine", engine, "--state-dir",
                                     (dir / ("ovf_" + engine)).string(), "--stop-after-idle", "5"},
                                    std::chrono::seconds(120));
    });
    std::this_thread::sleep_for(std::chrono::seconds(3));
    conn.execute(fmt::format("INSERT INTO t VALUES ({}, 1, 0, NULL), ({}, 9223372036854775807, 0, NULL)", next,
                             next + 1));
    next += 2;
    runner.join();
    INFO(engine << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("WHERE of `e2ejit`.`t`: BIGINT value is out of range in 'a + 1'"));
    CHECK_THAT(r.err, Catch::Contains("e2ejit.t at mysql-bin."));
  }
  fs::remove_all(dir);
}
