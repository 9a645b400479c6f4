// SchemaHistory: the DDL interpreter form by form, versions by position, and the checkpoint JSON.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runtime/source/schema_history.hpp"
#include "stdlib/collation.hpp"

using namespace obsync;
using obsync::source::BinlogPosition;
using obsync::source::DdlOutcome;
using obsync::source::SchemaHistory;
using Kind = DdlOutcome::Kind;

namespace {

BinlogPosition pos(uint64_t offset, const char* file = "mysql-bin.000001") { return {file, offset, "", false}; }

// Applies statements at positions 100, 200, … in database `shop`.
struct Fixture {
  SchemaHistory h;
  uint64_t next = 100;
  DdlOutcome run(const std::string& sql, const std::string& db = "shop") {
    DdlOutcome out = h.apply_ddl(db, sql, pos(next));
    next += 100;
    return out;
  }
  const TableSchema& table(const std::string& name, const std::string& db = "shop") {
    const TableSchema* t = h.find(db, name);
    INFO(db << "." << name);
    REQUIRE(t != nullptr);
    return *t;
  }
};

std::vector<std::string> names(const TableSchema& t) {
  std::vector<std::string> out;
  for (const auto& c : t.columns) out.push_back(c.name);
  return out;
}

// The column's type text, collation and nullability, in one string for readable failures.
std::string describe(const ColumnSchema& c) {
  std::string out = c.type_text;
  if (c.type.collation && c.type.cls == TypeClass::String) out += " " + std::string(c.type.collation->name);
  if (!c.type.nullable) out += " not null";
  return out;
}

std::string describe(const TableSchema& t, const std::string& column) {
  const ColumnSchema* c = t.find_column(column);
  INFO(column);
  REQUIRE(c != nullptr);
  return describe(*c);
}

using Keys = std::vector<std::vector<std::string>>;

}  // namespace

TEST_CASE("CREATE TABLE: columns, types, keys and skipped definitions", "[schema-history]") {
  Fixture f;
  auto out = f.run(
      "CREATE TABLE orders (\n"
      "  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'the id',\n"
      "  code VARCHAR(20) NOT NULL DEFAULT '' UNIQUE,\n"
      "  amount DECIMAL(10,2) DEFAULT -1.5,\n"
      "  ratio DOUBLE DEFAULT 2.5E-3, big DOUBLE DEFAULT 1e300, hex VARBINARY(2) DEFAULT 0x1F,\n"
      "  bits BIT(3) DEFAULT b'101', label VARCHAR(3) DEFAULT _utf8mb4'x' 'y', uid CHAR(36) DEFAULT (uuid()),\n"
      "  flag BOOL DEFAULT TRUE,\n"
      "  created DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),\n"
      "  kind ENUM('a','it''s') CHARACTER SET latin1 DEFAULT 'a',\n"
      "  total INT GENERATED ALWAYS AS (id * 2) VIRTUAL,\n"
      "  customer INT REFERENCES customers (id) ON DELETE SET NULL,\n"
      "  PRIMARY KEY (id),\n"
      "  UNIQUE KEY uk_cust (customer, created),\n"
      "  KEY k_amount (amount), INDEX (created), FULLTEXT KEY ft (code),\n"
      "  CONSTRAINT fk FOREIGN KEY (customer) REFERENCES customers (id),\n"
      "  CONSTRAINT ck CHECK (amount > 0)\n"
      ") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='orders'");
  CHECK(out.kind == Kind::Create);
  REQUIRE(out.tables.size() == 1);
  CHECK(out.tables[0] == std::make_pair(std::string("shop"), std::string("orders")));
  CHECK(out.message.find("shop.orders") != std::string::npos);
  const auto& t = f.table("orders");
  CHECK(names(t) == std::vector<std::string>{"id", "code", "amount", "ratio", "big", "hex", "bits", "label", "uid",
                                             "flag", "created", "kind", "total", "customer"});
  CHECK(describe(t, "id") == "bigint(20) unsigned not null");
  CHECK(describe(t, "code") == "varchar(20) utf8mb4_bin not null");
  CHECK(describe(t, "amount") == "decimal(10,2)");
  CHECK(describe(t, "flag") == "tinyint(1)");
  CHECK(describe(t, "created") == "datetime(3) not null");
  CHECK(describe(t, "kind") == "enum('a','it''s') latin1_swedish_ci");
  CHECK(describe(t, "total") == "int(11)");
  CHECK(t.primary_key == std::vector<std::string>{"id"});
  // NOT NULL unique keys first, as MySQL orders them.
  CHECK(t.unique_keys == Keys{{"code"}, {"customer", "created"}});
  CHECK(t.row_key() == std::vector<std::string>{"id"});
  // The SqlType is what the catalog path (COLUMN_TYPE + COLLATE + NOT NULL) gives.
  std::string error;
  auto expected = parse_column_type("bigint(20) unsigned NOT NULL", error);
  REQUIRE(expected);
  CHECK(t.columns[0].type.column == expected->column);
  CHECK(t.columns[0].type.is_unsigned);
  CHECK(t.find_column("kind")->type.elements == std::vector<std::string>{"a", "it's"});
}

