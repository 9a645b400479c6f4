// The transaction assembler over binlogs laid out as OceanBase's Binlog Service writes them (a
// TABLE_MAP and a one-row rows event per row, no column names): batches by row count whatever
// the event size, whole transactions, positions, GTID sets, DDL, and the schema check.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "runtime/source/binlog_builder.hpp"
#include "runtime/source/change_reader.hpp"
#include "runtime/source/schema_history.hpp"
#include "runtime/source/sql_connection.hpp"

using namespace obsync;
using namespace obsync::source;
using namespace obsync::binlog;

namespace {

const uint8_t kSid[16] = {0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1, 0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62};

// orders(id BIGINT UNSIGNED, note VARCHAR(20)): what the catalog says, the binlog does not.
TableSchema orders_schema() {
  std::string error;
  auto cols = parse_column_definitions("id BIGINT UNSIGNED NOT NULL, note VARCHAR(20)", error);
  REQUIRE(cols);
  TableSchema t;
  t.name = "orders";
  t.columns = *cols;
  t.primary_key = {"id"};
  return t;
}

std::vector<BuildColumn> orders_columns() {
  return {{column_type::kLongLong, "", false}, {column_type::kVarChar, std::string("\x50\x00", 2)}};
}

std::string orders_row(uint64_t id, std::string_view note) {
  std::string r(1, '\0');  // null bitmap
  put_le(r, id, 8);
  r.push_back(static_cast<char>(note.size()));
  r += note;
  return r;
}

struct Seen {
  std::vector<std::string> events;  // "begin 1", "rows orders 1000", "ddl …", "commit 1 rows=…"
  std::vector<TransactionInfo> commits;
  std::vector<std::string> first_values;
  size_t aborts = 0;
};

class Collector : public ChangeConsumer {
 public:
  explicit Collector(Seen& seen) : seen_(seen) {}
  void begin(const TransactionInfo& txn) override { seen_.events.push_back(fmt::format("begin {}", txn.sequence)); }
  void rows(const TransactionInfo&, RowBatch& batch) override {
    seen_.events.push_back(fmt::format("rows {} {}", batch.table, batch.size()));
    std::vector<Value> values;
    batch.row_values(0, false, values);
    seen_.first_values.push_back(render_value(values[0], batch.after[0].type()));
  }
  void ddl(const TransactionInfo&, std::string_view, std::string_view sql, const DdlOutcome&) override {
    seen_.events.push_back(fmt::format("ddl {}", sql));
  }
  void commit(const TransactionInfo& txn) override {
    seen_.events.push_back(fmt::format("commit {} rows={}", txn.sequence, txn.rows));
    seen_.commits.push_back(txn);
  }
  void abort(const TransactionInfo&) override { seen_.aborts++; }

 private:
  Seen& seen_;
};

void feed(TransactionAssembler& a, std::span<const uint8_t> bytes, const std::string& file) {
  BinlogDecoder decoder(file, a.decoder_options());
  decoder.reset(bytes);
  Event ev;
  while (decoder.next(ev)) a.on_event(decoder, ev, file);
  INFO(decoder.error().message);
  REQUIRE_FALSE(decoder.failed());
}

}  // namespace

