// The replication stream: registers as a replica and hands over binlog events one at a time,
// over COM_BINLOG_DUMP (file+position, MariaDB GTID state) or COM_BINLOG_DUMP_GTID (MySQL GTID
// set). Events are decoded by binlog::BinlogDecoder::decode_event like those of a file.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "runtime/source/position.hpp"
#include "runtime/source/source_config.hpp"
#include "runtime/source/sql_connection.hpp"

namespace obsync::source {

// One event as the server sent it (header, body, checksum), valid until the next read.
struct RawEvent {
  std::span<const uint8_t> bytes;
  std::string file;      // the binlog file this event is in (from ROTATE events)
  uint64_t position = 0; // where it starts in that file (next_position - event_size); 0 for
                         // artificial events (fake ROTATE, FORMAT_DESCRIPTION at connect)
  bool artificial = false;  // LOG_EVENT_ARTIFICIAL_F: describes the stream, not the binlog
};

class BinlogStream {
 public:
  // Does not connect yet.
  BinlogStream(SourceConfig config, StartPosition start);
  ~BinlogStream();

  // Connects to config.binlog, checks binlog_format/checksum, sets
  // @master_binlog_checksum = @@global.binlog_checksum, @mariadb_slave_capability = 4 (MariaDB),
  // @master_heartbeat_period, registers (COM_REGISTER_SLAVE with config.server_id) and sends the
  // dump command for `start`. StartPosition::Now and ::Timestamp must have been resolved to a
  // file position or GTID set first (resolve_start). Throws SourceError.
  void open();
  // The next event; blocks up to read_timeout + heartbeat. Heartbeats are returned too (they
  // carry the server's current file and position). Throws SourceError (retryable when the
  // connection broke: reopen from the last transaction boundary).
  RawEvent next();
  void close();
  bool is_open() const;
  const SourceConfig& config() const { return config_; }
  // Before open(): ask the server to end the stream at the current end of its binlog instead of
  // waiting for more (BINLOG_DUMP_NON_BLOCK); next() then returns an event with no bytes.
  void set_non_blocking(bool non_blocking);
  // Whether every event carries a CRC32 (known after open()).
  bool checksums() const;

 private:
  struct Impl;
  SourceConfig config_;
  StartPosition start_;
  bool non_blocking_ = false;
  std::unique_ptr<Impl> impl_;
};

// A MySQL GTID set ("uuid:1-42:50,uuid:7") as COM_BINLOG_DUMP_GTID carries it; "" with `error`
// when the text is not a set.
std::string encode_mysql_gtid_set(std::string_view text, std::string& error);

// The server's current position: SHOW MASTER STATUS, and @@gtid_binlog_pos (MariaDB) or
// @@gtid_executed (MySQL, OceanBase).
BinlogPosition current_position(SqlConnection& sql);

// Resolves NOW (the current position) and a timestamp (the first transaction that committed at
// or after it, found by reading the binlog files with short replication connections: newest
// file whose first transaction is before the time, then forward) to a file position. Other
// kinds are returned unchanged. Throws SourceError; a timestamp before the oldest binlog file
// is an error that names the oldest file and its first timestamp.
StartPosition resolve_start(const SourceConfig& config, SqlConnection& sql, const StartPosition& start);

}  // namespace obsync::source