TEST_CASE("column types are spelled as MySQL's COLUMN_TYPE", "[schema-history]") {
  Fixture f;
  REQUIRE(f.run("CREATE TABLE t (a INT, b INTEGER(5) ZEROFILL, c TINYINT UNSIGNED, d SMALLINT, e MEDIUMINT, "
                "f SERIAL, g NUMERIC(5), h DEC, i FLOAT, j FLOAT(30), k DOUBLE PRECISION, l REAL, "
                "m DOUBLE(8,3) UNSIGNED, n BIT, o BIT(13), p YEAR, q DATE, r TIME(6), s TIMESTAMP(0) NULL, "
                "u CHAR, v NCHAR(3), w NATIONAL VARCHAR(4), x VARCHAR(10) CHARACTER SET binary, "
                "y TEXT CHARACTER SET binary, z TEXT(100), aa TEXT(100) CHARACTER SET latin1, "
                "ab BLOB(70000), ac CHAR(4) BINARY, ad LONG VARCHAR, ae JSON, af POINT, ag INT8, "
                "ah SET('x','y') NOT NULL, ai VARCHAR(5) ASCII, aj BINARY(3), ak LONGBLOB)")
              .kind == Kind::Create);
  const auto& t = f.table("t");
  CHECK(describe(t, "a") == "int(11)");
  CHECK(describe(t, "b") == "int(5) unsigned zerofill");
  CHECK(describe(t, "c") == "tinyint(3) unsigned");
  CHECK(describe(t, "d") == "smallint(6)");
  CHECK(describe(t, "e") == "mediumint(9)");
  CHECK(describe(t, "f") == "bigint(20) unsigned not null");
  CHECK(describe(t, "g") == "decimal(5,0)");
  CHECK(describe(t, "h") == "decimal(10,0)");
  CHECK(describe(t, "i") == "float");
  CHECK(describe(t, "j") == "double");
  CHECK(describe(t, "k") == "double");
  CHECK(describe(t, "l") == "double");
  CHECK(describe(t, "m") == "double(8,3) unsigned");
  CHECK(describe(t, "n") == "bit(1) binary");
  CHECK(describe(t, "o") == "bit(13) binary");
  CHECK(describe(t, "p") == "year(4)");
  CHECK(describe(t, "q") == "date");
  CHECK(describe(t, "r") == "time(6)");
  CHECK(describe(t, "s") == "timestamp");
  CHECK(describe(t, "u") == "char(1) utf8mb4_general_ci");
  CHECK(describe(t, "v") == "char(3) utf8mb3_general_ci");
  CHECK(describe(t, "w") == "varchar(4) utf8mb3_general_ci");
  CHECK(describe(t, "x") == "varbinary(10) binary");
  CHECK(describe(t, "y") == "blob binary");
  CHECK(describe(t, "z") == "text utf8mb4_general_ci");  // 400 bytes
  CHECK(describe(t, "aa") == "tinytext latin1_swedish_ci");
  CHECK(describe(t, "ab") == "mediumblob binary");
  CHECK(describe(t, "ac") == "char(4) utf8mb4_bin");
  CHECK(describe(t, "ad") == "mediumtext utf8mb4_general_ci");
  CHECK(describe(t, "ae") == "json");
  CHECK(describe(t, "af") == "point binary");
  CHECK(describe(t, "ag") == "bigint(20)");
  CHECK(describe(t, "ah") == "set('x','y') utf8mb4_general_ci not null");
  CHECK(describe(t, "ai") == "varchar(5) latin1_swedish_ci");
  CHECK(describe(t, "aj") == "binary(3) binary");
  CHECK(describe(t, "ak") == "longblob binary");
  // SERIAL is also a unique key, named after the column.
  CHECK(t.unique_keys == Keys{{"f"}});
}

