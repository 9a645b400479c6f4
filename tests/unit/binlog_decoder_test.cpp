// The binlog decoder over binlogs built in memory: framing, checksums, each event kind, rows
// v1/v2, optional metadata, schema checks, TRANSACTION_PAYLOAD, and errors naming file:position.
#include "runtime/source/binlog_decoder.hpp"

#include <zstd.h>

#include <catch2/catch.hpp>
#include <string>

#include "runtime/source/binlog_builder.hpp"

using namespace obsync;
using namespace obsync::binlog;
using namespace obsync::binlog::column_type;
namespace et = obsync::binlog::event_type;

namespace {

const uint8_t kSid[16] = {0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1, 0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95, 0x62};

std::string b(std::initializer_list<int> xs) {
  std::string s;
  for (int x : xs) s.push_back(static_cast<char>(x));
  return s;
}

// A table (id INT, name VARCHAR(20), amount DECIMAL(10,2) NULL).
std::vector<BuildColumn> three_columns() {
  return {{kLong, "", false}, {kVarChar, b({80, 0}), true}, {kNewDecimal, b({10, 2}), true}};
}
// One row image of three_columns(): null bitmap, then the non-null values.
std::string row(int32_t id, std::string_view name, bool amount_null = false) {
  std::string r;
  r.push_back(amount_null ? 0x04 : 0x00);
  put_le(r, static_cast<uint32_t>(id), 4);
  r.push_back(static_cast<char>(name.size()));
  r += name;
  if (!amount_null) r += b({0x80, 0, 0, 0x0c, 0x22});  // 12.34
  return r;
}

struct Decoded {
  std::unique_ptr<BinlogDecoder> decoder;  // owns the tables the events point to
  std::vector<Event> events;
  std::vector<std::string> rows;  // "OP before|after" with values joined by ','
  std::string error;
};

std::string show(const RowImage& img, const TableMap& t) {
  std::string s;
  for (size_t i = 0; i < img.values.size(); i++) {
    if (i) s += ',';
    s += img.values[i].is_null() ? "NULL" : render_value(img.values[i], t.columns[i].sql_type);
  }
  return s;
}

Decoded decode_all(std::span<const uint8_t> bytes, DecoderOptions options = {}) {
  Decoded d;
  d.decoder = std::make_unique<BinlogDecoder>("test.000001", std::move(options));
  BinlogDecoder& dec = *d.decoder;
  dec.reset(bytes);
  Event ev;
  RowChange rc;
  while (dec.next(ev)) {
    d.events.push_back(ev);
    if (ev.kind != EventKind::Rows) continue;
    while (dec.next_row(rc)) {
      std::string s(row_op_name(rc.op));
      s += ' ';
      s += rc.has_before ? show(rc.before, *rc.table) : "-";
      s += '|';
      s += rc.has_after ? show(rc.after, *rc.table) : "-";
      d.rows.push_back(s);
    }
  }
  d.error = dec.error().message;
  return d;
}

std::span<const uint8_t> span_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

TEST_CASE("binlog framing: header, CRC32, FORMAT_DESCRIPTION", "[binlog]") {
  CHECK(crc32(span_of("123456789")) == 0xCBF43926u);  // the CRC-32 check value
  BinlogBuilder bl;
  FormatDescription fd;
  std::string why;
  std::string fde = bl.bytes().substr(4);
  REQUIRE(parse_format_description(span_of(fde), fd, why));
  CHECK(fd.server_version == "5.7.38");
  CHECK(fd.checksum == ChecksumAlg::Crc32);
  CHECK(fd.post_header(et::kWriteRowsV2) == 10);
  CHECK(fd.post_header(et::kTableMap) == 8);
  CHECK(fd.post_header(et::kQuery) == 13);
  EventHeader h;
  REQUIRE(parse_header(span_of(fde), h));
  CHECK(h.type == et::kFormatDescription);
  CHECK(h.event_size == fde.size());
  CHECK(h.next_position == 4 + fde.size());
  fde[30] ^= 1;
  CHECK_FALSE(parse_format_description(span_of(fde), fd, why));
  CHECK(why.find("CRC32") != std::string::npos);
}

TEST_CASE("binlog decoder: an OceanBase-style transaction, v2 rows, one row per event", "[binlog]") {
  for (auto checksum : {ChecksumAlg::Crc32, ChecksumAlg::Off}) {
    BinlogBuilder bl(checksum);
    bl.gtid(kSid, 23, 1700000000123456);
    bl.query("shop", "BEGIN");
    bl.table_map(7, "shop", "orders", three_columns());
    uint64_t p1 = bl.rows(et::kWriteRowsV2, 7, 3, row(1, "ab"));
    bl.table_map(7, "shop", "orders", three_columns());
    bl.rows(et::kUpdateRowsV2, 7, 3, row(1, "ab") + row(1, "", true));
    bl.table_map(7, "shop", "orders", three_columns());
    bl.rows(et::kDeleteRowsV2, 7, 3, row(-5, "x"));
    bl.xid(99);
    bl.rotate("test.000002");
    auto d = decode_all(bl.span());
    INFO(d.error);
    REQUIRE(d.error.empty());
    REQUIRE(d.events.size() == 11);
    CHECK(d.events[0].kind == EventKind::FormatDescription);
    CHECK(d.events[1].kind == EventKind::Gtid);
    CHECK(d.events[1].gtid.to_string() == "3e11fa47-71ca-11e1-9e33-c80aa9429562:23");
    CHECK(d.events[1].gtid.immediate_commit_us == 1700000000123456u);
    CHECK(d.events[2].kind == EventKind::Query);
    CHECK(d.events[2].db == "shop");
    CHECK(d.events[2].text == "BEGIN");
    CHECK(d.events[3].kind == EventKind::TableMap);
    CHECK(d.events[3].table->table == "orders");
    CHECK(d.events[4].kind == EventKind::Rows);
    CHECK(d.events[4].position == p1);
    CHECK(d.events[4].table == d.events[6].table);  // the repeated TABLE_MAP is the same table
    CHECK(d.events[9].kind == EventKind::Xid);
    CHECK(d.events[9].xid == 99);
    CHECK(d.events[10].kind == EventKind::Rotate);
    CHECK(d.events[10].text == "test.000002");
    CHECK(d.events[10].rotate_position == 4);
    CHECK(d.rows == std::vector<std::string>{"INSERT -|1,ab,12.34", "UPDATE 1,ab,12.34|1,,NULL",
                                             "DELETE -5,x,12.34|-"});
  }
}

TEST_CASE("binlog decoder: v1 rows and MariaDB events", "[binlog]") {
  BinlogBuilder bl(ChecksumAlg::Crc32, "10.11.6-MariaDB-log");
  std::string gl;
  put_le(gl, 1, 4);
  put_le(gl, 0, 4);
  put_le(gl, 1, 4);
  put_le(gl, 41, 8);
  bl.add(et::kMariaGtidList, gl);
  std::string cp;
  put_le(cp, 11, 4);
  cp += "test.000001";
  bl.add(et::kMariaBinlogCheckpoint, cp);
  std::string g;
  put_le(g, 42, 8);
  put_le(g, 0, 4);
  g.push_back(0);
  bl.add(et::kMariaGtid, g);
  bl.add(et::kMariaAnnotateRows, "INSERT INTO t VALUES (1,'a',NULL)");
  bl.table_map(9, "d", "t", three_columns());
  bl.rows(et::kWriteRowsV1, 9, 3, row(1, "a", true) + row(2, "b"));
  bl.rows(et::kUpdateRowsV1, 9, 3, row(1, "a", true) + row(1, "c", true));
  bl.rows(et::kDeleteRowsV1, 9, 3, row(2, "b"));
  bl.add(et::kHeartbeat, "test.000001");
  bl.add(200, "an event type nobody knows");
  auto d = decode_all(bl.span());
  INFO(d.error);
  REQUIRE(d.error.empty());
  CHECK(d.events[1].kind == EventKind::GtidList);
  INFO(d.events[1].text);
  CHECK(d.events[1].text == "0-1-41");
  CHECK(d.events[2].kind == EventKind::BinlogCheckpoint);
  CHECK(d.events[2].text == "test.000001");
  CHECK(d.events[3].kind == EventKind::Gtid);
  CHECK(d.events[3].gtid.to_string() == "0-1-42");
  CHECK(d.events[4].kind == EventKind::AnnotateRows);
  CHECK(d.events[9].kind == EventKind::Heartbeat);
  CHECK(d.events[10].kind == EventKind::Skipped);
  CHECK(d.rows == std::vector<std::string>{"INSERT -|1,a,NULL", "INSERT -|2,b,12.34", "UPDATE 1,a,NULL|1,c,NULL",
                                           "DELETE 2,b,12.34|-"});
}

TEST_CASE("binlog decoder: errors name the file and the position", "[binlog]") {
  SECTION("checksum mismatch") {
    BinlogBuilder bl;
    uint64_t pos = bl.query("db", "BEGIN");
    std::string bytes = bl.bytes();
    bytes[pos + 25] ^= 0x20;
    auto d = decode_all(span_of(bytes));
    CHECK(d.error.starts_with("CRC32 checksum mismatch in QUERY_EVENT at test.000001:" + std::to_string(pos) + ":"));
  }
  SECTION("no magic") {
    auto d = decode_all(span_of(std::string("hello world")));
    CHECK(d.error.find("test.000001 is not a binlog file") != std::string::npos);
  }
  SECTION("file ends inside an event") {
    BinlogBuilder bl;
    uint64_t pos = bl.query("db", "BEGIN");
    std::string bytes = bl.bytes().substr(0, bl.size() - 3);
    auto d = decode_all(span_of(bytes));
    CHECK(d.error.starts_with("truncated event at test.000001:" + std::to_string(pos)));
  }
  SECTION("PARTIAL_UPDATE_ROWS") {
    BinlogBuilder bl;
    bl.table_map(7, "shop", "orders", three_columns());
    uint64_t pos = bl.add(et::kPartialUpdateRows, BinlogBuilder::rows_body(et::kUpdateRowsV2, 7, 3, "", 1));
    auto d = decode_all(bl.span());
    CHECK(d.error == "cannot decode PARTIAL_UPDATE_ROWS_EVENT at test.000001:" + std::to_string(pos) +
                         ": binlog_row_value_options=PARTIAL_JSON is not supported; set it to ''");
  }
  SECTION("rows without a TABLE_MAP") {
    BinlogBuilder bl;
    uint64_t pos = bl.rows(et::kWriteRowsV2, 7, 3, row(1, "a"));
    auto d = decode_all(bl.span());
    CHECK(d.error == "cannot decode WRITE_ROWS_EVENT at test.000001:" + std::to_string(pos) +
                         ": table id 7 has no TABLE_MAP_EVENT before it");
  }
  SECTION("a row image cut short inside a value") {
    BinlogBuilder bl;
    bl.table_map(7, "shop", "orders", three_columns());
    std::string r = row(1, "abc");
    uint64_t pos = bl.rows(et::kWriteRowsV2, 7, 3, r.substr(0, 7));
    auto d = decode_all(bl.span());
    CHECK(d.error == "cannot decode WRITE_ROWS_EVENT at test.000001:" + std::to_string(pos) +
                         ": column 2 of `shop`.`orders` (VARCHAR meta=80): row image ends inside a value");
  }
  SECTION("every truncation of a rows event is an error, never a crash") {
    BinlogBuilder bl(ChecksumAlg::Off);
    bl.table_map(7, "shop", "orders", three_columns());
    std::string body = BinlogBuilder::rows_body(et::kUpdateRowsV2, 7, 3, row(1, "ab") + row(2, "cd"), 1);
    for (size_t n = 0; n < body.size(); n++) {
      BinlogBuilder cut = bl;
      cut.add(et::kUpdateRowsV2, body.substr(0, n));
      auto d = decode_all(cut.span());
      CHECK(d.rows.empty());
      // Cut right after the column bitmaps (13 bytes), the event is whole but holds no rows.
      if (n != 13) CHECK(!d.error.empty());
    }
  }
}

TEST_CASE("binlog decoder: optional metadata gives names, signedness, labels and keys", "[binlog]") {
  // (id INT UNSIGNED, e ENUM('x','y'), s VARCHAR(10) utf8mb4_bin) PRIMARY KEY (id)
  std::vector<BuildColumn> cols = {{kLong, "", false}, {kString, b({kEnum, 1})}, {kVarChar, b({40, 0})}};
  std::string opt;
  opt += b({1, 1, 0x80});  // SIGNEDNESS: the first numeric column is unsigned
  opt += b({4, 7, 2, 'i', 'd', 1, 'e', 1, 's'});  // COLUMN_NAME
  opt += b({6, 5, 2, 1, 'x', 1, 'y'});  // ENUM_STR_VALUE
  opt += b({3, 1, 46});  // COLUMN_CHARSET: utf8mb4_bin
  opt += b({8, 1, 0});  // SIMPLE_PRIMARY_KEY
  BinlogBuilder bl;
  bl.table_map(3, "d", "t", cols, opt);
  std::string r = b({0});
  put_le(r, 0xffffffff, 4);
  r += b({2, 2, 'h', 'i'});
  bl.rows(et::kWriteRowsV2, 3, 3, r);
  auto d = decode_all(bl.span());
  INFO(d.error);
  REQUIRE(d.error.empty());
  const TableMap* t = d.events[1].table;
  REQUIRE(t);
  CHECK(t->has_names);
  CHECK(t->columns[0].name == "id");
  CHECK(t->columns[2].name == "s");
  CHECK(t->columns[2].collation_id == 46);
  CHECK(t->primary_key == std::vector<uint32_t>{0});
  CHECK(d.rows == std::vector<std::string>{"INSERT -|4294967295,y,hi"});
}

TEST_CASE("binlog decoder: the schema names columns and is checked against TABLE_MAP", "[binlog]") {
  std::string err;
  auto cols = parse_column_definitions(
      "id INT UNSIGNED NOT NULL, name VARCHAR(20), amount DECIMAL(10,2)", err);
  REQUIRE(cols);
  TableSchema ts;
  ts.name = "orders";
  ts.columns = *cols;
  DecoderOptions opts;
  opts.lookup_table = [&](std::string_view, std::string_view table) { return table == "orders" ? &ts : nullptr; };
  BinlogBuilder bl;
  bl.table_map(7, "shop", "orders", three_columns());
  bl.rows(et::kWriteRowsV2, 7, 3, row(-1, "a"));
  auto d = decode_all(bl.span(), opts);
  INFO(d.error);
  REQUIRE(d.error.empty());
  CHECK(d.events[1].table->has_names);
  CHECK(d.events[1].table->columns[1].name == "name");
  CHECK(d.rows == std::vector<std::string>{"INSERT -|4294967295,a,12.34"});

  SECTION("a column count that differs stops with both lists") {
    ts.columns.pop_back();
    auto d2 = decode_all(bl.span(), opts);
    CHECK(d2.error.starts_with("table `shop`.`orders` at test.000001:"));
    CHECK(d2.error.find("has 3 columns in the binlog (LONG, VARCHAR, NEWDECIMAL) but 2 in the schema") !=
          std::string::npos);
  }
  SECTION("a type that differs stops") {
    ts.columns[2] = (*parse_column_definitions("amount DOUBLE", err))[0];
    auto d2 = decode_all(bl.span(), opts);
    INFO(d2.error);
    CHECK(d2.error.find("column 3 is NEWDECIMAL in the binlog but `amount` DOUBLE in the schema; binlog columns: (LONG, VARCHAR, NEWDECIMAL)") !=
          std::string::npos);
  }
}

TEST_CASE("binlog decoder: TRANSACTION_PAYLOAD (zstd) yields its inner events", "[binlog]") {
  // Inner events carry no checksum and log_pos 0, as MySQL 8 writes them.
  std::string inner;
  auto add_inner = [&](uint8_t type, const std::string& body) { inner += make_event(type, 1700000001, body, 0, false); };
  std::string q;
  put_le(q, 1, 4);
  put_le(q, 0, 4);
  q.push_back(2);
  put_le(q, 0, 2);
  put_le(q, 0, 2);
  q += std::string("db", 2) + '\0' + "BEGIN";
  add_inner(et::kQuery, q);
  add_inner(et::kTableMap, BinlogBuilder::table_map_body(5, "db", "t", three_columns(), ""));
  add_inner(et::kWriteRowsV2, BinlogBuilder::rows_body(et::kWriteRowsV2, 5, 3, row(7, "q") + row(8, "r", true), 1));
  std::string x;
  put_le(x, 3, 8);
  add_inner(et::kXid, x);
  std::string z(ZSTD_compressBound(inner.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), inner.data(), inner.size(), 3));
  std::string body;
  body += b({2, 1, 0});  // compression type: ZSTD
  body += b({3});
  std::string size;
  put_packed(size, inner.size());
  body.push_back(static_cast<char>(size.size()));
  body += size;
  body += b({0});  // end of header
  body += z;
  BinlogBuilder bl;
  bl.gtid(kSid, 5);
  uint64_t pos = bl.add(et::kTransactionPayload, body);
  auto d = decode_all(bl.span());
  INFO(d.error);
  REQUIRE(d.error.empty());
  size_t top = 0;
  for (auto& e : d.events) top += !e.in_payload;
  CHECK(top == 3);
  REQUIRE(d.events.size() == 7);
  CHECK(d.events[2].kind == EventKind::TransactionPayload);
  CHECK(d.events[5].kind == EventKind::Rows);
  CHECK(d.events[5].position == pos);
  CHECK(d.events[5].in_payload);
  CHECK(d.events[6].kind == EventKind::Xid);
  CHECK(d.rows == std::vector<std::string>{"INSERT -|7,q,12.34", "INSERT -|8,r,NULL"});

  SECTION("a corrupt payload is an error") {
    std::string bad = body;
    bad[bad.size() - 5] ^= 0x55;
    BinlogBuilder bl2;
    uint64_t p2 = bl2.add(et::kTransactionPayload, bad);
    auto d2 = decode_all(bl2.span());
    CHECK(d2.error.starts_with("cannot decode TRANSACTION_PAYLOAD_EVENT at test.000001:" + std::to_string(p2)));
  }
}
