// A connection to the source's SQL endpoint (libmariadb, text protocol, utf8mb4), with errors
// that name the server and the user, never the password.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/source/source_config.hpp"

struct st_mysql;      // MYSQL
struct st_mysql_res;  // MYSQL_RES

namespace obsync::source {

// A failure talking to a source. what() is a complete message: what failed, where
// ("obsync@127.0.0.1:3306"), the server's own error text, and for connection problems what to
// check. `retryable` tells whether reconnecting may help (network, server gone, timeout) or not
// (access denied, unknown database, SQL errors, protocol errors).
class SourceError : public std::runtime_error {
 public:
  SourceError(std::string message, unsigned server_code, bool retryable)
      : std::runtime_error(std::move(message)), code_(server_code), retryable_(retryable) {}
  unsigned server_code() const { return code_; }  // MySQL error number; 0 when none
  bool retryable() const { return retryable_; }

 private:
  unsigned code_;
  bool retryable_;
};

// True for client/server error numbers that a reconnect can cure (CR_SERVER_GONE_ERROR,
// CR_SERVER_LOST, CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR, ER_SERVER_SHUTDOWN, timeouts…).
bool is_retryable_error(unsigned code);

using SqlRow = std::vector<std::optional<std::string>>;  // NULL is nullopt

struct SqlField {
  std::string name;
  unsigned type = 0;  // enum_field_types
  unsigned flags = 0;
  unsigned charset = 0;
};

class SqlConnection {
 public:
  // Connects to `endpoint` (config.sql or config.binlog) with the config's user, password, TLS
  // and timeouts; sets utf8mb4 and time_zone '+00:00' (TIMESTAMP values read in UTC, as the
  // binlog carries them). Throws SourceError.
  SqlConnection(const SourceConfig& config, const Endpoint& endpoint);
  SqlConnection(SqlConnection&&) noexcept;
  SqlConnection& operator=(SqlConnection&&) noexcept;
  ~SqlConnection();

  // Runs one statement and returns all its rows (for small results: catalog, status).
  std::vector<SqlRow> query(std::string_view sql);
  void execute(std::string_view sql);
  std::optional<std::string> scalar(std::string_view sql);  // first column of the first row
  const std::vector<SqlField>& last_fields() const { return fields_; }

  // A streamed (unbuffered) result: rows are read from the socket one at a time, so memory
  // stays bounded whatever the result's size. Only one may be open per connection; the
  // connection is unusable for other statements until it ends or is destroyed.
  class Stream {
   public:
    Stream(Stream&&) noexcept;
    ~Stream();
    // The next row as views valid until the next call; false at the end. Throws SourceError.
    bool next(std::vector<std::optional<std::string_view>>& row);
    const std::vector<SqlField>& fields() const { return fields_; }

   private:
    friend class SqlConnection;
    Stream(SqlConnection* owner, st_mysql_res* result);
    SqlConnection* owner_ = nullptr;
    st_mysql_res* result_ = nullptr;
    std::vector<SqlField> fields_;
  };
  Stream stream(std::string_view sql);

  // 'text' quoted and escaped as a string literal; `name` as a back-quoted identifier.
  std::string quote(std::string_view text) const;
  static std::string quote_identifier(std::string_view name);

  std::string server_version() const;  // "10.11.6-MariaDB-log", "5.7.25-OceanBase-v4…"
  bool is_mariadb() const;
  const std::string& describe() const { return describe_; }  // "user@host:port"
  st_mysql* handle() const { return mysql_.get(); }

  // The SourceError for the connection's last failure while doing `what` ("query …").
  SourceError error(std::string_view what) const;

 private:
  struct Closer {
    void operator()(st_mysql* m) const;
  };
  std::unique_ptr<st_mysql, Closer> mysql_;
  std::string describe_;
  std::vector<SqlField> fields_;
};

// Capped exponential backoff for reconnects: initial, doubled each attempt up to `max_delay`,
// with ±20% jitter; gives up after `budget` of total waiting (0: never).
class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial = std::chrono::milliseconds(500),
          std::chrono::milliseconds max_delay = std::chrono::seconds(30),
          std::chrono::milliseconds budget = std::chrono::minutes(10));
  // The next delay, or nullopt when the budget is spent.
  std::optional<std::chrono::milliseconds> next();
  void reset();  // after a success
  int attempts() const { return attempts_; }

 private:
  std::chrono::milliseconds initial_, max_, budget_, waited_{0}, current_{0};
  int attempts_ = 0;
  uint64_t seed_;
};

}  // namespace obsync::source
