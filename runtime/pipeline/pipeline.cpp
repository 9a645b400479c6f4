// The run pipeline: routing, kernels, encoding, partitioning, producing, and the checkpoint
// that trails the broker's acknowledgements.
#include "runtime/pipeline/pipeline.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "compiler/sema/route.hpp"
#include "runtime/encode/json_writer.hpp"
#include "runtime/sink/murmur2.hpp"
#include "stdlib/charset.hpp"

namespace obsync::pipeline {

void split_ob_user(std::string_view user, std::string& tenant, std::string& cluster) {
  tenant.clear();
  cluster.clear();
  size_t at = user.find('@');
  if (at == std::string_view::npos) return;
  std::string_view rest = user.substr(at + 1);
  size_t hash = rest.find('#');
  tenant = std::string(rest.substr(0, hash));
  if (hash != std::string_view::npos) cluster = std::string(rest.substr(hash + 1));
}

// A table of a SYNC at one schema version: its kernel, encoder context and topic.
struct Pipeline::Route {
  int sync = -1;  // -1: no SYNC takes the table
  const SyncPlan* sync_plan = nullptr;
  const SyncTable* table = nullptr;
  std::unique_ptr<TableKernel> kernel;
  encode::TableContext context;
  encode::Encoder* encoder = nullptr;
  std::string topic;
  int32_t partitions = 1;
  bool partition_one = false;
  std::vector<int> key_columns;  // source column indexes of the message key (SHARD BY / row key)
  std::string table_key;          // "db.table"
  uint64_t messages = 0;          // produced through this route (metrics)
  bool engine_logged = false;
};

// What the checkpoint waits for: a transaction's messages, or a full-sync progress report's.
struct Pipeline::Pending {
  enum class Kind : uint8_t { Transaction, FullSync } kind = Kind::Transaction;
  uint64_t ticket = 0;
  uint64_t outstanding = 0;
  bool complete = false;  // committed (transaction) or reported (full sync)
  bool aborted = false;
  // Transaction
  source::BinlogPosition begin, end;
  std::string gtid;
  int64_t commit_ts_us = 0;
  // Full sync
  std::string table_key;
  state::TableFullSync progress;
};

Pipeline::Pipeline(const Program& program, const Plan& plan, source::SchemaHistory& history, sink::KafkaSink& sink,
                   state::Checkpoint& checkpoint, PipelineOptions options)
    : program_(program), plan_(plan), history_(history), sink_(sink), checkpoint_(checkpoint),
      options_(std::move(options)) {
  if (!options_.now_ms)
    options_.now_ms = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  last_write_ = std::chrono::steady_clock::now();
}

Pipeline::~Pipeline() = default;

void Pipeline::prepare_topics(bool create, const std::function<void(const std::string&)>& log) {
  std::vector<sink::TopicSpec> wanted;
  std::vector<std::string> existing;
  auto add = [&](const std::string& name, const TopicPlan& t) {
    for (const auto& w : wanted)
      if (w.name == name) return;
    wanted.push_back({name, t.partitions, t.replicas});
  };
  for (const auto& s : plan_.syncs) {
    if (s.target.kind == ast::TargetKind::ExistingTopic) {
      existing.push_back(s.target.name);
      continue;
    }
    if (s.target.kind == ast::TargetKind::Topic) add(s.target.name, s.target);
    else
      for (const auto& t : s.tables) add(topic_for(s.target, t.database, t.table), s.target);
  }
  std::vector<std::string> names = existing;
  for (const auto& w : wanted) names.push_back(w.name);
  std::vector<sink::TopicInfo> info;
  sink::SinkError error;
  if (!sink_.describe_topics(names, info, error)) throw PipelineError(error.message);
  std::vector<sink::TopicSpec> missing;
  for (const auto& i : info) {
    bool is_existing = std::find(existing.begin(), existing.end(), i.name) != existing.end();
    if (i.partitions > 0) {
      partitions_[i.name] = i.partitions;
      continue;
    }
    if (is_existing)
      throw PipelineError(fmt::format("EXISTING TOPIC {} does not exist in {}; create it, or write TOPIC {} to let "
                                      "obsync create it",
                                      i.name, sink_.config().bootstrap, i.name));
    if (!create)
      throw PipelineError(fmt::format("topic {} does not exist and the project's TYPES leave out SCHEMA; create it, or "
                                      "add SCHEMA to TYPES",
                                      i.name));
    for (const auto& w : wanted)
      if (w.name == i.name) missing.push_back(w);
  }
  if (!missing.empty()) {
    std::vector<std::string> created;
    if (!sink_.create_topics(missing, created, error)) throw PipelineError(error.message);
    for (const auto& m : missing) {
      if (log)
        log(fmt::format("schema: topic {} {} ({} partitions, replication factor {})", m.name,
                        std::find(created.begin(), created.end(), m.name) != created.end() ? "created" : "exists",
                        m.partitions, m.replicas));
    }
    std::vector<std::string> again;
    for (const auto& m : missing) again.push_back(m.name);
    // Metadata can lag the creation for a moment.
    for (int attempt = 0; attempt < 50; attempt++) {
      if (!sink_.describe_topics(again, info, error)) throw PipelineError(error.message);
      bool all = true;
      for (const auto& i : info) {
        if (i.partitions > 0) partitions_[i.name] = i.partitions;
        else all = false;
      }
      if (all) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

std::unique_ptr<Pipeline::Route> Pipeline::bind_route(const std::string& db, const std::string& table,
                                                      const TableSchema* schema) {
  auto route = std::make_unique<Route>();
  route->sync = route_table(plan_, db, table);
  route->table_key = db + "." + table;
  if (route->sync < 0 || schema == nullptr) return route;
  // The script checked against the schema as it is now (after any DDL read so far), so that the
  // WHERE and COLUMNS are typed for this version of the table.
  auto snapshot = std::make_unique<Schema>(history_.current_schema());
  DiagnosticSink diags;
  CheckOptions options;
  options.schema = snapshot.get();
  auto bound = std::make_unique<Plan>(check_program(program_, options, diags));
  const SyncPlan& sync = bound->syncs[static_cast<size_t>(route->sync)];
  for (const auto& t : sync.tables)
    if (t.database == db && t.table == table) route->table = &t;
  bool typed = route->table != nullptr && (!sync.stmt->where || route->table->where);
  if (typed)
    for (const auto& c : route->table->columns) typed = typed && c.expr != nullptr;
  if (!typed) {
    std::string why;
    for (const auto& d : diags.diagnostics())
      if (d.severity == Severity::Error) why += fmt::format("\n  {}", d.message);
    throw PipelineError(fmt::format("SYNC #{} no longer fits table {}.{} (its schema changed):{}", route->sync + 1, db,
                                    table, why.empty() ? " the table is not matched" : why));
  }
  route->sync_plan = &sync;
  route->kernel = std::make_unique<TableKernel>(*route->table, options_.use_jit);
  size_t format_index = 0;
  const auto& formats = known_formats();
  for (size_t i = 0; i < formats.size(); i++)
    if (formats[i] == sync.format) format_index = i;
  if (!encoders_[format_index]) {
    encoders_[format_index] = encode::make_encoder(sync.format);
    if (!encoders_[format_index]) throw PipelineError(fmt::format("format {} has no encoder", sync.format));
  }
  route->encoder = encoders_[format_index].get();
  route->topic = topic_for(sync.target, db, table);
  route->partition_one = sync.partition == "one";
  auto p = partitions_.find(route->topic);
  if (p == partitions_.end()) {
    // A table that appeared after the SCHEMA step (created or renamed into a TOPICS template).
    std::vector<sink::TopicInfo> info;
    sink::SinkError error;
    std::vector<std::string> created;
    if (!sink_.create_topics({{route->topic, sync.target.partitions, sync.target.replicas}}, created, error) ||
        !sink_.describe_topics({route->topic}, info, error))
      throw PipelineError(error.message);
    partitions_[route->topic] = std::max(1, info.empty() ? 1 : info[0].partitions);
    p = partitions_.find(route->topic);
  }
  route->partitions = p->second;

  encode::TableContext& c = route->context;
  static std::atomic<uint64_t> next_context_id{1};
  c.context_id = next_context_id++;
  c.source_kind = options_.source_kind;
  c.source_name = options_.source_name;
  c.tenant = options_.tenant;
  c.cluster = options_.cluster;
  c.database = db;
  c.table = table;
  c.business_id = plan_.project.business_id;
  c.transaction_sequence = plan_.project.transaction_sequence;
  c.server_id = options_.source_server_id;
  c.db_version = options_.source_version;
  c.partition_one = route->partition_one;
  const TableSchema& ts = *route->table->schema;
  for (const auto& col : route->table->columns) {
    encode::OutputColumnInfo info;
    info.name = col.name;
    info.type = col.expr->type;
    info.is_key = col.is_key;
    info.type_text = col.expr->op == ir::Op::Column ? ts.columns[static_cast<size_t>(col.expr->column)].type_text
                                                      : to_string(col.expr->type);
    c.columns.push_back(std::move(info));
  }
  c.key_names = ts.row_key();
  for (const auto& k : c.key_names)
    for (size_t i = 0; i < c.columns.size(); i++)
      if (c.columns[i].name == k) c.key_indexes.push_back(i);
  for (const auto& k : route->table->key_columns) {
    route->key_columns.push_back(ts.column_index(k));
    for (size_t i = 0; i < c.columns.size(); i++)
      if (c.columns[i].name == k) c.shard_indexes.push_back(i);
  }
  bound_schemas_.push_back(std::move(snapshot));
  bound_plans_.push_back(std::move(bound));
  return route;
}

void Pipeline::prepare_kernel(Route& route, const RowBatch& batch, int64_t commit_ts_us) {
  route.kernel->prepare(batch, commit_ts_us);
  if (route.engine_logged || !log_) return;
  // Once per table and schema version: which engine runs its WHERE.
  route.engine_logged = true;
  log_(fmt::format("kernel {}: {}", route.table_key, route.kernel->engine()));
}

Pipeline::Route* Pipeline::route_for(const RowBatch& batch) {
  auto it = routes_.find(batch.schema);
  if (it != routes_.end() && it->second->table_key == batch.database + "." + batch.table) return it->second.get();
  auto route = bind_route(batch.database, batch.table, batch.schema);
  Route* r = route.get();
  routes_[batch.schema] = std::move(route);
  return r;
}

void Pipeline::send(const std::string& topic, int32_t partition, const encode::Message& m, uint64_t ticket) {
  sink::SinkError error;
  // Everything but stats() runs on one thread (delivery reports come from sink_.poll() here), so
  // the in-flight accounting needs no lock; publish() hands the counters to other threads.
  if (ticket >= first_ticket_ && ticket - first_ticket_ < pending_.size()) pending_[ticket - first_ticket_]->outstanding++;
  stats_.messages++;
  stats_.bytes += m.key.size() + m.value.size();
  if (!sink_.produce(topic, partition, m.key, m.has_key, m.value, ticket, error)) {
    pending_[ticket - first_ticket_]->outstanding--;
    throw PipelineError(error.message);
  }
}

void Pipeline::emit(Route& route, const RowBatch& batch, size_t row, const KernelOutput& out,
                    encode::ChangeRecord& rec, uint64_t ticket) {
  rec.kind = out.kind;
  rec.before = out.kind == encode::RecordKind::Delete || out.kind == encode::RecordKind::Update ? &out.before : nullptr;
  rec.after = out.kind == encode::RecordKind::Delete ? nullptr : &out.after;
  rec.store_sequence = ++store_seq_;
  rec.now_ms = batch_now_ms_;
  route.encoder->encode(route.context, rec, message_);
  // The message key: the SHARD BY (or row key) values of the source row as a JSON array of
  // strings; the table name when the table has no key. Debezium keeps its own key document.
  int32_t partition = 0;
  if (route.partition_one) {
    message_.has_key = false;
  } else {
    // The encoder already wrote it from the output columns when they hold every key column.
    bool encoder_key = message_.has_key && route.context.shard_indexes.size() == route.key_columns.size() &&
                       !route.key_columns.empty();
    if (!encoder_key && (route.sync_plan->format != "debezium" || !message_.has_key)) {
      bool before = out.kind == encode::RecordKind::Delete;
      batch.row_values(row, before, key_values_);
      std::string& key = message_.key;
      key.assign(1, '[');
      if (route.key_columns.empty()) encode::append_json_string(key, route.table_key);
      for (size_t n = 0; n < route.key_columns.size(); n++) {
        if (n) key.push_back(',');
        size_t k = static_cast<size_t>(route.key_columns[n]);
        encode::append_text_value(key, key_values_[k], batch.after[k].type(), false, key_scratch_);
      }
      key.push_back(']');
      message_.has_key = true;
    }
    partition = sink::murmur2_partition(message_.key, route.partitions);
  }
  send(route.topic, partition, message_, ticket);
  route.messages++;
}

void Pipeline::full_sync_batch(RowBatch& batch, int64_t commit_ts_us) {
  Route* route = route_for(batch);
  if (route->sync < 0 || !route->kernel) return;
  if (current_ == nullptr || current_->kind != Pending::Kind::FullSync) {
    auto p = std::make_unique<Pending>();
    p->kind = Pending::Kind::FullSync;
    p->ticket = next_ticket_++;
    p->table_key = route->table_key;
    current_ = p.get();
    pending_.push_back(std::move(p));
  }
  encode::ChangeRecord rec;
  rec.commit_ts_us = commit_ts_us;
  batch_now_ms_ = options_.now_ms();
  std::string error;
  prepare_kernel(*route, batch, commit_ts_us);
  for (size_t i = 0; i < batch.size(); i++) {
    if (!route->kernel->run(batch, i, true, commit_ts_us, out_, error)) {
      if (!error.empty())
        throw PipelineError(fmt::format("full sync of {}: row {}: {}", route->table_key, batch.ordinals[i] + 1, error));
      continue;
    }
    rec.row_in_transaction = batch.ordinals[i];
    try {
      emit(*route, batch, i, out_, rec, current_->ticket);
    } catch (const PipelineError& e) {
      throw PipelineError(fmt::format("full sync of {}, row {}: {}", route->table_key, batch.ordinals[i] + 1, e.what()));
    }
  }
  route->kernel->unprepare();
  stats_.rows_in += batch.size();
  sink_.poll(0);
  publish();
}

void Pipeline::full_sync_progress(const std::string& table_key, uint64_t rows,
                                  const std::vector<std::optional<std::string>>& last_key, bool done) {
  if (current_ == nullptr || current_->kind != Pending::Kind::FullSync || current_->table_key != table_key) {
    auto p = std::make_unique<Pending>();
    p->kind = Pending::Kind::FullSync;
    p->ticket = next_ticket_++;
    p->table_key = table_key;
    current_ = p.get();
    pending_.push_back(std::move(p));
  }
  current_->progress.rows = rows;
  current_->progress.last_key = last_key;
  current_->progress.done = done;
  current_->complete = true;
  current_ = nullptr;
}

void Pipeline::begin(const source::TransactionInfo& txn) {
  auto p = std::make_unique<Pending>();
  p->kind = Pending::Kind::Transaction;
  p->ticket = next_ticket_++;
  p->begin = txn.begin;
  p->gtid = txn.gtid;
  txn_ = txn;
  current_ = p.get();
  pending_.push_back(std::move(p));
}

void Pipeline::rows(const source::TransactionInfo& txn, RowBatch& batch) {
  Route* route = route_for(batch);
  if (route->sync < 0 || !route->kernel) return;
  encode::ChangeRecord rec;
  batch_now_ms_ = options_.now_ms();
  rec.commit_ts_us = txn.commit_ts_us;
  rec.gtid = txn.gtid;
  rec.xid = txn.xid;
  rec.file = txn.begin.file;
  rec.position = txn.begin.offset;
  rec.transaction_seq = txn.sequence;
  std::string error;
  prepare_kernel(*route, batch, txn.commit_ts_us);
  for (size_t i = 0; i < batch.size(); i++) {
    if (!route->kernel->run(batch, i, false, txn.commit_ts_us, out_, error)) {
      if (!error.empty())
        throw PipelineError(fmt::format("{} at {}: change {} of the transaction: {}", route->table_key,
                                        txn.begin.to_string(), batch.ordinals[i] + 1, error));
      continue;
    }
    rec.row_in_transaction = batch.ordinals[i];
    try {
      emit(*route, batch, i, out_, rec, current_->ticket);
    } catch (const PipelineError& e) {
      throw PipelineError(fmt::format("{} at {} (change {} of transaction {}): {}", route->table_key,
                                      txn.begin.to_string(), batch.ordinals[i] + 1,
                                      txn.gtid.empty() ? std::to_string(txn.sequence) : txn.gtid, e.what()));
    }
  }
  route->kernel->unprepare();
  stats_.rows_in += batch.size();
  sink_.poll(0);
  publish();
}

void Pipeline::ddl(const source::TransactionInfo& txn, std::string_view db, std::string_view sql,
                   const source::DdlOutcome& outcome) {
  // Routes bound to a changed table re-bind at their next batch (the batch's schema pointer
  // changes with the version). DDL records go out only with DDL ON.
  if (!plan_.project.ddl) return;
  for (const auto& [tdb, ttable] : outcome.tables) {
    int sync = route_table(plan_, tdb, ttable);
    if (sync < 0) continue;
    const SyncPlan& sp = plan_.syncs[static_cast<size_t>(sync)];
    const auto& formats = known_formats();
    size_t fi = 0;
    for (size_t i = 0; i < formats.size(); i++)
      if (formats[i] == sp.format) fi = i;
    if (!encoders_[fi]) encoders_[fi] = encode::make_encoder(sp.format);
    if (!encoders_[fi] || !encoders_[fi]->carries_ddl()) continue;
    encode::TableContext c;
    c.source_kind = options_.source_kind;
    c.source_name = options_.source_name;
    c.tenant = options_.tenant;
    c.database = tdb;
    c.table = ttable;
    c.business_id = plan_.project.business_id;
    c.partition_one = sp.partition == "one";
    encode::ChangeRecord rec;
    rec.kind = encode::RecordKind::Ddl;
    rec.ddl_sql = sql;
    static const char* kinds[] = {"QUERY", "CREATE", "ALTER", "ERASE", "RENAME", "TRUNCATE", "ERASE", "QUERY"};
    rec.ddl_kind = kinds[static_cast<size_t>(outcome.kind)];
    rec.commit_ts_us = txn.commit_ts_us;
    rec.gtid = txn.gtid;
    rec.file = txn.begin.file;
    rec.position = txn.begin.offset;
    rec.transaction_seq = txn.sequence;
    rec.now_ms = options_.now_ms();
    rec.store_sequence = ++store_seq_;
    encoders_[fi]->encode(c, rec, message_);
    std::string topic = topic_for(sp.target, tdb, ttable);
    auto p = partitions_.find(topic);
    int32_t n = p == partitions_.end() ? 1 : p->second;
    message_.has_key = false;
    // Every partition under HASH, so that every consumer of the topic sees it in order.
    for (int32_t part = 0; part < (c.partition_one ? 1 : n); part++) send(topic, part, message_, current_->ticket);
  }
  (void)db;
}

void Pipeline::commit(const source::TransactionInfo& txn) {
  {
    if (current_ && current_->kind == Pending::Kind::Transaction) {
      current_->complete = true;
      current_->end = txn.end;
      current_->gtid = txn.gtid;
      current_->commit_ts_us = txn.commit_ts_us;
    }
    current_ = nullptr;
    stats_.transactions++;
  }
  service(false);
}

void Pipeline::abort(const source::TransactionInfo&) {
  // Its messages already sent stay (at least once); it is delivered again whole.
  if (current_) {
    current_->complete = true;
    current_->aborted = true;
  }
  current_ = nullptr;
}

void Pipeline::heartbeat(const source::BinlogPosition&) { service(false); }

void Pipeline::notice(std::string_view message) {
  if (log_) log_(std::string(message));
}

void Pipeline::delivered(uint64_t ticket, const sink::SinkError& error) {
  Pending* p = ticket >= first_ticket_ && ticket - first_ticket_ < pending_.size() ? pending_[ticket - first_ticket_].get()
                                                                                   : nullptr;
  if (p) p->outstanding--;
  if (!error.empty()) {
    stats_.delivery_errors++;
    if (!failed_) {
      std::string where = p == nullptr ? std::string()
                          : p->kind == Pending::Kind::FullSync
                              ? fmt::format("full sync of {}: ", p->table_key)
                              : fmt::format("transaction at {}{}: ", p->begin.to_string(),
                                            p->gtid.empty() ? "" : " (gtid " + p->gtid + ")");
      failure_ = where + error.message;
    }
    failed_ = true;
  } else {
    stats_.acked++;
  }
}

void Pipeline::advance_checkpoint(bool force) {
  while (!pending_.empty() && pending_.front()->complete && pending_.front()->outstanding == 0 && !failed_) {
    Pending& p = *pending_.front();
    if (!p.aborted) {
      if (p.kind == Pending::Kind::Transaction) {
        checkpoint_.position = p.end;
        checkpoint_.transactions++;
        checkpoint_.last_gtid = p.gtid;
        checkpoint_.last_commit_ts_us = p.commit_ts_us;
        stats_.last_commit_ts_us = p.commit_ts_us;
      } else {
        checkpoint_.full_sync[p.table_key] = p.progress;
      }
      dirty_ = true;
    }
    pending_.pop_front();
    first_ticket_++;
  }
  auto now = std::chrono::steady_clock::now();
  // The first checkpoint of a run is written at once: a run that crashes within its first second
  // must not lose (and later resend) everything it did. After that, at most once an interval.
  if (!dirty_ || (!force && stats_.checkpoints > 0 && now - last_write_ < options_.checkpoint_interval)) return;
  if (!checkpoint_.position.empty()) {
    history_.forget_before(checkpoint_.position);
    checkpoint_.schema_history = history_.to_json(checkpoint_.position);
  }
  std::string error;
  if (!state::write_checkpoint(options_.state_dir, checkpoint_, error)) throw PipelineError(error);
  dirty_ = false;
  last_write_ = now;
  stats_.checkpoints++;
}

void Pipeline::service(bool force_checkpoint) {
  sink_.poll(0);
  if (failed_) {
    if (on_failure_) on_failure_();
    throw PipelineError(failure_);
  }
  advance_checkpoint(force_checkpoint);
  publish();
}

bool Pipeline::drain(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (sink_.in_flight() > 0 && std::chrono::steady_clock::now() < deadline) sink_.poll(100);
  if (failed_) throw PipelineError(failure_);
  advance_checkpoint(true);
  publish();
  return sink_.in_flight() == 0;
}

void Pipeline::publish() {
  PipelineStats copy = stats_;
  for (const auto& [schema, route] : routes_)
    if (route->messages) copy.rows_per_table[route->table_key] += route->messages;
  std::lock_guard lock(mutex_);
  published_ = std::move(copy);
}

PipelineStats Pipeline::stats() const {
  std::lock_guard lock(mutex_);
  return published_;
}

}  // namespace obsync::pipeline
