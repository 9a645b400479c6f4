// The private Kafka broker with librdkafka: topics, round trips, SASL, TLS, restart, older lines.
#include <catch2/catch.hpp>

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <filesystem>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "runtime/sink/murmur2.hpp"
#include "tests/infra/kafka_broker.hpp"

using namespace obsync::test;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

using Config = std::vector<std::pair<std::string, std::string>>;

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;

// What the callbacks saw; librdkafka calls them from rd_kafka_poll/flush on the test's thread.
struct Observed {
  int delivered = 0;
  int failed = 0;
  std::string first_delivery_error;
  rd_kafka_resp_err_t client_error = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string client_error_text;
};

Handle make_handle(rd_kafka_type_t type, const Config& config, Observed* observed,
                   bool quiet = false) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : config) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      FAIL("librdkafka config " << k << ": " << err);
    }
  }
  rd_kafka_conf_set_opaque(conf, observed);
  if (type == RD_KAFKA_PRODUCER)
    rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* o = static_cast<Observed*>(opaque);
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++o->delivered;
    } else {
      if (o->failed++ == 0) o->first_delivery_error = rd_kafka_err2str(m->err);
    }
  });
  rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t*, int err, const char* reason, void* opaque) {
    auto* o = static_cast<Observed*>(opaque);
    // Keep the first authentication or TLS error: later ones ("all brokers down") say less.
    if (o->client_error != RD_KAFKA_RESP_ERR__AUTHENTICATION &&
        o->client_error != RD_KAFKA_RESP_ERR__SSL) {
      o->client_error = static_cast<rd_kafka_resp_err_t>(err);
      o->client_error_text = reason;
    }
  });
  if (quiet)
    rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    FAIL("rd_kafka_new: " << err);
  }
  return Handle(rk);
}