TEST_CASE("assembler: one-row events batch by row count — transactions whole with positions and GTID sets",
          "[assembler]") {
  BinlogBuilder b;
  b.gtid(kSid, 7, 1700000000123456);
  uint64_t begin1 = b.size() - 0;  // the GTID event's position is the previous end
  (void)begin1;
  b.query("shop", "BEGIN");
  for (uint64_t i = 1; i <= 2500; i++) {
    b.table_map(42, "shop", "orders", orders_columns());
    b.rows(event_type::kWriteRowsV2, 42, 2, orders_row(i == 1 ? 18446744073709551615ull : i, "n"));
  }
  b.xid(1);
  uint64_t end1 = b.size();
  b.gtid(kSid, 8);
  b.query("shop", "ALTER TABLE orders ADD COLUMN extra INT");
  uint64_t end2 = b.size();
  b.gtid(kSid, 9);
  b.query("shop", "BEGIN");
  b.table_map(43, "shop", "orders", {orders_columns()[0], orders_columns()[1], {column_type::kLong, ""}});
  std::string row = orders_row(5, "x");
  put_le(row, 77, 4);
  b.rows(event_type::kWriteRowsV2, 43, 3, row);
  b.xid(2);

  SchemaHistory history;
  history.set_table("shop", "orders", orders_schema(), BinlogPosition{"ob.000001", 4, {}, false});
  Seen seen;
  Collector collector(seen);
  ChangeReaderOptions options;
  options.batch_rows = 1000;
  TransactionAssembler a(history, collector, options);
  a.set_gtid_set("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-6", false);
  feed(a, b.span(), "ob.000001");

  std::vector<std::string> want = {"begin 1",
                                   "rows orders 1000",
                                   "rows orders 1000",
                                   "rows orders 500",
                                   "commit 1 rows=2500",
                                   "begin 2",
                                   "ddl ALTER TABLE orders ADD COLUMN extra INT",
                                   "commit 2 rows=0",
                                   "begin 3",
                                   "rows orders 1",
                                   "commit 3 rows=1"};
  CHECK(seen.events == want);
  REQUIRE(seen.commits.size() == 3);
  CHECK(seen.first_values[0] == "18446744073709551615");  // unsigned from the schema, not the binlog
  CHECK(seen.commits[0].end.file == "ob.000001");
  CHECK(seen.commits[0].end.offset == end1);
  CHECK(seen.commits[1].end.offset == end2);
  CHECK(seen.commits[0].gtid == "3e11fa47-71ca-11e1-9e33-c80aa9429562:7");
  CHECK(seen.commits[0].commit_ts_us == 1700000000123456);
  CHECK(seen.commits[0].end.gtid_set == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-7");
  CHECK(seen.commits[2].end.gtid_set == "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9");
  CHECK(compare_positions(a.resume_position(), seen.commits[2].end) == 0);
  CHECK(a.stats().rows == 2501);
  CHECK(a.stats().transactions == 3);
  // The DDL went into the history: the third transaction decoded with three columns.
  REQUIRE(history.find("shop", "orders"));
  CHECK(history.find("shop", "orders")->columns.size() == 3);
}

TEST_CASE("assembler: a TABLE_MAP that disagrees with the schema stops with both column lists", "[assembler]") {
  BinlogBuilder b;
  b.gtid(kSid, 1);
  b.query("shop", "BEGIN");
  uint64_t map_pos = b.table_map(42, "shop", "orders",
                                 {{column_type::kLongLong, "", false}, {column_type::kLong, ""}});
  b.rows(event_type::kWriteRowsV2, 42, 2, std::string("\0\1\0\0\0\0\0\0\0\2\0\0\0", 13));
  b.xid(1);
  SchemaHistory history;
  history.set_table("shop", "orders", orders_schema(), BinlogPosition{"ob.000001", 4, {}, false});
  Seen seen;
  Collector collector(seen);
  TransactionAssembler a(history, collector, {});
  BinlogDecoder decoder("ob.000001", a.decoder_options());
  decoder.reset(b.span());
  Event ev;
  bool stopped = false;
  while (decoder.next(ev)) a.on_event(decoder, ev, "ob.000001");
  if (decoder.failed()) {
    stopped = true;
    const std::string& m = decoder.error().message;
    CHECK_THAT(m, Catch::Contains("`shop`.`orders`"));
    CHECK_THAT(m, Catch::Contains(fmt::format("ob.000001:{}", map_pos)));
    CHECK_THAT(m, Catch::Contains("note"));  // the schema's column list
    CHECK_THAT(m, Catch::Contains("LONG"));  // the binlog's
  }
  CHECK(stopped);
  CHECK(seen.commits.empty());
}

TEST_CASE("assembler: rows of an in-scope table with no known columns are refused, not guessed", "[assembler]") {
  BinlogBuilder b;
  b.gtid(kSid, 1);
  b.query("shop", "BEGIN");
  uint64_t map_pos = b.table_map(42, "shop", "unknown", orders_columns());
  uint64_t rows_pos = b.rows(event_type::kWriteRowsV2, 42, 2, orders_row(1, "a"));
  (void)map_pos;
  b.xid(1);
  SchemaHistory history;
  Seen seen;
  Collector collector(seen);
  TransactionAssembler a(history, collector, {});
  try {
    feed(a, b.span(), "ob.000001");
    FAIL("expected a SourceError");
  } catch (const SourceError& e) {
    CHECK_FALSE(e.retryable());
    CHECK_THAT(e.what(), Catch::Contains("`shop`.`unknown`"));
    CHECK_THAT(e.what(), Catch::Contains(fmt::format("ob.000001:{}", rows_pos)));
    CHECK_THAT(e.what(), Catch::Contains("MINIMAL"));
  }
  // Out of scope, the same table is skipped without decoding.
  ChangeReaderOptions options;
  options.in_scope = [](std::string_view, std::string_view t) { return t != "unknown"; };
  Seen seen2;
  Collector collector2(seen2);
  TransactionAssembler a2(history, collector2, options);
  feed(a2, b.span(), "ob.000001");
  CHECK(seen2.events == std::vector<std::string>{"begin 1", "commit 1 rows=0"});
}

TEST_CASE("read_binlog_files: a transaction cut off at the end of the last file is aborted, not delivered",
          "[assembler]") {
  BinlogBuilder b;
  b.gtid(kSid, 1);
  b.query("shop", "BEGIN");
  b.table_map(42, "shop", "orders", orders_columns());
  b.rows(event_type::kWriteRowsV2, 42, 2, orders_row(1, "a"));
  b.xid(1);
  b.gtid(kSid, 2);
  b.query("shop", "BEGIN");
  b.table_map(42, "shop", "orders", orders_columns());
  b.rows(event_type::kWriteRowsV2, 42, 2, orders_row(2, "b"));
  auto path = std::filesystem::temp_directory_path() / fmt::format("obsync-assembler-{}.000001", ::getpid());
  std::ofstream(path, std::ios::binary) << b.bytes();
  SchemaHistory history;
  history.set_table("shop", "orders", orders_schema(), BinlogPosition{"x", 4, {}, false});
  Seen seen;
  Collector collector(seen);
  read_binlog_files({path.string()}, history, collector);
  std::filesystem::remove(path);
  CHECK(seen.commits.size() == 1);
  CHECK(seen.aborts == 1);
}

TEST_CASE("assembler: a table renamed out of the script's scope stops, one renamed into it starts — both logged",
          "[assembler]") {
  BinlogBuilder b;
  b.gtid(kSid, 1);
  b.query("shop", "RENAME TABLE orders TO orders_old, staging TO orders");
  b.gtid(kSid, 2);
  b.query("shop", "BEGIN");
  b.table_map(42, "shop", "orders", orders_columns());
  b.rows(event_type::kWriteRowsV2, 42, 2, orders_row(1, "new"));
  b.table_map(43, "shop", "orders_old", orders_columns());
  b.rows(event_type::kWriteRowsV2, 43, 2, orders_row(2, "old"));
  b.xid(1);
  SchemaHistory history;
  BinlogPosition start{"ob.000001", 4, {}, false};
  history.set_table("shop", "orders", orders_schema(), start);
  TableSchema staging = orders_schema();
  staging.name = "staging";
  history.set_table("shop", "staging", staging, start);
  struct Notes : Collector {
    using Collector::Collector;
    std::vector<std::string> notes;
    void notice(std::string_view m) override { notes.emplace_back(m); }
  };
  Seen seen;
  Notes collector(seen);
  ChangeReaderOptions options;
  options.in_scope = [](std::string_view db, std::string_view t) { return db == "shop" && t == "orders"; };
  TransactionAssembler a(history, collector, options);
  feed(a, b.span(), "ob.000001");
  std::string all;
  for (const auto& n : collector.notes) all += n + "\n";
  INFO(all);
  CHECK_THAT(all, Catch::Contains("table shop.orders renamed to shop.orders_old: out of the script's scope"));
  CHECK_THAT(all, Catch::Contains("table shop.staging renamed to shop.orders: now in the script's scope"));
  // Only the table now named orders is delivered.
  CHECK(seen.events == std::vector<std::string>{"begin 1", "ddl RENAME TABLE orders TO orders_old, staging TO orders",
                                                "commit 1 rows=0", "begin 2", "rows orders 1", "commit 2 rows=1"});
}
