// A pull decoder of binlog events and row changes over bytes (a file, later the replication stream).
#pragma once
#include <array>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compiler/sema/schema.hpp"  // TableSchema, ColumnSchema: plain structs (header only)
#include "runtime/source/binlog_event.hpp"
#include "runtime/source/binlog_values.hpp"
#include "stdlib/value.hpp"

namespace obsync::binlog {

// A table as a TABLE_MAP event describes it, completed from optional metadata and the schema.
struct TableMap {
  uint64_t table_id = 0;
  std::string db, table;
  std::vector<ColumnInfo> columns;
  std::vector<uint32_t> primary_key;  // column indexes, from optional metadata or the schema
  bool has_names = false;             // every column has a name (optional metadata or schema)
  const TableSchema* schema = nullptr;
  std::string raw;  // the event body after the table id: a repeated TABLE_MAP is not re-parsed
};

enum class EventKind : uint8_t {
  FormatDescription, Rotate, Query, TableMap, Rows, Xid, Gtid, PreviousGtids, GtidList,
  AnnotateRows, RowsQuery, BinlogCheckpoint, Heartbeat, TransactionPayload, Stop,
  Skipped,  // any other non-row event: decoded no further
};

enum class RowOp : uint8_t { Insert, Update, Delete };
std::string_view row_op_name(RowOp op);  // "INSERT", "UPDATE", "DELETE"

// A transaction's GTID: MySQL (uuid:gno, or anonymous) or MariaDB (domain-server-seq).
struct Gtid {
  bool mariadb = false;
  bool anonymous = false;          // ANONYMOUS_GTID: no GTID (gtid_mode=OFF)
  std::array<uint8_t, 16> sid{};   // MySQL source uuid
  uint64_t gno = 0;                // MySQL sequence number
  uint32_t domain_id = 0, server_id = 0;  // MariaDB
  uint64_t seq_no = 0;                    // MariaDB
  uint8_t flags = 0;
  uint64_t last_committed = 0, sequence_number = 0;  // MySQL logical clock
  // MySQL 8 commit timestamps in microseconds since the epoch; 0 when the event has none.
  uint64_t immediate_commit_us = 0, original_commit_us = 0;
  uint64_t transaction_length = 0;
  bool standalone = false;  // MariaDB FL_STANDALONE: a DDL, no BEGIN follows

  std::string to_string() const;  // "3e11fa47-71ca-11e1-9e33-c80aa9429562:23", "0-1-42"; "" when anonymous
};

// One event. The views (strings, table) stay valid until the next call to the decoder.
struct Event {
  EventHeader header;
  uint64_t position = 0;    // where the event starts in its file; inside a payload: the payload's
  bool in_payload = false;  // decoded from inside a TRANSACTION_PAYLOAD
  EventKind kind = EventKind::Skipped;

  std::string_view db;     // Query: default database
  std::string_view text;   // Query: SQL; AnnotateRows / RowsQuery: the statement; Rotate /
                           // BinlogCheckpoint / Heartbeat: a file name; PreviousGtids / GtidList:
                           // the set as text
  uint64_t rotate_position = 0;  // Rotate: where the next file starts
  uint64_t xid = 0;              // Xid
  Gtid gtid;                     // Gtid
  const TableMap* table = nullptr;  // TableMap, Rows
  RowOp op = RowOp::Insert;         // Rows
  uint16_t rows_flags = 0;          // Rows: STMT_END_F = 1
};

// One row of a rows event. Columns absent from an image (minimal row image) are NULL with
// present[i] = 0. The vectors are reused from row to row: no allocation per row once warm.
struct RowImage {
  std::vector<Value> values;
  std::vector<uint8_t> present;
};
struct RowChange {
  RowOp op = RowOp::Insert;
  const TableMap* table = nullptr;
  bool has_before = false, has_after = false;  // INSERT: after; DELETE: before; UPDATE: both
  RowImage before, after;
};

struct DecoderOptions {
  // The known schema of a table (column names, signedness, ENUM/SET labels, charsets), or
  // nullptr. A TABLE_MAP that disagrees with it (column count or types) is an error.
  std::function<const TableSchema*(std::string_view db, std::string_view table)> lookup_table;
  bool verify_checksums = true;
};

class BinlogDecoder {
 public:
  explicit BinlogDecoder(std::string file_name, DecoderOptions options = {});

