// Every column type with edge values, written by a real server and decoded from its binlog:
// each decoded value, rendered by the one renderer (render_value), equals what SELECT returns
// for the same row — before and after an UPDATE, and in the DELETE's before image. Runs with
// binlog_row_metadata=FULL (MariaDB/MySQL) and MINIMAL (OceanBase's Binlog Service: no names,
// no signedness, so the schema supplies them).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compiler/sema/schema.hpp"
#include "runtime/source/binlog_decoder.hpp"
#include "stdlib/charset.hpp"
#include "stdlib/collation.hpp"
#include "tests/infra/mariadb_server.hpp"

using namespace obsync;
using obsync::test::MariaDbServer;
using obsync::test::SqlRow;

namespace {

// The table: one column per type (and per interesting variant).
const char* kColumns =
    "id INT NOT NULL PRIMARY KEY, "
    "ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED, "
    "i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED, "
    "d65 DECIMAL(65,30), d10 DECIMAL(10,2) UNSIGNED, d5 DECIMAL(5,0), "
    "f FLOAT, dbl DOUBLE, "
    "b1 BIT(1), b13 BIT(13), b64 BIT(64), y YEAR, "
    "dt DATE, t0 TIME, t6 TIME(6), t3 TIME(3), dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, "
    "c CHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci, "
    "vc VARCHAR(300) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, "
    "vl VARCHAR(20) CHARACTER SET latin1, "
    "bn BINARY(4), vb VARBINARY(10), "
    "tt TINYTEXT CHARACTER SET utf8mb4, tx TEXT CHARACTER SET utf8mb4, mt MEDIUMTEXT CHARACTER SET utf8mb4, "
    "lt LONGTEXT CHARACTER SET utf8mb4, "
    "tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB, "
    "e ENUM('a','b','ü','') CHARACTER SET utf8mb4, st SET('x','y','z') CHARACTER SET utf8mb4, "
    "j JSON, g GEOMETRY";

// Rows as SQL value lists (after the id).
const std::vector<std::string> kRows = {
    // minimums and negative extremes, zero dates, empty strings
    "-128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, "
    "-99999999999999999999999999999999999.999999999999999999999999999999, 0.00, -99999, "
    "-3.40282e38, -1.7976931348623157e308, b'0', b'0', b'0', 1901, "
    "'0000-00-00', '-838:59:59', '-838:59:59.000000', '-00:00:00.001', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000000', "
    "'1970-01-01 00:00:01', '1970-01-01 00:00:01.000', "
    "'', '', '', x'00', x'', '', '', '', '', x'', x'', x'', x'', '', '', '[]', ST_GeomFromText('POINT(0 0)')",
    // maximums, 4-byte UTF-8, fractional seconds
    "127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, "
    "99999999999999999999999999999999999.999999999999999999999999999999, 99999999.99, 99999, "
    "3.40282e38, 1.7976931348623157e308, b'1', b'1111111111111', b'1111111111111111111111111111111111111111111111111111111111111111', 2155, "
    "'9999-12-31', '838:59:59', '838:59:59.000000', '838:59:58.999', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999999', "
    "'2038-01-19 03:14:07', '2038-01-19 03:14:07.999', "
    "'😀𝄞漢字', REPEAT('ü😀', 150), 'Ærøskøbing', x'ffffffff', x'00ff00ff00ff00ff00ff', "
    "REPEAT('x', 255), REPEAT('漢', 1000), REPEAT('m', 70000), REPEAT('L', 100000), "
    "x'00', REPEAT(x'ab', 65535), REPEAT(x'cd', 100000), REPEAT(x'ef', 3000000), 'ü', 'x,y,z', "
    "'{\"k\": [1, 2.5, \"s\", null, true, {\"n\": -1}], \"u\": \"😀\"}', ST_GeomFromText('LINESTRING(0 0, 1 1, 2.5 -3)')",
    // everything NULL
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL",
    // ordinary values
    "-5, 200, -300, 40000, -70000, 70000, -1, 3000000000, -1, 9223372036854775808, "
    "-0.000000000000000000000000000001, 12.34, -0, "
    "1.5, 0.1, b'1', b'101', b'1000000000000000000000000000000000000000000000000000000000000001', 2026, "
    "'2026-11-25', '-12:34:56', '00:00:00.000001', '-00:00:01.5', '2026-11-25 10:11:12', '2026-11-25 10:11:12.000001', "
    "'2026-11-25 10:11:12', '2026-11-25 10:11:12.5', "
    "'a ', 'tab\\there\\nnew', 'x\\\\y', x'0102', x'000000', 'tt', 'text', 'mt', 'lt', x'7f', x'80', x'ff', x'00', "
    "'b', 'y', '{\"a\": {\"b\": [1, {\"c\": 1e300}]}, \"big\": 18446744073709551615}', ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))')",
};

// Every column to a changed value, for the UPDATE.
const char* kUpdate =
    "ti = 1 - COALESCE(ti, 0) % 2, biu = 42, d65 = 1.5, dbl = -0.25, b13 = b'10', y = 2000, dt = '2000-02-29', "
    "t6 = '-01:02:03.4', dtm6 = '2000-01-01 00:00:00.5', ts3 = '2001-02-03 04:05:06.789', c = 'ÄÖÜ', "
    "vc = CONCAT('u', COALESCE(vc, '')), bn = x'01', lb = x'', e = 'a', st = '', j = '{\"updated\": true}', g = NULL";

std::string select_list(const std::vector<ColumnSchema>& columns) {
  std::string out;
  for (const auto& c : columns) {
    if (!out.empty()) out += ", ";
    // GEOMETRY's text form is its internal bytes (SRID + WKB), as the binlog carries them.
    out += c.type.column == ColumnType::Geometry ? fmt::format("CAST(`{}` AS BINARY)", c.name) : fmt::format("`{}`", c.name);
  }
  return out;
}

struct Decoded {
  binlog::RowOp op;
  std::vector<std::optional<std::string>> before, after;
};

std::vector<std::optional<std::string>> render_image(const binlog::RowImage& image, const binlog::TableMap& t) {
  std::vector<std::optional<std::string>> out;
  for (size_t i = 0; i < image.values.size(); i++) {
    if (image.values[i].is_null()) out.emplace_back(std::nullopt);
    else {
      const SqlType& type = t.columns[i].sql_type;
      std::string text = render_value(image.values[i], type);
      // The test's connection is utf8mb4: SELECT converts text in other charsets to UTF-8.
      if (type.cls == TypeClass::String && type.collation && !type.collation->is_binary) {
        std::string utf8;
        REQUIRE(charset_to_utf8(text, type.collation->charset, utf8));
        text = utf8;
      }
      out.emplace_back(std::move(text));
    }
  }
  return out;
}

// The row changes of `db`.`table` in the server's binlog from `file`:`pos` on.
std::vector<Decoded> read_changes(MariaDbServer& server, const std::string& file, uint64_t pos, const std::string& db,
                                  const TableSchema& schema) {
  std::vector<Decoded> out;
  auto logs = server.query("SHOW BINARY LOGS");
  bool started = false;
  for (const auto& row : logs) {
    std::string name = *row[0];
    if (name == file) started = true;
    if (!started) continue;
    std::string why;
    auto bytes = binlog::BinlogFile::open((server.data_dir() / name).string(), why);
    REQUIRE(bytes);
    binlog::DecoderOptions options;
    options.lookup_table = [&](std::string_view d, std::string_view t) -> const TableSchema* {
      return d == db && t == schema.name ? &schema : nullptr;
    };
    binlog::BinlogDecoder decoder(name, options);
    decoder.reset(bytes->bytes());
    binlog::Event ev;
    binlog::RowChange rc;
    while (decoder.next(ev)) {
      if (ev.kind != binlog::EventKind::Rows || (name == file && ev.position < pos)) continue;
      if (ev.table->db != db || ev.table->table != schema.name) continue;
      while (decoder.next_row(rc)) {
        Decoded d{rc.op, {}, {}};
        if (rc.has_before) d.before = render_image(rc.before, *ev.table);
        if (rc.has_after) d.after = render_image(rc.after, *ev.table);
        out.push_back(std::move(d));
      }
      INFO(decoder.error().message);
      REQUIRE(!decoder.failed());
    }
    INFO(decoder.error().message);
    REQUIRE(!decoder.failed());
  }
  return out;
}

void compare(const std::vector<std::optional<std::string>>& decoded, const SqlRow& selected,
             const std::vector<ColumnSchema>& columns, const std::string& what) {
  REQUIRE(decoded.size() == selected.size());
  for (size_t i = 0; i < decoded.size(); i++) {
    INFO(what << " column " << columns[i].name << " (" << columns[i].type_text << ")");
    if (!selected[i]) {
      CHECK(!decoded[i]);
      continue;
    }
    REQUIRE(decoded[i]);
    if (selected[i]->size() > 200) {
      CHECK(decoded[i]->size() == selected[i]->size());
      CHECK((*decoded[i] == *selected[i]));  // huge values: no dump of both on failure
    } else {
      CHECK(*decoded[i] == *selected[i]);
    }
  }
}

void run_types_case(MariaDbServer& server, const std::string& db) {
  server.execute(fmt::format("DROP DATABASE IF EXISTS {}", db));
  server.execute(fmt::format("CREATE DATABASE {} CHARACTER SET utf8mb4", db));
  auto conn = server.connect(db);
  conn.execute("SET time_zone = '+00:00'");
  conn.execute("SET sql_mode = ''");  // zero dates
  conn.execute(fmt::format("CREATE TABLE types ({})", kColumns));

  // The schema as the catalog gives it (COLUMN_TYPE + collation), as the reader would load it.
  std::vector<ColumnSchema> columns;
  for (const auto& r : conn.query(fmt::format(
           "SELECT COLUMN_NAME, COLUMN_TYPE, COLLATION_NAME, IS_NULLABLE FROM information_schema.COLUMNS "
           "WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = 'types' ORDER BY ORDINAL_POSITION",
           db))) {
    std::string text = *r[1];
    if (r[2]) text += " COLLATE " + *r[2];
    if (*r[3] == "NO") text += " NOT NULL";
    std::string error;
    auto type = parse_column_type(text, error);
    INFO(text << ": " << error);
    REQUIRE(type);
    columns.push_back({*r[0], *r[1], *type});
  }
  TableSchema schema;
  schema.name = "types";
  schema.columns = columns;
  schema.primary_key = {"id"};

  auto status = conn.query("SHOW MASTER STATUS");
  std::string file = *status[0][0];
  uint64_t pos = std::stoull(*status[0][1]);

  std::string select = fmt::format("SELECT {} FROM types ORDER BY id", select_list(columns));
  for (size_t i = 0; i < kRows.size(); i++) conn.execute(fmt::format("INSERT INTO types VALUES ({}, {})", i + 1, kRows[i]));
  auto inserted = conn.query(select);
  REQUIRE(inserted.size() == kRows.size());
  conn.execute(fmt::format("UPDATE types SET {}", kUpdate));
  auto updated = conn.query(select);
  conn.execute("DELETE FROM types");

  auto changes = read_changes(server, file, pos, db, schema);
  size_t n = kRows.size();
  REQUIRE(changes.size() == 3 * n);
  for (size_t i = 0; i < n; i++) {
    CHECK(changes[i].op == binlog::RowOp::Insert);
    compare(changes[i].after, inserted[i], columns, fmt::format("INSERT row {}", i + 1));
    CHECK(changes[n + i].op == binlog::RowOp::Update);
    compare(changes[n + i].before, inserted[i], columns, fmt::format("UPDATE before row {}", i + 1));
    compare(changes[n + i].after, updated[i], columns, fmt::format("UPDATE after row {}", i + 1));
    CHECK(changes[2 * n + i].op == binlog::RowOp::Delete);
    compare(changes[2 * n + i].before, updated[i], columns, fmt::format("DELETE row {}", i + 1));
  }
}

}  // namespace

TEST_CASE("binlog types: every type's edge values decode as SELECT shows them (FULL metadata)", "[binlog-types]") {
  run_types_case(obsync::test::shared_mariadb(), "obsync_types_full");
}

TEST_CASE("binlog types: every type's edge values decode as SELECT shows them (MINIMAL metadata)", "[binlog-types]") {
  obsync::test::MariaDbOptions options;
  options.binlog_row_metadata = obsync::test::BinlogRowMetadata::Minimal;
  options.extra_args = {"--max-allowed-packet=64M"};
  MariaDbServer server(options);
  run_types_case(server, "obsync_types_minimal");
}
