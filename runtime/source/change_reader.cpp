// Binlog events to whole transactions of row batches: the assembler, the offline file reader and
// the live reader with reconnects.
#include "runtime/source/change_reader.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "runtime/source/binlog_stream.hpp"
#include "runtime/source/sql_connection.hpp"

namespace obsync::source {

namespace {

// The executed-transactions set after each transaction, so that a checkpoint can name its
// position by GTID too. MySQL: per source uuid, sorted disjoint intervals; MariaDB: the last
// GTID of each replication domain.
class GtidTracker {
 public:
  void reset(std::string_view text, bool mariadb) {
    mysql_.clear();
    mariadb_.clear();
    mariadb_mode_ = mariadb;
    known_ = !text.empty();
    while (!text.empty()) {
      size_t comma = text.find(',');
      std::string_view item = text.substr(0, comma);
      text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\n')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\n')) item.remove_suffix(1);
      if (item.empty()) continue;
      if (mariadb) {
        uint64_t d = 0, s = 0, n = 0;
        size_t d1 = item.find('-'), d2 = item.find('-', d1 + 1);
        if (d1 == std::string_view::npos || d2 == std::string_view::npos) continue;
        std::from_chars(item.data(), item.data() + d1, d);
        std::from_chars(item.data() + d1 + 1, item.data() + d2, s);
        std::from_chars(item.data() + d2 + 1, item.data() + item.size(), n);
        mariadb_[static_cast<uint32_t>(d)] = {static_cast<uint32_t>(s), n};
      } else {
        size_t colon = item.find(':');
        if (colon == std::string_view::npos) continue;
        auto& iv = mysql_[std::string(item.substr(0, colon))];
        std::string_view rest = item.substr(colon + 1);
        while (!rest.empty()) {
          size_t next = rest.find(':');
          std::string_view part = rest.substr(0, next);
          rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
          uint64_t a = 0, b = 0;
          size_t dash = part.find('-');
          std::from_chars(part.data(), part.data() + (dash == std::string_view::npos ? part.size() : dash), a);
          b = a;
          if (dash != std::string_view::npos) std::from_chars(part.data() + dash + 1, part.data() + part.size(), b);
          if (a > 0 && b >= a) iv.emplace_back(a, b);
        }
        std::sort(iv.begin(), iv.end());
      }
    }
  }
  bool known() const { return known_; }
  void add(const binlog::Gtid& g) {
    if (g.anonymous) return;
    known_ = true;
    if (g.mariadb) {
      mariadb_mode_ = true;
      mariadb_[g.domain_id] = {g.server_id, g.seq_no};
      return;
    }
    std::string uuid;
    static const char* hex = "0123456789abcdef";
    for (size_t i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) uuid += '-';
      uuid += hex[g.sid[i] >> 4];
      uuid += hex[g.sid[i] & 15];
    }
    auto& iv = mysql_[uuid];
    uint64_t n = g.gno;
    auto it = std::lower_bound(iv.begin(), iv.end(), std::make_pair(n, n));
    if (it != iv.begin() && std::prev(it)->second + 1 >= n) {
      auto p = std::prev(it);
      p->second = std::max(p->second, n);
      if (it != iv.end() && it->first <= p->second + 1) {
        p->second = std::max(p->second, it->second);
        iv.erase(it);
      }
    } else if (it != iv.end() && it->first <= n + 1) {
      it->first = std::min(it->first, n);
    } else {
      iv.insert(it, {n, n});
    }
  }
  std::string to_string() const {
    std::string out;
    if (mariadb_mode_) {
      for (auto& [d, sn] : mariadb_) {
        if (!out.empty()) out += ',';
        out += fmt::format("{}-{}-{}", d, sn.first, sn.second);
      }
      return out;
    }
    for (auto& [uuid, iv] : mysql_) {
      if (!out.empty()) out += ',';
      out += uuid;
      for (auto [a, b] : iv) out += a == b ? fmt::format(":{}", a) : fmt::format(":{}-{}", a, b);
    }
    return out;
  }
  bool mariadb() const { return mariadb_mode_; }

 private:
  std::map<std::string, std::vector<std::pair<uint64_t, uint64_t>>> mysql_;
  std::map<uint32_t, std::pair<uint32_t, uint64_t>> mariadb_;
  bool mariadb_mode_ = false;
  bool known_ = false;
};

bool starts_with_keyword(std::string_view sql, std::string_view word) {
  while (!sql.empty() && (sql.front() == ' ' || sql.front() == '\n' || sql.front() == '\t')) sql.remove_prefix(1);
  if (sql.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); i++)
    if (std::toupper(static_cast<unsigned char>(sql[i])) != word[i]) return false;
  return sql.size() == word.size() || !std::isalnum(static_cast<unsigned char>(sql[word.size()]));
}

}  // namespace

