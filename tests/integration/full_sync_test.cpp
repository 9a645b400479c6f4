// The full sync against a real server: every column type gives the Values the binlog decoder
// gives for the same rows; keyset pagination over awkward keys loses and repeats nothing; keyless
// tables stream; the WHERE is pushed down; resume continues after the checkpointed key; memory
// stays bounded on wide rows; failures name the table.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compiler/parse/parser.hpp"
#include "compiler/sema/schema.hpp"
#include "runtime/source/binlog_decoder.hpp"
#include "runtime/source/full_sync.hpp"
#include "stdlib/charset.hpp"
#include "stdlib/collation.hpp"
#include "tests/infra/mariadb_server.hpp"
#include "tests/infra/type_cases.hpp"

using namespace obsync;
using obsync::test::MariaDbConnection;
using obsync::test::MariaDbServer;

namespace {

source::SqlConnection sql_connection(const MariaDbServer& server) {
  source::SourceConfig config;
  config.name = "test";
  config.kind = source::SourceKind::MariaDb;
  config.sql = {server.host(), server.port()};
  config.binlog = config.sql;
  config.user = server.user();
  config.password = server.password();
  config.tls.mode = source::TlsMode::Disabled;
  return source::SqlConnection(config, config.sql);
}

// The table's schema as the catalog gives it: columns (COLUMN_TYPE + collation), primary key,
// unique keys in index order.
TableSchema load_schema(MariaDbConnection& conn, const std::string& db, const std::string& table) {
  TableSchema schema;
  schema.name = table;
  for (const auto& r : conn.query(fmt::format(
           "SELECT COLUMN_NAME, COLUMN_TYPE, COLLATION_NAME, IS_NULLABLE FROM information_schema.COLUMNS "
           "WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = '{}' ORDER BY ORDINAL_POSITION",
           db, table))) {
    std::string text = *r[1];
    if (r[2]) text += " COLLATE " + *r[2];
    if (*r[3] == "NO") text += " NOT NULL";
    std::string error;
    auto type = parse_column_type(text, error);
    INFO(text << ": " << error);
    REQUIRE(type);
    schema.columns.push_back({*r[0], *r[1], *type});
  }
  std::map<std::string, std::vector<std::string>> unique;
  std::vector<std::string> order;
  for (const auto& r : conn.query(fmt::format(
           "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '{}' AND "
           "TABLE_NAME = '{}' AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX",
           db, table))) {
    if (*r[0] == "PRIMARY") schema.primary_key.push_back(*r[1]);
    else {
      if (!unique.count(*r[0])) order.push_back(*r[0]);
      unique[*r[0]].push_back(*r[1]);
    }
  }
  for (const auto& name : order) schema.unique_keys.push_back(unique[name]);
  return schema;
}

struct Copied {
  std::vector<std::vector<Value>> rows;
  std::vector<source::FullSyncProgress> progress;
  size_t batches = 0;
  size_t max_batch_rows = 0;
  size_t max_batch_memory = 0;
};

Copied copy(source::SqlConnection& sql, const source::FullSyncTable& table, const source::FullSyncOptions& options,
            bool keep_rows = true) {
  Copied out;
  source::copy_table(
      sql, table, options,
      [&](RowBatch& batch) {
        CHECK(batch.database == table.database);
        CHECK(batch.table == table.table);
        CHECK(batch.selection.size() == batch.size());
        out.batches++;
        out.max_batch_rows = std::max(out.max_batch_rows, batch.size());
        out.max_batch_memory = std::max(out.max_batch_memory, batch.memory_bytes());
        for (size_t r = 0; r < batch.size(); r++) {
          CHECK(batch.ops[r] == ChangeOp::Insert);
          CHECK(batch.has_after[r] == 1);
          CHECK(batch.has_before[r] == 0);
          if (!keep_rows) continue;
          std::vector<Value> row;
          batch.row_values(r, false, row);
          out.rows.push_back(std::move(row));
        }
      },
      [&](const source::FullSyncProgress& p) { out.progress.push_back(p); });
  return out;
}

// A row as text: each value rendered, NULL as "NULL", separated by a byte no value here holds.
std::string row_text(const std::vector<Value>& row, const TableSchema& schema) {
  std::string out;
  for (size_t i = 0; i < row.size(); i++) {
    if (i) out += '\x01';
    out += row[i].is_null() ? "NULL" : render_value(row[i], schema.columns[i].type);
  }
  return out;
}

std::vector<std::string> sorted_texts(const std::vector<std::vector<Value>>& rows, const TableSchema& schema) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(row_text(r, schema));
  std::sort(out.begin(), out.end());
  return out;
}

