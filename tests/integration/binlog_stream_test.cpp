// The replication stream against a real server: register, dump by file position and by MariaDB
// GTID state, heartbeats, start positions from timestamps, and the errors users meet first.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "runtime/source/binlog_decoder.hpp"
#include "runtime/source/binlog_stream.hpp"
#include "runtime/source/sql_connection.hpp"
#include "tests/infra/mariadb_server.hpp"

using namespace obsync;
using namespace obsync::source;
using obsync::test::MariaDbServer;

namespace {

SourceConfig config_for(const MariaDbServer& server) {
  SourceConfig c;
  c.name = "test";
  c.kind = SourceKind::MariaDb;
  c.sql = Endpoint{server.host(), server.port()};
  c.binlog = c.sql;
  c.user = server.user();
  c.password = server.password();
  c.server_id = derive_server_id("binlog_stream_test");
  c.connect_timeout = std::chrono::seconds(5);
  c.read_timeout = std::chrono::seconds(10);
  c.heartbeat = std::chrono::seconds(1);
  return c;
}

struct SeenRow {
  std::string table;
  binlog::RowOp op;
  std::string first;  // the first column of the after (else before) image
};

// Reads the stream until `want` rows of `db` were seen or the (non-blocking) stream ends.
std::vector<SeenRow> read_rows(BinlogStream& stream, binlog::BinlogDecoder& decoder, const std::string& db,
                               size_t want, std::vector<std::string>* gtids = nullptr) {
  binlog::Event ev;
  binlog::RowChange rc;
  std::vector<SeenRow> out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (out.size() < want && std::chrono::steady_clock::now() < deadline) {
    RawEvent raw = stream.next();
    if (raw.bytes.empty()) break;
    if (raw.bytes[4] == binlog::event_type::kRotate) continue;
    if (raw.artificial && raw.bytes[4] != binlog::event_type::kFormatDescription &&
        raw.bytes[4] != binlog::event_type::kHeartbeat)
      continue;
    bool ok = decoder.decode_event(raw.bytes, raw.position, ev);
    INFO(decoder.error().message);
    REQUIRE(ok);
    if (ev.kind == binlog::EventKind::Gtid && gtids) gtids->push_back(ev.gtid.to_string());
    if (ev.kind != binlog::EventKind::Rows || ev.table->db != db) continue;
    while (decoder.next_row(rc)) {
      const auto& image = rc.has_after ? rc.after : rc.before;
      out.push_back({ev.table->table, rc.op, render_value(image.values[0], ev.table->columns[0].sql_type)});
    }
    REQUIRE_FALSE(decoder.failed());
  }
  return out;
}

StartPosition at(const BinlogPosition& p) {
  StartPosition s;
  s.kind = StartPosition::Kind::FilePosition;
  s.position = p;
  return s;
}

}  // namespace

TEST_CASE("binlog stream: dump from a file position delivers the rows written after it", "[binlog-stream]") {
  MariaDbServer& server = test::shared_mariadb();
  server.execute("CREATE DATABASE IF NOT EXISTS stream1");
  server.execute("CREATE TABLE IF NOT EXISTS stream1.t (id INT PRIMARY KEY, v VARCHAR(10))");
  SourceConfig config = config_for(server);
  SqlConnection sql(config, config.sql);
  BinlogPosition start = current_position(sql);
  CHECK_FALSE(start.file.empty());
  CHECK_FALSE(start.gtid_set.empty());  // MariaDB always has a GTID state once anything was logged
  CHECK(start.mariadb_gtid);

  auto conn = server.connect("stream1");
  conn.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  conn.execute("UPDATE t SET v = 'c' WHERE id = 2");
  conn.execute("DELETE FROM t WHERE id = 1");

  BinlogStream stream(config, at(start));
  stream.set_non_blocking(true);
  stream.open();
  CHECK(stream.checksums());
  binlog::BinlogDecoder decoder(start.file);
  auto rows = read_rows(stream, decoder, "stream1", 100);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].op == binlog::RowOp::Insert);
  CHECK(rows[0].first == "1");
  CHECK(rows[1].first == "2");
  CHECK(rows[2].op == binlog::RowOp::Update);
  CHECK(rows[3].op == binlog::RowOp::Delete);
  CHECK(rows[3].first == "1");
  conn.execute("DROP TABLE t");
}

TEST_CASE("binlog stream: a blocking stream waits for new rows and sends heartbeats while idle",
          "[binlog-stream]") {
  MariaDbServer& server = test::shared_mariadb();
  server.execute("CREATE DATABASE IF NOT EXISTS stream2");
  server.execute("CREATE TABLE IF NOT EXISTS stream2.t (id INT PRIMARY KEY)");
  SourceConfig config = config_for(server);
  SqlConnection sql(config, config.sql);
  BinlogStream stream(config, at(current_position(sql)));
  stream.open();
  binlog::BinlogDecoder decoder("stream");
  binlog::Event ev;
  // Idle: a heartbeat within a few periods, with the server's current file.
  bool heartbeat = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(8);
  while (!heartbeat && std::chrono::steady_clock::now() < deadline) {
    RawEvent raw = stream.next();
    if (raw.bytes[4] == binlog::event_type::kRotate) continue;
    bool ok = decoder.decode_event(raw.bytes, raw.position, ev);
    INFO(decoder.error().message);
    REQUIRE(ok);
    heartbeat = ev.kind == binlog::EventKind::Heartbeat;
    if (heartbeat) {
      CHECK(raw.artificial);
      CHECK(std::string(ev.text) == raw.file);  // the server's current file
    }
  }
  CHECK(heartbeat);
  struct Joiner {
    std::thread t;
    ~Joiner() { t.join(); }
  } writer{std::thread([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    server.connect("stream2").execute("INSERT INTO t VALUES (7)");
  })};
  auto rows = read_rows(stream, decoder, "stream2", 1);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].first == "7");
  server.execute("DROP TABLE stream2.t");
}

