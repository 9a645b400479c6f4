// The contract between the pipeline and the message formats: one row change (after the kernel's
// WHERE and COLUMNS) in, one Kafka message key and value out. Encoders never talk to Kafka.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stdlib/types.hpp"
#include "stdlib/value.hpp"

namespace obsync::encode {

// One output column of a SYNC for one table: the COLUMNS item's name and type, and for a plain
// source column the type as the catalog spells it.
struct OutputColumnInfo {
  std::string name;
  SqlType type;
  std::string type_text;  // MySQL's COLUMN_TYPE ("decimal(10,2) unsigned", "varchar(16)");
                          // for computed columns the type's own spelling
  bool is_key = false;    // part of the source table's row key
};

// What stays the same for every message of one table of one SYNC.
struct TableContext {
  std::string source_kind;   // "OCEANBASE", "MYSQL", "MARIADB"
  std::string source_name;   // the SOURCE's name in the script (Debezium `source.name`)
  std::string tenant;        // OceanBase tenant from user@tenant#cluster; "" otherwise
  std::string cluster;       // OceanBase cluster; "" otherwise
  std::string database, table;
  std::vector<OutputColumnInfo> columns;  // in output order
  std::vector<std::string> key_names;     // the row key (primary key, else unique key); empty: none
  std::vector<size_t> key_indexes;        // positions of key_names in `columns`
  std::vector<size_t> shard_indexes;      // SHARD BY columns in `columns` (the message key)
  bool partition_one = false;             // PARTITION BY ONE: no message key
  std::string business_id;                // PROJECT … BUSINESS ID; "" when not set
  bool transaction_sequence = false;      // PROJECT … TRANSACTION SEQUENCE ON
  uint32_t server_id = 0;                 // the source server's id (Debezium source.server_id)
  std::string db_version;                 // the source server's version string
  // Unique per context for the life of the process (0: none): encoders may cache what depends
  // only on the context (column names and types) under it.
  uint64_t context_id = 0;
};

enum class RecordKind : uint8_t { Insert, Update, Delete, FullSyncRow, Ddl, Heartbeat };

// One change to encode. Images hold the output columns' values (TableContext::columns order);
// `before` for UPDATE and DELETE, `after` for INSERT, UPDATE and full-sync rows; null otherwise.
struct ChangeRecord {
  RecordKind kind = RecordKind::Insert;
  const std::vector<Value>* before = nullptr;
  const std::vector<Value>* after = nullptr;

  // Where it comes from. Full-sync rows have no binlog position (file empty) and the time the
  // copy of the table started as commit time.
  int64_t commit_ts_us = 0;      // source commit time, microseconds since the epoch (UTC)
  std::string_view gtid;         // "" when none
  uint64_t xid = 0;
  std::string_view file;         // binlog file of the transaction's start
  uint64_t position = 0;         // … and its offset
  uint64_t transaction_seq = 0;  // the transaction's sequence number in this run (1, 2, …)
  uint32_t row_in_transaction = 0;  // 0-based ordinal of the change in its transaction
  uint32_t transaction_rows = 0;    // total changes of the transaction; 0 when not known yet
  uint32_t row_in_table = 0;        // 0-based ordinal among this table's changes in the
                                    // transaction (Debezium's data_collection_order - 1)
  uint64_t store_sequence = 0;      // increasing per message: storeDataSequence's tail

  // DDL records: the statement, its kind (CREATE, ALTER, ERASE, TRUNCATE, RENAME, QUERY).
  std::string_view ddl_sql;
  std::string_view ddl_kind;

  int64_t now_ms = 0;  // when the message is built (Canal `ts`, Debezium `ts_ms`); set by the caller
};

// The bytes of one message. `has_key` false: no key (PARTITION BY ONE).
struct Message {
  std::string key;
  std::string value;
  bool has_key = false;
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  // Encodes `record` of `table` into `out` (its strings are reused: no allocation once warm).
  virtual void encode(const TableContext& table, const ChangeRecord& record, Message& out) = 0;
  // Whether this format carries DDL records into data topics (debezium does not).
  virtual bool carries_ddl() const { return true; }
  // Whether heartbeat records belong in data topics (debezium keeps them in a topic of their
  // own: a data-topic message without `op` breaks Flink's debezium-json).
  virtual bool carries_heartbeat() const { return true; }
};

// The encoder of a format by its canonical name (known_formats()): default,
// default_extend_column_type, canal, dataworks, shareplex, debezium. nullptr when unknown.
std::unique_ptr<Encoder> make_encoder(std::string_view format);

}  // namespace obsync::encode
