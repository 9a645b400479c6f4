// The live change reader against real servers: whole transactions in commit order, batches
// bounded by rows, DDL tracked while the reader is behind (MINIMAL metadata, the OceanBase
// case), restarts from a checkpoint in the middle of a transaction, a server restart, and a
// one-million-row transaction in bounded memory.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "runtime/source/binlog_stream.hpp"
#include "runtime/source/change_reader.hpp"
#include "runtime/source/schema_history.hpp"
#include "runtime/source/sql_connection.hpp"
#include "tests/infra/mariadb_server.hpp"

using namespace obsync;
using namespace obsync::source;
using obsync::test::MariaDbServer;

namespace {

SourceConfig config_for(const MariaDbServer& server, std::string_view project = "change_reader_test") {
  SourceConfig c;
  c.name = "test";
  c.kind = SourceKind::MariaDb;
  c.sql = Endpoint{server.host(), server.port()};
  c.binlog = c.sql;
  c.user = server.user();
  c.password = server.password();
  c.server_id = derive_server_id(project);
  c.connect_timeout = std::chrono::seconds(5);
  c.read_timeout = std::chrono::seconds(10);
  c.heartbeat = std::chrono::seconds(1);
  return c;
}

using Image = std::vector<std::optional<std::string>>;

struct Change {
  std::string table;
  ChangeOp op;
  uint32_t ordinal;
  std::vector<std::string> columns;
  std::optional<Image> before, after;
};

struct Txn {
  TransactionInfo info;
  std::vector<Change> changes;
  std::vector<std::string> ddl;
  size_t batches = 0;
};

// Records what the reader delivers and checks the consumer contract as it goes.
class Recorder : public ChangeConsumer {
 public:
  bool keep_values = true;
  std::function<bool(const Recorder&)> stop_when;  // asked after each batch and commit
  ChangeReader* reader = nullptr;

  void begin(const TransactionInfo& txn) override {
    std::lock_guard lock(mutex);
    CHECK_FALSE(open_);
    open_ = true;
    current_ = Txn{txn, {}, {}, 0};
  }
  void rows(const TransactionInfo& txn, RowBatch& batch) override {
    std::lock_guard lock(mutex);
    REQUIRE(open_);
    CHECK(txn.sequence == current_.info.sequence);
    current_.batches++;
    max_batch = std::max(max_batch, batch.size());
    std::vector<std::string> names;
    if (batch.schema)
      for (const auto& c : batch.schema->columns) names.push_back(c.name);
    for (size_t i = 0; i < batch.size(); i++) {
      Change c{batch.table, batch.ops[i], batch.ordinals[i], names, {}, {}};
      if (!current_.changes.empty() || !committed.empty()) {
      }
      if (!current_.changes.empty()) CHECK(c.ordinal > current_.changes.back().ordinal);
      if (keep_values) {
        if (batch.has_before[i]) c.before = image(batch, i, true);
        if (batch.has_after[i]) c.after = image(batch, i, false);
      }
      current_.changes.push_back(std::move(c));
      if (!keep_values) current_.changes.pop_back();
    }
    rows_seen += batch.size();
    maybe_stop();
  }
  void ddl(const TransactionInfo&, std::string_view, std::string_view sql, const DdlOutcome&) override {
    std::lock_guard lock(mutex);
    current_.ddl.emplace_back(sql);
  }
  void commit(const TransactionInfo& txn) override {
    std::lock_guard lock(mutex);
    REQUIRE(open_);
    open_ = false;
    current_.info = txn;
    if (!committed.empty()) CHECK(compare_positions(committed.back().info.end, txn.end) < 0);
    CHECK(compare_positions(txn.begin, txn.end) < 0);
    committed.push_back(std::move(current_));
    maybe_stop();
  }
  void abort(const TransactionInfo&) override {
    std::lock_guard lock(mutex);
    CHECK(open_);
    open_ = false;
    aborted++;
  }
  void notice(std::string_view message) override {
    std::lock_guard lock(mutex);
    notices.emplace_back(message);
  }

  size_t committed_count() {
    std::lock_guard lock(mutex);
    return committed.size();
  }

  std::mutex mutex;
  std::vector<Txn> committed;
  std::vector<std::string> notices;
  size_t aborted = 0;
  size_t max_batch = 0;
  uint64_t rows_seen = 0;

