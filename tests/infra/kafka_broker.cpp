// A private Apache Kafka broker for tests: configs, storage format, start, readiness, cleanup.
#include "tests/infra/kafka_broker.hpp"

#include <arpa/inet.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "tests/infra/mariadb_server.hpp"  // find_free_port

namespace obsync::test {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr const char* kDirPrefix = "obsync-kafka-";

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? std::string(v) : std::move(fallback);
}

// Directories of earlier runs whose test process died without cleaning up. Their JVMs died with
// it (PR_SET_PDEATHSIG); only the files remain, and a broker's are large (segments, indexes).
void remove_stale_directories(const fs::path& base) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    auto name = entry.path().filename().string();
    if (name.rfind(kDirPrefix, 0) != 0) continue;
    std::ifstream owner(entry.path() / "owner.pid");
    long pid = 0;
    if (!(owner >> pid) || pid <= 0) continue;
    if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    fs::remove_all(entry.path(), ec);
  }
}

fs::path make_temp_directory() {
  fs::path base = env_or("TMPDIR", "/tmp");
  remove_stale_directories(base);
  std::string tmpl = (base / (std::string(kDirPrefix) + "XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error(fmt::format("mkdtemp {}: {}", tmpl, std::strerror(errno)));
  fs::path dir(tmpl);
  std::ofstream(dir / "owner.pid") << getpid() << '\n';
  return dir;
}

std::string random_password() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  std::random_device rd;
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  std::string pw;
  for (int i = 0; i < 24; ++i) pw.push_back(kAlphabet[pick(rd)]);
  return pw;
}

// A KRaft cluster id as Kafka's Uuid.toString prints one: 16 random bytes in unpadded base64url.
// The StorageTool's own `random-uuid` would cost another JVM start. Clearing the top bit of the
// first byte keeps the id from starting with '-' (which Kafka's Uuid avoids: it reads as a flag).
std::string random_cluster_id() {
  static constexpr std::string_view kB64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  std::array<uint8_t, 18> b{};  // 16 bytes + 2 zero bytes so the last group of 3 is whole
  for (size_t i = 0; i < 16; ++i) b[i] = static_cast<uint8_t>(rd());
  b[0] &= 0x7f;
  std::string out;
  for (size_t i = 0; i < 18; i += 3) {
    uint32_t v = uint32_t{b[i]} << 16 | uint32_t{b[i + 1]} << 8 | b[i + 2];
    for (int s = 18; s >= 0; s -= 6) out.push_back(kB64[(v >> s) & 63]);
  }
  out.resize(22);  // 128 bits = 21 full chars + 2 bits
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int major_version(std::string_view version) {
  return std::atoi(std::string(version.substr(0, version.find('.'))).c_str());
}

bool tcp_accepts(unsigned port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// --- librdkafka handles ----------------------------------------------------------------------

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};
template <typename T>
using KafkaPtr = std::unique_ptr<T, KafkaDeleter>;

// The harness's own client: connection-refused noise while the broker starts is expected and
// would only clutter the test output, so librdkafka's log goes nowhere.
KafkaPtr<rd_kafka_t> make_client(const std::vector<std::pair<std::string, std::string>>& config) {
  KafkaPtr<rd_kafka_conf_t> conf(rd_kafka_conf_new());
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
      throw std::runtime_error(fmt::format("librdkafka config {}: {}", k, err));
  };
  for (const auto& [k, v] : config) set(k, v);
  // A broker that is still starting refuses connections; the default backoff grows to 10 s.
  set("reconnect.backoff.ms", "50");
  set("reconnect.backoff.max.ms", "250");
  rd_kafka_conf_set_log_cb(conf.get(), [](const rd_kafka_t*, int, const char*, const char*) {});
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err);
  if (rk == nullptr) throw std::runtime_error(fmt::format("rd_kafka_new: {}", err));
  conf.release();  // rd_kafka_new took ownership
  return KafkaPtr<rd_kafka_t>(rk);
}

}  // namespace

// --- locations ------------------------------------------------------------------------------

fs::path kafka_libs_dir(std::string_view version) {
  if (version == kDefaultKafkaVersion) {
    if (const char* home = std::getenv("OBSYNC_KAFKA_HOME"); home != nullptr && *home != '\0')
      return fs::path(home) / "libs";
  }
  fs::path cache = env_or("OBSYNC_CACHE", env_or("HOME", "/root") + "/.cache/obsync");
  return cache / fmt::format("kafka-{}", version) / "libs";
}