TEST_CASE("collations come from the column, the table, the database, else utf8mb4_general_ci",
          "[schema-history]") {
  Fixture f;
  CHECK(f.run("CREATE DATABASE shop DEFAULT CHARACTER SET latin1").kind == Kind::None);
  CHECK(f.run("CREATE DATABASE IF NOT EXISTS other /*!40100 COLLATE utf8mb4_unicode_ci */").kind == Kind::None);
  REQUIRE(f.run("CREATE TABLE a (x VARCHAR(3), y VARCHAR(3) COLLATE utf8mb4_bin, z VARCHAR(3) CHARSET utf8)").kind ==
          Kind::Create);
  CHECK(describe(f.table("a"), "x") == "varchar(3) latin1_swedish_ci");
  CHECK(describe(f.table("a"), "y") == "varchar(3) utf8mb4_bin");
  CHECK(describe(f.table("a"), "z") == "varchar(3) utf8mb3_general_ci");
  // Table options after the columns still decide the columns' collation.
  REQUIRE(f.run("CREATE TABLE b (x TEXT, y CHAR(2) BINARY) CHARACTER SET = utf8mb4").kind == Kind::Create);
  CHECK(describe(f.table("b"), "x") == "text utf8mb4_general_ci");
  CHECK(describe(f.table("b"), "y") == "char(2) utf8mb4_bin");
  REQUIRE(f.run("CREATE TABLE other.c (x VARCHAR(1))").kind == Kind::Create);
  CHECK(describe(f.table("c", "other"), "x") == "varchar(1) utf8mb4_unicode_ci");
  REQUIRE(f.run("CREATE TABLE d (x VARCHAR(1))", "nowhere").kind == Kind::Create);
  CHECK(describe(f.table("d", "nowhere"), "x") == "varchar(1) utf8mb4_general_ci");
  // ALTER TABLE: new columns take the table's default, also one set in the same statement.
  REQUIRE(f.run("ALTER TABLE a ADD w CHAR(1)").kind == Kind::Alter);
  CHECK(describe(f.table("a"), "w") == "char(1) latin1_swedish_ci");
  REQUIRE(f.run("ALTER TABLE a ADD v CHAR(1), DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_unicode_ci").kind == Kind::Alter);
  CHECK(describe(f.table("a"), "v") == "char(1) utf8mb4_unicode_ci");
  CHECK(describe(f.table("a"), "w") == "char(1) latin1_swedish_ci");
  CHECK(f.run("ALTER DATABASE shop CHARACTER SET utf8mb4").kind == Kind::None);
  REQUIRE(f.run("CREATE TABLE e (x VARCHAR(1))").kind == Kind::Create);
  CHECK(describe(f.table("e"), "x") == "varchar(1) utf8mb4_general_ci");
}

TEST_CASE("CREATE TABLE forms: IF NOT EXISTS, LIKE, AS SELECT, TEMPORARY, OR REPLACE", "[schema-history]") {
  Fixture f;
  REQUIRE(f.run("CREATE TABLE s (id INT PRIMARY KEY, v VARCHAR(5) UNIQUE)").kind == Kind::Create);
  auto out = f.run("CREATE TABLE IF NOT EXISTS s (other INT)");
  CHECK(out.kind == Kind::Create);
  CHECK(names(f.table("s")) == std::vector<std::string>{"id", "v"});

  CHECK(f.run("CREATE TABLE t LIKE s").kind == Kind::Create);
  CHECK(names(f.table("t")) == std::vector<std::string>{"id", "v"});
  CHECK(f.table("t").name == "t");
  CHECK(f.table("t").primary_key == std::vector<std::string>{"id"});
  CHECK(f.run("CREATE TABLE u (LIKE shop.s)").kind == Kind::Create);
  CHECK(f.table("u").unique_keys == Keys{{"v"}});
  CHECK(f.run("CREATE TABLE w LIKE missing").kind == Kind::Unparsed);

  for (const char* sql : {"CREATE TABLE q AS SELECT * FROM s", "CREATE TABLE q SELECT 1",
                          "CREATE TABLE q (extra INT) SELECT id FROM s", "CREATE TABLE q (SELECT 1 AS one)",
                          "CREATE TABLE q (a INT) ENGINE=InnoDB AS SELECT 1 AS a",
                          "CREATE TABLE q (a INT) IGNORE SELECT 1 AS a"}) {
    INFO(sql);
    auto o = f.run(sql);
    CHECK(o.kind == Kind::Unparsed);
    REQUIRE(o.tables.size() == 1);
    CHECK(o.tables[0].second == "q");
    CHECK(o.message.find('\n') == std::string::npos);
    CHECK(f.h.find("shop", "q") == nullptr);  // no catalog to ask
  }
  CHECK(f.run("CREATE TEMPORARY TABLE tmp (a INT)").kind == Kind::None);
  CHECK(f.h.find("shop", "tmp") == nullptr);

  REQUIRE(f.run("CREATE OR REPLACE TABLE s (z INT)").kind == Kind::Create);
  CHECK(names(f.table("s")) == std::vector<std::string>{"z"});
  CHECK(f.table("s").primary_key.empty());
}

