// Positions in a source's binlog: where a transaction ends, where a reader starts.
#pragma once
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace obsync::source {

// A point in the binlog between two transactions: the event at `file`:`offset` is the next one
// to read. `gtid_set` is the set of transactions executed up to here when the server uses GTIDs
// (MySQL "3e11fa47-…:1-42,…"; MariaDB "0-1-42,1-2-7"); empty when unknown or GTIDs are off.
struct BinlogPosition {
  std::string file;
  uint64_t offset = 4;
  std::string gtid_set;
  bool mariadb_gtid = false;  // gtid_set is a MariaDB GTID state

  bool empty() const { return file.empty(); }
  std::string to_string() const;  // "mysql-bin.000003:1234" (with " gtid=…" when known)
};

// Order of file positions: by the file's sequence number (the digits after the last '.'), then
// offset. <0, 0, >0.
int compare_positions(const BinlogPosition& a, const BinlogPosition& b);

// Where a reader starts (PROJECT START AT, `binlog tail --from`).
struct StartPosition {
  enum class Kind : uint8_t { Now, Timestamp, FilePosition, MySqlGtid, MariaDbGtid };
  Kind kind = Kind::Now;
  std::time_t timestamp = 0;  // Timestamp: seconds since the epoch (UTC)
  BinlogPosition position;    // FilePosition; the GTID kinds keep the set in position.gtid_set
};

// Parses `NOW`, `2026-01-31 10:00:00` (UTC), `mysql-bin.000003:1234`, a MySQL GTID set
// (`uuid:1-42[,uuid:…]`) or a MariaDB GTID state (`0-1-42[,…]`). nullopt with `error` (what was
// expected) otherwise.
std::optional<StartPosition> parse_start_position(std::string_view text, std::string& error);

}  // namespace obsync::source