 private:
  void maybe_stop() {
    if (stop_when && reader && stop_when(*this)) reader->stop();
  }
  static Image image(const RowBatch& batch, size_t row, bool before) {
    std::vector<Value> values;
    batch.row_values(row, before, values);
    const auto& cols = before ? batch.before : batch.after;
    Image out;
    for (size_t i = 0; i < values.size(); i++)
      out.push_back(values[i].is_null() ? std::nullopt
                                        : std::optional<std::string>(render_value(values[i], cols[i].type())));
    return out;
  }
  bool open_ = false;
  Txn current_;
};

// Runs a reader on its own thread; stop() and join at the end of scope.
class ReaderThread {
 public:
  ReaderThread(const SourceConfig& config, SchemaHistory& history, Recorder& recorder, ChangeReaderOptions options,
               BinlogPosition start)
      : reader_(config, history, recorder, std::move(options)) {
    recorder.reader = &reader_;
    thread_ = std::thread([this, start] {
      try {
        reader_.run(start);
      } catch (...) {
        error_ = std::current_exception();
      }
      done_ = true;
    });
  }
  ~ReaderThread() { join(); }
  void join() {
    reader_.stop();
    if (thread_.joinable()) thread_.join();
  }
  // Waits until `pred` or the reader ended; rethrows the reader's error.
  template <typename Pred>
  void wait_for(Pred pred, std::chrono::seconds timeout = std::chrono::seconds(60)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred() && !done_ && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    rethrow();
  }
  void rethrow() {
    if (error_) {
      auto e = error_;
      error_ = nullptr;
      std::rethrow_exception(e);
    }
  }
  ChangeReader& reader() { return reader_; }
  bool done() const { return done_; }

 private:
  ChangeReader reader_;
  std::thread thread_;
  std::exception_ptr error_;
  std::atomic<bool> done_{false};
};

std::string show(const std::optional<Image>& image) {
  if (!image) return "none";
  std::string out;
  for (const auto& v : *image) out += (out.empty() ? "" : "|") + v.value_or("NULL");
  return out;
}

long peak_rss_kb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

}  // namespace

