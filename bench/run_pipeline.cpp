// Benchmark: `obsync run` end to end against a private MariaDB and a real local Kafka broker.
// Full-sync rows/s and incremental catch-up rows/s (a backlog of row changes already in the
// binlog) for 8-column rows in the `default` and `canal` formats, latency p50/p99 at a steady
// rate of changes, and obsync's peak RSS. Usage: build/bench_run_pipeline OBSYNC [rows] [rate]
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/infra/kafka_broker.hpp"
#include "tests/infra/mariadb_server.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Child {
  pid_t pid = -1;
  long peak_rss_kb = 0;
  int status = 0;
};

Child spawn(const std::vector<std::string>& argv, const fs::path& log) {
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    FILE* f = std::fopen(log.c_str(), "w");
    dup2(fileno(f), 2);
    dup2(fileno(f), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return c;
}

void wait_child(Child& c) {
  rusage ru{};
  wait4(c.pid, &c.status, 0, &ru);
  c.peak_rss_kb = ru.ru_maxrss;
}

fs::path script(const fs::path& dir, const std::string& name, const std::string& types, const std::string& format,
                const obsync::test::MariaDbServer& db, const obsync::test::KafkaBroker& kafka) {
  fs::path p = dir / (name + ".sync");
  std::ofstream(p) << fmt::format(
      "SOURCE db MARIADB (host = '127.0.0.1', port = {}, user = '{}', password = env('BENCH_PW'), heartbeat = 1);\n"
      "SINK k KAFKA (bootstrap = '{}');\n"
      "PROJECT {} TYPES ({});\n"
      "SYNC bench.t TO TOPIC {} (PARTITIONS 3) FORMAT {};\n",
      db.port(), db.user(), kafka.bootstrap(), name, types, name, format);
  return p;
}

void load_rows(obsync::test::MariaDbServer& db, size_t rows, size_t per_txn, size_t offset) {
  auto conn = db.connect("bench");
  for (size_t done = 0; done < rows; done += per_txn) {
    size_t n = std::min(per_txn, rows - done);
    conn.execute(fmt::format(
        "INSERT INTO t SELECT seq + {0}, (seq + {0}) % 9973, CONCAT('customer-', seq % 1000), (seq % 50000) / 100, "
        "'2026-01-31 10:30:00', NOW(3), seq % 128, IF(seq % 4 = 0, NULL, CONCAT('note for order ', seq, ' shipped')) "
        "FROM seq_1_to_{1}",
        offset + done, n));
  }
}

std::vector<double> percentiles(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double p) { return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))]; };
  return {at(0.5), at(0.99), v.empty() ? 0.0 : v.back()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bench_run_pipeline OBSYNC [rows] [rate]\n";
    return 2;
  }
  std::string obsync = fs::absolute(argv[1]).string();
  size_t rows = argc > 2 ? std::stoul(argv[2]) : 1000000;
  int rate = argc > 3 ? std::stoi(argv[3]) : 5000;
  obsync::test::MariaDbOptions dbo;
  dbo.extra_args = {"--innodb-buffer-pool-size=512M"};
  obsync::test::MariaDbServer db(dbo);
  obsync::test::KafkaOptions ko;
  ko.heap_mb = 1024;
  obsync::test::KafkaBroker kafka(ko);
  setenv("BENCH_PW", db.password().c_str(), 1);
  fs::path dir = db.directory() / "bench";
  fs::create_directories(dir);
  auto reset_table = [&] {
    db.execute("DROP DATABASE IF EXISTS bench");
    db.execute("CREATE DATABASE bench");
    db.execute("CREATE TABLE bench.t (id BIGINT PRIMARY KEY, a INT, b VARCHAR(32), c DECIMAL(10,2), d DATETIME, "
               "e TIMESTAMP(3) NULL, f TINYINT, g VARCHAR(255))");
  };
  std::cout << fmt::format("rows {}, MariaDB {}, Kafka {}\n", rows, *db.scalar("SELECT VERSION()"),
                           kafka.options().version);

  for (std::string format : {"default", "canal"}) {
    // Full sync.
    reset_table();
    load_rows(db, rows, 100000, 0);
    std::string name = "full_" + format;
    auto t0 = Clock::now();
    Child c = spawn({obsync, "run", script(dir, name, "SCHEMA, FULL", format, db, kafka).string(), "--state-dir",
                     (dir / ("state_" + name)).string()},
                    dir / (name + ".log"));
    wait_child(c);
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::cout << fmt::format("{:>8} full sync:  {} rows in {:.2f} s = {:.0f} rows/s (exit {}), obsync peak RSS {} MiB\n",
                             format, rows, s, rows / s, WEXITSTATUS(c.status), c.peak_rss_kb / 1024);

    // Catch-up: a backlog of `rows` inserts (transactions of 1,000 rows) already in the binlog.
    reset_table();
    name = "catchup_" + format;
    fs::path sc = script(dir, name, "SCHEMA, INCREMENTAL", format, db, kafka);
    std::string state = (dir / ("state_" + name)).string();
    Child first = spawn({obsync, "run", sc.string(), "--state-dir", state, "--stop-after-idle", "1"},
                        dir / (name + "_0.log"));
    wait_child(first);  // checkpoint at the current end
    load_rows(db, rows, 1000, 0);
    t0 = Clock::now();
    Child c2 = spawn({obsync, "run", sc.string(), "--state-dir", state, "--stop-after-idle", "2"},
                     dir / (name + ".log"));
    // BENCH_PERF=DIR: profile the catch-up with perf (perf-<format>.data in DIR).
    Child perf;
    if (const char* pdir = std::getenv("BENCH_PERF"))
      perf = spawn({"/usr/bin/perf", "record", "-F", "499", "-g", "-p", std::to_string(c2.pid), "-o",
                    fmt::format("{}/perf-{}.data", pdir, format)},
                   dir / "perf.log");
    wait_child(c2);
    if (perf.pid > 0) {
      kill(perf.pid, SIGINT);
      wait_child(perf);
    }
    s = std::chrono::duration<double>(Clock::now() - t0).count() - 2.0;  // less the idle wait
    std::cout << fmt::format("{:>8} catch-up:   {} changes in {:.2f} s = {:.0f} rows/s (exit {}), obsync peak RSS {} "
                             "MiB\n",
                             format, rows, s, rows / s, WEXITSTATUS(c2.status), c2.peak_rss_kb / 1024);
  }

  // Latency at a steady rate: rows carry their insert time (e, NOW(3)); the consumer measures.
  reset_table();
  std::string name = "latency";
  fs::path sc = script(dir, name, "SCHEMA, INCREMENTAL", "canal", db, kafka);
  Child run = spawn({obsync, "run", sc.string(), "--state-dir", (dir / "state_latency").string()}, dir / "latency.log");
  std::this_thread::sleep_for(std::chrono::seconds(4));
  std::atomic<bool> writing{true};
  int seconds = 20;
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::seconds(1));  // the consumer's first fetch
    auto conn = db.connect("bench");
    conn.execute("SET time_zone = '+00:00'");
    size_t id = 1;
    auto start = Clock::now();
    const int per_txn = 10;
    for (int tick = 0; Clock::now() - start < std::chrono::seconds(seconds); tick++) {
      auto due = start + std::chrono::microseconds(static_cast<int64_t>(tick) * 1000000 * per_txn / rate);
      std::this_thread::sleep_until(due);
      std::string sql = "INSERT INTO t VALUES ";
      for (int k = 0; k < per_txn; k++, id++)
        sql += fmt::format("{}({}, 1, 'x', 1.00, '2026-01-31 10:30:00', NOW(6), 1, NULL)", k ? "," : "", id);
      conn.execute(sql);
    }
    writing = false;
  });
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", kafka.bootstrap().c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "bench", err, sizeof err);
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
  rd_kafka_conf_set(conf, "fetch.wait.max.ms", "5", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  rd_kafka_poll_set_consumer(rk);
  // Assigned, not subscribed: a group join would add its rebalance delay to the first messages.
  auto* list = rd_kafka_topic_partition_list_new(3);
  for (int p = 0; p < 3; p++)
    rd_kafka_topic_partition_list_add(list, "latency", p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<double> lat_ms;
  auto idle_since = Clock::now();
  while (writing || Clock::now() - idle_since < std::chrono::seconds(3)) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (!m->err) {
      auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
      auto j = nlohmann::json::parse(std::string(static_cast<const char*>(m->payload), m->len));
      std::string e = j["data"][0]["e"];  // "2026-12-03 08:00:00.123"
      std::tm tm{};
      strptime(e.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
      double ts = static_cast<double>(timegm(&tm)) + std::stod(e.substr(19));
      lat_ms.push_back((static_cast<double>(now_us) / 1e6 - ts) * 1000.0);
      idle_since = Clock::now();
    }
    rd_kafka_message_destroy(m);
  }
  writer.join();
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  kill(run.pid, SIGTERM);
  wait_child(run);
  auto p = percentiles(lat_ms);
  std::cout << fmt::format("latency at {} changes/s for {} s (canal, transactions of 10 rows): {} messages, p50 {:.1f} "
                           "ms, p99 {:.1f} ms, max {:.1f} ms; obsync peak RSS {} MiB\n",
                           rate, seconds, lat_ms.size(), p[0], p[1], p[2], run.peak_rss_kb / 1024);
  return 0;
}