bool kafka_libs_present(std::string_view version) {
  std::error_code ec;
  return fs::exists(kafka_libs_dir(version) / fmt::format("kafka_2.13-{}.jar", version), ec);
}

std::string java_binary() {
  if (const char* home = std::getenv("JAVA_HOME"); home != nullptr && *home != '\0') {
    fs::path java = fs::path(home) / "bin" / "java";
    std::error_code ec;
    if (fs::exists(java, ec)) return java.string();
  }
  return "java";  // ChildProcess/run_process look a slash-less name up in PATH
}

// --- KafkaBroker ----------------------------------------------------------------------------

KafkaBroker::KafkaBroker(KafkaOptions options) : options_(std::move(options)) {
  libs_ = kafka_libs_dir(options_.version);
  if (!kafka_libs_present(options_.version)) {
    throw std::runtime_error(fmt::format(
        "Kafka {} jars not found in {}: run tools/fetch-kafka.sh {} (tools/install-deps.sh "
        "fetches the default version {})",
        options_.version, libs_.string(), options_.version, kDefaultKafkaVersion));
  }
  if (kraft() && major_version(options_.version) < 3)
    throw std::invalid_argument(fmt::format("Kafka {} has no KRaft mode", options_.version));
  if (!kraft() && major_version(options_.version) >= 4)
    throw std::invalid_argument(fmt::format("Kafka {} has no ZooKeeper mode", options_.version));
  if (sasl() && options_.sasl_password.empty()) options_.sasl_password = random_password();

  auto started = Clock::now();
  dir_ = make_temp_directory();
  data_dir_ = dir_ / "data";
  log_file_ = dir_ / "broker.log";
  zk_log_file_ = dir_ / "zookeeper.log";
  cluster_id_ = random_cluster_id();
  try {
    fs::create_directories(dir_ / "tmp");
    write_log_configs();
    if (options_.tls) make_certificate();
    if (!kraft()) start_zookeeper();
    // Another process may take a port between find_free_port and the broker's bind; the
    // ports go into the configs (and KRaft's quorum), so a retry starts over with new ones.
    bool ok = false;
    for (int attempt = 0; attempt < 5 && !ok; ++attempt) {
      port_ = find_free_port();
      // The OS may hand out the same just-released port twice; the three must differ.
      auto another = [&] {
        unsigned p;
        do p = find_free_port();
        while (p == port_ || p == internal_port_ || p == zookeeper_port_);
        return p;
      };
      internal_port_ = 0;
      internal_port_ = client_security_protocol() != "PLAINTEXT" ? another() : 0;
      controller_port_ = kraft() ? another() : 0;
      write_configs();
      if (kraft()) format_storage();
      ok = try_start();
      if (!ok) {
        std::error_code ec;
        fs::remove_all(data_dir_, ec);
      }
    }
    if (!ok) throw std::runtime_error("Kafka broker: no free port after 5 attempts");
  } catch (...) {
    stop();
    throw;
  }
  startup_time_ = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
}

KafkaBroker::~KafkaBroker() {
  try {
    stop();
  } catch (...) {
    // A destructor must not throw; the directory may stay behind and is swept next run.
  }
}

