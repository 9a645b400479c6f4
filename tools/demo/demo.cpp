// `make demo`: a private MariaDB with a small shop, a private Kafka broker, examples/quickstart.sync
// run by `obsync run` (schema → full → incremental), a few changes, and what arrived in each topic.
// Everything it starts it stops. Usage: obsync_demo OBSYNC_BINARY SCRIPT
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "tests/infra/kafka_broker.hpp"
#include "tests/infra/mariadb_server.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

void say(const std::string& line) { std::cout << "\n\033[1m== " << line << "\033[0m\n" << std::flush; }

pid_t spawn(const std::vector<std::string>& argv) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

void print_topic(const std::string& bootstrap, const std::string& topic) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "obsync-demo", err, sizeof err);
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  say(fmt::format("topic {}", topic));
  auto last = std::chrono::steady_clock::now();
  bool any = false;
  while (std::chrono::steady_clock::now() - last < (any ? 2s : 10s)) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::cout << fmt::format("[p{} @{}] key={} {}\n", m->partition, m->offset,
                               m->key ? std::string(static_cast<const char*>(m->key), m->key_len) : "-",
                               std::string(static_cast<const char*>(m->payload), m->len));
      any = true;
      last = std::chrono::steady_clock::now();
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: obsync_demo OBSYNC_BINARY SCRIPT\n";
    return 2;
  }
  std::string obsync = fs::absolute(argv[1]).string(), script = fs::absolute(argv[2]).string();
  try {
    say("starting a private MariaDB (binlog on) and a private Kafka broker (KRaft)");
    obsync::test::MariaDbServer db;
    obsync::test::KafkaBroker kafka;
    std::cout << fmt::format("MariaDB on 127.0.0.1:{}, Kafka on {} (started in {} ms)\n", db.port(),
                             kafka.bootstrap(), kafka.startup_time().count());
    db.execute("CREATE DATABASE shop");
    auto conn = db.connect("shop");
    conn.execute("CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(50), phone VARCHAR(20), created_at "
                 "DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3))");
    conn.execute("CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id INT NOT NULL, status VARCHAR(20), amount "
                 "DECIMAL(10,2), created_at DATETIME(3))");
    conn.execute("INSERT INTO customers (id, name, phone) VALUES (1, 'Ada', '+44 20 7946 0001'), "
                 "(2, 'Zhang Wei 张伟', '+86 10 5555 0102')");
    conn.execute("INSERT INTO orders VALUES (1, 1, 'paid', 120.50, '2026-12-01 10:00:00.123'), "
                 "(2, 1, 'new', 80.00, '2026-12-01 11:00:00'), (3, 2, 'cancelled', 500.00, '2026-12-02 09:30:00'), "
                 "(4, 2, 'shipped', 999.99, '2026-12-02 12:00:00.5')");

    setenv("OBSYNC_DEMO_DB_HOST", "127.0.0.1", 1);
    setenv("OBSYNC_DEMO_DB_PORT", std::to_string(db.port()).c_str(), 1);
    setenv("OBSYNC_DEMO_DB_USER", db.user().c_str(), 1);
    setenv("OBSYNC_DEMO_DB_PASSWORD", db.password().c_str(), 1);
    setenv("OBSYNC_DEMO_KAFKA", kafka.bootstrap().c_str(), 1);
    fs::path state = db.directory() / "obsync-state";

    say(fmt::format("obsync precheck {}", fs::path(script).filename().string()));
    pid_t pre = spawn({obsync, "precheck", script});
    int status = 0;
    waitpid(pre, &status, 0);

    say(fmt::format("obsync run {}  (schema → full sync → incremental sync)", fs::path(script).filename().string()));
    pid_t run = spawn({obsync, "run", script, "--state-dir", state.string()});
    std::this_thread::sleep_for(6s);

    say("changes on the source: INSERT, UPDATE (into and out of the WHERE), DELETE");
    for (const char* sql : {"INSERT INTO orders VALUES (5, 1, 'paid', 250.00, NOW(3))",
                            "UPDATE orders SET amount = 150.00 WHERE id = 2",
                            "UPDATE orders SET status = 'cancelled' WHERE id = 4",
                            "DELETE FROM orders WHERE id = 1",
                            "UPDATE customers SET phone = '+44 20 7946 0999' WHERE id = 1"}) {
      std::cout << "  " << sql << std::endl;
      conn.execute(sql);
    }
    std::this_thread::sleep_for(4s);
    kill(run, SIGTERM);  // a clean stop: flush, checkpoint
    waitpid(run, &status, 0);
    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    std::cout << fmt::format("obsync run exited with {}\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);

    say("obsync status");
    pid_t st = spawn({obsync, "status", script, "--state-dir", state.string()});
    waitpid(st, &status, 0);

    print_topic(kafka.bootstrap(), "shop_orders");
    print_topic(kafka.bootstrap(), "shop_customers");
    say("stopping the private servers");
    return clean ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "demo failed: " << e.what() << "\n";
    return 1;
  }
}