TEST_CASE("ALTER TABLE: columns added, dropped, modified, changed, renamed and placed", "[schema-history]") {
  Fixture f;
  REQUIRE(f.run("CREATE TABLE t (id INT NOT NULL, a INT, b VARCHAR(10), PRIMARY KEY (id), UNIQUE KEY uk (a, b))")
              .kind == Kind::Create);
  auto out = f.run("ALTER TABLE t ADD COLUMN c INT NOT NULL AFTER id, ADD d DATE FIRST, ADD (e INT, f CHAR(2))");
  CHECK(out.kind == Kind::Alter);
  CHECK(out.message == "ALTER TABLE shop.t: added column c, added column d, added column e, added column f");
  CHECK(names(f.table("t")) == std::vector<std::string>{"d", "id", "c", "a", "b", "e", "f"});

  CHECK(f.run("ALTER TABLE t DROP COLUMN d, DROP e").kind == Kind::Alter);
  CHECK(names(f.table("t")) == std::vector<std::string>{"id", "c", "a", "b", "f"});

  CHECK(f.run("ALTER TABLE t MODIFY b VARCHAR(50) NOT NULL").kind == Kind::Alter);
  CHECK(describe(f.table("t"), "b") == "varchar(50) utf8mb4_general_ci not null");
  CHECK(f.run("ALTER TABLE t MODIFY COLUMN f CHAR(2) FIRST").kind == Kind::Alter);
  CHECK(names(f.table("t")) == std::vector<std::string>{"f", "id", "c", "a", "b"});

  // CHANGE renames inside keys too.
  CHECK(f.run("ALTER TABLE t CHANGE COLUMN a a2 BIGINT NULL AFTER b").kind == Kind::Alter);
  CHECK(names(f.table("t")) == std::vector<std::string>{"f", "id", "c", "b", "a2"});
  CHECK(describe(f.table("t"), "a2") == "bigint(20)");
  CHECK(f.table("t").unique_keys == Keys{{"a2", "b"}});

  CHECK(f.run("ALTER TABLE t RENAME COLUMN a2 TO a3").kind == Kind::Alter);
  CHECK(f.table("t").unique_keys == Keys{{"a3", "b"}});
  CHECK(f.table("t").find_column("a2") == nullptr);

  // Dropping a key column removes it from the key.
  CHECK(f.run("ALTER TABLE t DROP COLUMN a3").kind == Kind::Alter);
  CHECK(f.table("t").unique_keys == Keys{{"b"}});

  // MariaDB's IF [NOT] EXISTS forms.
  CHECK(f.run("ALTER TABLE t ADD COLUMN IF NOT EXISTS c INT, DROP COLUMN IF EXISTS nothing").kind == Kind::Alter);
  CHECK(names(f.table("t")) == std::vector<std::string>{"f", "id", "c", "b"});
  // Errors the server would have refused are not guessed at.
  CHECK(f.run("ALTER TABLE t DROP COLUMN nothing").kind == Kind::Unparsed);
  CHECK(f.run("ALTER TABLE t ADD c INT").kind == Kind::Unparsed);
  CHECK(f.run("ALTER TABLE t ADD x INT AFTER nothing").kind == Kind::Unparsed);
  CHECK(names(f.table("t")) == std::vector<std::string>{"f", "id", "c", "b"});
}

TEST_CASE("ALTER TABLE: keys", "[schema-history]") {
  Fixture f;
  REQUIRE(f.run("CREATE TABLE t (id INT, a INT, b INT, KEY a (a))").kind == Kind::Create);
  CHECK(f.table("t").primary_key.empty());
  CHECK(f.run("ALTER TABLE t ADD PRIMARY KEY (id)").kind == Kind::Alter);
  CHECK(f.table("t").primary_key == std::vector<std::string>{"id"});
  CHECK(describe(f.table("t"), "id") == "int(11) not null");  // a primary key makes it NOT NULL
  // An unnamed unique key is named after its first column; `a` is taken by the index.
  CHECK(f.run("ALTER TABLE t ADD UNIQUE (a), ADD UNIQUE INDEX ub (b, a), ADD CONSTRAINT uc UNIQUE (b)").kind ==
        Kind::Alter);
  CHECK(f.table("t").unique_keys == Keys{{"a"}, {"b", "a"}, {"b"}});
  CHECK(f.run("ALTER TABLE t DROP INDEX a").kind == Kind::Alter);  // the plain index
  CHECK(f.table("t").unique_keys.size() == 3);
  CHECK(f.run("ALTER TABLE t DROP INDEX a_2").kind == Kind::Alter);
  CHECK(f.table("t").unique_keys == Keys{{"b", "a"}, {"b"}});
  CHECK(f.run("ALTER TABLE t DROP KEY `ub`, DROP CONSTRAINT uc").kind == Kind::Alter);
  CHECK(f.table("t").unique_keys.empty());
  CHECK(f.run("ALTER TABLE t DROP PRIMARY KEY").kind == Kind::Alter);
  CHECK(f.table("t").primary_key.empty());
  CHECK(describe(f.table("t"), "id") == "int(11) not null");

  CHECK(f.run("CREATE UNIQUE INDEX ux ON t (b) USING BTREE").kind == Kind::Alter);
  CHECK(f.table("t").unique_keys == Keys{{"b"}});
  CHECK(f.run("ALTER TABLE t RENAME INDEX ux TO uy").kind == Kind::Alter);
  CHECK(f.run("DROP INDEX uy ON shop.t").kind == Kind::Alter);
  CHECK(f.table("t").unique_keys.empty());
  CHECK(f.run("CREATE INDEX plain ON t (a)").kind == Kind::Alter);
  CHECK(f.table("t").unique_keys.empty());
  // A unique key on a NOT NULL column identifies rows when there is no primary key.
  CHECK(f.run("ALTER TABLE t ADD UNIQUE KEY u1 (a), ADD UNIQUE KEY u2 (id)").kind == Kind::Alter);
  CHECK(f.table("t").row_key() == std::vector<std::string>{"id"});
}