std::vector<std::string> KafkaBroker::java_command(const std::string& main_class,
                                                   const std::vector<std::string>& args) const {
  std::vector<std::string> argv{
      java_binary(),
      fmt::format("-Xmx{}m", options_.heap_mb),
      "-Xms64m",
      // Two shared cores: the serial collector and C1-only JIT keep the JVM from competing
      // with the test and the other servers for CPU; start-up gets faster, peak speed is moot.
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-XX:-UsePerfData",
      "-Djava.awt.headless=true",
      "-Djava.io.tmpdir=" + (dir_ / "tmp").string(),
  };
  // Everything goes to stdout, which ChildProcess sends to the log file. 4.x logs through
  // log4j2, older lines through log4j 1.2 (reload4j in 3.x); each reads its own property.
  if (major_version(options_.version) >= 4)
    argv.push_back("-Dlog4j2.configurationFile=" + (dir_ / "log4j2.properties").string());
  else
    argv.push_back("-Dlog4j.configuration=file:" + (dir_ / "log4j.properties").string());
  // Java expands a trailing `*` in a classpath entry to every jar of the folder itself.
  argv.push_back("-cp");
  argv.push_back((libs_ / "*").string());
  argv.push_back(main_class);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

void KafkaBroker::write_log_configs() {
  {
    std::ofstream log2(dir_ / "log4j2.properties");
    log2 << "status = error\n"
            "appender.out.type = Console\n"
            "appender.out.name = OUT\n"
            "appender.out.target = SYSTEM_OUT\n"
            "appender.out.layout.type = PatternLayout\n"
            "appender.out.layout.pattern = [%d] %p %m (%c)%n\n"
            "rootLogger.level = INFO\n"
            "rootLogger.appenderRef.out.ref = OUT\n"
            // The request and state-change loggers repeat every request at INFO.
            "logger.request.name = kafka.request.logger\n"
            "logger.request.level = WARN\n";
    std::ofstream log1(dir_ / "log4j.properties");
    log1 << "log4j.rootLogger=INFO, stdout\n"
            "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
            "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
            "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
            "log4j.logger.kafka.request.logger=WARN\n";
  }
}

void KafkaBroker::write_configs() {
  const std::string host = "127.0.0.1";
  const std::string client_protocol = client_security_protocol();
  const bool internal = client_protocol != "PLAINTEXT";
  std::string listeners = fmt::format("CLIENT://{}:{}", host, port_);
  std::string advertised = listeners;
  if (internal) {
    listeners += fmt::format(",INTERNAL://{}:{}", host, internal_port_);
    advertised += fmt::format(",INTERNAL://{}:{}", host, internal_port_);
  }
  if (kraft()) listeners += fmt::format(",CONTROLLER://{}:{}", host, controller_port_);

  std::vector<std::pair<std::string, std::string>> props;
  auto put = [&](std::string k, std::string v) { props.emplace_back(std::move(k), std::move(v)); };
  if (kraft()) {
    put("process.roles", "broker,controller");
    put("node.id", "1");
    // A static voter set: formats without --standalone and works the same in 3.x and 4.x.
    put("controller.quorum.voters", fmt::format("1@{}:{}", host, controller_port_));
    put("controller.listener.names", "CONTROLLER");
  } else {
    put("broker.id", "1");
    put("zookeeper.connect", fmt::format("{}:{}", host, zookeeper_port_));
    put("zookeeper.connection.timeout.ms", "60000");
  }
  put("listeners", listeners);
  put("advertised.listeners", advertised);
  put("listener.security.protocol.map",
      fmt::format("CLIENT:{},INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT", client_protocol));
  put("inter.broker.listener.name", internal ? "INTERNAL" : "CLIENT");
  put("log.dirs", data_dir_.string());
  put("num.partitions", "1");
  put("default.replication.factor", "1");
  put("min.insync.replicas", "1");
  put("offsets.topic.replication.factor", "1");
  // Fewer internal partitions: creating __consumer_offsets' default 50 costs seconds here.
  put("offsets.topic.num.partitions", "5");
  put("transaction.state.log.replication.factor", "1");
  put("transaction.state.log.min.isr", "1");
  put("transaction.state.log.num.partitions", "5");
  put("group.initial.rebalance.delay.ms", "0");
  if (major_version(options_.version) >= 4) {
    put("share.coordinator.state.topic.replication.factor", "1");
    put("share.coordinator.state.topic.min.isr", "1");
  }
  if (sasl()) {
    std::string mechs;
    for (const auto& m : options_.sasl_mechanisms) mechs += (mechs.empty() ? "" : ",") + m;
    put("sasl.enabled.mechanisms", mechs);
    for (const auto& m : options_.sasl_mechanisms) {
      std::string lower;
      for (char c : m)
        lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      std::string jaas;
      if (m == "PLAIN") {
        jaas = fmt::format(
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            "username=\"{0}\" password=\"{1}\" user_{0}=\"{1}\";",
            options_.sasl_user, options_.sasl_password);
      } else if (m.rfind("SCRAM-", 0) == 0) {
        // SCRAM users live in the cluster metadata: added at format (KRaft) or through
        // ZooKeeper before the broker starts.
        jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
      } else {
        throw std::invalid_argument("unsupported SASL mechanism " + m);
      }
      put(fmt::format("listener.name.client.{}.sasl.jaas.config", lower), jaas);
    }
  }
  if (options_.tls) {
    put("listener.name.client.ssl.keystore.type", "PKCS12");
    put("listener.name.client.ssl.keystore.location", keystore_.string());
    put("listener.name.client.ssl.keystore.password", keystore_password_);
    put("listener.name.client.ssl.key.password", keystore_password_);
  }
  for (const auto& kv : options_.server_properties) props.push_back(kv);

  std::ofstream out(dir_ / "server.properties");
  for (const auto& [k, v] : props) out << k << '=' << v << '\n';
  if (!out) throw std::runtime_error("writing " + (dir_ / "server.properties").string());
}

std::string KafkaBroker::client_security_protocol() const {
  if (options_.tls) return sasl() ? "SASL_SSL" : "SSL";
  return sasl() ? "SASL_PLAINTEXT" : "PLAINTEXT";
}

void KafkaBroker::make_certificate() {
  keystore_ = dir_ / "broker.p12";
  ca_file_ = dir_ / "ca.pem";
  keystore_password_ = random_password();
  // keytool sits beside the java that runs the broker.
  std::string java = java_binary();
  std::string keytool = java.find('/') == std::string::npos
                            ? "keytool"
                            : (fs::path(java).parent_path() / "keytool").string();
  // Self-signed and its own CA: clients trust exactly this PEM. The SAN carries the address
  // clients dial, so librdkafka's default hostname check (https) passes.
  auto gen = run_process({keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize",
                          "2048", "-validity", "3650", "-dname", "CN=localhost", "-ext",
                          "SAN=ip:127.0.0.1,dns:localhost", "-keystore", keystore_.string(),
                          "-storetype", "PKCS12", "-storepass", keystore_password_, "-keypass",
                          keystore_password_},
                         std::chrono::seconds(60));
  if (gen.exit_code != 0)
    throw std::runtime_error(fmt::format("keytool -genkeypair failed:\n{}{}", gen.out, gen.err));
  auto exp = run_process({keytool, "-exportcert", "-rfc", "-alias", "broker", "-keystore",
                          keystore_.string(), "-storepass", keystore_password_, "-file",
                          ca_file_.string()},
                         std::chrono::seconds(60));
  if (exp.exit_code != 0)
    throw std::runtime_error(fmt::format("keytool -exportcert failed:\n{}{}", exp.out, exp.err));
}

void KafkaBroker::format_storage() {
  std::vector<std::string> args{"format", "-t", cluster_id_, "-c",
                                (dir_ / "server.properties").string()};
  for (const auto& m : options_.sasl_mechanisms) {
    if (m.rfind("SCRAM-", 0) != 0) continue;
    args.push_back("--add-scram");
    args.push_back(fmt::format("{}=[name={},password={}]", m, options_.sasl_user,
                               options_.sasl_password));
  }
  auto r = run_process(java_command("kafka.tools.StorageTool", args), std::chrono::seconds(90));
  if (r.exit_code != 0) {
    throw std::runtime_error(
        fmt::format("kafka.tools.StorageTool format failed ({}):\n{}{}",
                    r.timed_out ? "timeout" : fmt::format("exit {}", r.exit_code), r.out, r.err));
  }
}

void KafkaBroker::start_zookeeper() {
  std::error_code ec;
  for (int attempt = 0; attempt < 5; ++attempt) {
    zookeeper_port_ = find_free_port();
    {
      std::ofstream zk(dir_ / "zookeeper.properties");
      zk << "dataDir=" << (dir_ / "zookeeper").string() << "\n"
         << "clientPort=" << zookeeper_port_ << "\n"
         << "clientPortAddress=127.0.0.1\n"
         << "maxClientCnxns=0\n"
         // ZooKeeper 3.5+ starts an HTTP admin server on 8080 unless told not to.
         << "admin.enableServer=false\n";
    }
    fs::remove(zk_log_file_, ec);
    zookeeper_ = ChildProcess(
        java_command("org.apache.zookeeper.server.quorum.QuorumPeerMain",
                     {(dir_ / "zookeeper.properties").string()}),
        zk_log_file_);
    auto deadline = Clock::now() + options_.start_timeout;
    while (Clock::now() < deadline) {
      if (!zookeeper_.running()) break;
      if (tcp_accepts(zookeeper_port_)) {
        add_zookeeper_scram_users();
        return;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    std::string log = read_file(zk_log_file_);
    if (log.find("Address already in use") != std::string::npos) continue;
    zookeeper_.stop();
    throw std::runtime_error(fmt::format("ZooKeeper did not start ({}); log:\n{}",
                                         describe_wait_status(zookeeper_.wait_status()),
                                         log.substr(log.size() > 4000 ? log.size() - 4000 : 0)));
  }
  throw std::runtime_error("ZooKeeper: no free port after 5 attempts");
}

void KafkaBroker::add_zookeeper_scram_users() {
  for (const auto& m : options_.sasl_mechanisms) {
    if (m.rfind("SCRAM-", 0) != 0) continue;
    auto r = run_process(
        java_command("kafka.admin.ConfigCommand",
                     {"--zookeeper", fmt::format("127.0.0.1:{}", zookeeper_port_), "--alter",
                      "--add-config", fmt::format("{}=[password={}]", m, options_.sasl_password),
                      "--entity-type", "users", "--entity-name", options_.sasl_user}),
        std::chrono::seconds(90));
    if (r.exit_code != 0)
      throw std::runtime_error(fmt::format("kafka.admin.ConfigCommand (SCRAM user) failed:\n{}{}",
                                           r.out, r.err));
  }
}

bool KafkaBroker::try_start() {
  bootstrap_ = fmt::format("127.0.0.1:{}", port_);
  std::error_code ec;
  fs::remove(log_file_, ec);  // a retry must not see the previous attempt's log
  auto deadline = Clock::now() + options_.start_timeout;
  broker_ = ChildProcess(java_command("kafka.Kafka", {(dir_ / "server.properties").string()}),
                         log_file_);
  try {
    wait_ready(deadline);
  } catch (const std::exception&) {
    if (!broker_.running() && read_file(log_file_).find("Address already in use") !=
                                  std::string::npos)
      return false;
    broker_.stop(milliseconds(2000));
    throw;
  }
  return true;
}

void KafkaBroker::wait_ready(Clock::time_point deadline) {
  auto failure = [&](const std::string& why) {
    return std::runtime_error(fmt::format("Kafka {} broker ({}) {}; broker log {}:\n{}",
                                          options_.version, kraft() ? "KRaft" : "ZooKeeper", why,
                                          log_file_.string(), log_tail()));
  };
  // First the cheap checks: the JVM is alive, its client port accepts connections, and the
  // broker logged that it started (KafkaServer / KafkaRaftServer "... started").
  while (true) {
    if (!broker_.running())
      throw failure("exited during start (" + describe_wait_status(broker_.wait_status()) + ")");
    if (tcp_accepts(port_) &&
        read_file(log_file_).find(" started (kafka.server.Kafka") != std::string::npos)
      break;
    if (Clock::now() >= deadline)
      throw failure(fmt::format("not ready after {} ms", options_.start_timeout.count()));
    std::this_thread::sleep_for(milliseconds(100));
  }
  // Then what a client needs: a metadata answer over the client listener (through SASL when it
  // is on, which proves the credentials work too).
  auto client = make_client(client_config());
  std::string last_error;
  while (Clock::now() < deadline) {
    if (!broker_.running())
      throw failure("exited during start (" + describe_wait_status(broker_.wait_status()) + ")");
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(client.get(), 0, nullptr, &md, 2000);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      KafkaPtr<const rd_kafka_metadata_t> guard(md);
      if (md->broker_cnt >= 1) return;
      last_error = "metadata lists no broker";
    } else {
      last_error = rd_kafka_err2str(err);
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  throw failure(fmt::format("gave no metadata within {} ms (last error: {})",
                            options_.start_timeout.count(), last_error));
}

std::vector<std::pair<std::string, std::string>> KafkaBroker::client_config(
    std::string_view mechanism) const {
  std::vector<std::pair<std::string, std::string>> c{
      {"bootstrap.servers", bootstrap_}, {"security.protocol", client_security_protocol()}};
  if (options_.tls) c.emplace_back("ssl.ca.location", ca_file_.string());
  if (sasl()) {
    c.emplace_back("sasl.mechanism",
                   mechanism.empty() ? options_.sasl_mechanisms.front() : std::string(mechanism));
    c.emplace_back("sasl.username", options_.sasl_user);
    c.emplace_back("sasl.password", options_.sasl_password);
  }
  return c;
}

bool KafkaBroker::running() { return broker_.running(); }

void KafkaBroker::create_topic(std::string_view name, int partitions, int replication_factor) {
  auto client = make_client(client_config());
  char err[512];
  std::string topic(name);
  KafkaPtr<rd_kafka_NewTopic_t> nt(
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, err, sizeof err));
  if (!nt) throw std::invalid_argument(fmt::format("NewTopic {}: {}", topic, err));
  KafkaPtr<rd_kafka_AdminOptions_t> opts(
      rd_kafka_AdminOptions_new(client.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  // The broker waits this long for the topic to exist before answering.
  rd_kafka_AdminOptions_set_operation_timeout(opts.get(), 30000, err, sizeof err);
  rd_kafka_AdminOptions_set_request_timeout(opts.get(), 60000, err, sizeof err);
  KafkaPtr<rd_kafka_queue_t> queue(rd_kafka_queue_new(client.get()));
  rd_kafka_NewTopic_t* topics[] = {nt.get()};
  rd_kafka_CreateTopics(client.get(), topics, 1, opts.get(), queue.get());
  KafkaPtr<rd_kafka_event_t> ev(rd_kafka_queue_poll(queue.get(), 90000));
  if (!ev) throw std::runtime_error(fmt::format("CreateTopics {}: no answer in 90 s", topic));
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw std::runtime_error(
        fmt::format("CreateTopics {}: {}", topic, rd_kafka_event_error_string(ev.get())));
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev.get());
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t topic_err = rd_kafka_topic_result_error(results[i]);
    if (topic_err != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw std::runtime_error(fmt::format("CreateTopics {}: {} ({})", topic,
                                           rd_kafka_err2name(topic_err),
                                           rd_kafka_topic_result_error_string(results[i])));
  }
  // CreateTopics answers once the controller has the topic; producers need every partition's
  // leader in the metadata.
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(client.get(), 1, nullptr, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      KafkaPtr<const rd_kafka_metadata_t> guard(md);
      for (int t = 0; t < md->topic_cnt; ++t) {
        const auto& tm = md->topics[t];
        if (topic != tm.topic || tm.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
        bool all_led = tm.partition_cnt == partitions;
        for (int p = 0; p < tm.partition_cnt; ++p)
          all_led = all_led && tm.partitions[p].leader >= 0;
        if (all_led) return;
      }
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  throw std::runtime_error(
      fmt::format("topic {}: partitions have no leader 60 s after CreateTopics", topic));
}

std::string KafkaBroker::log_tail(size_t lines) const {
  std::ifstream in(log_file_);
  std::deque<std::string> tail;
  std::vector<std::string> errors;  // why a broker died is often far above its last lines
  size_t line_no = 0;
  std::vector<size_t> error_lines;
  for (std::string line; std::getline(in, line); ++line_no) {
    bool error = line.find("] ERROR ") != std::string::npos ||
                 line.find("] FATAL ") != std::string::npos;
    if (error && errors.size() < 5) {
      errors.push_back(line);
      error_lines.push_back(line_no);
    }
    tail.push_back(std::move(line));
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  size_t first_tail_line = line_no - tail.size();
  for (size_t i = 0; i < errors.size(); ++i)
    if (error_lines[i] < first_tail_line) out += "  " + errors[i].substr(0, 2000) + "\n";
  if (!out.empty()) out += "  ...\n";
  for (const auto& l : tail) out += "  " + l.substr(0, 2000) + "\n";
  return out.empty() ? "  (empty)\n" : out;
}

void KafkaBroker::restart(milliseconds down) {
  broker_.stop(options_.stop_timeout);
  std::this_thread::sleep_for(down);
  auto started = Clock::now();
  // The ports were ours a moment ago; only another process taking one in between can fail this.
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (try_start()) {
      startup_time_ = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
      return;
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
  throw std::runtime_error(
      fmt::format("Kafka broker: port {} stayed taken after the restart", port_));
}

void KafkaBroker::stop() {
  broker_.stop(options_.stop_timeout);
  zookeeper_.stop(options_.stop_timeout);
  if (!options_.keep_directory && !dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

// --- the shared instance --------------------------------------------------------------------

namespace {
std::mutex g_shared_mutex;
std::unique_ptr<KafkaBroker> g_shared;

void stop_shared_kafka() {
  std::lock_guard lock(g_shared_mutex);
  g_shared.reset();
}
}  // namespace

KafkaBroker& shared_kafka() {
  std::lock_guard lock(g_shared_mutex);
  if (!g_shared) {
    g_shared = std::make_unique<KafkaBroker>();
    std::atexit(stop_shared_kafka);
  }
  return *g_shared;
}

}  // namespace obsync::test
