// A private MariaDB server for integration tests: temporary datadir, free loopback port, binlog on.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tests/infra/process.hpp"

struct st_mysql;  // MYSQL from <mysql.h>; kept out of this header so tests need not include it

namespace obsync::test {

// A failed statement: the server's error code and text together with the SQL that caused it.
class SqlError : public std::runtime_error {
 public:
  SqlError(unsigned code, std::string sqlstate, std::string message, std::string sql);
  unsigned code() const { return code_; }
  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& server_message() const { return message_; }
  const std::string& sql() const { return sql_; }

 private:
  unsigned code_;
  std::string sqlstate_;
  std::string message_;
  std::string sql_;
};

using SqlRow = std::vector<std::optional<std::string>>;  // NULL is nullopt

// One client connection (text protocol, utf8mb4). Move-only; closes on destruction.
class MariaDbConnection {
 public:
  struct Params {
    std::string host;    // empty: use `socket`
    unsigned port = 0;
    std::string socket;
    std::string user;
    std::string password;
    std::string database;  // empty: none
    std::chrono::seconds timeout{10};
  };
  explicit MariaDbConnection(const Params& params);
  MariaDbConnection(MariaDbConnection&&) noexcept;
  MariaDbConnection& operator=(MariaDbConnection&&) noexcept;
  ~MariaDbConnection();

  // Runs one statement and returns its rows (empty for statements without a result set).
  std::vector<SqlRow> query(std::string_view sql);
  // Runs one statement and discards any result.
  void execute(std::string_view sql);
  // The single value of a one-row, one-column result (nullopt for NULL).
  std::optional<std::string> scalar(std::string_view sql);
  // Column names of the last result set returned by query().
  const std::vector<std::string>& last_columns() const { return last_columns_; }
  // Warnings count of the last statement.
  unsigned warning_count() const;
  // A string literal for `value`, quoted and escaped for this connection's charset.
  std::string quote(std::string_view value) const;

  st_mysql* handle() const { return mysql_.get(); }

 private:
  struct Closer {
    void operator()(st_mysql* m) const;
  };
  std::unique_ptr<st_mysql, Closer> mysql_;
  std::vector<std::string> last_columns_;
};

enum class BinlogRowMetadata { Full, Minimal };

struct MariaDbOptions {
  // FULL is what obsync asks of MySQL/MariaDB sources; MINIMAL is what OceanBase's Binlog
  // Service produces, so tests of the schema-history path run with it.
  BinlogRowMetadata binlog_row_metadata = BinlogRowMetadata::Full;
  // Appended after the harness's own options, so they can override them.
  std::vector<std::string> extra_args;
  std::chrono::milliseconds start_timeout{30000};
  std::chrono::milliseconds stop_timeout{10000};
  // Keep the temporary directory after stop (to read the error log of a failed run).
  bool keep_directory = false;
};

// Owns a mariadbd process and its temporary directory. Start happens in the constructor;
// stop() (or the destructor) terminates it and removes the directory. Construct it on a thread
// that outlives it: the server is killed when the thread that started it exits.
class MariaDbServer {
 public:
  explicit MariaDbServer(MariaDbOptions options = {});
  MariaDbServer(const MariaDbServer&) = delete;
  MariaDbServer& operator=(const MariaDbServer&) = delete;
  ~MariaDbServer();

  const std::string& host() const { return host_; }  // always "127.0.0.1"
  unsigned port() const { return port_; }
  const std::string& user() const { return user_; }  // test user, all privileges
  const std::string& password() const { return password_; }
  const std::filesystem::path& socket_path() const { return socket_path_; }
  const std::filesystem::path& directory() const { return dir_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  const std::filesystem::path& error_log() const { return error_log_; }
  const MariaDbOptions& options() const { return options_; }
  bool running();

  // Connection parameters for the test user over TCP; `database` may be empty.
  MariaDbConnection::Params params(std::string database = {}) const;
  // A new connection as the test user over TCP.
  MariaDbConnection connect(std::string database = {}) const;

  // Convenience: run on the server's own admin connection (not thread-safe).
  std::vector<SqlRow> query(std::string_view sql);
  void execute(std::string_view sql);
  std::optional<std::string> scalar(std::string_view sql);

  // The last `lines` lines of the error log, for failure messages.
  std::string error_log_tail(size_t lines = 30) const;

  // Stops the server (SIGTERM, as a DBA's restart) and starts it again on the same port and data
  // directory, waiting `down` in between; the admin connection is renewed. Clients see their
  // connections drop and can reconnect to the same address.
  void restart(std::chrono::milliseconds down = std::chrono::milliseconds(0));

  // Terminates the server (SIGTERM, then SIGKILL after options.stop_timeout) and removes its
  // directory unless keep_directory is set. Idempotent.
  void stop();

 private:
  void initialise_datadir();
  bool try_start(unsigned port);  // false: the port was taken; throws on other failures
  void wait_ready();
  void create_test_user();

  MariaDbOptions options_;
  std::filesystem::path dir_, data_dir_, socket_path_, error_log_, pid_file_;
  std::string host_ = "127.0.0.1";
  unsigned port_ = 0;
  std::string user_ = "obsync_test";
  std::string password_;
  ChildProcess process_;
  std::optional<MariaDbConnection> admin_;
};

// One server shared by every suite of the integration_tests process, started on first use
// (binlog_row_metadata=FULL) and stopped at process exit.
MariaDbServer& shared_mariadb();

// A port on 127.0.0.1 that was free a moment ago (the OS picks it when binding to port 0).
unsigned find_free_port();

}  // namespace obsync::test
