// SchemaHistory against a real server: after each DDL statement, the definition the history
// derived from the statement alone equals what the server's catalog says.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "runtime/source/schema_history.hpp"
#include "runtime/source/source_config.hpp"
#include "runtime/source/sql_connection.hpp"
#include "stdlib/collation.hpp"
#include "tests/infra/mariadb_server.hpp"

using namespace obsync;
using namespace obsync::source;
using obsync::test::MariaDbServer;
using Kind = DdlOutcome::Kind;

namespace {

SourceConfig config_for(const MariaDbServer& server) {
  SourceConfig c;
  c.name = "test";
  c.kind = SourceKind::MariaDb;
  c.sql = Endpoint{server.host(), server.port()};
  c.binlog = c.sql;
  c.user = server.user();
  c.password = server.password();
  c.tls.mode = TlsMode::Disabled;
  c.connect_timeout = std::chrono::seconds(5);
  c.read_timeout = std::chrono::seconds(10);
  return c;
}

// Everything decoding depends on, one line per column.
std::string render(const ColumnSchema& c) {
  const SqlType& t = c.type;
  return fmt::format("{} `{}` cls={} column={} unsigned={} nullable={} precision={} scale={} length={} collation={} "
                     "elements=[{}]",
                     c.type_text, c.name, static_cast<int>(t.cls), static_cast<int>(t.column), t.is_unsigned,
                     t.nullable, t.precision, t.scale, t.length, t.collation ? t.collation->name : "-",
                     fmt::join(t.elements, "|"));
}

std::vector<std::vector<std::string>> sorted_keys(std::vector<std::vector<std::string>> keys) {
  std::sort(keys.begin(), keys.end());
  return keys;
}

// The database as the history has it against the catalog's, table by table.
void compare_database(const Schema& history, const Schema& catalog, const std::string& db) {
  INFO("database " << db);
  const DatabaseSchema* h = history.find_database(db);
  const DatabaseSchema* c = catalog.find_database(db);
  std::vector<std::string> h_tables, c_tables;
  if (h)
    for (const auto& t : h->tables) h_tables.push_back(t.name);
  if (c)
    for (const auto& t : c->tables) c_tables.push_back(t.name);
  std::sort(h_tables.begin(), h_tables.end());
  std::sort(c_tables.begin(), c_tables.end());
  REQUIRE(h_tables == c_tables);
  if (!c) return;
  for (const auto& ct : c->tables) {
    INFO("table " << ct.name);
    const TableSchema* ht = h->find_table(ct.name);
    REQUIRE(ht);
    CHECK(ht->name == ct.name);
    CHECK(ht->is_view == ct.is_view);
    if (ct.is_view) continue;  // a view's columns come from its query, which the history does not evaluate
    std::vector<std::string> hc, cc;
    for (const auto& col : ht->columns) hc.push_back(render(col));
    for (const auto& col : ct.columns) cc.push_back(render(col));
    CHECK(hc == cc);
    CHECK(ht->primary_key == ct.primary_key);
    CHECK(sorted_keys(ht->unique_keys) == sorted_keys(ct.unique_keys));
    CHECK(ht->row_key() == ct.row_key());
  }
}

struct Step {
  std::string sql;
  Kind expected;
  bool with_catalog = false;  // statements whose columns only the server knows (CREATE … SELECT)
};

}  // namespace