  // Decodes `bytes`, which hold a binlog file from its start (the magic, then events) when
  // `start_position` is 0, else events from that position. The bytes must outlive the decoding.
  void reset(std::span<const uint8_t> bytes, uint64_t start_position = 0);

  // The next event; false at the end of the bytes or on an error (then error() says what).
  bool next(Event& event);
  // Decodes one complete event at `position` (the replication stream hands over one event per
  // packet). The bytes must stay valid while its rows are read.
  bool decode_event(std::span<const uint8_t> event_bytes, uint64_t position, Event& event);
  // The next row of the last rows event; false when it has no more (or on error()).
  bool next_row(RowChange& row);

  bool failed() const { return !error_.empty(); }
  const BinlogError& error() const { return error_; }
  const FormatDescription& format() const { return format_; }
  const std::string& file_name() const { return file_name_; }
  // Known tables by table id (TABLE_MAP events seen so far).
  const TableMap* find_table(uint64_t table_id) const;
  // Forgets the TABLE_MAPs seen so far, so that the next ones are bound to the schema again:
  // after a DDL changed a table's definition (names, signedness) without changing its map.
  void forget_tables();
  // The stream moved to another file (ROTATE): positions in messages name it from now on.
  void set_file_name(std::string file_name) { file_name_ = std::move(file_name); }

 private:
  bool fail(uint64_t position, const std::string& what);
  bool decode_body(const EventHeader& h, std::span<const uint8_t> event, uint64_t position, bool in_payload,
                   Event& ev);
  bool decode_table_map(const EventHeader& h, ByteReader& r, uint64_t position, Event& ev);
  bool decode_rows(const EventHeader& h, ByteReader& r, uint64_t position, Event& ev);
  bool decode_payload(ByteReader& r, uint64_t position);
  bool bind_columns(TableMap& t, std::span<const uint8_t> optional_metadata, uint64_t position);
  bool read_image(RowImage& image, const uint8_t* present_bits);

  std::string file_name_;
  DecoderOptions options_;
  FormatDescription format_;
  bool format_seen_ = false;

  std::span<const uint8_t> bytes_;
  uint64_t base_position_ = 0;  // file position of bytes_[0]
  size_t offset_ = 0;           // next event in bytes_

  // TRANSACTION_PAYLOAD: the decompressed events, handed out one by one.
  std::vector<uint8_t> payload_;
  size_t payload_offset_ = 0;
  uint64_t payload_position_ = 0;
  EventHeader payload_header_;

  std::unordered_map<uint64_t, std::unique_ptr<TableMap>> tables_;
  TableMap* last_table_ = nullptr;

  // The rows event being read.
  const TableMap* rows_table_ = nullptr;
  RowOp rows_op_ = RowOp::Insert;
  uint32_t rows_columns_ = 0;
  const uint8_t* rows_present_before_ = nullptr;
  const uint8_t* rows_present_after_ = nullptr;
  ByteReader rows_;
  uint64_t rows_position_ = 0;
  uint8_t rows_type_ = 0;

  std::string text_;  // backing store for Event::text when it is built (GTID sets)
  BinlogError error_;
};

// A binlog file mapped into memory (read-only).
class BinlogFile {
 public:
  static std::unique_ptr<BinlogFile> open(const std::string& path, std::string& why);
  ~BinlogFile();
  BinlogFile(const BinlogFile&) = delete;
  BinlogFile& operator=(const BinlogFile&) = delete;
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  BinlogFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// The last path component ("/var/lib/mysql/mysql-bin.000001" -> "mysql-bin.000001").
std::string binlog_base_name(std::string_view path);

}  // namespace obsync::binlog
