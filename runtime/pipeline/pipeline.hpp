// The run pipeline: row batches from the full sync and the change reader → route (table → SYNC)
// → kernel (WHERE, COLUMNS) → encode → partition → produce, and the checkpoint that advances
// only past transactions whose every message the broker acknowledged.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/sema/checker.hpp"
#include "runtime/batch/row_batch.hpp"
#include "runtime/encode/encoder.hpp"
#include "runtime/pipeline/kernel.hpp"
#include "runtime/sink/kafka_sink.hpp"
#include "runtime/source/change_reader.hpp"
#include "runtime/source/schema_history.hpp"
#include "runtime/state/checkpoint.hpp"

namespace obsync::pipeline {

// An error the project cannot get past (a row a kernel cannot evaluate, a message the broker
// refuses, a script that no longer fits a table after DDL): the run stops, the checkpoint stays
// before the transaction it happened in.
class PipelineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PipelineOptions {
  std::string state_dir;
  std::chrono::milliseconds checkpoint_interval{1000};
  std::string source_kind = "MYSQL";  // OCEANBASE, MYSQL, MARIADB
  std::string source_name;
  std::string tenant, cluster;        // from user@tenant#cluster
  uint32_t source_server_id = 0;
  std::string source_version;
  std::function<int64_t()> now_ms;    // the clock for messages (tests pin it)
  bool use_jit = true;                // WHERE through JIT kernels where they compile
};

struct PipelineStats {
  uint64_t rows_in = 0;          // changes read (in scope)
  uint64_t messages = 0;         // messages produced
  uint64_t acked = 0;            // … acknowledged
  uint64_t transactions = 0;     // committed by the reader
  uint64_t checkpoints = 0;      // checkpoint writes
  uint64_t bytes = 0;            // key + value bytes produced
  uint64_t delivery_errors = 0;  // messages the broker refused or that timed out
  int64_t last_commit_ts_us = 0; // of the last acknowledged transaction
  std::map<std::string, uint64_t> rows_per_table;  // "db.table" → messages
};

class Pipeline : public source::ChangeConsumer {
 public:
  // `program` and `plan` (checked with the schema of `history`) must outlive the pipeline.
  Pipeline(const Program& program, const Plan& plan, source::SchemaHistory& history, sink::KafkaSink& sink,
           state::Checkpoint& checkpoint, PipelineOptions options);
  ~Pipeline() override;

  // The SCHEMA step: creates the missing topics of the plan (TOPIC, and TOPICS templates for the
  // tables the schema has), checks EXISTING topics, reads every topic's partition count. With
  // `create` false a missing topic is an error. Lines for the log go to `log`.
  void prepare_topics(bool create, const std::function<void(const std::string&)>& log);

  // Full sync: one table's batch (ops INSERT) with `commit_ts_us` the copy's start time.
  void full_sync_batch(RowBatch& batch, int64_t commit_ts_us);
  // Full sync progress of a table: recorded in the checkpoint once every message sent so far
  // for the table is acknowledged.
  void full_sync_progress(const std::string& table_key, uint64_t rows, const std::vector<std::optional<std::string>>& last_key,
                          bool done);

  // ChangeConsumer: the incremental sync.
  void begin(const source::TransactionInfo& txn) override;
  void rows(const source::TransactionInfo& txn, RowBatch& batch) override;
  void ddl(const source::TransactionInfo& txn, std::string_view db, std::string_view sql,
           const source::DdlOutcome& outcome) override;
  void commit(const source::TransactionInfo& txn) override;
  void abort(const source::TransactionInfo& txn) override;
  void heartbeat(const source::BinlogPosition& position) override;
  void notice(std::string_view message) override;

  // Serves delivery reports; advances and writes the checkpoint when due (or `force`). Throws
  // PipelineError when a message failed.
  void service(bool force_checkpoint = false);
  // Waits for every message; writes the final checkpoint. False on timeout.
  bool drain(std::chrono::milliseconds timeout);

  // The sink's delivery report for a message (connect KafkaSink's DeliveryFn here).
  void delivered(uint64_t ticket, const sink::SinkError& error);

  PipelineStats stats() const;
  void set_log(std::function<void(const std::string&)> log) { log_ = std::move(log); }
  // Set when a delivery failed; the reader should stop.
  bool failed() const { return failed_; }
  const std::string& failure() const { return failure_; }
  void set_on_failure(std::function<void()> f) { on_failure_ = std::move(f); }

 private:
  struct Route;
  struct Pending;
  Route* route_for(const RowBatch& batch);
  void prepare_kernel(Route& route, const RowBatch& batch, int64_t commit_ts_us);
  std::unique_ptr<Route> bind_route(const std::string& db, const std::string& table, const TableSchema* schema);
  void emit(Route& route, const RowBatch& batch, size_t row, const KernelOutput& out, encode::ChangeRecord& rec,
            uint64_t ticket);
  void send(const std::string& topic, int32_t partition, const encode::Message& m, uint64_t ticket);
  void advance_checkpoint(bool force);
  void publish();

  const Program& program_;
  const Plan& plan_;
  source::SchemaHistory& history_;
  sink::KafkaSink& sink_;
  state::Checkpoint& checkpoint_;
  PipelineOptions options_;
  std::function<void(const std::string&)> log_;
  std::function<void()> on_failure_;

  std::unique_ptr<encode::Encoder> encoders_[8];
  std::map<std::string, int32_t> partitions_;  // topic → partition count
  std::unordered_map<const TableSchema*, std::unique_ptr<Route>> routes_;
  std::vector<std::unique_ptr<Plan>> bound_plans_;
  std::vector<std::unique_ptr<Schema>> bound_schemas_;

  // In-flight accounting: one entry per transaction (and per full-sync progress report), in
  // order; a ticket is the entry's sequence number. Only the pipeline's thread touches it.
  mutable std::mutex mutex_;  // guards published_ only
  std::deque<std::unique_ptr<Pending>> pending_;
  uint64_t first_ticket_ = 1, next_ticket_ = 1;
  Pending* current_ = nullptr;
  source::TransactionInfo txn_;
  uint64_t store_seq_ = 0;
  std::chrono::steady_clock::time_point last_write_{};
  bool dirty_ = false;
  std::atomic<bool> failed_{false};
  std::string failure_;
  PipelineStats stats_;      // the pipeline thread's counters
  PipelineStats published_;  // a copy for other threads (progress, metrics), under mutex_
  int64_t batch_now_ms_ = 0;  // the message-build time of the batch being encoded
  KernelOutput out_;
  encode::Message message_;
  std::vector<Value> key_values_;
  std::string key_scratch_;
};

// The tenant and cluster of an OceanBase user name `user@tenant#cluster` ("" when absent).
void split_ob_user(std::string_view user, std::string& tenant, std::string& cluster);

}  // namespace obsync::pipeline