struct TransactionAssembler::Impl {
  SchemaHistory& history;
  ChangeConsumer& consumer;
  ChangeReaderOptions options;
  SqlConnection* catalog = nullptr;

  TransactionInfo txn;
  bool open = false;      // a transaction has begun and not yet committed
  bool in_begin = false;  // inside BEGIN … COMMIT/XID
  uint32_t ordinal = 0;
  uint64_t sequence = 0;
  uint64_t payload_end = 0;  // the end of the TRANSACTION_PAYLOAD being read
  std::string payload_file;

  RowBatch batch;
  const binlog::TableMap* batch_table = nullptr;
  std::vector<SqlType> batch_types;
  std::unordered_map<const binlog::TableMap*, bool> scope_cache;

  BinlogPosition resume;
  GtidTracker gtids;
  ChangeReaderStats stats;
  binlog::RowChange row;

  Impl(SchemaHistory& h, ChangeConsumer& c, ChangeReaderOptions o) : history(h), consumer(c), options(std::move(o)) {}

  void start(const binlog::Event& ev, const std::string& file) {
    if (open) interrupt();  // a transaction that never committed (truncated stream): never delivered whole
    open = true;
    in_begin = false;
    ordinal = 0;
    txn = TransactionInfo{};
    txn.sequence = ++sequence;
    txn.begin = BinlogPosition{file, ev.position, gtids.to_string(), gtids.mariadb()};
    txn.commit_ts_us = static_cast<int64_t>(ev.header.timestamp) * 1000000;
    if (ev.kind == binlog::EventKind::Gtid) {
      txn.gtid = ev.gtid.to_string();
      if (ev.gtid.immediate_commit_us) txn.commit_ts_us = static_cast<int64_t>(ev.gtid.immediate_commit_us);
      pending_gtid = ev.gtid;
      has_gtid = !ev.gtid.anonymous;
    } else {
      has_gtid = false;
    }
    consumer.begin(txn);
  }
  binlog::Gtid pending_gtid;
  bool has_gtid = false;

  void flush() {
    if (batch.empty()) return;
    stats.peak_batch_bytes = std::max(stats.peak_batch_bytes, batch.memory_bytes());
    consumer.rows(txn, batch);
    batch.clear();
  }

  void commit(const binlog::Event& ev, const std::string& file) {
    flush();
    if (has_gtid) gtids.add(pending_gtid);
    uint64_t end = ev.in_payload ? payload_end : ev.header.next_position;
    txn.end = BinlogPosition{ev.in_payload ? payload_file : file, end, gtids.to_string(), gtids.mariadb()};
    open = in_begin = false;
    stats.transactions++;
    resume = txn.end;
    consumer.commit(txn);
  }

  void interrupt() {
    if (!open) return;
    batch.clear();
    open = in_begin = false;
    consumer.abort(txn);
  }

  bool in_scope(const binlog::TableMap* t) {
    if (!options.in_scope) return true;
    auto [it, inserted] = scope_cache.try_emplace(t, false);
    if (inserted) it->second = options.in_scope(t->db, t->table);
    return it->second;
  }

  void rows(binlog::BinlogDecoder& decoder, const binlog::Event& ev, const std::string& file) {
    const binlog::TableMap* t = ev.table;
    if (!open) start(ev, file);  // a server that sends no BEGIN: the rows open the transaction
    if (t == nullptr || !in_scope(t)) return;
    if (t->schema == nullptr && !t->has_names && options.require_schema)
      throw SourceError(fmt::format("table `{}`.`{}` at {}:{}: the binlog carries no column names "
                                    "(binlog_row_metadata=MINIMAL, as OceanBase's Binlog Service) and the schema "
                                    "history does not know the table; obsync cannot tell its columns apart",
                                    t->db, t->table, file, ev.position),
                        0, false);
    if (t != batch_table || batch.schema != t->schema) {
      flush();
      batch_types.clear();
      for (const auto& c : t->columns) batch_types.push_back(c.sql_type);
      batch.reset(t->db, t->table, t->schema, batch_types);
      batch_table = t;
    }
    while (decoder.next_row(row)) {
      batch.append(static_cast<ChangeOp>(row.op), ordinal++, row.has_before ? &row.before.values : nullptr,
                   row.has_after ? &row.after.values : nullptr);
      stats.rows++;
      txn.rows++;
      if (batch.size() >= options.batch_rows || (batch.size() % 16 == 0 && batch.memory_bytes() >= options.batch_bytes))
        flush();
    }
    if (decoder.failed()) throw SourceError(decoder.error().message, 0, false);
  }

