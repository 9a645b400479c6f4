// `obsync run` into a broker that requires SASL/PLAIN, with the SINK's security settings: the
// right password delivers, a wrong one stops with the broker's reason and never prints it; a
// librdkafka property it rejects is named in the error.
#include <catch2/catch.hpp>

#include <librdkafka/rdkafka.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "tests/infra/kafka_broker.hpp"
#include "tests/infra/mariadb_server.hpp"
#include "tests/infra/process.hpp"

namespace fs = std::filesystem;
using obsync::test::run_process;

namespace {

fs::path write_script(const obsync::test::MariaDbServer& db, const std::string& sink, const std::string& name) {
  fs::path dir = fs::temp_directory_path() / fmt::format("obsync-sasl-{}", ::getpid());
  fs::create_directories(dir);
  fs::path p = dir / (name + ".sync");
  std::ofstream(p) << fmt::format(
      "SOURCE db MARIADB (host = '127.0.0.1', port = {}, user = '{}', password = env('OBSYNC_SASL_DB_PW'));\n"
      "{}\nPROJECT {};\nSYNC sasl.t TO TOPIC sasl_t;\n",
      db.port(), db.user(), sink, name);
  return p;
}

size_t count_messages(const obsync::test::KafkaBroker& broker, const std::string& topic) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [k, v] : broker.client_config()) rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "sasl-test", err, sizeof err);
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  REQUIRE(rk);
  rd_kafka_poll_set_consumer(rk);
  auto* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  size_t n = 0;
  auto last = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - last < std::chrono::seconds(n ? 3 : 20)) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (!m) continue;
    if (!m->err) {
      n++;
      last = std::chrono::steady_clock::now();
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return n;
}

}  // namespace

TEST_CASE("run: SASL/PLAIN from the SINK declaration — wrong password and bad properties are clear errors",
          "[e2e]") {
  auto& db = obsync::test::shared_mariadb();
  db.execute("DROP DATABASE IF EXISTS sasl");
  db.execute("CREATE DATABASE sasl");
  db.execute("CREATE TABLE sasl.t (id INT PRIMARY KEY, v VARCHAR(10))");
  db.execute("INSERT INTO sasl.t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  ::setenv("OBSYNC_SASL_DB_PW", db.password().c_str(), 1);
  obsync::test::KafkaOptions options;
  options.sasl_mechanisms = {"PLAIN"};
  obsync::test::KafkaBroker broker(options);
  ::setenv("OBSYNC_SASL_KAFKA_PW", broker.sasl_password().c_str(), 1);
  ::setenv("OBSYNC_SASL_KAFKA_BAD", "Not-The-Kafka-Password-9", 1);
  auto sink = [&](const std::string& password_env, const std::string& extra) {
    return fmt::format("SINK k KAFKA (bootstrap = '{}', security = SASL_PLAINTEXT, sasl_mechanism = 'PLAIN', "
                       "sasl_user = '{}', sasl_password = env('{}'){});",
                       broker.bootstrap(), broker.sasl_user(), password_env, extra);
  };
  fs::path dir = fs::temp_directory_path() / fmt::format("obsync-sasl-{}", ::getpid());

  auto good = run_process({OBSYNC_BINARY, "run", write_script(db, sink("OBSYNC_SASL_KAFKA_PW", ""), "sasl_ok").string(),
                           "--state-dir", (dir / "ok").string(), "--stop-after-idle", "2"},
                          std::chrono::seconds(90));
  INFO(good.err);
  CHECK(good.exit_code == 0);
  CHECK(good.err.find(broker.sasl_password()) == std::string::npos);
  CHECK(count_messages(broker, "sasl_t") == 3);

  auto bad = run_process({OBSYNC_BINARY, "run", write_script(db, sink("OBSYNC_SASL_KAFKA_BAD", ""), "sasl_bad").string(),
                          "--state-dir", (dir / "bad").string(), "--stop-after-idle", "2"},
                         std::chrono::seconds(90));
  INFO(bad.err);
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains(broker.bootstrap()));
  CHECK(bad.err.find("Not-The-Kafka-Password-9") == std::string::npos);
  CHECK_THAT(bad.err, Catch::Contains("Invalid username or password"));
  CHECK_THAT(bad.err, Catch::Contains("check sasl_user, sasl_password"));

  auto prop = run_process(
      {OBSYNC_BINARY, "run",
       write_script(db, sink("OBSYNC_SASL_KAFKA_PW", ", properties = ('linger.ms' = 'soon')"), "sasl_prop").string(),
       "--state-dir", (dir / "prop").string()},
      std::chrono::seconds(60));
  INFO(prop.err);
  CHECK(prop.exit_code == 1);
  CHECK_THAT(prop.err, Catch::Contains("property 'linger.ms' = 'soon' is not accepted by librdkafka"));
  fs::remove_all(dir);
}