TEST_CASE("ALTER TABLE: options ignored, CONVERT TO, unknown specifications", "[schema-history]") {
  Fixture f;
  REQUIRE(f.run("CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(5), x TEXT, b VARBINARY(3), e ENUM('p')) "
                "DEFAULT CHARSET=latin1")
              .kind == Kind::Create);
  const TableSchema* before = f.h.find("shop", "t");
  auto out = f.run(
      "ALTER TABLE t ENGINE=InnoDB, COMMENT 'hello', ADD INDEX ix (s), ALGORITHM=INPLACE, LOCK=NONE, "
      "AUTO_INCREMENT=10, ALTER COLUMN s SET DEFAULT 'a', ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES p(id), "
      "DROP FOREIGN KEY fk, FORCE, ROW_FORMAT=DYNAMIC, block_size = 16384");
  CHECK(out.kind == Kind::Alter);
  CHECK(names(f.table("t")) == names(*before));
  CHECK(f.run("ALTER TABLE t ADD PARTITION (PARTITION p3 VALUES LESS THAN (30))").kind == Kind::Alter);
  CHECK(f.run("ALTER TABLE t PARTITION BY HASH(id) PARTITIONS 4").kind == Kind::Alter);

  CHECK(f.run("ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin").kind == Kind::Alter);
  CHECK(describe(f.table("t"), "s") == "varchar(5) utf8mb4_bin");
  CHECK(describe(f.table("t"), "x") == "mediumtext utf8mb4_bin");  // keeps its capacity in characters
  CHECK(describe(f.table("t"), "b") == "varbinary(3) binary");
  CHECK(describe(f.table("t"), "e") == "enum('p') utf8mb4_bin");
  REQUIRE(f.run("ALTER TABLE t ADD n CHAR(1)").kind == Kind::Alter);
  CHECK(describe(f.table("t"), "n") == "char(1) utf8mb4_bin");

  size_t versions = f.h.version_count();
  const TableSchema* last = f.h.find("shop", "t");
  for (const char* sql : {"ALTER TABLE t FROBNICATE s", "ALTER TABLE t ADD COLUMN z INET6",
                          "ALTER TABLE t CONVERT TO CHARACTER SET binary", "ALTER TABLE t ADD COLUMN (", "ALTER TABLE"}) {
    INFO(sql);
    auto o = f.run(sql);
    CHECK(o.kind == Kind::Unparsed);
    CHECK(o.message.find("cannot interpret") != std::string::npos);
    CHECK(o.message.find('\n') == std::string::npos);
  }
  CHECK(f.h.version_count() == versions);  // nothing changed without a catalog
  CHECK(f.h.find("shop", "t") == last);
  CHECK(f.run("ALTER TABLE missing ADD c INT").kind == Kind::Unparsed);
}

TEST_CASE("DROP, RENAME, TRUNCATE and DROP DATABASE", "[schema-history]") {
  Fixture f;
  for (const char* t : {"a", "b", "c", "d"}) REQUIRE(f.run(std::string("CREATE TABLE ") + t + " (id INT)").kind == Kind::Create);
  REQUIRE(f.run("CREATE TABLE other.x (id INT)").kind == Kind::Create);

  auto out = f.run("DROP TABLE IF EXISTS a, `shop`.b, never_was /* generated by server */");
  CHECK(out.kind == Kind::Drop);
  CHECK(out.tables.size() == 3);
  CHECK(f.h.find("shop", "a") == nullptr);
  CHECK(f.h.find("shop", "b") == nullptr);

  out = f.run("RENAME TABLE c TO c2, d TO other.d2");
  CHECK(out.kind == Kind::Rename);
  REQUIRE(out.renamed.size() == 2);
  CHECK(out.renamed[0].first == std::make_pair(std::string("shop"), std::string("c")));
  CHECK(out.renamed[1].second == std::make_pair(std::string("other"), std::string("d2")));
  CHECK(f.h.find("shop", "c") == nullptr);
  CHECK(f.table("c2").name == "c2");
  CHECK(f.table("d2", "other").name == "d2");

  // A swap through a temporary name, applied in order.
  REQUIRE(f.run("CREATE TABLE e (other_col INT)").kind == Kind::Create);
  CHECK(f.run("RENAME TABLE c2 TO tmp, e TO c2, tmp TO e").kind == Kind::Rename);
  CHECK(names(f.table("c2")) == std::vector<std::string>{"other_col"});
  CHECK(names(f.table("e")) == std::vector<std::string>{"id"});
  CHECK(f.h.find("shop", "tmp") == nullptr);

  out = f.run("ALTER TABLE e RENAME TO e2");
  CHECK(out.kind == Kind::Rename);
  CHECK(out.renamed.size() == 1);
  CHECK(f.h.find("shop", "e") == nullptr);
  out = f.run("ALTER TABLE e2 RENAME AS shop.e3, ADD z INT");
  CHECK(out.kind == Kind::Alter);
  CHECK(names(f.table("e3")) == std::vector<std::string>{"id", "z"});

  out = f.run("TRUNCATE TABLE e3");
  CHECK(out.kind == Kind::Truncate);
  CHECK(out.tables.size() == 1);
  CHECK(f.run("TRUNCATE c2").kind == Kind::Truncate);
  CHECK(f.h.find("shop", "c2") != nullptr);

  out = f.run("DROP DATABASE IF EXISTS other");
  CHECK(out.kind == Kind::DropDatabase);
  CHECK(out.tables.size() == 2);
  CHECK(f.h.find("other", "x") == nullptr);
  CHECK(f.h.find("other", "d2") == nullptr);
  CHECK(f.run("DROP SCHEMA shop").kind == Kind::DropDatabase);
  CHECK(f.h.current_schema().databases.empty());
}