TEST_CASE("change reader: whole transactions in commit order, batches split by table and size, DDL",
          "[change-reader]") {
  MariaDbServer& server = test::shared_mariadb();
  server.execute("DROP DATABASE IF EXISTS cr1");
  server.execute("CREATE DATABASE cr1");
  auto conn = server.connect("cr1");
  conn.execute("CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(20))");
  conn.execute("CREATE TABLE b (id BIGINT UNSIGNED PRIMARY KEY, d DECIMAL(10,2))");
  conn.execute("CREATE TABLE other (id INT)");
  SourceConfig config = config_for(server);
  SqlConnection sql(config, config.sql);
  BinlogPosition start = current_position(sql);
  SchemaHistory history;
  history.load_catalog(sql, start);

  conn.execute("BEGIN");
  conn.execute("INSERT INTO a SELECT seq, CONCAT('v', seq) FROM seq_1_to_2500");
  conn.execute("INSERT INTO other VALUES (1)");
  conn.execute("INSERT INTO b VALUES (18446744073709551615, 1.25), (1, -3.50), (2, NULL)");
  conn.execute("COMMIT");
  conn.execute("UPDATE a SET v = 'x' WHERE id <= 10");
  conn.execute("ALTER TABLE b ADD COLUMN note VARCHAR(10) AFTER id");
  conn.execute("INSERT INTO b VALUES (10, 'n', 1.5)");
  conn.execute("DELETE FROM a WHERE id > 2490");
  conn.execute("INSERT INTO other VALUES (2)");  // a transaction with no row in scope

  Recorder rec;
  ChangeReaderOptions options;
  options.batch_rows = 1000;
  options.in_scope = [](std::string_view db, std::string_view table) { return db == "cr1" && table != "other"; };
  ReaderThread thread(config, history, rec, options, start);
  thread.wait_for([&] { return rec.committed_count() >= 6; });
  thread.join();
  thread.rethrow();

  std::lock_guard lock(rec.mutex);
  REQUIRE(rec.committed.size() == 6);
  CHECK(rec.aborted == 0);
  const Txn& t1 = rec.committed[0];
  REQUIRE(t1.changes.size() == 2503);
  CHECK(t1.batches == 4);  // a: 1000 + 1000 + 500, b: 3
  CHECK(rec.max_batch == 1000);
  CHECK(t1.changes[0].table == "a");
  CHECK(show(t1.changes[0].after) == "1|v1");
  CHECK(t1.changes[2499].ordinal == 2499);
  CHECK(t1.changes[2500].table == "b");
  CHECK(show(t1.changes[2500].after) == "18446744073709551615|1.25");
  CHECK(show(t1.changes[2501].after) == "1|-3.50");
  CHECK(show(t1.changes[2502].after) == "2|NULL");
  CHECK_FALSE(t1.info.gtid.empty());
  CHECK(t1.info.rows == 2503);

  const Txn& t2 = rec.committed[1];
  REQUIRE(t2.changes.size() == 10);
  CHECK(t2.changes[0].op == ChangeOp::Update);
  CHECK(show(t2.changes[0].before) == "1|v1");
  CHECK(show(t2.changes[0].after) == "1|x");

  const Txn& t3 = rec.committed[2];
  CHECK(t3.changes.empty());
  REQUIRE(t3.ddl.size() == 1);
  CHECK_THAT(t3.ddl[0], Catch::Contains("ADD COLUMN note"));

  const Txn& t4 = rec.committed[3];
  REQUIRE(t4.changes.size() == 1);
  CHECK(t4.changes[0].columns == std::vector<std::string>{"id", "note", "d"});
  CHECK(show(t4.changes[0].after) == "10|n|1.50");

  const Txn& t5 = rec.committed[4];
  REQUIRE(t5.changes.size() == 10);
  CHECK(t5.changes[0].op == ChangeOp::Delete);
  CHECK(show(t5.changes[0].before) == "2491|v2491");
  CHECK_FALSE(t5.changes[0].after);

  CHECK(rec.committed[5].changes.empty());  // out of scope rows: the commit still arrives
  // The GTID set after each transaction grows with it (MariaDB: domain-server-sequence).
  CHECK(rec.committed[5].info.end.mariadb_gtid);
  CHECK_THAT(rec.committed[5].info.end.gtid_set, Catch::Contains(rec.committed[5].info.gtid));
  CHECK(thread.reader().stats().transactions >= 6);
}

TEST_CASE("change reader: DDL while behind, MINIMAL metadata (OceanBase): every row against its schema version",
          "[change-reader]") {
  test::MariaDbOptions opts;
  opts.binlog_row_metadata = test::BinlogRowMetadata::Minimal;
  MariaDbServer server(opts);
  server.execute("CREATE DATABASE ob");
  auto conn = server.connect("ob");
  conn.execute("SET time_zone = '+00:00'");
  conn.execute("CREATE TABLE t (id INT PRIMARY KEY, a INT UNSIGNED, b VARCHAR(10))");
  SourceConfig config = config_for(server);
  SqlConnection sql(config, config.sql);
  BinlogPosition start = current_position(sql);
  SchemaHistory history;
  history.load_catalog(sql, start);  // the schema at the start; everything below happens before the reader runs

  conn.execute("INSERT INTO t VALUES (1, 4294967295, 'x')");
  conn.execute("ALTER TABLE t ADD COLUMN c DATETIME(3) AFTER a");
  conn.execute("INSERT INTO t VALUES (2, 7, '2026-01-02 03:04:05.678', 'y')");
  conn.execute("ALTER TABLE t DROP COLUMN b");
  conn.execute("INSERT INTO t VALUES (3, 8, NULL)");
  conn.execute("ALTER TABLE t MODIFY a BIGINT");
  conn.execute("INSERT INTO t VALUES (4, -5, NULL)");
  conn.execute("ALTER TABLE t CHANGE a a2 BIGINT");
  conn.execute("INSERT INTO t VALUES (5, -9223372036854775808, NULL)");
  conn.execute("ALTER TABLE t RENAME COLUMN c TO c2");
  conn.execute("UPDATE t SET c2 = '2000-01-01' WHERE id = 5");
  conn.execute("RENAME TABLE t TO t_new");
  conn.execute("INSERT INTO t_new VALUES (6, 1, NULL)");
  conn.execute("TRUNCATE t_new");
  conn.execute("INSERT INTO t_new VALUES (7, 2, NULL)");
  conn.execute("CREATE TABLE t2 (k VARCHAR(5) PRIMARY KEY, n DECIMAL(5,2) UNSIGNED)");
  conn.execute("INSERT INTO t2 VALUES ('k', 1.25)");

  Recorder rec;
  ChangeReaderOptions options;
  options.in_scope = [](std::string_view db, std::string_view) { return db == "ob"; };
  std::vector<std::string> got;
  ReaderThread thread(config, history, rec, options, start);
  thread.wait_for([&] {
    std::lock_guard lock(rec.mutex);
    return rec.rows_seen >= 9;
  });
  thread.join();
  thread.rethrow();
  std::lock_guard lock(rec.mutex);
  for (const auto& t : rec.committed)
    for (const auto& c : t.changes)
      got.push_back(fmt::format("{} {} [{}] {} -> {}", c.table, change_op_name(c.op), fmt::join(c.columns, ","),
                                show(c.before), show(c.after)));
  std::vector<std::string> want = {
      "t INSERT [id,a,b] none -> 1|4294967295|x",
      "t INSERT [id,a,c,b] none -> 2|7|2026-01-02 03:04:05.678|y",
      "t INSERT [id,a,c] none -> 3|8|NULL",
      "t INSERT [id,a,c] none -> 4|-5|NULL",
      "t INSERT [id,a2,c] none -> 5|-9223372036854775808|NULL",
      "t UPDATE [id,a2,c2] 5|-9223372036854775808|NULL -> 5|-9223372036854775808|2000-01-01 00:00:00.000",
      "t_new INSERT [id,a2,c2] none -> 6|1|NULL",
      "t_new INSERT [id,a2,c2] none -> 7|2|NULL",
      "t2 INSERT [k,n] none -> k|1.25",
  };
  CHECK(got == want);
}