  void query(binlog::BinlogDecoder& decoder, const binlog::Event& ev, const std::string& file) {
    std::string_view sql = ev.text;
    if (starts_with_keyword(sql, "BEGIN")) {
      if (!open) start(ev, file);
      in_begin = true;
      return;
    }
    if (starts_with_keyword(sql, "COMMIT") || starts_with_keyword(sql, "ROLLBACK")) {
      // ROLLBACK is logged only when non-transactional changes in the transaction stay done.
      if (!open) start(ev, file);
      commit(ev, file);
      return;
    }
    if (starts_with_keyword(sql, "XA") || starts_with_keyword(sql, "SAVEPOINT")) return;
    bool standalone = !in_begin;
    if (!open) start(ev, file);
    flush();
    BinlogPosition at{file, ev.header.next_position, {}, false};
    DdlOutcome outcome = history.apply_ddl(ev.db, sql, at, catalog);
    if (outcome.kind != DdlOutcome::Kind::None) {
      decoder.forget_tables();  // names and types may have changed behind an identical TABLE_MAP
      scope_cache.clear();
      batch_table = nullptr;
      consumer.ddl(txn, ev.db, sql, outcome);
      if (!outcome.message.empty()) consumer.notice(outcome.message);
      if (options.in_scope)
        for (const auto& [from, to] : outcome.renamed) {
          bool was = options.in_scope(from.first, from.second), is = options.in_scope(to.first, to.second);
          if (was && !is)
            consumer.notice(fmt::format("table {}.{} renamed to {}.{}: out of the script's scope, no longer "
                                        "synchronized",
                                        from.first, from.second, to.first, to.second));
          else if (!was && is)
            consumer.notice(fmt::format("table {}.{} renamed to {}.{}: now in the script's scope, synchronized "
                                        "from here on",
                                        from.first, from.second, to.first, to.second));
        }
    }
    if (standalone) commit(ev, file);
  }

  void on_event(binlog::BinlogDecoder& decoder, const binlog::Event& ev, const std::string& file) {
    stats.events++;
    stats.bytes += ev.header.event_size;
    stats.peak_event_bytes = std::max<size_t>(stats.peak_event_bytes, ev.header.event_size);
    switch (ev.kind) {
      case binlog::EventKind::Gtid:
        start(ev, file);
        in_begin = false;
        break;
      case binlog::EventKind::Query:
        query(decoder, ev, file);
        break;
      case binlog::EventKind::Rows:
        rows(decoder, ev, file);
        break;
      case binlog::EventKind::Xid:
        if (!open) start(ev, file);
        commit(ev, file);
        break;
      case binlog::EventKind::TransactionPayload:
        payload_end = ev.header.next_position;
        payload_file = file;
        break;
      case binlog::EventKind::PreviousGtids:
      case binlog::EventKind::GtidList:
        if (!gtids.known() && !ev.text.empty()) gtids.reset(ev.text, ev.kind == binlog::EventKind::GtidList);
        break;
      case binlog::EventKind::Heartbeat:
        if (!open) consumer.heartbeat(BinlogPosition{std::string(ev.text), ev.header.next_position, {}, false});
        break;
      default:
        break;
    }
  }
};

TransactionAssembler::TransactionAssembler(SchemaHistory& history, ChangeConsumer& consumer,
                                           ChangeReaderOptions options)
    : impl_(std::make_unique<Impl>(history, consumer, std::move(options))) {}
TransactionAssembler::~TransactionAssembler() = default;

binlog::DecoderOptions TransactionAssembler::decoder_options() {
  binlog::DecoderOptions o;
  SchemaHistory* h = &impl_->history;
  o.lookup_table = [h](std::string_view db, std::string_view table) { return h->find(db, table); };
  o.verify_checksums = impl_->options.verify_checksums;
  return o;
}

void TransactionAssembler::on_event(binlog::BinlogDecoder& decoder, const binlog::Event& event,
                                    const std::string& file) {
  impl_->on_event(decoder, event, file);
}

void TransactionAssembler::interrupt() { impl_->interrupt(); }
const BinlogPosition& TransactionAssembler::resume_position() const { return impl_->resume; }
const ChangeReaderStats& TransactionAssembler::stats() const { return impl_->stats; }
void TransactionAssembler::set_catalog(SqlConnection* catalog) { impl_->catalog = catalog; }
void TransactionAssembler::set_gtid_set(std::string_view gtid_set, bool mariadb) {
  impl_->gtids.reset(gtid_set, mariadb);
}
bool TransactionAssembler::in_transaction() const { return impl_->open; }

void read_binlog_files(const std::vector<std::string>& paths, SchemaHistory& history, ChangeConsumer& consumer,
                       const ChangeReaderOptions& options) {
  TransactionAssembler assembler(history, consumer, options);
  for (const auto& path : paths) {
    std::string why;
    auto file = binlog::BinlogFile::open(path, why);
    if (!file) throw SourceError(why, 0, false);
    std::string name = binlog::binlog_base_name(path);
    binlog::BinlogDecoder decoder(name, assembler.decoder_options());
    decoder.reset(file->bytes());
    binlog::Event ev;
    while (decoder.next(ev)) assembler.on_event(decoder, ev, name);
    if (decoder.failed()) throw SourceError(decoder.error().message, 0, false);
  }
  assembler.interrupt();  // a transaction cut off at the end of the last file is not delivered
}

