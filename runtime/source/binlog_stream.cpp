// The replication stream over libmariadb: COM_REGISTER_SLAVE, COM_BINLOG_DUMP(_GTID), and raw
// event packets read with the client's own packet reader, decoded by our decoder (not by
// libmariadb's mariadb_rpl_fetch, which parses only the events it knows and hides the bytes).
#include "runtime/source/binlog_stream.hpp"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "runtime/source/binlog_decoder.hpp"
#include "runtime/source/binlog_event.hpp"

namespace obsync::source {

namespace {

constexpr uint16_t kBinlogDumpNonBlock = 1;     // BINLOG_DUMP_NON_BLOCK: EOF at the end instead of waiting
constexpr uint16_t kBinlogThroughGtid = 4;      // COM_BINLOG_DUMP_GTID: position by GTID set
constexpr uint16_t kArtificialFlag = 0x20;      // LOG_EVENT_ARTIFICIAL_F
constexpr unsigned char kComRegisterSlave = 21;
constexpr unsigned char kComBinlogDump = 18;
constexpr unsigned char kComBinlogDumpGtid = 30;

void put16(std::string& b, uint16_t v) {
  b.push_back(static_cast<char>(v & 0xff));
  b.push_back(static_cast<char>(v >> 8));
}
void put32(std::string& b, uint32_t v) {
  for (int i = 0; i < 4; i++) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put64(std::string& b, uint64_t v) {
  for (int i = 0; i < 8; i++) b.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_short_string(std::string& b, std::string_view s) {
  s = s.substr(0, 255);
  b.push_back(static_cast<char>(s.size()));
  b.append(s);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// The GTID set of COM_BINLOG_DUMP_GTID: n_sids, then per source its uuid and [start, end)
// intervals, all little-endian (MySQL's Gtid_set::encode). "" when the text is not a set.
std::string encode_mysql_gtid_set(std::string_view text, std::string& error) {
  std::string out;
  put64(out, 0);
  uint64_t sids = 0;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  while (!trim(text).empty()) {
    size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    size_t colon = item.find(':');
    std::string_view uuid = item.substr(0, colon);
    std::string sid;
    for (char c : uuid) {
      if (c == '-') continue;
      int v = hex_value(c);
      if (v < 0) break;
      sid.push_back(static_cast<char>(v));
    }
    if (sid.size() != 32 || colon == std::string_view::npos) {
      error = fmt::format("'{}' is not a GTID set item (uuid:interval[:interval…])", item);
      return {};
    }
    for (size_t i = 0; i < 16; i++) out.push_back(static_cast<char>(sid[2 * i] << 4 | sid[2 * i + 1]));
    std::vector<std::pair<uint64_t, uint64_t>> intervals;
    std::string_view rest = item.substr(colon + 1);
    while (true) {
      size_t next = rest.find(':');
      std::string_view iv = rest.substr(0, next);
      size_t dash = iv.find('-');
      uint64_t a = 0, b = 0;
      auto sa = iv.substr(0, dash);
      auto ra = std::from_chars(sa.data(), sa.data() + sa.size(), a);
      b = a;
      bool ok = ra.ec == std::errc() && ra.ptr == sa.data() + sa.size() && a > 0;
      if (dash != std::string_view::npos) {
        auto sb = iv.substr(dash + 1);
        auto rb = std::from_chars(sb.data(), sb.data() + sb.size(), b);
        ok = ok && rb.ec == std::errc() && rb.ptr == sb.data() + sb.size() && b >= a;
      }
      if (!ok) {
        error = fmt::format("'{}' is not a GTID interval (N or N-M)", iv);
        return {};
      }
      intervals.emplace_back(a, b + 1);
      if (next == std::string_view::npos) break;
      rest.remove_prefix(next + 1);
    }
    put64(out, intervals.size());
    for (auto [a, b] : intervals) {
      put64(out, a);
      put64(out, b);
    }
    sids++;
  }
  for (int i = 0; i < 8; i++) out[i] = static_cast<char>((sids >> (8 * i)) & 0xff);
  return out;
}

struct BinlogStream::Impl {
  std::optional<SqlConnection> conn;
  bool checksum = false;       // the server appends CRC32 to every event
  bool mariadb = false;
  std::string file;            // current binlog file
  uint16_t dump_flags = 0;
  std::string last_error_text;
};

BinlogStream::BinlogStream(SourceConfig config, StartPosition start)
    : config_(std::move(config)), start_(std::move(start)) {}

BinlogStream::~BinlogStream() { close(); }

bool BinlogStream::is_open() const { return impl_ && impl_->conn.has_value(); }

void BinlogStream::close() { impl_.reset(); }

void BinlogStream::set_non_blocking(bool non_blocking) { non_blocking_ = non_blocking; }

void BinlogStream::open() {
  close();
  auto impl = std::make_unique<Impl>();
  // The read timeout covers the heartbeat period: a silent server is noticed after both.
  SourceConfig cfg = config_;
  cfg.read_timeout = config_.read_timeout + config_.heartbeat;
  impl->conn.emplace(cfg, config_.binlog);
  SqlConnection& sql = *impl->conn;
  impl->mariadb = sql.is_mariadb();
  const std::string where = sql.describe();

  // The server's binlog settings: row events are all obsync can read.
  if (auto format = [&]() -> std::optional<std::string> {
        try {
          return sql.scalar("SELECT @@global.binlog_format");
        } catch (const SourceError&) {
          return std::nullopt;  // a binlog service without the variable: trust it
        }
      }();
      format && *format != "ROW")
    throw SourceError(fmt::format("binlog_format is {} on {}; obsync reads row events only: set binlog_format=ROW "
                                  "(and binlog_row_image=FULL) on the source",
                                  *format, where),
                      0, false);
  std::string checksum = "NONE";
  try {
    if (auto v = sql.scalar("SELECT @@global.binlog_checksum")) checksum = *v;
  } catch (const SourceError&) {
    // Servers older than MySQL 5.6.2 have no checksums.
  }
  impl->checksum = checksum == "CRC32";
  // Tell the server what this replica understands: checksums, MariaDB's GTID events, heartbeats.
  sql.execute("SET @master_binlog_checksum = @@global.binlog_checksum, @source_binlog_checksum = "
              "@@global.binlog_checksum");
  if (impl->mariadb) sql.execute("SET @mariadb_slave_capability = 4");
  if (config_.heartbeat.count() > 0)
    sql.execute(fmt::format("SET @master_heartbeat_period = {}",
                            static_cast<uint64_t>(config_.heartbeat.count()) * 1000000000ull));

  MYSQL* m = sql.handle();
  auto command = [&](unsigned char cmd, const std::string& arg, bool read_reply, std::string_view what) {
    if (m->methods->db_command(m, static_cast<enum_server_command>(cmd), arg.data(), arg.size(), read_reply ? 0 : 1,
                               nullptr) != 0)
      throw sql.error(what);
  };

  std::string reg;
  put32(reg, config_.server_id);
  put_short_string(reg, "obsync");
  put_short_string(reg, "");
  put_short_string(reg, "");
  put16(reg, 0);
  put32(reg, 0);
  put32(reg, 0);
  command(kComRegisterSlave, reg, true, fmt::format("registering as replica (server_id {}) with", config_.server_id));

  uint16_t flags = non_blocking_ ? kBinlogDumpNonBlock : 0;
  std::string dump;
  switch (start_.kind) {
    case StartPosition::Kind::FilePosition: {
      put32(dump, static_cast<uint32_t>(start_.position.offset));
      put16(dump, flags);
      put32(dump, config_.server_id);
      dump += start_.position.file;
      impl->file = start_.position.file;
      command(kComBinlogDump, dump, false,
              fmt::format("requesting the binlog from {} on", start_.position.to_string()));
      break;
    }
    case StartPosition::Kind::MariaDbGtid: {
      if (!impl->mariadb)
        throw SourceError(fmt::format("the start position {} is a MariaDB GTID state but {} is not MariaDB",
                                      start_.position.gtid_set, where),
                          0, false);
      sql.execute(fmt::format("SET @slave_connect_state = {}", sql.quote(start_.position.gtid_set)));
      sql.execute("SET @slave_gtid_strict_mode = 0, @slave_gtid_ignore_duplicates = 0");
      put32(dump, 4);
      put16(dump, flags);
      put32(dump, config_.server_id);
      command(kComBinlogDump, dump, false,
              fmt::format("requesting the binlog from GTID state {} on", start_.position.gtid_set));
      break;
    }
    case StartPosition::Kind::MySqlGtid: {
      std::string error;
      std::string set = encode_mysql_gtid_set(start_.position.gtid_set, error);
      if (set.empty()) throw SourceError(fmt::format("cannot start from GTID set: {}", error), 0, false);
      put16(dump, static_cast<uint16_t>(flags | kBinlogThroughGtid));
      put32(dump, config_.server_id);
      put32(dump, 0);  // no file name: the server finds the first missing transaction
      put64(dump, 4);
      put32(dump, static_cast<uint32_t>(set.size()));
      dump += set;
      command(kComBinlogDumpGtid, dump, false,
              fmt::format("requesting the binlog from GTID set {} on", start_.position.gtid_set));
      break;
    }
    case StartPosition::Kind::Now:
    case StartPosition::Kind::Timestamp:
      throw SourceError("internal: BinlogStream::open needs a resolved start position (resolve_start)", 0, false);
  }
  impl_ = std::move(impl);
}

RawEvent BinlogStream::next() {
  if (!impl_) throw SourceError("internal: BinlogStream::next before open", 0, false);
  SqlConnection& sql = *impl_->conn;
  MYSQL* m = sql.handle();
  unsigned long len = mysql_net_read_packet(m);
  if (len == packet_error) {
    unsigned code = mysql_errno(m);
    SourceError e = sql.error(fmt::format("reading the binlog ({}) from", impl_->file));
    close();
    // The server's own refusals (purged file, unknown GTID) cannot be cured by reconnecting.
    if (code == ER_MASTER_FATAL_ERROR_READING_BINLOG)
      throw SourceError(std::string(e.what()) +
                            "; the position is no longer (or not yet) in the server's binlog: check SHOW BINARY "
                            "LOGS and the binlog retention (expire_logs_days / binlog_expire_logs_seconds)",
                        code, false);
    throw e;
  }
  const uint8_t* p = m->net.read_pos;
  if (len >= 1 && p[0] == 0xFE && len < 9) {
    std::string where = sql.describe(), file = impl_->file;
    close();
    if (non_blocking_) return RawEvent{};  // the end of the binlog, as asked
    throw SourceError(fmt::format("{} ended the binlog stream in {} (end-of-file packet); it may be shutting down",
                                  where, file),
                      CR_SERVER_LOST, true);
  }
  if (len < 1 + binlog::kHeaderLength || p[0] != 0x00)
    throw SourceError(fmt::format("malformed binlog packet of {} bytes from {} (first byte {:#04x})", len,
                                  sql.describe(), len ? p[0] : 0),
                      CR_SERVER_LOST, true);
  RawEvent ev;
  ev.bytes = std::span<const uint8_t>(p + 1, len - 1);
  binlog::EventHeader h;
  h.timestamp = binlog::load_le32(p + 1);
  h.type = p[1 + 4];
  h.event_size = binlog::load_le32(p + 1 + 9);
  h.next_position = binlog::load_le32(p + 1 + 13);
  h.flags = binlog::load_le16(p + 1 + 17);
  if (h.event_size != len - 1)
    throw SourceError(fmt::format("malformed binlog event from {}: header says {} bytes, packet has {}",
                                  sql.describe(), h.event_size, len - 1),
                      CR_SERVER_LOST, true);
  ev.artificial = (h.flags & kArtificialFlag) != 0 || h.next_position == 0;
  if (h.type == binlog::event_type::kRotate) {
    // ROTATE names the file the following events are in (artificial at the start of a dump).
    size_t end = ev.bytes.size() - (impl_->checksum ? binlog::kChecksumLength : 0);
    if (end >= binlog::kHeaderLength + 8) {
      impl_->file.assign(reinterpret_cast<const char*>(ev.bytes.data()) + binlog::kHeaderLength + 8,
                         end - binlog::kHeaderLength - 8);
    }
    ev.file = impl_->file;
    ev.position = binlog::load_le64(ev.bytes.data() + binlog::kHeaderLength);
    ev.artificial = true;  // it describes where the next event is, not an event to count
    return ev;
  }
  ev.file = impl_->file;
  if (h.type == binlog::event_type::kHeartbeat || h.type == binlog::event_type::kHeartbeatV2) ev.artificial = true;
  ev.position = ev.artificial ? 0 : h.next_position - h.event_size;
  return ev;
}

bool BinlogStream::checksums() const { return impl_ && impl_->checksum; }

BinlogPosition current_position(SqlConnection& sql) {
  BinlogPosition out;
  auto rows = sql.query("SHOW MASTER STATUS");
  if (rows.empty() || !rows[0][0] || !rows[0][1])
    throw SourceError(fmt::format("SHOW MASTER STATUS on {} returned no position: the binary log is off; enable it "
                                  "(log_bin, binlog_format=ROW) on the source",
                                  sql.describe()),
                      0, false);
  out.file = *rows[0][0];
  out.offset = std::stoull(*rows[0][1]);
  try {
    if (sql.is_mariadb()) {
      if (auto g = sql.scalar("SELECT @@global.gtid_binlog_pos"); g && !g->empty()) {
        out.gtid_set = *g;
        out.mariadb_gtid = true;
      }
    } else if (auto g = sql.scalar("SELECT @@global.gtid_executed"); g && !g->empty()) {
      out.gtid_set = *g;
      out.gtid_set.erase(std::remove(out.gtid_set.begin(), out.gtid_set.end(), '\n'), out.gtid_set.end());
    }
  } catch (const SourceError&) {
    // No GTIDs on this server: the file position is all there is.
  }
  return out;
}

namespace {

// Scans the binlog from the start of `file` (following rotations to its current end) for the
// first transaction that committed at or after `ts` and returns where it starts; nullopt when
// none did. With `probe`, stops after the first transaction and returns it whatever its time,
// with its commit time in `commit_ts`.
std::optional<BinlogPosition> scan_transactions(const SourceConfig& config, const std::string& file, std::time_t ts,
                                                bool probe, std::time_t* commit_ts) {
  StartPosition from;
  from.kind = StartPosition::Kind::FilePosition;
  from.position.file = file;
  from.position.offset = 4;
  BinlogStream stream(config, from);
  stream.set_non_blocking(true);
  stream.open();
  binlog::BinlogDecoder decoder(file);
  binlog::Event ev;
  std::optional<BinlogPosition> txn_start;
  bool in_txn = false;
  while (true) {
    RawEvent raw = stream.next();
    if (raw.bytes.empty()) return std::nullopt;
    uint8_t type = raw.bytes[4];
    if (type == binlog::event_type::kRotate) continue;
    if (raw.artificial && type != binlog::event_type::kFormatDescription) continue;
    if (!decoder.decode_event(raw.bytes, raw.position, ev)) throw SourceError(decoder.error().message, 0, false);
    BinlogPosition here{raw.file, raw.position, {}, false};
    auto committed = [&](uint32_t when) {
      in_txn = false;
      if (commit_ts) *commit_ts = when;
      return probe || static_cast<std::time_t>(when) >= ts;
    };
    switch (ev.kind) {
      case binlog::EventKind::Gtid:
        txn_start = here;
        in_txn = !ev.gtid.standalone;
        break;
      case binlog::EventKind::Query:
        if (ev.text == "BEGIN") {
          if (!txn_start) txn_start = here;
          in_txn = true;
        } else if (ev.text == "COMMIT" || !in_txn) {
          if (!txn_start) txn_start = here;
          if (committed(ev.header.timestamp)) return txn_start;
          txn_start.reset();
        }
        break;
      case binlog::EventKind::Xid:
        if (committed(ev.header.timestamp)) return txn_start ? txn_start : here;
        txn_start.reset();
        break;
      default:
        break;
    }
  }
}

}  // namespace

StartPosition resolve_start(const SourceConfig& config, SqlConnection& sql, const StartPosition& start) {
  StartPosition out;
  out.kind = StartPosition::Kind::FilePosition;
  if (start.kind == StartPosition::Kind::Now) {
    out.position = current_position(sql);
    return out;
  }
  if (start.kind != StartPosition::Kind::Timestamp) return start;
  auto logs = sql.query("SHOW BINARY LOGS");
  if (logs.empty())
    throw SourceError(fmt::format("SHOW BINARY LOGS on {} lists no files: the binary log is off", sql.describe()), 0,
                      false);
  // The newest file whose first transaction committed before the time; then forward from it.
  size_t from = logs.size();
  for (size_t i = logs.size(); i-- > 0;) {
    std::time_t first = 0;
    auto probe = scan_transactions(config, *logs[i][0], start.timestamp, true, &first);
    if (!probe) continue;  // no transaction from this file on: look further back
    if (first < start.timestamp) {
      from = i;
      break;
    }
    if (i == 0)
      throw SourceError(fmt::format("the start time is before the first transaction in the oldest binlog file {} "
                                    "on {}; changes before it are no longer in the binlog: start from a later time "
                                    "or run a full sync",
                                    *logs[0][0], sql.describe()),
                        0, false);
  }
  if (from == logs.size()) {  // no transaction in the whole binlog: start at its end
    out.position = current_position(sql);
    return out;
  }
  if (auto found = scan_transactions(config, *logs[from][0], start.timestamp, false, nullptr)) {
    out.position = *found;
    return out;
  }
  out.position = current_position(sql);  // nothing committed at or after the time yet
  return out;
}

}  // namespace obsync::source
