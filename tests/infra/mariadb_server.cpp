// A private MariaDB server for integration tests: start, readiness, client helpers, cleanup.
#include "tests/infra/mariadb_server.hpp"

#include <mysql.h>
#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/format.h>

namespace obsync::test {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Debian's mariadb-server paths; the machine's service and its my.cnf are never used.
constexpr const char* kMariadbd = "/usr/sbin/mariadbd";
constexpr const char* kInstallDb = "/usr/bin/mariadb-install-db";
constexpr const char* kDirPrefix = "obsync-mariadb-";
// Unix socket paths are limited to 108 bytes (sun_path).
constexpr size_t kMaxSocketPath = 100;

// libmariadb's global init is not thread-safe; do it once before any mysql_init.
void ensure_client_library() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

SqlError error_from(MYSQL* m, std::string sql) {
  return SqlError(mysql_errno(m), mysql_sqlstate(m), mysql_error(m), std::move(sql));
}

fs::path temp_base() {
  const char* env = std::getenv("TMPDIR");
  fs::path base = (env != nullptr && *env != '\0') ? fs::path(env) : fs::path("/tmp");
  // The socket lives in the directory; a long TMPDIR would overflow sun_path.
  if ((base / "obsync-mariadb-XXXXXX/mysqld.sock").string().size() > kMaxSocketPath)
    base = "/tmp";
  return base;
}

// Directories of earlier runs whose test process died without cleaning up (SIGKILL, abort).
// Their servers died with them (PR_SET_PDEATHSIG); only the files remain.
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
  fs::path base = temp_base();
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

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

// --- SqlError -------------------------------------------------------------------------------

SqlError::SqlError(unsigned code, std::string sqlstate, std::string message, std::string sql)
    : std::runtime_error(fmt::format("ERROR {} ({}): {}\n  in: {}", code, sqlstate, message, sql)),
      code_(code),
      sqlstate_(std::move(sqlstate)),
      message_(std::move(message)),
      sql_(std::move(sql)) {}

// --- MariaDbConnection ----------------------------------------------------------------------

void MariaDbConnection::Closer::operator()(st_mysql* m) const { mysql_close(m); }

MariaDbConnection::MariaDbConnection(const Params& p) {
  ensure_client_library();
  mysql_.reset(mysql_init(nullptr));
  if (!mysql_) throw std::runtime_error("mysql_init: out of memory");
  MYSQL* m = mysql_.get();
  unsigned timeout = static_cast<unsigned>(p.timeout.count());
  unsigned io_timeout = 300;  // a hung statement should fail the test, not hang it
  mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
  mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
  bool tcp = !p.host.empty();
  if (tcp) {
    unsigned proto = MYSQL_PROTOCOL_TCP;
    mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &proto);
  }
  if (mysql_real_connect(m, tcp ? p.host.c_str() : "localhost", p.user.c_str(),
                         p.password.c_str(), p.database.empty() ? nullptr : p.database.c_str(),
                         tcp ? p.port : 0, tcp ? nullptr : p.socket.c_str(), 0) == nullptr) {
    // The password is never part of the message.
    throw error_from(m, tcp ? fmt::format("connect {}@{}:{}", p.user, p.host, p.port)
                            : fmt::format("connect {}@{}", p.user, p.socket));
  }
}

MariaDbConnection::MariaDbConnection(MariaDbConnection&&) noexcept = default;
MariaDbConnection& MariaDbConnection::operator=(MariaDbConnection&&) noexcept = default;
MariaDbConnection::~MariaDbConnection() = default;

std::vector<SqlRow> MariaDbConnection::query(std::string_view sql) {
  MYSQL* m = mysql_.get();
  last_columns_.clear();
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) throw error_from(m, std::string(sql));
  std::vector<SqlRow> rows;
  MYSQL_RES* res = mysql_store_result(m);
  if (res == nullptr) {
    if (mysql_field_count(m) != 0) throw error_from(m, std::string(sql));
    return rows;
  }
  std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> guard(res, &mysql_free_result);
  unsigned n = mysql_num_fields(res);
  MYSQL_FIELD* fields = mysql_fetch_fields(res);
  for (unsigned i = 0; i < n; ++i) last_columns_.emplace_back(fields[i].name);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    SqlRow out;
    out.reserve(n);
    for (unsigned i = 0; i < n; ++i) {
      if (row[i] == nullptr)
        out.emplace_back(std::nullopt);
      else
        out.emplace_back(std::string(row[i], lengths[i]));
    }
    rows.push_back(std::move(out));
  }
  // mysql_fetch_row returns NULL on error too (e.g. a lost connection mid-result).
  if (mysql_errno(m) != 0) throw error_from(m, std::string(sql));
  return rows;
}