TEST_CASE("change reader: a restart from the checkpoint taken mid-transaction loses and splits nothing",
          "[change-reader]") {
  MariaDbServer& server = test::shared_mariadb();
  server.execute("DROP DATABASE IF EXISTS cr3");
  server.execute("CREATE DATABASE cr3");
  auto conn = server.connect("cr3");
  conn.execute("CREATE TABLE t (id INT PRIMARY KEY, txn INT)");
  SourceConfig config = config_for(server);
  SqlConnection sql(config, config.sql);
  BinlogPosition start = current_position(sql);
  SchemaHistory history;
  history.load_catalog(sql, start);
  for (int k = 0; k < 5; k++)
    conn.execute(fmt::format("INSERT INTO t SELECT seq + {}, {} FROM seq_1_to_500", k * 500, k));

  ChangeReaderOptions options;
  options.batch_rows = 100;
  options.in_scope = [](std::string_view db, std::string_view) { return db == "cr3"; };

  // First run: stops in the middle of the third transaction (after two of its batches).
  Recorder first;
  first.stop_when = [](const Recorder& r) { return r.committed.size() == 2 && r.rows_seen >= 1200; };
  BinlogPosition checkpoint;
  {
    ReaderThread thread(config, history, first, options, start);
    thread.wait_for([&] { return thread.done(); });
  }
  {
    std::lock_guard lock(first.mutex);
    REQUIRE(first.committed.size() == 2);
    CHECK(first.aborted == 1);  // the third was cut and never committed
    checkpoint = first.committed.back().info.end;
  }
  // Second run from the checkpoint, with a history rebuilt from the checkpoint's JSON.
  std::string error;
  auto restored = SchemaHistory::from_json(history.to_json(checkpoint), error);
  REQUIRE(restored);
  Recorder second;
  ReaderThread thread(config, *restored, second, options, checkpoint);
  thread.wait_for([&] { return second.committed_count() >= 3; });
  thread.join();
  std::lock_guard lock(second.mutex);
  REQUIRE(second.committed.size() == 3);
  std::vector<int> seen(2501, 0);
  for (const auto* rec : {&first, &second})
    for (const auto& t : rec->committed) {
      CHECK(t.changes.size() == 500);  // whole
      for (const auto& c : t.changes) seen[std::stoi(*(*c.after)[0])]++;
    }
  for (int id = 1; id <= 2500; id++) {
    INFO("id " << id);
    CHECK(seen[id] == 1);
  }
}