Config with(Config base, const Config& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

std::string key_of(int i) { return fmt::format("key-{:05}", i); }
// Values with non-ASCII bytes and varied lengths, so a byte mix-up cannot pass unnoticed.
std::string value_of(int i) { return fmt::format("värde {} {}", i, std::string(i % 37, 'x')); }

// Produces `count` keyed messages (acks=all, idempotent) and checks every one was delivered.
void produce(const KafkaBroker& broker, const std::string& topic, int count,
             std::string_view mechanism = {}) {
  Observed observed;
  auto producer = make_handle(RD_KAFKA_PRODUCER,
                              with(broker.client_config(mechanism),
                                   {{"acks", "all"},
                                    {"enable.idempotence", "true"},
                                    // The Java client's key hash, so placement can be checked
                                    // against obsync::sink::murmur2_partition below.
                                    {"partitioner", "murmur2_random"},
                                    {"linger.ms", "5"},
                                    {"message.timeout.ms", "60000"}}),
                              &observed);
  for (int i = 0; i < count; ++i) {
    std::string key = key_of(i), value = value_of(i);
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                                    RD_KAFKA_V_KEY(key.data(), key.size()),
                                    RD_KAFKA_V_VALUE(value.data(), value.size()),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
           RD_KAFKA_RESP_ERR__QUEUE_FULL)
      rd_kafka_poll(producer.get(), 50);
    REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_poll(producer.get(), 0);
  }
  INFO("first delivery error: " << observed.first_delivery_error);
  REQUIRE(rd_kafka_flush(producer.get(), 60000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  CHECK(observed.failed == 0);
  CHECK(observed.delivered == count);
}

// Consumes `topic` from the beginning in a fresh group until `count` messages arrived (or 60 s
// passed) and checks every key once, with its value, on the partition the Java client would
// have chosen.
void consume_and_check(const KafkaBroker& broker, const std::string& topic, int count,
                       int partitions, std::string_view mechanism = {}) {
  static std::atomic<int> group_seq{0};
  Observed observed;
  auto consumer = make_handle(
      RD_KAFKA_CONSUMER,
      with(broker.client_config(mechanism),
           {{"group.id", fmt::format("obsync-test-{}-{}", topic, group_seq++)},
            {"auto.offset.reset", "earliest"},
            {"enable.auto.commit", "false"}}),
      &observed);
  rd_kafka_poll_set_consumer(consumer.get());
  rd_kafka_topic_partition_list_t* subs = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(subs, topic.c_str(), RD_KAFKA_PARTITION_UA);
  REQUIRE(rd_kafka_subscribe(consumer.get(), subs) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(subs);

  std::map<std::string, std::pair<std::string, int32_t>> seen;  // key -> (value, partition)
  int duplicates = 0, errors = 0;
  std::string first_error;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (static_cast<int>(seen.size()) < count && Clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer.get(), 500);
    if (m == nullptr) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (errors++ == 0) first_error = rd_kafka_message_errstr(m);
    } else {
      std::string key(static_cast<const char*>(m->key), m->key_len);
      std::string value(static_cast<const char*>(m->payload), m->len);
      if (!seen.emplace(key, std::make_pair(value, m->partition)).second) ++duplicates;
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(consumer.get());

  INFO("first consumer error: " << first_error);
  CHECK(errors == 0);
  CHECK(duplicates == 0);
  REQUIRE(static_cast<int>(seen.size()) == count);
  int wrong_value = 0, wrong_partition = 0;
  for (int i = 0; i < count; ++i) {
    auto it = seen.find(key_of(i));
    REQUIRE(it != seen.end());
    if (it->second.first != value_of(i)) ++wrong_value;
    if (it->second.second != obsync::sink::murmur2_partition(key_of(i), partitions))
      ++wrong_partition;
  }
  CHECK(wrong_value == 0);
  CHECK(wrong_partition == 0);
}

// Partitions of `topic` as the broker reports them.
int partition_count(const KafkaBroker& broker, const std::string& topic) {
  Observed observed;
  auto client = make_handle(RD_KAFKA_PRODUCER, broker.client_config(), &observed);
  const rd_kafka_metadata_t* md = nullptr;
  REQUIRE(rd_kafka_metadata(client.get(), 1, nullptr, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  int n = -1;
  for (int t = 0; t < md->topic_cnt; ++t)
    if (topic == md->topics[t].topic) n = md->topics[t].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return n;
}

void round_trip(KafkaBroker& broker, const std::string& topic, int count) {
  broker.create_topic(topic, 3);
  CHECK(partition_count(broker, topic) == 3);
  produce(broker, topic, count);
  consume_and_check(broker, topic, count, 3);
}

// librdkafka's version (rd_kafka_version() format) with the SCRAM nonce fix for Kafka 4.x.
constexpr int kScramFixedIn = 0x020601ff;

// Connects with `config` and returns librdkafka's error text once it reports `expected` (empty
// if it connected). Bounded: the failure must show within 20 s.
std::string connection_error(const Config& config, rd_kafka_resp_err_t expected) {
  Observed observed;
  auto client = make_handle(RD_KAFKA_PRODUCER, config, &observed, /*quiet=*/true);
  auto started = Clock::now();
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client.get(), 0, nullptr, &md, 5000);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_metadata_destroy(md);
    return {};
  }
  // The error callback carries librdkafka's explanation; rd_kafka_poll serves it.
  while (observed.client_error != expected && Clock::now() - started < std::chrono::seconds(20))
    rd_kafka_poll(client.get(), 100);
  INFO(rd_kafka_err2name(observed.client_error) << ": " << observed.client_error_text);
  CHECK(observed.client_error == expected);
  CHECK(Clock::now() - started < std::chrono::seconds(20));
  return observed.client_error_text;
}

// Connects with `mechanism` and the broker's password + `password_suffix`.
std::string authentication_error(const KafkaBroker& broker, const std::string& mechanism,
                                 const std::string& password_suffix) {
  Config config = broker.client_config(mechanism);
  for (auto& [k, v] : config)
    if (k == "sasl.password") v += password_suffix;
  return connection_error(config, RD_KAFKA_RESP_ERR__AUTHENTICATION);
}

}  // namespace

TEST_CASE("shared Kafka broker: 1,000 keyed messages round-trip through 3 partitions",
          "[kafka]") {
  KafkaBroker& broker = shared_kafka();
  CHECK(broker.running());
  CHECK(broker.bootstrap() == fmt::format("127.0.0.1:{}", broker.port()));
  WARN("Kafka " << broker.options().version << " started in " << broker.startup_time().count()
                << " ms");
  round_trip(broker, "harness_round_trip", 1000);
}

TEST_CASE("creating an existing topic fails with the broker's error", "[kafka]") {
  KafkaBroker& broker = shared_kafka();
  broker.create_topic("harness_exists", 1);
  CHECK_THROWS_WITH(broker.create_topic("harness_exists", 1),
                    Catch::Contains("TOPIC_ALREADY_EXISTS"));
}

TEST_CASE("SASL broker: PLAIN and SCRAM-SHA-512 accept the right password only", "[kafka]") {
  KafkaOptions options;
  options.sasl_mechanisms = {"PLAIN", "SCRAM-SHA-512"};
  KafkaBroker broker(options);  // its own readiness probe authenticated with PLAIN
  broker.create_topic("sasl_topic", 3);

  produce(broker, "sasl_topic", 50, "PLAIN");
  consume_and_check(broker, "sasl_topic", 50, 3, "PLAIN");
  CHECK_THAT(authentication_error(broker, "PLAIN", "-wrong"),
             Catch::Contains("Authentication failed: Invalid username or password"));
  CHECK_THAT(authentication_error(broker, "SCRAM-SHA-512", "-wrong"),
             Catch::Contains("invalid credentials with SASL mechanism SCRAM-SHA-512"));

  if (rd_kafka_version() >= kScramFixedIn) {
    produce(broker, "sasl_topic", 50, "SCRAM-SHA-512");
    consume_and_check(broker, "sasl_topic", 100, 3, "SCRAM-SHA-512");
  } else {
    // librdkafka before 2.6.1 repeats the client nonce in its SCRAM client-final-message
    // (confluentinc/librdkafka#4895); Kafka 4.x checks the nonce as RFC 5802 says and rejects
    // the right password too. Pinned here so the day the machine's librdkafka is fixed, this
    // branch stops running; docs/compatibility.md has the details. SCRAM with the right
    // password is tested against Kafka 3.9 in "[compat]".
    WARN("librdkafka " << rd_kafka_version_str()
                       << " cannot do SCRAM with Kafka 4.x (librdkafka#4895, fixed in 2.6.1)");
    CHECK_THAT(authentication_error(broker, "SCRAM-SHA-512", ""),
               Catch::Contains("invalid credentials with SASL mechanism SCRAM-SHA-512"));
  }
}

TEST_CASE("TLS broker: clients that trust its certificate round-trip, others fail the handshake",
          "[kafka]") {
  KafkaOptions options;
  options.tls = true;
  options.sasl_mechanisms = {"PLAIN"};  // SASL_SSL: what managed Kafka services offer
  KafkaBroker broker(options);
  REQUIRE(fs::exists(broker.ca_file()));
  broker.create_topic("tls_topic", 3);
  produce(broker, "tls_topic", 100);
  consume_and_check(broker, "tls_topic", 100, 3);

  Config untrusting;
  for (const auto& kv : broker.client_config())
    if (kv.first != "ssl.ca.location") untrusting.push_back(kv);
  CHECK_THAT(connection_error(untrusting, RD_KAFKA_RESP_ERR__SSL),
             Catch::Contains("certificate verify failed"));
}

TEST_CASE("a restarted broker keeps its topics and messages", "[kafka]") {
  KafkaBroker broker;
  broker.create_topic("restart_topic", 3);
  produce(broker, "restart_topic", 100);
  broker.restart();
  CHECK(broker.running());
  consume_and_check(broker, "restart_topic", 100, 3);
}

TEST_CASE("a broker that cannot start reports its log", "[kafka]") {
  KafkaOptions options;
  // The storage format accepts this; the broker fails when it loads the class, so the error
  // must come from the broker log.
  options.server_properties = {{"authorizer.class.name", "obsync.NoSuchAuthorizer"}};
  try {
    KafkaBroker broker(options);
    FAIL("the broker started with a missing authorizer class");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("broker log"));
    CHECK_THAT(e.what(), Catch::Contains("obsync.NoSuchAuthorizer"));
  }
}

namespace {
void ensure_fetched(const std::string& version) {
  if (kafka_libs_present(version)) return;
  auto r = run_process({"bash", OBSYNC_SOURCE_DIR "/tools/fetch-kafka.sh", version},
                       std::chrono::minutes(10));
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
}
}  // namespace

// Older broker lines for docs/compatibility.md: their jars come from Maven Central through the
// same script (quiet when cached), then the same round trip as the default broker.
TEST_CASE("older broker lines round-trip 1,000 keyed messages", "[kafka][compat]") {
  struct Line {
    const char* version;
    KafkaMode mode;
  };
  for (Line line : {Line{"3.9.1", KafkaMode::KRaft}, Line{"2.8.2", KafkaMode::ZooKeeper}}) {
    SECTION(fmt::format("Kafka {} ({})", line.version,
                        line.mode == KafkaMode::KRaft ? "KRaft" : "ZooKeeper")) {
      ensure_fetched(line.version);
      KafkaOptions options;
      options.version = line.version;
      options.mode = line.mode;
      KafkaBroker broker(options);
      WARN("Kafka " << line.version << " started in " << broker.startup_time().count() << " ms");
      round_trip(broker, "compat_round_trip", 1000);
    }
  }
}

// The machine's librdkafka (Debian's 2.0.2) can do SCRAM only with brokers before 4.0 (see the
// SASL test above), so the right-password half of SCRAM is proven on the newest 3.x line.
TEST_CASE("SCRAM-SHA-512 with the right password works on Kafka 3.9", "[kafka][compat]") {
  ensure_fetched("3.9.1");
  KafkaOptions options;
  options.version = "3.9.1";
  options.sasl_mechanisms = {"SCRAM-SHA-512"};
  KafkaBroker broker(options);  // its readiness probe already authenticated with SCRAM
  broker.create_topic("scram_topic", 3);
  produce(broker, "scram_topic", 100, "SCRAM-SHA-512");
  consume_and_check(broker, "scram_topic", 100, 3, "SCRAM-SHA-512");
  CHECK_THAT(authentication_error(broker, "SCRAM-SHA-512", "-wrong"),
             Catch::Contains("invalid credentials with SASL mechanism SCRAM-SHA-512"));
}