TEST_CASE("views, indexes, system databases and statements that are not table DDL", "[schema-history]") {
  Fixture f;
  REQUIRE(f.run("CREATE TABLE t (id INT)").kind == Kind::Create);
  auto out = f.run("CREATE OR REPLACE ALGORITHM=MERGE DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW v AS SELECT id FROM t");
  CHECK(out.kind == Kind::Create);
  CHECK(f.table("v").is_view);
  CHECK(f.run("ALTER VIEW v AS SELECT 1").kind == Kind::Create);
  CHECK(f.run("DROP VIEW IF EXISTS v").kind == Kind::Drop);
  CHECK(f.h.find("shop", "v") == nullptr);

  for (const char* sql :
       {"BEGIN", "COMMIT", "INSERT INTO t VALUES (1)", "GRANT ALL ON *.* TO 'u'@'%'", "CREATE USER 'u'@'%'",
        "DROP USER 'u'", "RENAME USER a TO b", "CREATE FUNCTION f() RETURNS INT RETURN 1",
        "CREATE DEFINER=`root`@`localhost` TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @x = 1",
        "DROP TEMPORARY TABLE IF EXISTS tmp", "SET NAMES utf8mb4", "FLUSH PRIVILEGES", "ANALYZE TABLE t", "",
        "   ", "-- just a comment", "/* only */"}) {
    INFO(sql);
    CHECK(f.run(sql).kind == Kind::None);
  }
  CHECK(f.run("CREATE TABLE mysql.x (a INT)").kind == Kind::None);
  CHECK(f.run("ALTER TABLE user ADD c INT", "mysql").kind == Kind::None);
  CHECK(f.run("DROP TABLE information_schema.tables").kind == Kind::None);
  CHECK(f.h.find("mysql", "x") == nullptr);
  // No current database and no qualifier: nothing to attach the table to.
  CHECK(f.run("CREATE TABLE nodb (a INT)", "").kind == Kind::None);
}

TEST_CASE("comments, executable comments and quoting", "[schema-history]") {
  Fixture f;
  auto out = f.run(
      "/* leading */ CREATE /*!32312 TABLE*/ `we``ird db`.`my table` ( -- a comment\n"
      "  `select` INT NOT NULL, # another\n"
      "  `col, with (parens)` VARCHAR(3) COMMENT 'a -- not a comment, (really)',\n"
      "  plain INT /* inline */ DEFAULT 0,\n"
      "  note VARCHAR(9) DEFAULT 'it''s \\'quoted\\'',\n"
      "  PRIMARY KEY (`select`)\n"
      ") /*!50100 PARTITION BY HASH (`select`) PARTITIONS 4 */ /*M!100100 COMMENT 'x' */");
  CHECK(out.kind == Kind::Create);
  const auto& t = f.table("my table", "we`ird db");
  CHECK(names(t) == std::vector<std::string>{"select", "col, with (parens)", "plain", "note"});
  CHECK(t.primary_key == std::vector<std::string>{"select"});
  // Names match case-insensitively and keep their spelling.
  REQUIRE(f.run("CREATE TABLE Shop.MixedCase (Id INT, UNIQUE (ID))").kind == Kind::Create);
  CHECK(f.table("mixedcase", "SHOP").name == "MixedCase");
  CHECK(f.table("MIXEDCASE").unique_keys == Keys{{"Id"}});
  CHECK(f.run("alter table MIXEDCASE add column X int").kind == Kind::Alter);
  CHECK(names(f.table("mixedcase")) == std::vector<std::string>{"Id", "X"});
}