TEST_CASE("schema history: each DDL statement gives the definition the server's catalog has",
          "[schema-history-live]") {
  MariaDbServer& server = test::shared_mariadb();
  server.execute("DROP DATABASE IF EXISTS sh_live");
  server.execute("DROP DATABASE IF EXISTS sh_live_other");
  SourceConfig config = config_for(server);
  SqlConnection sql(config, config.sql);
  SchemaHistory history;
  uint64_t offset = 4;
  auto next = [&] { return BinlogPosition{"mysql-bin.000001", offset += 100, "", false}; };
  history.load_catalog(sql, next());
  const std::vector<std::string> dbs = {"sh_live", "sh_live_other"};

  const std::vector<Step> steps = {
      {"CREATE DATABASE sh_live DEFAULT CHARACTER SET latin1", Kind::None},
      {"CREATE DATABASE sh_live_other /*!40100 DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci */",
       Kind::None},
      {"CREATE TABLE t1 (id INT NOT NULL AUTO_INCREMENT, name VARCHAR(20) DEFAULT 'x' COMMENT 'the name', "
       "price DECIMAL(10,2) UNSIGNED NOT NULL DEFAULT '0.00', note TEXT CHARACTER SET utf8mb4, PRIMARY KEY (id), "
       "UNIQUE KEY uk_name (name), KEY k_price (price)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin "
       "COMMENT='t1'",
       Kind::Create},
      {"/* a comment */ CREATE TABLE IF NOT EXISTS `t2` (`a` bigint(20) unsigned NOT NULL PRIMARY KEY, "
       "`b` char(3) UNIQUE, c datetime(3) NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3), "
       "d enum('x','y''z') NOT NULL DEFAULT 'x', e set('p','q'), f bit(5) DEFAULT b'101', g year, h float, "
       "i double(8,3), j time(6), k varbinary(16), l blob, m tinyint(1) -- trailing comment\n"
       ", n mediumint zerofill, o bool, `p q` int COMMENT 'a, (tricky) comment')",
       Kind::Create},
      {"CREATE TABLE t3 LIKE t1", Kind::Create},
      {"CREATE TABLE sh_live.t4 (x INT, y VARCHAR(10) COLLATE latin1_bin, z CHAR(2) CHARACTER SET utf8mb3, "
       "w TEXT(100), gen INT AS (x + 1) VIRTUAL, CONSTRAINT c_ck CHECK (x > 0)) "
       "/*!50100 PARTITION BY HASH (x) PARTITIONS 2 */",
       Kind::Create},
      {"ALTER TABLE t1 ADD COLUMN created DATETIME NOT NULL AFTER name", Kind::Alter},
      {"ALTER TABLE t1 ADD note2 VARCHAR(5) FIRST, ADD (c1 INT, c2 INT NOT NULL)", Kind::Alter},
      {"ALTER TABLE t1 DROP COLUMN note2, DROP c1", Kind::Alter},
      {"ALTER TABLE t1 MODIFY name VARCHAR(50) NOT NULL", Kind::Alter},
      {"ALTER TABLE t1 CHANGE COLUMN price amount DECIMAL(12,3) NULL AFTER id", Kind::Alter},
      {"ALTER TABLE t1 RENAME COLUMN c2 TO c3", Kind::Alter},
      {"ALTER TABLE t1 ADD UNIQUE INDEX uk_c3 (c3, created), ADD UNIQUE (amount)", Kind::Alter},
      {"ALTER TABLE t1 DROP INDEX uk_name", Kind::Alter},
      {"ALTER TABLE t1 DROP KEY amount", Kind::Alter},
      {"ALTER TABLE t3 MODIFY id INT NOT NULL, DROP PRIMARY KEY", Kind::Alter},
      {"ALTER TABLE t3 ADD PRIMARY KEY (name, id)", Kind::Alter},
      {"ALTER TABLE t2 ENGINE=InnoDB, COMMENT='hello', ADD INDEX idx_c (c)", Kind::Alter},
      {"ALTER TABLE t2 DEFAULT CHARSET utf8mb4, ADD r VARCHAR(3)", Kind::Alter},
      {"ALTER TABLE t2 MODIFY COLUMN b CHAR(3) CHARACTER SET latin1 COLLATE latin1_bin FIRST", Kind::Alter},
      {"ALTER TABLE t1 ALTER COLUMN name SET DEFAULT 'y'", Kind::Alter},
      {"ALTER TABLE t4 CONVERT TO CHARACTER SET utf8mb4", Kind::Alter},
      {"ALTER TABLE t2 ADD COLUMN IF NOT EXISTS s INT, DROP COLUMN IF EXISTS zz", Kind::Alter},
      {"CREATE UNIQUE INDEX ux_t2 ON t2 (e, f)", Kind::Alter},
      {"DROP INDEX ux_t2 ON t2", Kind::Alter},
      {"RENAME TABLE t3 TO t5, t4 TO t6", Kind::Rename},
      {"ALTER TABLE t5 RENAME TO t7", Kind::Rename},
      {"ALTER TABLE t6 RENAME AS sh_live_other.t8, ADD COLUMN v VARCHAR(4)", Kind::Alter},
      {"TRUNCATE t1", Kind::Truncate},
      {"TRUNCATE TABLE sh_live_other.t8", Kind::Truncate},
      {"DROP TABLE IF EXISTS t7, missing_table", Kind::Drop},
      {"CREATE VIEW v1 AS SELECT id, name FROM t1", Kind::Create},
      {"CREATE OR REPLACE ALGORITHM=MERGE VIEW v1 AS SELECT id FROM t1", Kind::Create},
      {"DROP VIEW v1", Kind::Drop},
      {"CREATE TABLE t9 (`select` INT, `a``b` INT, UNIQUE (`select`), UNIQUE (`select`, `a``b`))", Kind::Create},
      {"ALTER TABLE t9 DROP INDEX `select_2`", Kind::Alter},
      {"CREATE TABLE t13 (a INT NOT NULL, b INT, KEY (a), UNIQUE (a), UNIQUE KEY ub (b))", Kind::Create},
      {"ALTER TABLE t13 DROP INDEX a", Kind::Alter},
      {"CREATE TABLE t11 (a INT) ENGINE=InnoDB /*!50100 PARTITION BY RANGE (a) (PARTITION p0 VALUES LESS THAN "
       "(10), PARTITION p1 VALUES LESS THAN MAXVALUE) */",
       Kind::Create},
      {"ALTER TABLE t11 TRUNCATE PARTITION p0", Kind::Alter},
      {"CREATE TABLE t12 (a NCHAR(3), b NATIONAL VARCHAR(4), c SERIAL, d INT4, e DOUBLE PRECISION, f REAL, "
       "g NUMERIC(5), h CHAR(4) BINARY, i VARCHAR(10) CHARACTER SET binary, j TEXT CHARACTER SET binary, "
       "k FLOAT(30), l FLOAT(7,3) UNSIGNED, m TIMESTAMP(2) NULL, n LONG VARCHAR, o TINYTEXT, p MEDIUMBLOB, "
       "q BINARY(2), r POINT, s LONGTEXT CHARACTER SET latin1)",
       Kind::Create},
      {"CREATE TABLE t14 (id INT PRIMARY KEY) AS SELECT 1 AS id, 'x' AS label", Kind::Unparsed, true},
      {"ALTER TABLE t14 ADD COLUMN extra INT", Kind::Alter},
      {"CREATE TABLE sh_live_other.t15 (a VARCHAR(3), b TEXT)", Kind::Create},
      {"ALTER DATABASE sh_live CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", Kind::None},
      {"ALTER TABLE t2 ADD COLUMN t CHAR(1)", Kind::Alter},  // the table's default, not the new database one
      {"CREATE TABLE t16 (a CHAR(1), b ENUM('x') , c SET('y') CHARACTER SET latin1)", Kind::Create},
      {"DROP TABLE t16", Kind::Drop},
      {"DROP DATABASE sh_live_other", Kind::DropDatabase},
  };

  // One session for all statements, as the binlog's QUERY events carry their session's database.
  auto conn = server.connect();
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    INFO(step.sql);
    conn.execute(step.sql);
    if (i == 0) conn.execute("USE sh_live");
    DdlOutcome out = history.apply_ddl("sh_live", step.sql, next(), step.with_catalog ? &sql : nullptr);
    INFO(out.message);
    CHECK(static_cast<int>(out.kind) == static_cast<int>(step.expected));
    CHECK(out.message.find('\n') == std::string::npos);
    Schema catalog = read_catalog(sql, dbs);
    Schema mine = history.current_schema();
    compare_database(mine, catalog, "sh_live");
    compare_database(mine, catalog, "sh_live_other");
  }

  // The same history from a checkpoint, and then the end of the database.
  BinlogPosition checkpoint = next();
  std::string error;
  auto restored = SchemaHistory::from_json(history.to_json(checkpoint), error);
  INFO(error);
  REQUIRE(restored);
  compare_database(restored->current_schema(), read_catalog(sql, dbs), "sh_live");
  server.execute("DROP DATABASE sh_live");
  CHECK(restored->apply_ddl("", "DROP DATABASE sh_live", next()).kind == Kind::DropDatabase);
  compare_database(restored->current_schema(), read_catalog(sql, dbs), "sh_live");
}