struct ChangeReader::Impl {
  SourceConfig config;
  SchemaHistory& history;
  ChangeConsumer& consumer;
  ChangeReaderOptions options;
  std::atomic<bool> stopping{false};
  mutable std::mutex stats_mutex;
  ChangeReaderStats stats;

  Impl(SourceConfig c, SchemaHistory& h, ChangeConsumer& k, ChangeReaderOptions o)
      : config(std::move(c)), history(h), consumer(k), options(std::move(o)) {}

  // Sleeps `delay` unless stop() comes first.
  void wait(std::chrono::milliseconds delay) {
    auto until = std::chrono::steady_clock::now() + delay;
    while (!stopping && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
};

ChangeReader::ChangeReader(SourceConfig config, SchemaHistory& history, ChangeConsumer& consumer,
                           ChangeReaderOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), history, consumer, std::move(options))) {}
ChangeReader::~ChangeReader() = default;

void ChangeReader::stop() { impl_->stopping = true; }

ChangeReaderStats ChangeReader::stats() const {
  std::lock_guard lock(impl_->stats_mutex);
  return impl_->stats;
}

void ChangeReader::run(const BinlogPosition& start) {
  Impl& r = *impl_;
  TransactionAssembler assembler(r.history, r.consumer, r.options);
  assembler.set_gtid_set(start.gtid_set, start.mariadb_gtid);
  // A catalog connection for DDL the history cannot interpret; the reader works without one.
  std::optional<SqlConnection> catalog;
  try {
    catalog.emplace(r.config, r.config.sql);
    assembler.set_catalog(&*catalog);
  } catch (const SourceError& e) {
    r.consumer.notice(fmt::format("no catalog connection ({}); DDL obsync cannot read will stop the reader", e.what()));
  }
  Backoff backoff;
  uint64_t reconnects = 0;
  auto publish = [&] {
    std::lock_guard lock(r.stats_mutex);
    r.stats = assembler.stats();
    r.stats.reconnects = reconnects;
  };
  while (!r.stopping) {
    BinlogPosition from = assembler.resume_position().empty() ? start : assembler.resume_position();
    StartPosition sp;
    if (!from.file.empty()) {
      sp.kind = StartPosition::Kind::FilePosition;
      sp.position = from;
    } else {
      sp.kind = from.mariadb_gtid ? StartPosition::Kind::MariaDbGtid : StartPosition::Kind::MySqlGtid;
      sp.position = from;
    }
    try {
      BinlogStream stream(r.config, sp);
      stream.open();
      binlog::BinlogDecoder decoder(from.file, assembler.decoder_options());
      binlog::Event ev;
      uint64_t seen = 0;
      std::string file = from.file;
      while (!r.stopping) {
        RawEvent raw = stream.next();
        uint8_t type = raw.bytes[4];
        if (type == binlog::event_type::kRotate) {
          if (raw.file != file) {
            file = raw.file;
            decoder.set_file_name(file);
          }
          continue;
        }
        if (raw.artificial && type != binlog::event_type::kFormatDescription && type != binlog::event_type::kHeartbeat &&
            type != binlog::event_type::kHeartbeatV2)
          continue;
        if (!decoder.decode_event(raw.bytes, raw.position, ev)) throw SourceError(decoder.error().message, 0, false);
        assembler.on_event(decoder, ev, file);
        while (decoder.next(ev)) assembler.on_event(decoder, ev, file);  // a TRANSACTION_PAYLOAD's events
        if (decoder.failed()) throw SourceError(decoder.error().message, 0, false);
        if (++seen == 1) backoff.reset();
        if ((seen & 255) == 0) publish();
      }
    } catch (const SourceError& e) {
      assembler.interrupt();
      publish();
      if (!e.retryable() || r.stopping) {
        if (r.stopping) break;
        throw;
      }
      auto delay = backoff.next();
      if (!delay)
        throw SourceError(fmt::format("{}; gave up after {} reconnect attempts (retry budget spent)", e.what(),
                                      backoff.attempts()),
                          e.server_code(), false);
      reconnects++;
      r.consumer.notice(fmt::format("binlog stream lost: {}; reconnecting in {:.1f} s (attempt {}) from {}", e.what(),
                                    static_cast<double>(delay->count()) / 1000.0, backoff.attempts(),
                                    (assembler.resume_position().empty() ? start : assembler.resume_position())
                                        .to_string()));
      r.wait(*delay);
    }
  }
  assembler.interrupt();
  publish();
}

}  // namespace obsync::source
