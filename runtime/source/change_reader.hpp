// From binlog events to whole transactions of row batches, in commit order. The same
// assembler serves binlog files (offline) and the replication stream (live, with reconnects).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/batch/row_batch.hpp"
#include "runtime/source/binlog_decoder.hpp"
#include "runtime/source/position.hpp"
#include "runtime/source/schema_history.hpp"
#include "runtime/source/source_config.hpp"

namespace obsync::source {

struct TransactionInfo {
  uint64_t sequence = 0;    // 1, 2, … in this reader's run
  BinlogPosition begin;     // its first event (GTID, or BEGIN)
  BinlogPosition end;       // after its last event (XID / COMMIT): a checkpoint may name this
  std::string gtid;         // "" when the server has no GTIDs
  uint64_t xid = 0;         // 0 when committed by a QUERY COMMIT or a DDL
  int64_t commit_ts_us = 0; // commit time, microseconds since the epoch (UTC): the transaction's
                            // first event timestamp (MySQL 8: the GTID's commit timestamp)
  uint64_t rows = 0;        // rows delivered so far (complete at commit)
};

// Receives transactions. For each transaction: begin, then rows (any number of batches, each
// of one table, rows in binlog order, ordinals increasing), then ddl for a DDL statement, then
// commit — or abort when the stream broke before the commit; the same transaction is then
// delivered again from its begin. Never interleaved. Batches are reused after the call returns.
class ChangeConsumer {
 public:
  virtual ~ChangeConsumer() = default;
  virtual void begin(const TransactionInfo& txn) = 0;
  virtual void rows(const TransactionInfo& txn, RowBatch& batch) = 0;
  virtual void ddl(const TransactionInfo& txn, std::string_view db, std::string_view sql, const DdlOutcome& outcome) {
    (void)txn, (void)db, (void)sql, (void)outcome;
  }
  virtual void commit(const TransactionInfo& txn) = 0;
  virtual void abort(const TransactionInfo& txn) { (void)txn; }
  // A heartbeat or an idle stream: the server is at `position`; nothing is pending (a
  // heartbeat never advances a checkpoint by itself).
  virtual void heartbeat(const BinlogPosition& position) { (void)position; }
  // A line for the log: a table renamed into or out of scope, a reconnect, a DDL applied.
  virtual void notice(std::string_view message) { (void)message; }
};

struct ChangeReaderOptions {
  size_t batch_rows = 1024;          // a batch is delivered at this many rows…
  size_t batch_bytes = 4u << 20;     // …or this many bytes, whichever comes first
  // Tables whose rows are delivered (the script's SYNC tables); null: all. Rows of others are
  // skipped before decoding their values. DDL is tracked for every table.
  std::function<bool(std::string_view db, std::string_view table)> in_scope;
  bool verify_checksums = true;
  // Rows of an in-scope table whose columns are unknown (no names in the binlog, none in the
  // schema history) are an error; off only for offline printing.
  bool require_schema = true;
};

struct ChangeReaderStats {
  uint64_t events = 0, transactions = 0, rows = 0, bytes = 0;
  size_t peak_batch_bytes = 0;   // largest batch memory seen (its accounting)
  size_t peak_event_bytes = 0;   // largest single event
  uint64_t reconnects = 0;
};

// Turns decoded events into transactions for a consumer. Used by both readers below.
class TransactionAssembler {
 public:
  TransactionAssembler(SchemaHistory& history, ChangeConsumer& consumer, ChangeReaderOptions options);
  ~TransactionAssembler();
  // The decoder options (lookup_table from the history) a decoder feeding this assembler needs.
  binlog::DecoderOptions decoder_options();
  // Handles one event (its rows read from `decoder`). `file` is the event's binlog file.
  // Throws SourceError for a decoding error or a TABLE_MAP that does not match the schema.
  void on_event(binlog::BinlogDecoder& decoder, const binlog::Event& event, const std::string& file);
  // The stream broke: a transaction in progress is aborted.
  void interrupt();
  // The end of the last committed transaction (where to resume).
  const BinlogPosition& resume_position() const;
  const ChangeReaderStats& stats() const;
  // A catalog connection for DDL obsync cannot interpret (see SchemaHistory::apply_ddl).
  void set_catalog(SqlConnection* catalog);
  // The executed GTID set at the start, so that positions carry the set after each transaction.
  void set_gtid_set(std::string_view gtid_set, bool mariadb);
  bool in_transaction() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads binlog files offline (tests, `binlog print` of several files), in order.
void read_binlog_files(const std::vector<std::string>& paths, SchemaHistory& history, ChangeConsumer& consumer,
                       const ChangeReaderOptions& options = {});

// The live reader: replication stream + decoder + assembler, reconnecting with capped
// exponential backoff on retryable errors and resuming at the last committed transaction.
class ChangeReader {
 public:
  ChangeReader(SourceConfig config, SchemaHistory& history, ChangeConsumer& consumer,
               ChangeReaderOptions options = {});
  ~ChangeReader();
  // Reads from `start` (a transaction boundary) until stop() or an error it cannot get past
  // (then throws SourceError: non-retryable, or the retry budget spent).
  void run(const BinlogPosition& start);
  void stop();  // from any thread (signal handler flag is fine)
  ChangeReaderStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace obsync::source
