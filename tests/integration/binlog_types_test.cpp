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
#include "tests/infra/type_cases.hpp"

using namespace obsync;
using obsync::test::MariaDbServer;
using obsync::test::SqlRow;

namespace {

const char* kColumns = obsync::test::kAllTypesColumns;
const std::vector<std::string>& kRows = obsync::test::kAllTypesRows;

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