TEST_CASE("schema history: an uninterpretable DDL is refreshed from the catalog", "[schema-history-live]") {
  MariaDbServer& server = test::shared_mariadb();
  server.execute("DROP DATABASE IF EXISTS sh_refresh");
  server.execute("CREATE DATABASE sh_refresh");
  SourceConfig config = config_for(server);
  SqlConnection sql(config, config.sql);
  auto conn = server.connect("sh_refresh");
  conn.execute("CREATE TABLE t (id INT PRIMARY KEY, a INT)");
  SchemaHistory history;
  history.load_catalog(sql, {"mysql-bin.000001", 100, "", false});
  REQUIRE(history.find("sh_refresh", "t"));
  CHECK(history.find("mysql", "user") == nullptr);  // system databases are not loaded
  // MariaDB's INET6 is not a type obsync knows: the statement cannot be interpreted.
  const std::string ddl = "ALTER TABLE t ADD COLUMN ip INET6, ADD COLUMN b VARCHAR(3)";
  conn.execute(ddl);
  DdlOutcome out = history.apply_ddl("sh_refresh", ddl, {"mysql-bin.000001", 200, "", false}, &sql);
  CHECK(out.kind == Kind::Unparsed);
  CHECK(out.message.find("refreshed from the catalog") != std::string::npos);
  const TableSchema* t = history.find("sh_refresh", "t");
  REQUIRE(t);
  REQUIRE(t->columns.size() == 4);
  CHECK(t->columns[2].name == "ip");
  CHECK(t->columns[2].type_text == "inet6");
  CHECK(t->columns[3].name == "b");
  // The version before the statement is still there.
  CHECK(history.find_at("sh_refresh", "t", {"mysql-bin.000001", 150, "", false})->columns.size() == 2);
  // Without a catalog the definition stays as it was.
  conn.execute("ALTER TABLE t ADD COLUMN ip2 INET6");
  CHECK(history.apply_ddl("sh_refresh", "ALTER TABLE t ADD COLUMN ip2 INET6", {"mysql-bin.000001", 300, "", false})
            .kind == Kind::Unparsed);
  CHECK(history.find("sh_refresh", "t")->columns.size() == 4);
  server.execute("DROP DATABASE sh_refresh");
}