void MariaDbConnection::execute(std::string_view sql) { query(sql); }

std::optional<std::string> MariaDbConnection::scalar(std::string_view sql) {
  auto rows = query(sql);
  if (rows.size() != 1 || rows[0].size() != 1)
    throw std::runtime_error(fmt::format("expected one value, got {} rows: {}", rows.size(), sql));
  return rows[0][0];
}

unsigned MariaDbConnection::warning_count() const { return mysql_warning_count(mysql_.get()); }

std::string MariaDbConnection::quote(std::string_view value) const {
  std::string buf(value.size() * 2 + 1, '\0');
  unsigned long n =
      mysql_real_escape_string(mysql_.get(), buf.data(), value.data(), value.size());
  buf.resize(n);
  return "'" + buf + "'";
}

// --- MariaDbServer --------------------------------------------------------------------------

unsigned find_free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    close(fd);
    throw std::runtime_error(fmt::format("bind 127.0.0.1:0: {}", std::strerror(err)));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

MariaDbServer::MariaDbServer(MariaDbOptions options) : options_(std::move(options)) {
  dir_ = make_temp_directory();
  data_dir_ = dir_ / "data";
  socket_path_ = dir_ / "mysqld.sock";
  error_log_ = dir_ / "error.log";
  pid_file_ = dir_ / "mysqld.pid";
  password_ = random_password();
  try {
    fs::create_directories(dir_ / "tmp");
    initialise_datadir();
    // Another process may take the port between find_free_port and mariadbd's bind.
    bool started = false;
    for (int attempt = 0; attempt < 5 && !started; ++attempt) started = try_start(find_free_port());
    if (!started) throw std::runtime_error("mariadbd: no free port after 5 attempts");
    create_test_user();
  } catch (...) {
    stop();
    throw;
  }
}

MariaDbServer::~MariaDbServer() {
  try {
    stop();
  } catch (...) {
    // A destructor must not throw; the directory may stay behind and is swept next run.
  }
}

void MariaDbServer::initialise_datadir() {
  std::vector<std::string> argv{kInstallDb,
                                "--no-defaults",
                                "--auth-root-authentication-method=normal",
                                "--skip-test-db",
                                "--skip-name-resolve",
                                "--datadir=" + data_dir_.string(),
                                "--tmpdir=" + (dir_ / "tmp").string(),
                                // Keep the directory small: the default redo log is 96 MB.
                                "--innodb-log-file-size=8M",
                                "--innodb-buffer-pool-size=32M"};
  if (geteuid() == 0) argv.push_back("--user=root");
  auto r = run_process(argv, std::chrono::seconds(60));
  if (r.exit_code != 0) {
    throw std::runtime_error(fmt::format(
        "mariadb-install-db failed ({}{}):\n{}{}", r.timed_out ? "timeout, " : "",
        r.term_signal ? fmt::format("signal {}", r.term_signal)
                      : fmt::format("exit {}", r.exit_code),
        r.out, r.err));
  }
}