TEST_CASE("versions by position: find_at before and after a DDL", "[schema-history]") {
  SchemaHistory h;
  TableSchema base;
  base.columns.push_back({"id", "int(11)", SqlType::bigint()});
  h.set_table("shop", "t", base, pos(100));
  REQUIRE(h.apply_ddl("shop", "ALTER TABLE t ADD c INT", pos(500)).kind == DdlOutcome::Kind::Alter);
  REQUIRE(h.apply_ddl("shop", "ALTER TABLE t ADD d INT", pos(200, "mysql-bin.000002")).kind == DdlOutcome::Kind::Alter);
  CHECK(h.find("shop", "t")->columns.size() == 3);
  CHECK(h.find_at("shop", "t", pos(100))->columns.size() == 1);
  CHECK(h.find_at("shop", "t", pos(499))->columns.size() == 1);
  CHECK(h.find_at("shop", "t", pos(500))->columns.size() == 2);
  CHECK(h.find_at("shop", "t", pos(900000))->columns.size() == 2);  // file order beats offsets
  CHECK(h.find_at("shop", "t", pos(100, "mysql-bin.000002"))->columns.size() == 2);
  CHECK(h.find_at("shop", "t", pos(200, "mysql-bin.000002"))->columns.size() == 3);
  CHECK(h.find_at("shop", "t", pos(50)) == nullptr);  // created by set_table at 100
  CHECK(h.version_count() == 3);

  // Dropped, then created again with another definition.
  const TableSchema* old = h.find("shop", "t");
  REQUIRE(h.apply_ddl("shop", "DROP TABLE t", pos(300, "mysql-bin.000002")).kind == DdlOutcome::Kind::Drop);
  CHECK(h.find("shop", "t") == nullptr);
  CHECK(h.find_at("shop", "t", pos(250, "mysql-bin.000002")) == old);  // still valid
  REQUIRE(h.apply_ddl("shop", "CREATE TABLE t (x TEXT)", pos(400, "mysql-bin.000002")).kind ==
          DdlOutcome::Kind::Create);
  CHECK(h.find_at("shop", "t", pos(350, "mysql-bin.000002")) == nullptr);
  CHECK(names(*h.find("shop", "t")) == std::vector<std::string>{"x"});

  // forget_before keeps the version in force at the checkpoint.
  h.forget_before(pos(250, "mysql-bin.000002"));
  CHECK(h.version_count() == 3);
  CHECK(h.find_at("shop", "t", pos(250, "mysql-bin.000002")) == old);
  h.forget_before(pos(400, "mysql-bin.000002"));
  CHECK(h.version_count() == 1);
  CHECK(names(*h.find("shop", "t")) == std::vector<std::string>{"x"});

  // A dropped table is forgotten once the drop is behind the checkpoint.
  REQUIRE(h.apply_ddl("shop", "DROP TABLE t", pos(10, "mysql-bin.000003")).kind == DdlOutcome::Kind::Drop);
  CHECK(h.version_count() == 2);
  h.forget_before(pos(10, "mysql-bin.000003"));
  CHECK(h.version_count() == 0);
}

TEST_CASE("JSON round trip keeps types, collations, keys, key names and defaults", "[schema-history]") {
  Fixture f;
  REQUIRE(f.run("CREATE DATABASE shop CHARACTER SET latin1").kind == DdlOutcome::Kind::None);
  REQUIRE(f.run("CREATE TABLE t (id BIGINT UNSIGNED NOT NULL, s VARCHAR(5) COLLATE utf8mb4_bin, "
                "l VARCHAR(5), e ENUM('x','y''z'), b VARBINARY(4), bits BIT(3), d DECIMAL(12,4), j JSON, "
                "PRIMARY KEY (id), UNIQUE KEY uk (s, l), KEY plain (d))")
              .kind == DdlOutcome::Kind::Create);
  REQUIRE(f.run("CREATE VIEW v AS SELECT 1").kind == DdlOutcome::Kind::Create);
  BinlogPosition at{"mysql-bin.000004", 777, "0-1-42", true};
  std::string json = f.h.to_json(at);
  std::string error;
  auto back = SchemaHistory::from_json(json, error);
  INFO(error);
  REQUIRE(back);
  CHECK(back->to_json(at) == json);
  const TableSchema* a = f.h.find("shop", "t");
  const TableSchema* b = back->find("shop", "t");
  REQUIRE(b);
  REQUIRE(a->columns.size() == b->columns.size());
  for (size_t i = 0; i < a->columns.size(); ++i) {
    INFO(a->columns[i].name);
    CHECK(describe(a->columns[i]) == describe(b->columns[i]));
    CHECK(a->columns[i].type.column == b->columns[i].type.column);
    CHECK(a->columns[i].type.collation == b->columns[i].type.collation);
    CHECK(a->columns[i].type.length == b->columns[i].type.length);
    CHECK(a->columns[i].type.elements == b->columns[i].type.elements);
  }
  CHECK(b->primary_key == a->primary_key);
  CHECK(b->unique_keys == a->unique_keys);
  CHECK(back->find("shop", "v")->is_view);
  // Loaded from a checkpoint: valid for earlier positions too (the best knowledge there is).
  CHECK(back->find_at("shop", "t", pos(1)) == b);
  // Key names and the database default survive: they decide later DDL.
  CHECK(back->apply_ddl("shop", "ALTER TABLE t DROP INDEX uk, ADD c CHAR(1)", pos(800, "mysql-bin.000004")).kind ==
        DdlOutcome::Kind::Alter);
  CHECK(back->find("shop", "t")->unique_keys.empty());
  CHECK(back->apply_ddl("shop", "CREATE TABLE n (c CHAR(1))", pos(900, "mysql-bin.000004")).kind ==
        DdlOutcome::Kind::Create);
  CHECK(describe(*back->find("shop", "n"), "c") == "char(1) latin1_swedish_ci");

  // A history as of an earlier position holds the tables of then.
  std::string early = f.h.to_json(pos(150));
  auto e = SchemaHistory::from_json(early, error);
  REQUIRE(e);
  CHECK(e->find("shop", "t") == nullptr);

  for (const char* bad : {"", "{", "[]", "{\"format\": \"other\"}",
                          "{\"format\": \"obsync-schema-history/1\"}",
                          "{\"format\": \"obsync-schema-history/1\", \"position\": {\"file\": 3, \"offset\": 4}, "
                          "\"databases\": []}",
                          "{\"format\": \"obsync-schema-history/1\", \"position\": {\"file\": \"f.1\", \"offset\": 4}, "
                          "\"databases\": [{\"name\": \"x\", \"tables\": [{\"name\": 1}]}]}"}) {
    INFO(bad);
    std::string why;
    CHECK_FALSE(SchemaHistory::from_json(bad, why));
    CHECK_FALSE(why.empty());
  }
}

