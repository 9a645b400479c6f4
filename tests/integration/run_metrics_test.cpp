// `obsync run --metrics-port`: Prometheus metrics of a running project (real MariaDB, real Kafka),
// and a clean stop on SIGTERM (flush, checkpoint, exit 0).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "tests/infra/kafka_broker.hpp"
#include "tests/infra/mariadb_server.hpp"
#include "tests/infra/process.hpp"

namespace fs = std::filesystem;

namespace {

std::string http_get(unsigned port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  std::string req = fmt::format("GET {} HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
  ::send(fd, req.data(), req.size(), 0);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

double sample(const std::string& body, const std::string& name) {
  std::smatch m;
  std::regex re("\n" + name + "\\{[^}]*\\} ([0-9.e+-]+)");
  return std::regex_search(body, m, re) ? std::stod(m[1]) : -1;
}

}  // namespace

TEST_CASE("run: --metrics-port serves Prometheus counters — SIGTERM stops cleanly with a checkpoint", "[e2e]") {
  auto& server = obsync::test::shared_mariadb();
  auto& kafka = obsync::test::shared_kafka();
  server.execute("DROP DATABASE IF EXISTS metr");
  server.execute("CREATE DATABASE metr");
  server.execute("CREATE TABLE metr.t (id INT PRIMARY KEY, v VARCHAR(10))");
  server.execute("INSERT INTO metr.t VALUES (1, 'a'), (2, 'b')");
  ::setenv("OBSYNC_METRICS_PASSWORD", server.password().c_str(), 1);
  fs::path dir = fs::temp_directory_path() / fmt::format("obsync-metrics-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path script = dir / "m.sync";
  std::ofstream(script) << fmt::format(
      "SOURCE db MARIADB (host = '127.0.0.1', port = {}, user = '{}', password = env('OBSYNC_METRICS_PASSWORD'), "
      "heartbeat = 1);\nSINK k KAFKA (bootstrap = '{}');\nPROJECT metr;\nSYNC metr.t TO TOPIC metr_t;\n",
      server.port(), server.user(), kafka.bootstrap());
  unsigned port = obsync::test::find_free_port();
  obsync::test::ChildProcess run({OBSYNC_BINARY, "run", script.string(), "--state-dir", (dir / "state").string(),
                                  "--metrics-port", std::to_string(port), "--metrics-address", "127.0.0.1"},
                                 dir / "run.log");
  std::string body;
  for (int i = 0; i < 100 && sample(body, "obsync_changes_total") < 2; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    body = http_get(port, "/metrics");
  }
  INFO(body);
  CHECK_THAT(body, Catch::StartsWith("HTTP/1.1 200 OK"));
  CHECK(sample(body, "obsync_changes_total") == 2);  // the full sync's two rows
  server.execute("INSERT INTO metr.t VALUES (3, 'c')");
  for (int i = 0; i < 100 && sample(body, "obsync_messages_acked_total") < 3; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    body = http_get(port, "/metrics");
  }
  CHECK(sample(body, "obsync_messages_acked_total") == 3);
  CHECK(sample(body, "obsync_transactions_total") >= 1);
  CHECK(sample(body, "obsync_errors_total") == 0);
  CHECK(sample(body, "obsync_lag_seconds") >= 0);
  CHECK_THAT(body, Catch::Contains("obsync_messages_total{project=\"metr\",table=\"metr.t\"} 3"));
  CHECK_THAT(body, Catch::Contains("obsync_phase{project=\"metr\",phase=\"incremental\"} 1"));
  CHECK_THAT(http_get(port, "/other"), Catch::StartsWith("HTTP/1.1 404"));

  ::kill(run.pid(), SIGTERM);
  for (int i = 0; i < 100 && run.running(); i++) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE_FALSE(run.running());
  CHECK(WIFEXITED(run.wait_status()));
  CHECK(WEXITSTATUS(run.wait_status()) == 0);
  std::ifstream log(dir / "run.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  INFO(text);
  CHECK_THAT(text, Catch::Contains("stopped cleanly: 3 messages acknowledged"));
  auto status = obsync::test::run_process({OBSYNC_BINARY, "status", script.string(), "--state-dir",
                                           (dir / "state").string()});
  CHECK_THAT(status.out, Catch::Contains("transactions 1"));
  fs::remove_all(dir);
}