bool MariaDbServer::try_start(unsigned port) {
  port_ = port;
  std::vector<std::string> argv{
      kMariadbd,
      "--no-defaults",  // must come first: never read the machine's my.cnf
      "--datadir=" + data_dir_.string(),
      "--tmpdir=" + (dir_ / "tmp").string(),
      "--socket=" + socket_path_.string(),
      "--pid-file=" + pid_file_.string(),
      "--log-error=" + error_log_.string(),
      "--port=" + std::to_string(port),
      "--bind-address=127.0.0.1",
      "--skip-name-resolve",
      "--server-id=1",
      "--log-bin=mysql-bin",
      "--binlog-format=ROW",
      "--binlog-row-image=FULL",
      std::string("--binlog-row-metadata=") +
          (options_.binlog_row_metadata == BinlogRowMetadata::Full ? "FULL" : "MINIMAL"),
      "--default-time-zone=+00:00",
      // utf8mb4_general_ci is OceanBase MySQL mode's default collation (MariaDB 10.11 has no
      // utf8mb4_0900_ai_ci, MySQL 8's default).
      "--character-set-server=utf8mb4",
      "--collation-server=utf8mb4_general_ci",
      "--innodb-buffer-pool-size=32M",
      "--innodb-log-file-size=8M",
      // Durability is not under test; fsyncs only slow the suites down.
      "--innodb-flush-log-at-trx-commit=2",
      "--sync-binlog=0",
      "--max-connections=200",
  };
  if (geteuid() == 0) argv.push_back("--user=root");  // mariadbd refuses root without it
  for (const auto& a : options_.extra_args) argv.push_back(a);

  std::error_code ec;
  fs::remove(error_log_, ec);  // a retry must not see the previous attempt's log
  process_ = ChildProcess(argv, dir_ / "mariadbd.out");

  auto deadline = Clock::now() + options_.start_timeout;
  std::string last_error;
  while (Clock::now() < deadline) {
    if (!process_.running()) {
      std::string log = read_file(error_log_);
      if (log.find("Address already in use") != std::string::npos) return false;
      throw std::runtime_error(fmt::format("mariadbd exited during start ({}); error log tail:\n{}",
                                           describe_wait_status(process_.wait_status()),
                                           error_log_tail()));
    }
    try {
      // Root has no password (install-db --auth-root-authentication-method=normal) and exists
      // only as root@localhost, so it connects over the socket.
      MariaDbConnection::Params p;
      p.socket = socket_path_.string();
      p.user = "root";
      p.timeout = std::chrono::seconds(2);
      admin_.emplace(p);
      return true;
    } catch (const SqlError& e) {
      last_error = e.server_message();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error(
      fmt::format("mariadbd not ready after {} ms (last connect error: {}); error log tail:\n{}",
                  options_.start_timeout.count(), last_error, error_log_tail()));
}

void MariaDbServer::create_test_user() {
  try {
    admin_->execute(fmt::format("CREATE USER '{}'@'%' IDENTIFIED BY '{}'", user_, password_));
    admin_->execute(
        fmt::format("GRANT ALL PRIVILEGES ON *.* TO '{}'@'%' WITH GRANT OPTION", user_));
  } catch (const SqlError& e) {
    // Rethrow without the SQL: it holds the password.
    throw std::runtime_error(fmt::format("creating the test user failed: ERROR {}: {}", e.code(),
                                         e.server_message()));
  }
  // From here on the admin connection is the test user over TCP, which proves both work.
  admin_.emplace(params());
}

bool MariaDbServer::running() { return process_.running(); }

void MariaDbServer::restart(std::chrono::milliseconds down) {
  admin_.reset();
  process_.stop(options_.stop_timeout);
  std::this_thread::sleep_for(down);
  // The port was ours a moment ago; mariadbd binds with SO_REUSEADDR, so only another process
  // taking it in between can make this fail.
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (try_start(port_)) {
      admin_.emplace(params());
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error(fmt::format("mariadbd: port {} stayed taken after the restart", port_));
}

MariaDbConnection::Params MariaDbServer::params(std::string database) const {
  MariaDbConnection::Params p;
  p.host = host_;
  p.port = port_;
  p.user = user_;
  p.password = password_;
  p.database = std::move(database);
  return p;
}

MariaDbConnection MariaDbServer::connect(std::string database) const {
  return MariaDbConnection(params(std::move(database)));
}

std::vector<SqlRow> MariaDbServer::query(std::string_view sql) {
  if (!admin_) throw std::logic_error("MariaDbServer::query after stop()");
  return admin_->query(sql);
}

void MariaDbServer::execute(std::string_view sql) { query(sql); }

std::optional<std::string> MariaDbServer::scalar(std::string_view sql) {
  if (!admin_) throw std::logic_error("MariaDbServer::scalar after stop()");
  return admin_->scalar(sql);
}

std::string MariaDbServer::error_log_tail(size_t lines) const {
  std::ifstream in(error_log_);
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(std::move(line));
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& l : tail) out += "  " + l + "\n";
  return out.empty() ? "  (empty)\n" : out;
}

void MariaDbServer::stop() {
  admin_.reset();
  process_.stop(options_.stop_timeout);
  if (!options_.keep_directory && !dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

// --- the shared instance --------------------------------------------------------------------

namespace {
std::mutex g_shared_mutex;
std::unique_ptr<MariaDbServer> g_shared;

void stop_shared_mariadb() {
  std::lock_guard lock(g_shared_mutex);
  g_shared.reset();
}
}  // namespace

MariaDbServer& shared_mariadb() {
  std::lock_guard lock(g_shared_mutex);
  if (!g_shared) {
    g_shared = std::make_unique<MariaDbServer>();
    // Explicit, so the server stops before other statics (the client library) are torn down.
    std::atexit(stop_shared_mariadb);
  }
  return *g_shared;
}

}  // namespace obsync::test