// The rows of `select` as the server prints them, in the same text form as row_text.
std::vector<std::string> selected_texts(MariaDbConnection& conn, const std::string& select) {
  std::vector<std::string> out;
  for (const auto& r : conn.query(select)) {
    std::string text;
    for (size_t i = 0; i < r.size(); i++) {
      if (i) text += '\x01';
      text += r[i] ? *r[i] : "NULL";
    }
    out.push_back(std::move(text));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool has_duplicates(std::vector<std::string> texts) {
  std::sort(texts.begin(), texts.end());
  return std::adjacent_find(texts.begin(), texts.end()) != texts.end();
}

std::string select_list(const TableSchema& schema) {
  std::string out;
  for (const auto& c : schema.columns) {
    if (!out.empty()) out += ", ";
    bool bytes = c.type.column == ColumnType::Geometry ||
                 (c.type.cls == TypeClass::String && c.type.collation && !c.type.collation->is_binary &&
                  c.type.collation->charset.substr(0, 4) != "utf8");
    out += bytes ? fmt::format("CAST(`{}` AS BINARY)", c.name) : fmt::format("`{}`", c.name);
  }
  return out;
}

// Every column type with edge values: the table and rows of binlog_types_test.cpp.
const char* kColumns = obsync::test::kAllTypesColumns;
const std::vector<std::string>& kRows = obsync::test::kAllTypesRows;

// The WHERE of `SYNC db.t TO TOPIC t WHERE <where>;` pushed down against `schema`.
std::string pushed_where(const std::string& where, const TableSchema& schema) {
  SourceManager sources;
  DiagnosticSink diags;
  uint32_t file = sources.add("t.sync", "SYNC db.t TO TOPIC t WHERE " + where + ";\n");
  ParsedScript parsed = parse_script(sources, file, diags);
  INFO(where);
  REQUIRE_FALSE(diags.has_errors());
  REQUIRE(parsed.script.statements.size() == 1);
  auto sql = source::pushdown_sql(*parsed.script.statements[0].sync.where, &schema);
  REQUIRE(sql);
  return *sql;
}

void fresh_database(MariaDbServer& server, const std::string& db) {
  server.execute(fmt::format("DROP DATABASE IF EXISTS {}", db));
  server.execute(fmt::format("CREATE DATABASE {} CHARACTER SET utf8mb4", db));
}

}  // namespace

TEST_CASE("full sync: every type's values equal the binlog decoder's and SELECT's text", "[full-sync-live]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  const std::string db = "obsync_full_types";
  fresh_database(server, db);
  auto conn = server.connect(db);
  conn.execute("SET time_zone = '+00:00'");
  conn.execute("SET sql_mode = ''");  // zero dates
  conn.execute(fmt::format("CREATE TABLE types ({})", kColumns));
  const TableSchema schema = load_schema(conn, db, "types");
  auto status = conn.query("SHOW MASTER STATUS");
  const std::string file = *status[0][0];
  const uint64_t pos = std::stoull(*status[0][1]);
  for (size_t i = 0; i < kRows.size(); i++)
    conn.execute(fmt::format("INSERT INTO types VALUES ({}, {})", i + 1, kRows[i]));

  // The same rows from the binlog, as Values with the decoder's types.
  std::vector<std::vector<Value>> logged;
  std::vector<SqlType> logged_types;
  bool started = false;
  for (const auto& row : server.query("SHOW BINARY LOGS")) {
    const std::string name = *row[0];
    if (name == file) started = true;
    if (!started) continue;
    std::string why;
    auto bytes = binlog::BinlogFile::open((server.data_dir() / name).string(), why);
    REQUIRE(bytes);
    binlog::DecoderOptions options;
    options.lookup_table = [&](std::string_view d, std::string_view t) -> const TableSchema* {
      return d == db && t == "types" ? &schema : nullptr;
    };
    binlog::BinlogDecoder decoder(name, options);
    decoder.reset(bytes->bytes());
    binlog::Event ev;
    binlog::RowChange rc;
    while (decoder.next(ev)) {
      if (ev.kind != binlog::EventKind::Rows || (name == file && ev.position < pos)) continue;
      if (ev.table->db != db || ev.table->table != "types") continue;
      while (decoder.next_row(rc)) {
        REQUIRE(rc.has_after);
        logged.push_back(rc.after.values);
        logged_types.clear();
        for (const auto& c : ev.table->columns) logged_types.push_back(c.sql_type);
      }
      INFO(decoder.error().message);
      REQUIRE(!decoder.failed());
    }
  }
  REQUIRE(logged.size() == kRows.size());

  auto sql = sql_connection(server);
  source::FullSyncTable table{db, "types", &schema, "", {}};
  source::FullSyncOptions options;
  options.chunk_rows = 2;  // two keyset chunks
  options.batch_rows = 3;
  Copied copied = copy(sql, table, options);
  REQUIRE(copied.rows.size() == kRows.size());
  auto selected = conn.query(fmt::format("SELECT {} FROM types ORDER BY id", [&] {
    std::string out;
    for (const auto& c : schema.columns)
      out += (out.empty() ? "" : ", ") + (c.type.column == ColumnType::Geometry
                                              ? fmt::format("CAST(`{}` AS BINARY)", c.name)
                                              : fmt::format("`{}`", c.name));
    return out;
  }()));
  REQUIRE(selected.size() == kRows.size());

  for (size_t r = 0; r < kRows.size(); r++) {
    for (size_t c = 0; c < schema.columns.size(); c++) {
      const ColumnSchema& col = schema.columns[c];
      INFO("row " << r + 1 << " column " << col.name << " (" << col.type_text << ")");
      const Value& full = copied.rows[r][c];
      const Value& log = logged[r][c];
      // The same Value the binlog decoder gives: same class, signedness and rendering.
      CHECK(full.cls == log.cls);
      if (full.cls == TypeClass::Int) CHECK(full.is_unsigned == log.is_unsigned);
      std::string full_text = full.is_null() ? "NULL" : render_value(full, col.type);
      std::string log_text = log.is_null() ? "NULL" : render_value(log, logged_types[c]);
      if (full_text.size() > 200) {
        CHECK(full_text.size() == log_text.size());
        CHECK((full_text == log_text));
      } else {
        CHECK(full_text == log_text);
      }
      if (full.cls == TypeClass::Double) CHECK(full.d == log.d);  // bit-exact, not just the same text
      // And what SELECT shows, after the utf8mb4 connection's conversion of other charsets.
      if (!selected[r][c]) {
        CHECK(full.is_null());
        continue;
      }
      REQUIRE_FALSE(full.is_null());
      if (col.type.cls == TypeClass::String && col.type.collation && !col.type.collation->is_binary) {
        std::string utf8;
        REQUIRE(charset_to_utf8(full_text, col.type.collation->charset, utf8));
        full_text = utf8;
      }
      CHECK((full_text == *selected[r][c]));
    }
  }
  // The latin1 column holds latin1 bytes, as the binlog does: 'Ærøskøbing' is 10 bytes.
  int vl = schema.column_index("vl");
  REQUIRE(vl >= 0);
  CHECK(copied.rows[1][static_cast<size_t>(vl)].str.size() == 10);
  REQUIRE(!copied.progress.empty());
  CHECK(copied.progress.back().done);
  CHECK(copied.progress.back().rows_done == kRows.size());
  CHECK(copied.progress.back().last_key == std::vector<std::optional<std::string>>{std::string("4")});
}

namespace {

// Copies `table` in chunks of 7 and checks: the rows are SELECT's rows in ORDER BY key order,
// none twice, none missing; a progress report per chunk, the last one done.
Copied check_paginated(MariaDbServer& server, MariaDbConnection& conn, const std::string& db,
                       const std::string& table, const std::string& order_by) {
  INFO("table " << table);
  TableSchema schema = load_schema(conn, db, table);
  auto sql = sql_connection(server);
  source::FullSyncTable t{db, table, &schema, "", {}};
  source::FullSyncOptions options;
  options.chunk_rows = 7;
  options.batch_rows = 5;
  Copied copied = copy(sql, t, options);
  std::vector<std::string> got;
  for (const auto& r : copied.rows) got.push_back(row_text(r, schema));
  std::vector<std::string> want;
  auto selected = conn.query(fmt::format("SELECT {} FROM `{}` ORDER BY {}", select_list(schema), table, order_by));
  for (const auto& r : selected) {
    std::string text;
    for (size_t i = 0; i < r.size(); i++) {
      if (i) text += '\x01';
      text += r[i] ? *r[i] : "NULL";
    }
    want.push_back(std::move(text));
  }
  CHECK_FALSE(has_duplicates(got));
  CHECK(got.size() == want.size());
  CHECK(got == want);  // same rows, same order
  size_t chunks = want.size() / 7 + 1;
  CHECK(copied.progress.size() == chunks);
  for (size_t i = 0; i < copied.progress.size(); i++) {
    CHECK(copied.progress[i].done == (i + 1 == copied.progress.size()));
    CHECK(copied.progress[i].rows_done == std::min(want.size(), 7 * (i + 1)));
    CHECK_FALSE(copied.progress[i].last_key.empty());
  }
  CHECK(copied.max_batch_rows <= 5);
  return copied;
}

}  // namespace

TEST_CASE("full sync: keyset pagination in chunks of 7 over awkward keys", "[full-sync-live]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  const std::string db = "obsync_full_keys";
  fresh_database(server, db);
  auto conn = server.connect(db);

  SECTION("composite key: strings equal under the collation but different in bytes, negative numbers") {
    conn.execute("CREATE TABLE ck (s VARCHAR(12) COLLATE utf8mb4_general_ci NOT NULL, n INT NOT NULL, "
                 "v VARCHAR(20), PRIMARY KEY (s, n))");
    // 'a' 'A' 'á' 'a ' are one value under utf8mb4_general_ci (PAD SPACE), as are 'ß' and 's':
    // their n interleave, so a chunk boundary falls between byte-different equal keys.
    const std::vector<std::string> strings = {"''", "'a'", "'A'", "'á'", "'a '", "'ß'", "'s'", "'ss'", "'z'",
                                              "'😀'", "'O''Brien'", "'back\\\\slash'", "'2'", "'10'"};
    for (size_t i = 0; i < strings.size(); i++)
      for (int k = 0; k < 7; k++) {
        int n = k * 16 + static_cast<int>(i) - 60;
        conn.execute(fmt::format("INSERT INTO ck VALUES ({}, {}, 'v{}')", strings[i], n, n));
      }
    conn.execute("INSERT INTO ck VALUES ('m', -2147483648, NULL), ('m', 2147483647, NULL)");
    check_paginated(server, conn, db, "ck", "s, n");
  }
  SECTION("latin1 key: its bytes, compared under latin1_swedish_ci") {
    conn.execute("CREATE TABLE lk (s VARCHAR(10) CHARACTER SET latin1 COLLATE latin1_swedish_ci NOT NULL, "
                 "n INT NOT NULL, PRIMARY KEY (s, n))");
    const std::vector<std::string> strings = {"'é'", "'E'", "'e'", "'Æ'", "'ae'", "''", "'ÿ'", "'y'", "'Ü'", "'u'"};
    for (size_t i = 0; i < strings.size(); i++)
      for (int k = 0; k < 4; k++)
        conn.execute(fmt::format("INSERT INTO lk VALUES ({}, {})", strings[i], k * 16 + static_cast<int>(i)));
    check_paginated(server, conn, db, "lk", "s, n");
  }
  SECTION("binary key: any bytes, quotes and backslashes included") {
    conn.execute("CREATE TABLE bk (b VARBINARY(8) NOT NULL PRIMARY KEY, v INT)");
    const std::vector<std::string> values = {"x''", "x'00'", "x'0000'", "x'ff'", "x'27'", "x'5c'", "x'5c27'",
                                             "'A'", "'a'", "'a '", "x'00ff00ff'", "x'fefefefefefefefe'", "x'0a0d'",
                                             "x'22'", "x'60'", "'zz'", "x'80'", "x'7f'", "'--'", "x'1a'"};
    for (size_t i = 0; i < values.size(); i++)
      conn.execute(fmt::format("INSERT INTO bk VALUES ({}, {})", values[i], i));
    check_paginated(server, conn, db, "bk", "b");
  }
  SECTION("FLOAT, DECIMAL and DATETIME(6) key parts") {
    conn.execute("CREATE TABLE nk (f FLOAT NOT NULL, d DECIMAL(12,3) NOT NULL, t DATETIME(6) NOT NULL, "
                 "PRIMARY KEY (f, d, t))");
    for (const char* f : {"0.1", "-1.5", "3.40282e38", "-3.40282e38", "1e-30", "0.3"})
      for (const char* d : {"-1.5", "0", "123456789.125"})
        for (const char* t : {"'2026-01-01 00:00:00.000001'", "'1000-01-01 00:00:00'"})
          conn.execute(fmt::format("INSERT INTO nk VALUES ({}, {}, {})", f, d, t));
    check_paginated(server, conn, db, "nk", "f, d, t");
  }
  SECTION("ENUM key: ordered by index, not by label") {
    conn.execute("CREATE TABLE ek (e ENUM('z','a','m') NOT NULL, n INT NOT NULL, PRIMARY KEY (e, n))");
    for (const char* e : {"'z'", "'a'", "'m'"})
      for (int n = -2; n < 4; n++) conn.execute(fmt::format("INSERT INTO ek VALUES ({}, {})", e, n));
    Copied c = check_paginated(server, conn, db, "ek", "e, n");
    CHECK(c.progress[0].last_key[0] == std::string("2"));  // the 7th row is ('a', -2): index 2
  }
  SECTION("BIT key") {
    conn.execute("CREATE TABLE bitk (b BIT(10) NOT NULL PRIMARY KEY)");
    for (int v = 0; v < 1024; v += 37) conn.execute(fmt::format("INSERT INTO bitk VALUES ({})", v));
    check_paginated(server, conn, db, "bitk", "b");
  }
  SECTION("no primary key: the first unique key of NOT NULL columns") {
    conn.execute("CREATE TABLE uk (u INT NULL, a INT NOT NULL, b VARCHAR(5) NOT NULL, v INT, "
                 "UNIQUE KEY a_nullable (u), UNIQUE KEY b_key (a, b))");
    for (int i = 0; i < 40; i++)
      conn.execute(fmt::format("INSERT INTO uk VALUES ({}, {}, '{}', {})", i % 3 ? std::to_string(i) : "NULL", i % 5,
                               i, i));
    TableSchema schema = load_schema(conn, db, "uk");
    REQUIRE(schema.row_key() == std::vector<std::string>{"a", "b"});
    Copied c = check_paginated(server, conn, db, "uk", "a, b");
    CHECK(c.progress[0].last_key.size() == 2);
  }
}

TEST_CASE("full sync: a table without a usable key in one streamed scan", "[full-sync-live]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  const std::string db = "obsync_full_keyless";
  fresh_database(server, db);
  auto conn = server.connect(db);
  // A unique key over a nullable column does not identify rows: still keyless.
  conn.execute("CREATE TABLE kl (a INT, b VARCHAR(10), UNIQUE KEY (b))");
  conn.execute("INSERT INTO kl SELECT seq % 10, IF(seq % 7 = 0, NULL, CONCAT('v', seq)) FROM seq_1_to_1000");
  conn.execute("INSERT INTO kl VALUES (1, NULL), (1, NULL)");  // identical rows
  TableSchema schema = load_schema(conn, db, "kl");
  REQUIRE(schema.row_key().empty());
  auto sql = sql_connection(server);
  source::FullSyncTable t{db, "kl", &schema, "", {}};
  t.resume_after = {std::string("5")};  // ignored: nothing to resume by
  source::FullSyncOptions options;
  options.chunk_rows = 100;
  options.batch_rows = 64;
  Copied copied = copy(sql, t, options);
  CHECK(copied.rows.size() == 1002);
  CHECK(sorted_texts(copied.rows, schema) == selected_texts(conn, "SELECT a, b FROM kl"));
  CHECK(copied.max_batch_rows <= 64);
  REQUIRE(copied.progress.size() == 11);  // every 100 rows, and the end
  for (size_t i = 0; i < 10; i++) {
    CHECK(copied.progress[i].rows_done == 100 * (i + 1));
    CHECK_FALSE(copied.progress[i].done);
  }
  CHECK(copied.progress.back().done);
  CHECK(copied.progress.back().rows_done == 1002);
  CHECK(copied.progress.back().last_key.empty());
  CHECK(copied.progress.back().rows_estimated > 0);
  CHECK(copied.progress.back().rows_per_second > 0);
}

TEST_CASE("full sync: the SYNC's WHERE pushed into the SELECT", "[full-sync-live]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  const std::string db = "obsync_full_where";
  fresh_database(server, db);
  auto conn = server.connect(db);
  conn.execute("CREATE TABLE orders (id INT NOT NULL PRIMARY KEY, status VARCHAR(20), amount DECIMAL(10,2), "
               "name VARCHAR(30), created DATETIME, opens TIME)");
  conn.execute("INSERT INTO orders SELECT seq, ELT(seq % 4 + 1, 'new', 'paid', 'cancelled', NULL), seq * 0.75, "
               "ELT(seq % 6 + 1, 'a_x', 'abc', 'it''s', 'back\\\\slash', 'Ab', 'line\\nbreak'), "
               "IF(seq % 2, '2026-03-01 10:00:00', '2025-03-01 10:00:00'), SEC_TO_TIME(seq * 60) FROM seq_1_to_600");
  TableSchema schema = load_schema(conn, db, "orders");
  auto sql = sql_connection(server);
  const size_t total = 600;

  struct Case {
    std::string where;     // as a script writes it
    std::string expected;  // the same predicate as SQL, written by hand
  };
  const std::vector<Case> cases = {
      {"status <> 'cancelled' AND amount >= 100", "status <> 'cancelled' AND amount >= 100"},
      {"op() <> 'DELETE' AND name LIKE 'a\\_%'", "name LIKE 'a\\\\_%'"},
      {"status IS DISTINCT FROM 'new' AND YEAR(created) = 2026 AND id BETWEEN 10 AND 400",
       "NOT (status <=> 'new') AND YEAR(created) = 2026 AND id BETWEEN 10 AND 400"},
      {"name = 'it''s' OR name = 'back\\\\slash' OR name = 'line\\nbreak'",
       "name IN ('it''s', 'back\\\\slash', 'line\\nbreak')"},
      {"LOWER(name) = 'ab' AND amount * 2 > 10 AND id % 3 = 1 AND opens < '05:00:00'",
       "LOWER(name) = 'ab' AND amount * 2 > 10 AND id % 3 = 1 AND opens < '05:00:00'"},
      {"CASE WHEN status IS NULL THEN 1 ELSE 0 END = 1 AND created > DATE_SUB('2026-01-01', INTERVAL 1 DAY)",
       "status IS NULL AND created > '2025-12-31'"},
  };
  for (const auto& c : cases) {
    INFO("WHERE " << c.where);
    std::string where_sql = pushed_where(c.where, schema);
    INFO("pushed: " << where_sql);
    source::FullSyncTable t{db, "orders", &schema, where_sql, {}};
    source::FullSyncOptions options;
    options.chunk_rows = 50;
    Copied copied = copy(sql, t, options);
    auto want = selected_texts(conn, fmt::format("SELECT {} FROM orders WHERE {}", select_list(schema), c.expected));
    CHECK(!want.empty());
    CHECK(want.size() < total);
    CHECK(sorted_texts(copied.rows, schema) == want);
  }
}

TEST_CASE("full sync: resuming after a checkpointed key continues exactly there", "[full-sync-live]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  const std::string db = "obsync_full_resume";
  fresh_database(server, db);
  auto conn = server.connect(db);
  conn.execute("CREATE TABLE r (s VARCHAR(10) COLLATE utf8mb4_general_ci NOT NULL, "
               "l VARCHAR(10) CHARACTER SET latin1 NOT NULL, b VARBINARY(4) NOT NULL, n INT NOT NULL, "
               "PRIMARY KEY (s, l, b, n))");
  // Collation-equal strings ('a' 'A'; 'é' 'E' under latin1_swedish_ci) differ in n.
  int n = -20;
  for (const char* s : {"'a'", "'A'", "'it''s'"})
    for (const char* l : {"'é'", "'E'"})
      for (const char* b : {"x'00'", "x'27'", "x''"})
        for (int k = 0; k < 2; k++) conn.execute(fmt::format("INSERT INTO r VALUES ({}, {}, {}, {})", s, l, b, n++));
  TableSchema schema = load_schema(conn, db, "r");
  auto sql = sql_connection(server);
  source::FullSyncOptions options;
  options.chunk_rows = 7;
  source::FullSyncTable t{db, "r", &schema, "", {}};
  Copied full = copy(sql, t, options);
  REQUIRE(full.rows.size() == 36);
  std::vector<std::string> all;
  for (const auto& r : full.rows) all.push_back(row_text(r, schema));

  for (size_t after_chunk : {1u, 3u, 4u}) {
    INFO("resume after chunk " << after_chunk);
    // The checkpoint's key goes through JSON: it must be text.
    for (const auto& v : full.progress[after_chunk - 1].last_key) {
      REQUIRE(v);
      CHECK(utf8_is_valid(*v));
    }
    t.resume_after = full.progress[after_chunk - 1].last_key;
    Copied rest = copy(sql, t, options);
    std::vector<std::string> got;
    for (const auto& r : rest.rows) got.push_back(row_text(r, schema));
    CHECK(got == std::vector<std::string>(all.begin() + static_cast<long>(7 * after_chunk), all.end()));
    CHECK(rest.progress.back().rows_done == 36 - 7 * after_chunk);
  }
  // A copy stopped by its consumer resumes from the last reported key without gap or repeat.
  std::vector<std::optional<std::string>> last;
  std::vector<std::string> first_part;
  t.resume_after.clear();
  CHECK_THROWS_WITH(source::copy_table(
                        sql, t, options,
                        [&](RowBatch& batch) {
                          std::vector<Value> row;
                          for (size_t r = 0; r < batch.size(); r++) {
                            batch.row_values(r, false, row);
                            first_part.push_back(row_text(row, schema));
                          }
                        },
                        [&](const source::FullSyncProgress& p) {
                          last = p.last_key;
                          if (p.rows_done >= 14) throw std::runtime_error("stop");
                        }),
                    "stop");
  REQUIRE(first_part.size() == 14);
  t.resume_after = last;
  Copied rest = copy(sql, t, options);
  for (const auto& r : rest.rows) first_part.push_back(row_text(r, schema));
  CHECK(first_part == all);
  // A key that does not fit the table's key restarts from the start (at least once).
  t.resume_after = {std::string("a")};
  CHECK(copy(sql, t, options).rows.size() == 36);
  // A key that could change the statement is refused, not spliced in.
  t.resume_after = {std::string("a"), std::string("zz"), std::string("00"), std::string("1) OR (1")};
  CHECK_THROWS_AS(copy(sql, t, options), source::SourceError);
}

namespace {

size_t resident_bytes() {
  std::ifstream in("/proc/self/statm");
  size_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * 4096;
}

}  // namespace

TEST_CASE("full sync: memory stays bounded on 2,000 rows of 200 KB", "[full-sync-live]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  const std::string db = "obsync_full_wide";
  fresh_database(server, db);
  auto conn = server.connect(db);
  conn.execute("SET SESSION sql_log_bin = 0");  // 400 MB need not go through the binlog
  conn.execute("CREATE TABLE wide (id INT NOT NULL PRIMARY KEY, body LONGTEXT)");
  conn.execute("INSERT INTO wide SELECT seq, REPEAT(CHAR(65 + seq % 26), 200000) FROM seq_1_to_2000");
  TableSchema schema = load_schema(conn, db, "wide");
  auto sql = sql_connection(server);
  source::FullSyncTable t{db, "wide", &schema, "", {}};
  source::FullSyncOptions options;
  options.chunk_rows = 500;
  options.batch_bytes = 4u << 20;
  size_t rows = 0, max_memory = 0, max_rows = 0, bad_rows = 0;
  const size_t rss_before = resident_bytes();
  size_t rss_max = rss_before;
  source::copy_table(sql, t, options, [&](RowBatch& batch) {
    max_memory = std::max(max_memory, batch.memory_bytes());
    max_rows = std::max(max_rows, batch.size());
    for (size_t r = 0; r < batch.size(); r++) {
      std::string_view body = batch.after[1].str(r);
      int64_t id = batch.after[0].i64()[r];
      if (body.size() != 200000 || body[0] != static_cast<char>(65 + id % 26)) bad_rows++;
    }
    rows += batch.size();
    rss_max = std::max(rss_max, resident_bytes());
  });
  CHECK(rows == 2000);
  CHECK(bad_rows == 0);
  // One batch: about batch_bytes of values (string growth may double it) plus one row.
  CHECK(max_rows <= 22);
  CHECK(max_memory <= 2 * options.batch_bytes + 2 * 200000 + 64 * 1024);
  // The process holds a batch and a row, not the 400 MB table.
  CHECK(rss_max - rss_before < 64u << 20);
  server.execute(fmt::format("DROP DATABASE {}", db));  // 400 MB the other suites need not keep
}

TEST_CASE("full sync: failures are SourceErrors that name the table", "[full-sync-live]") {
  MariaDbServer& server = obsync::test::shared_mariadb();
  const std::string db = "obsync_full_errors";
  fresh_database(server, db);
  auto conn = server.connect(db);
  conn.execute("CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v VARCHAR(10))");
  conn.execute("INSERT INTO t VALUES (1, '12'), (2, 'abc')");
  TableSchema schema = load_schema(conn, db, "t");
  auto sql = sql_connection(server);
  source::FullSyncOptions options;
  auto ignore = [](RowBatch&) {};

  source::FullSyncTable missing{db, "missing", &schema, "", {}};
  try {
    source::copy_table(sql, missing, options, ignore);
    FAIL("no error for a missing table");
  } catch (const source::SourceError& e) {
    std::string what = e.what();
    INFO(what);
    CHECK(what.find("full sync of `obsync_full_errors`.`missing`") == 0);
    CHECK(e.server_code() == 1146);  // ER_NO_SUCH_TABLE
    CHECK_FALSE(e.retryable());
  }
  // A schema that says INT where the table holds text: the value, column and table are named.
  TableSchema wrong = schema;
  std::string error;
  wrong.columns[1].type = *parse_column_type("int", error);
  wrong.columns[1].type_text = "int";
  source::FullSyncTable bad{db, "t", &wrong, "", {}};
  try {
    source::copy_table(sql, bad, options, ignore);
    FAIL("no error for a value that does not parse");
  } catch (const source::SourceError& e) {
    std::string what = e.what();
    INFO(what);
    CHECK(what.find("`obsync_full_errors`.`t`") != std::string::npos);
    CHECK(what.find("column `v`") != std::string::npos);
    CHECK(what.find("'abc'") != std::string::npos);
  }
  // A pushed-down predicate the server refuses.
  source::FullSyncTable bad_where{db, "t", &schema, "no_such_column = 1", {}};
  CHECK_THROWS_WITH(source::copy_table(sql, bad_where, options, ignore),
                    Catch::Contains("full sync of `obsync_full_errors`.`t`") && Catch::Contains("no_such_column"));
  // The connection is usable after each failure.
  source::FullSyncTable good{db, "t", &schema, "", {}};
  CHECK(copy(sql, good, options).rows.size() == 2);
}