TEST_CASE("binlog stream: dump from a MariaDB GTID state starts after that transaction", "[binlog-stream]") {
  MariaDbServer& server = test::shared_mariadb();
  server.execute("CREATE DATABASE IF NOT EXISTS stream3");
  server.execute("CREATE TABLE IF NOT EXISTS stream3.t (id INT PRIMARY KEY)");
  auto conn = server.connect("stream3");
  conn.execute("INSERT INTO t VALUES (1)");
  std::string state = *conn.scalar("SELECT @@global.gtid_binlog_pos");
  conn.execute("INSERT INTO t VALUES (2)");
  conn.execute("INSERT INTO t VALUES (3)");

  SourceConfig config = config_for(server);
  std::string error;
  auto start = parse_start_position(state, error);
  REQUIRE(start);
  REQUIRE(start->kind == StartPosition::Kind::MariaDbGtid);
  BinlogStream stream(config, *start);
  stream.set_non_blocking(true);
  stream.open();
  std::vector<std::string> gtids;
  binlog::BinlogDecoder decoder("stream");
  auto rows = read_rows(stream, decoder, "stream3", 100, &gtids);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].first == "2");
  CHECK(rows[1].first == "3");
  REQUIRE_FALSE(gtids.empty());
  CHECK(gtids.front() != state);  // the transaction of the state itself is not sent again
  server.execute("DROP TABLE stream3.t");
}

TEST_CASE("binlog stream: a timestamp resolves to the first transaction committed at or after it",
          "[binlog-stream]") {
  MariaDbServer& server = test::shared_mariadb();
  server.execute("CREATE DATABASE IF NOT EXISTS stream4");
  server.execute("CREATE TABLE IF NOT EXISTS stream4.t (id INT PRIMARY KEY)");
  auto conn = server.connect("stream4");
  conn.execute("INSERT INTO t VALUES (1)");
  server.execute("FLUSH BINARY LOGS");  // the search must cross files
  conn.execute("INSERT INTO t VALUES (2)");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  std::string now = *conn.scalar("SELECT UNIX_TIMESTAMP()");
  conn.execute("INSERT INTO t VALUES (3)");
  server.execute("FLUSH BINARY LOGS");
  conn.execute("INSERT INTO t VALUES (4)");

  SourceConfig config = config_for(server);
  SqlConnection sql(config, config.sql);
  StartPosition ts;
  ts.kind = StartPosition::Kind::Timestamp;
  ts.timestamp = std::stoll(now);
  StartPosition resolved = resolve_start(config, sql, ts);
  REQUIRE(resolved.kind == StartPosition::Kind::FilePosition);
  BinlogStream stream(config, resolved);
  stream.set_non_blocking(true);
  stream.open();
  binlog::BinlogDecoder decoder(resolved.position.file);
  auto rows = read_rows(stream, decoder, "stream4", 100);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].first == "3");
  CHECK(rows[1].first == "4");

  // A time after everything: the current end.
  ts.timestamp = std::stoll(now) + 3600;
  StartPosition future = resolve_start(config, sql, ts);
  CHECK(compare_positions(future.position, current_position(sql)) == 0);
  server.execute("DROP TABLE stream4.t");
}

TEST_CASE("binlog stream: errors name the server and user, never the password, and say whether to retry",
          "[binlog-stream]") {
  MariaDbServer& server = test::shared_mariadb();
  SourceConfig config = config_for(server);

  SECTION("a purged or unknown file") {
    StartPosition p;
    p.kind = StartPosition::Kind::FilePosition;
    p.position.file = "no-such-bin.000042";
    p.position.offset = 4;
    BinlogStream stream(config, p);
    try {
      stream.open();
      stream.next();
      FAIL("expected a SourceError");
    } catch (const SourceError& e) {
      CHECK_FALSE(e.retryable());
      CHECK_THAT(e.what(), Catch::Contains("no-such-bin.000042"));
      CHECK_THAT(e.what(), Catch::Contains("SHOW BINARY LOGS"));
    }
  }
  SECTION("a wrong password") {
    config.password = "wrong-Secret-123";
    BinlogStream stream(config, at(BinlogPosition{"x.000001", 4, {}, false}));
    try {
      stream.open();
      FAIL("expected a SourceError");
    } catch (const SourceError& e) {
      CHECK_FALSE(e.retryable());
      CHECK_THAT(e.what(), Catch::Contains(fmt::format("{}@127.0.0.1:{}", server.user(), server.port())));
      CHECK_THAT(e.what(), !Catch::Contains("wrong-Secret-123"));
      CHECK_THAT(e.what(), Catch::Contains("password"));
    }
  }
  SECTION("nobody listening") {
    config.binlog.port = test::find_free_port();
    BinlogStream stream(config, at(BinlogPosition{"x.000001", 4, {}, false}));
    try {
      stream.open();
      FAIL("expected a SourceError");
    } catch (const SourceError& e) {
      CHECK(e.retryable());
      CHECK_THAT(e.what(), Catch::Contains(fmt::format("127.0.0.1:{}", config.binlog.port)));
    }
  }
}
