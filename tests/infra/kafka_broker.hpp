// A private Apache Kafka broker for tests: Maven Central's jars run by the machine's Java.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/infra/process.hpp"

namespace obsync::test {

// The broker line tools/install-deps.sh fetches (tools/fetch-kafka.sh) and the tests use unless
// a test asks for another one (docs/compatibility.md lists the lines that run here).
inline constexpr std::string_view kDefaultKafkaVersion = "4.4.0";

// KRaft: one JVM that is both controller and broker (3.x, 4.x). ZooKeeper: a ZooKeeper JVM plus
// a broker JVM (2.x, 3.x; 4.x has no ZooKeeper mode).
enum class KafkaMode { KRaft, ZooKeeper };

struct KafkaOptions {
  std::string version = std::string(kDefaultKafkaVersion);
  KafkaMode mode = KafkaMode::KRaft;
  // Non-empty: the client listener is SASL_PLAINTEXT with these mechanisms ("PLAIN",
  // "SCRAM-SHA-256", "SCRAM-SHA-512") and one user, `sasl_user`, known to all of them.
  // Inter-broker traffic stays on a separate PLAINTEXT listener (also with TLS) that clients
  // are not told about.
  std::vector<std::string> sasl_mechanisms;
  std::string sasl_user = "obsync";
  std::string sasl_password;  // empty: a random one
  // The client listener speaks TLS (SSL, or SASL_SSL with SASL) with a self-signed certificate
  // for 127.0.0.1 made by the JDK's keytool; ca_file() is the PEM clients trust.
  bool tls = false;
  // server.properties lines appended after the harness's own, so they override them.
  std::vector<std::pair<std::string, std::string>> server_properties;
  int heap_mb = 512;
  // A cold JVM on a busy 2-core machine takes a while; a healthy start is 2-10 s.
  std::chrono::milliseconds start_timeout{90000};
  std::chrono::milliseconds stop_timeout{20000};
  // Keep the temporary directory after stop (to read the broker log of a failed run).
  bool keep_directory = false;
};

// Where the jars of `version` are: $OBSYNC_KAFKA_HOME/libs for the default version when that
// variable is set, else ${OBSYNC_CACHE:-$HOME/.cache/obsync}/kafka-VERSION/libs, which is where
// tools/fetch-kafka.sh puts them.
std::filesystem::path kafka_libs_dir(std::string_view version = kDefaultKafkaVersion);
// True when kafka_libs_dir(version) holds that version's broker jar.
bool kafka_libs_present(std::string_view version = kDefaultKafkaVersion);
// $JAVA_HOME/bin/java when set, else the java on PATH.
std::string java_binary();

// Owns the broker JVM (and ZooKeeper's in ZooKeeper mode) and their temporary directory. Start
// happens in the constructor and returns once a client gets metadata from the broker; stop()
// (or the destructor) terminates it and removes the directory. Construct it on a thread that
// outlives it: the JVMs are killed when the thread that started them exits.
class KafkaBroker {
 public:
  explicit KafkaBroker(KafkaOptions options = {});
  KafkaBroker(const KafkaBroker&) = delete;
  KafkaBroker& operator=(const KafkaBroker&) = delete;
  ~KafkaBroker();

  // "127.0.0.1:PORT" of the client listener (PLAINTEXT, SASL_PLAINTEXT, SSL or SASL_SSL).
  const std::string& bootstrap() const { return bootstrap_; }
  unsigned port() const { return port_; }
  const std::string& sasl_user() const { return options_.sasl_user; }
  const std::string& sasl_password() const { return options_.sasl_password; }
  // librdkafka settings that reach this broker: bootstrap.servers, security.protocol, with SASL
  // sasl.mechanism (`mechanism`, default the first configured), username and password, with
  // TLS ssl.ca.location.
  std::vector<std::pair<std::string, std::string>> client_config(
      std::string_view mechanism = {}) const;

  const KafkaOptions& options() const { return options_; }
  const std::filesystem::path& directory() const { return dir_; }
  const std::filesystem::path& libs_dir() const { return libs_; }
  const std::filesystem::path& log_file() const { return log_file_; }
  const std::filesystem::path& ca_file() const { return ca_file_; }  // empty without TLS
  // Wall time of the last start (format + JVM start + first metadata answer).
  std::chrono::milliseconds startup_time() const { return startup_time_; }
  bool running();

  // Creates a topic through librdkafka's Admin API (CreateTopics) and waits until its leaders
  // are known. Throws with the broker's error on failure, TOPIC_ALREADY_EXISTS included.
  void create_topic(std::string_view name, int partitions, int replication_factor = 1);

  // The last `lines` lines of the broker log with any earlier ERROR/FATAL lines before them,
  // for failure messages.
  std::string log_tail(size_t lines = 40) const;

  // Stops the broker (SIGTERM, as an operator's restart) and starts it again on the same ports
  // and data directory, waiting `down` in between. Topics and committed offsets survive.
  void restart(std::chrono::milliseconds down = std::chrono::milliseconds(0));

  // Terminates the broker (SIGTERM, then SIGKILL after options.stop_timeout), then ZooKeeper,
  // and removes the directory unless keep_directory is set. Idempotent.
  void stop();

 private:
  void write_log_configs();  // log4j2 (4.x) and log4j 1.2 (older) configs: all to stdout
  void write_configs();      // server.properties for the current ports
  void make_certificate();  // TLS only: keystore + PEM through keytool
  void format_storage();    // KRaft only
  void start_zookeeper();
  void add_zookeeper_scram_users();
  bool try_start();  // false: a port was taken; throws on other failures
  void wait_ready(std::chrono::steady_clock::time_point deadline);
  // java with the heap/GC/logging flags and the classpath, then `main_class` and `args`.
  std::vector<std::string> java_command(const std::string& main_class,
                                        const std::vector<std::string>& args) const;
  bool kraft() const { return options_.mode == KafkaMode::KRaft; }
  bool sasl() const { return !options_.sasl_mechanisms.empty(); }
  std::string client_security_protocol() const;

  KafkaOptions options_;
  std::filesystem::path dir_, libs_, data_dir_, log_file_, zk_log_file_, keystore_, ca_file_;
  std::string keystore_password_;
  std::string cluster_id_;
  std::string bootstrap_;
  unsigned port_ = 0, internal_port_ = 0, controller_port_ = 0, zookeeper_port_ = 0;
  std::chrono::milliseconds startup_time_{0};
  ChildProcess zookeeper_;
  ChildProcess broker_;
};

// One KRaft broker of the default version shared by every suite of the integration_tests
// process, started on first use and stopped at process exit.
KafkaBroker& shared_kafka();

}  // namespace obsync::test
