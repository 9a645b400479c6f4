// libmariadb connections to the source's SQL endpoint.
#include "runtime/source/sql_connection.hpp"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <mutex>
#include <random>

#include <fmt/format.h>

namespace obsync::source {

namespace {

void ensure_client_library() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

// What to do about a failure, for the errors users meet first.
std::string_view hint_for(unsigned code) {
  switch (code) {
    case CR_CONN_HOST_ERROR:
    case CR_CONNECTION_ERROR:
      return "check that the server is running and that host and port are right";
    case CR_UNKNOWN_HOST:
      return "check the host name";
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
      return "check user and password (OceanBase: user@tenant#cluster)";
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
      return "the server closed the connection; check its error log and network timeouts";
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
      return "grant the privilege named above to the user";
    default:
      return {};
  }
}

std::vector<SqlField> fields_of(MYSQL_RES* res) {
  std::vector<SqlField> out;
  if (res == nullptr) return out;
  unsigned n = mysql_num_fields(res);
  MYSQL_FIELD* f = mysql_fetch_fields(res);
  out.reserve(n);
  for (unsigned i = 0; i < n; i++)
    out.push_back({std::string(f[i].name, f[i].name_length), static_cast<unsigned>(f[i].type), f[i].flags,
                   f[i].charsetnr});
  return out;
}

}  // namespace

bool is_retryable_error(unsigned code) {
  switch (code) {
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_UNKNOWN_HOST:  // DNS may come back
    case CR_SERVER_LOST_EXTENDED:
    case CR_ERR_NET_READ:
    case CR_ERR_NET_WRITE:
    case ER_SERVER_SHUTDOWN:
    case ER_CON_COUNT_ERROR:
    case ER_NET_READ_ERROR:
    case ER_NET_READ_INTERRUPTED:
    case ER_NET_ERROR_ON_WRITE:
    case ER_NET_WRITE_INTERRUPTED:
    case ER_QUERY_INTERRUPTED:
    case ER_CONNECTION_KILLED:
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_LOCK_DEADLOCK:
      return true;
    default:
      return false;
  }
}

void SqlConnection::Closer::operator()(st_mysql* m) const {
  if (m != nullptr) mysql_close(m);
}

SqlConnection::SqlConnection(const SourceConfig& config, const Endpoint& endpoint)
    : describe_(config.describe(endpoint)) {
  ensure_client_library();
  mysql_.reset(mysql_init(nullptr));
  if (!mysql_) throw SourceError("out of memory creating a MySQL client handle", 0, false);
  MYSQL* m = mysql_.get();
  unsigned connect_timeout = static_cast<unsigned>(config.connect_timeout.count());
  unsigned read_timeout = static_cast<unsigned>(config.read_timeout.count());
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  if (read_timeout > 0) {
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
    mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &read_timeout);
  }
  mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  my_bool off = 0, on = 1;
  mysql_optionsv(m, MYSQL_OPT_RECONNECT, &off);  // reconnects are ours: they must resume state
  mysql_optionsv(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
  switch (config.tls.mode) {
    case TlsMode::Disabled:
      break;
    case TlsMode::Preferred:
      // Ask for TLS when the server offers it; a server without TLS still gets a connection.
      mysql_ssl_set(m, nullptr, nullptr, nullptr, nullptr, nullptr);
      mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
      break;
    case TlsMode::Required:
      mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
      mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
      break;
    case TlsMode::VerifyCa:
    case TlsMode::VerifyIdentity:
      mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
      mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
      break;
  }
  if (config.tls.mode != TlsMode::Disabled && (!config.tls.ca.empty() || !config.tls.cert.empty())) {
    mysql_ssl_set(m, config.tls.key.empty() ? nullptr : config.tls.key.c_str(),
                  config.tls.cert.empty() ? nullptr : config.tls.cert.c_str(),
                  config.tls.ca.empty() ? nullptr : config.tls.ca.c_str(), nullptr, nullptr);
  }
  if (mysql_real_connect(m, endpoint.host.c_str(), config.user.c_str(), config.password.c_str(), nullptr,
                         endpoint.port, nullptr, CLIENT_MULTI_RESULTS) == nullptr)
    throw error("cannot connect");
  if (config.tls.mode == TlsMode::VerifyIdentity && mysql_get_ssl_cipher(m) == nullptr)
    throw SourceError(fmt::format("cannot connect to {}: ssl_mode = VERIFY_IDENTITY but the connection is "
                                  "not encrypted; enable TLS on the server",
                                  describe_),
                      0, false);
}

SqlConnection::SqlConnection(SqlConnection&&) noexcept = default;
SqlConnection& SqlConnection::operator=(SqlConnection&&) noexcept = default;
SqlConnection::~SqlConnection() = default;

SourceError SqlConnection::error(std::string_view what) const {
  MYSQL* m = mysql_.get();
  unsigned code = m != nullptr ? mysql_errno(m) : 0;
  std::string text = m != nullptr ? mysql_error(m) : "no connection";
  std::string msg = fmt::format("{} {}: {} (error {})", what, describe_, text, code);
  if (auto hint = hint_for(code); !hint.empty()) msg += fmt::format("; {}", hint);
  return SourceError(std::move(msg), code, is_retryable_error(code));
}

std::vector<SqlRow> SqlConnection::query(std::string_view sql) {
  MYSQL* m = mysql_.get();
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) throw error(fmt::format("query `{}` on", sql));
  std::vector<SqlRow> rows;
  MYSQL_RES* res = mysql_store_result(m);
  if (res == nullptr) {
    if (mysql_field_count(m) != 0) throw error(fmt::format("reading the result of `{}` from", sql));
    fields_.clear();
    return rows;
  }
  fields_ = fields_of(res);
  unsigned n = mysql_num_fields(res);
  while (MYSQL_ROW r = mysql_fetch_row(res)) {
    unsigned long* len = mysql_fetch_lengths(res);
    SqlRow row(n);
    for (unsigned i = 0; i < n; i++)
      if (r[i] != nullptr) row[i] = std::string(r[i], len[i]);
    rows.push_back(std::move(row));
  }
  mysql_free_result(res);
  while (mysql_more_results(m) && mysql_next_result(m) == 0) {
    if (MYSQL_RES* extra = mysql_store_result(m)) mysql_free_result(extra);
  }
  return rows;
}