TEST_CASE("current_schema lists the latest tables by database", "[schema-history]") {
  Fixture f;
  REQUIRE(f.run("CREATE TABLE b (id INT)").kind == Kind::Create);
  REQUIRE(f.run("CREATE TABLE a (id INT)").kind == Kind::Create);
  REQUIRE(f.run("CREATE TABLE z.c (id INT)").kind == Kind::Create);
  REQUIRE(f.run("DROP TABLE b").kind == Kind::Drop);
  Schema s = f.h.current_schema();
  REQUIRE(s.databases.size() == 2);
  CHECK(s.databases[0].name == "shop");
  REQUIRE(s.databases[0].tables.size() == 1);
  CHECK(s.databases[0].tables[0].name == "a");
  CHECK(s.find_database("z")->find_table("c") != nullptr);
}

TEST_CASE("garbage and truncated SQL never throws", "[schema-history]") {
  const std::vector<std::string> statements = {
      "CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT, s VARCHAR(10) DEFAULT 'x' COMMENT 'c', "
      "PRIMARY KEY (id), UNIQUE KEY u (s)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
      "ALTER TABLE t ADD COLUMN c INT AFTER id, MODIFY s VARCHAR(20), CHANGE c d BIGINT FIRST, DROP INDEX u",
      "ALTER TABLE t ADD (x INT, y INT), RENAME COLUMN x TO z, RENAME TO t2",
      "RENAME TABLE t2 TO t3, t3 TO t4",
      "CREATE TABLE `a``b` (`c``d` ENUM('x','y''z') /*!50100 COLLATE utf8mb4_bin */)",
      "DROP TABLE IF EXISTS t4, `a``b`",
      "CREATE TABLE t (a INT) ENGINE=",
      "CREATE TABLE t (a INT) /*! unterminated",
  };
  const std::vector<std::string> garbage = {
      "CREATE", "CREATE TABLE", "CREATE TABLE (", "CREATE TABLE t (", "CREATE TABLE t ()", "CREATE TABLE t (a)",
      "CREATE TABLE t (a INT,", "CREATE TABLE t (a ENUM(", "CREATE TABLE t (a VARCHAR(99999999999999))",
      "ALTER TABLE t ADD", "ALTER TABLE t ADD COLUMN", "ALTER TABLE t ,,,,",
      "ALTER TABLE t CHANGE", "ALTER TABLE t CHANGE a", "ALTER TABLE t RENAME", "DROP TABLE", "DROP TABLE ,",
      "RENAME TABLE a", "RENAME TABLE a TO", "TRUNCATE", "DROP DATABASE",
      "CREATE TABLE 't' (a INT)", "CREATE TABLE t (`unterminated INT)", "CREATE TABLE t (a INT DEFAULT 'x)",
      "\xff\xfe\x00garbage", "CREATE TABLE t (a INT CHECK (", ";;;", "CREATE TABLE t LIKE", "ALTER TABLE t CONVERT",
      "CREATE UNIQUE INDEX ON t (a)", "DROP INDEX i ON", "ALTER TABLE t ADD PRIMARY KEY", "ALTER TABLE t ADD UNIQUE (",
  };
  SchemaHistory h;
  uint64_t offset = 4;
  auto run = [&](const std::string& sql) {
    INFO(sql);
    DdlOutcome out;
    CHECK_NOTHROW(out = h.apply_ddl("shop", sql, pos(offset += 10)));
    CHECK(out.message.find('\n') == std::string::npos);
    return out;
  };
  for (const auto& sql : garbage) {
    INFO(sql);
    auto out = run(sql);
    CHECK((out.kind == Kind::None || out.kind == Kind::Unparsed));
  }
  // Every prefix of real statements: no throw, and whatever is applied stays consistent.
  for (const auto& sql : statements) {
    for (size_t n = 0; n <= sql.size(); ++n) run(sql.substr(0, n));
    run(sql);
  }
  for (const auto& db : h.current_schema().databases)
    for (const auto& t : db.tables) {
      for (const auto& k : t.primary_key) CHECK(t.find_column(k) != nullptr);
      for (const auto& key : t.unique_keys)
        for (const auto& k : key) CHECK(t.find_column(k) != nullptr);
    }
}