TEST_CASE("change reader: a source restart during the incremental sync: reconnects, nothing lost or doubled",
          "[change-reader]") {
  MariaDbServer server;
  server.execute("CREATE DATABASE rs");
  server.execute("CREATE TABLE rs.t (id INT PRIMARY KEY)");
  SourceConfig config = config_for(server);
  BinlogPosition start;
  SchemaHistory history;
  {
    SqlConnection sql(config, config.sql);
    start = current_position(sql);
    history.load_catalog(sql, start);
  }
  Recorder rec;
  ChangeReaderOptions options;
  options.in_scope = [](std::string_view db, std::string_view) { return db == "rs"; };
  ReaderThread thread(config, history, rec, options, start);
  for (int i = 1; i <= 3; i++) server.execute(fmt::format("INSERT INTO rs.t VALUES ({})", i));
  thread.wait_for([&] { return rec.committed_count() >= 3; });
  server.restart(std::chrono::milliseconds(1500));
  for (int i = 4; i <= 6; i++) server.execute(fmt::format("INSERT INTO rs.t VALUES ({})", i));
  thread.wait_for([&] { return rec.committed_count() >= 6; });
  thread.join();
  thread.rethrow();
  std::lock_guard lock(rec.mutex);
  std::vector<std::string> ids;
  for (const auto& t : rec.committed)
    for (const auto& c : t.changes) ids.push_back(*(*c.after)[0]);
  CHECK(ids == std::vector<std::string>{"1", "2", "3", "4", "5", "6"});
  CHECK(thread.reader().stats().reconnects >= 1);
  bool told = false;
  for (const auto& n : rec.notices) told = told || n.find("reconnecting") != std::string::npos;
  CHECK(told);
}

TEST_CASE("change reader: a one-million-row transaction streams through in bounded memory", "[change-reader]") {
  MariaDbServer& server = test::shared_mariadb();
  server.execute("DROP DATABASE IF EXISTS big");
  server.execute("CREATE DATABASE big");
  server.execute("CREATE TABLE big.t (id INT PRIMARY KEY, a BIGINT, b VARCHAR(20), c DOUBLE, d DATE, e INT, f "
                 "VARCHAR(8), g DECIMAL(10,2))");
  SourceConfig config = config_for(server);
  SqlConnection sql(config, config.sql);
  BinlogPosition start = current_position(sql);
  SchemaHistory history;
  history.load_catalog(sql, start);
  server.connect("big").execute("INSERT INTO big.t SELECT seq, seq * 7, CONCAT('row', seq), seq / 3, '2026-01-01' + INTERVAL (seq % "
                 "3650) DAY, seq % 1000, 'abc', seq / 100 FROM seq_1_to_1000000");

  long rss_before = peak_rss_kb();
  Recorder rec;
  rec.keep_values = false;
  ChangeReaderOptions options;
  options.in_scope = [](std::string_view db, std::string_view) { return db == "big"; };
  auto t0 = std::chrono::steady_clock::now();
  ReaderThread thread(config, history, rec, options, start);
  thread.wait_for([&] { return rec.committed_count() >= 1; }, std::chrono::seconds(300));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  thread.join();
  thread.rethrow();
  auto stats = thread.reader().stats();
  long rss_after = peak_rss_kb();
  std::lock_guard lock(rec.mutex);
  REQUIRE(rec.committed.size() == 1);
  CHECK(rec.committed[0].info.rows == 1000000);
  CHECK(rec.rows_seen == 1000000);
  CHECK(rec.committed[0].batches >= 1000000 / options.batch_rows);
  // The reader's own accounting: one batch at a time, whatever the transaction's size.
  CHECK(stats.peak_batch_bytes <= options.batch_bytes + (1u << 20));
  CHECK(stats.peak_event_bytes < (1u << 20));
  WARN(fmt::format("1M-row transaction: {:.2f} s ({:.0f} rows/s), peak batch {} KiB, peak event {} KiB, process "
                   "peak RSS {} MiB before, {} MiB after",
                   seconds, 1e6 / seconds, stats.peak_batch_bytes / 1024, stats.peak_event_bytes / 1024,
                   rss_before / 1024, rss_after / 1024));
  CHECK(rss_after - rss_before < 200 * 1024);  // far below the transaction's size (~100 MB of rows)
  server.execute("DROP DATABASE big");
}