void SqlConnection::execute(std::string_view sql) { query(sql); }

std::optional<std::string> SqlConnection::scalar(std::string_view sql) {
  auto rows = query(sql);
  if (rows.empty() || rows[0].empty()) return std::nullopt;
  return rows[0][0];
}

SqlConnection::Stream SqlConnection::stream(std::string_view sql) {
  MYSQL* m = mysql_.get();
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) throw error(fmt::format("query `{}` on", sql));
  MYSQL_RES* res = mysql_use_result(m);
  if (res == nullptr) throw error(fmt::format("query `{}` returned no result set on", sql));
  return Stream(this, res);
}

SqlConnection::Stream::Stream(SqlConnection* owner, st_mysql_res* result)
    : owner_(owner), result_(result), fields_(fields_of(result)) {}

SqlConnection::Stream::Stream(Stream&& o) noexcept
    : owner_(o.owner_), result_(o.result_), fields_(std::move(o.fields_)) {
  o.result_ = nullptr;
}

SqlConnection::Stream::~Stream() {
  if (result_ != nullptr) mysql_free_result(result_);  // reads and drops any rows left
}

bool SqlConnection::Stream::next(std::vector<std::optional<std::string_view>>& row) {
  if (result_ == nullptr) return false;
  MYSQL_ROW r = mysql_fetch_row(result_);
  if (r == nullptr) {
    bool failed = mysql_errno(owner_->handle()) != 0;
    mysql_free_result(result_);
    result_ = nullptr;
    if (failed) throw owner_->error("reading rows from");
    return false;
  }
  unsigned long* len = mysql_fetch_lengths(result_);
  row.resize(fields_.size());
  for (size_t i = 0; i < fields_.size(); i++)
    row[i] = r[i] != nullptr ? std::optional<std::string_view>(std::string_view(r[i], len[i])) : std::nullopt;
  return true;
}

std::string SqlConnection::quote(std::string_view text) const {
  std::string out(text.size() * 2 + 3, '\0');
  out[0] = '\'';
  unsigned long n = mysql_real_escape_string(mysql_.get(), out.data() + 1, text.data(), text.size());
  out.resize(n + 1);
  out += '\'';
  return out;
}

std::string SqlConnection::quote_identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
  return out;
}

std::string SqlConnection::server_version() const { return mysql_get_server_info(mysql_.get()); }

bool SqlConnection::is_mariadb() const { return server_version().find("MariaDB") != std::string::npos; }

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max_delay,
                 std::chrono::milliseconds budget)
    : initial_(initial), max_(max_delay), budget_(budget), seed_(std::random_device{}()) {}

std::optional<std::chrono::milliseconds> Backoff::next() {
  if (budget_.count() > 0 && waited_ >= budget_) return std::nullopt;
  current_ = attempts_ == 0 ? initial_ : std::min(max_, current_ * 2);
  attempts_++;
  seed_ = seed_ * 6364136223846793005ull + 1442695040888963407ull;
  double jitter = 0.8 + 0.4 * static_cast<double>(seed_ >> 11) / static_cast<double>(1ull << 53);
  auto delay = std::chrono::milliseconds(static_cast<long>(static_cast<double>(current_.count()) * jitter));
  if (budget_.count() > 0 && waited_ + delay > budget_) delay = budget_ - waited_;
  waited_ += delay;
  return delay;
}

void Backoff::reset() {
  attempts_ = 0;
  waited_ = std::chrono::milliseconds(0);
  current_ = std::chrono::milliseconds(0);
}

}  // namespace obsync::source
