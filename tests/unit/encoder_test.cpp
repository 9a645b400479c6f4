// Message formats: every format x every operation over a table of every column type with edge
// values, pinned byte for byte by tests/golden/formats/<format>/<case>.json (the message value)
// and <case>.key.json (the message key, when there is one).
// To rewrite the golden files after an intended change: OBSYNC_UPDATE_GOLDEN=1 build/unit_tests "[encode]"
// and review the diff.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <iostream>
#include <sstream>

#include "compiler/sema/schema.hpp"
#include "runtime/encode/encoder.hpp"
#include "runtime/encode/json_writer.hpp"
#include "stdlib/decimal.hpp"
#include "stdlib/temporal.hpp"

using namespace obsync;
using namespace obsync::encode;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The test table: one column of every type (COLUMN_TYPE spelling, then modifiers for parsing).
struct ColumnSpec {
  const char* name;
  const char* type_text;
  const char* modifiers;
};
const ColumnSpec kColumns[] = {
    {"id", "int", "NOT NULL"},
    {"c_tinyint", "tinyint", ""},
    {"c_bigint_u", "bigint unsigned", ""},
    {"c_decimal", "decimal(65,30)", ""},
    {"c_money", "decimal(10,2)", ""},
    {"c_float", "float", ""},
    {"c_double", "double", ""},
    {"c_bit1", "bit(1)", ""},
    {"c_bit", "bit(13)", ""},
    {"c_year", "year", ""},
    {"c_date", "date", ""},
    {"c_time", "time(6)", ""},
    {"c_datetime", "datetime(3)", ""},
    {"c_timestamp", "timestamp(6)", ""},
    {"c_char", "char(10)", ""},
    {"c_latin1", "varchar(20)", "COLLATE latin1_swedish_ci"},
    {"c_binary", "binary(4)", ""},
    {"c_varbinary", "varbinary(10)", ""},
    {"c_blob", "blob", ""},
    {"c_text", "text", ""},
    {"c_enum", "enum('a','b')", ""},
    {"c_set", "set('x','y')", ""},
    {"c_json", "json", ""},
    {"c_geometry", "point", ""},
};
constexpr size_t kColumnCount = std::size(kColumns);

size_t col(std::string_view name) {
  for (size_t i = 0; i < kColumnCount; i++)
    if (kColumns[i].name == name) return i;
  FAIL("no column " << name);
  return 0;
}

TableContext make_table() {
  TableContext t;
  t.source_kind = "OCEANBASE";
  t.source_name = "ob_shop";
  t.tenant = "t1";
  t.cluster = "obcluster";
  t.database = "shop";
  t.table = "all_types";
  for (const auto& c : kColumns) {
    std::string error;
    std::string text = std::string(c.type_text) + " " + c.modifiers;
    auto type = parse_column_type(text, error);
    INFO(text << ": " << error);
    REQUIRE(type);
    t.columns.push_back({c.name, *type, c.type_text, std::string_view(c.name) == "id"});
  }
  t.key_names = {"id"};
  t.key_indexes = {0};
  t.shard_indexes = {0};
  t.server_id = 1001;
  t.db_version = "5.7.25-OceanBase-v4.2.1.2";
  return t;
}

Value dec(std::string_view text) { return Value::from_decimal(Decimal::parse(text).value); }
Value str(std::string s) { return Value::from_string(std::move(s)); }
Value date(int y, int m, int d) {
  Temporal t;
  t.year = y;
  t.month = static_cast<uint8_t>(m);
  t.day = static_cast<uint8_t>(d);
  return Value::from_temporal(TypeClass::Date, t);
}
Value datetime(int y, int m, int d, int h, int mi, int s, uint32_t us) {
  Value v = date(y, m, d);
  v.cls = TypeClass::DateTime;
  v.tm.hour = static_cast<uint32_t>(h);
  v.tm.minute = static_cast<uint8_t>(mi);
  v.tm.second = static_cast<uint8_t>(s);
  v.tm.micro = us;
  return v;
}
Value time_value(bool negative, uint32_t h, int mi, int s, uint32_t us) {
  Temporal t;
  t.negative = negative;
  t.hour = h;
  t.minute = static_cast<uint8_t>(mi);
  t.second = static_cast<uint8_t>(s);
  t.micro = us;
  return Value::from_temporal(TypeClass::Time, t);
}
Value year(uint64_t y) { return Value::from_uint(y); }

// MySQL's GEOMETRY value: SRID (4 bytes LE) + WKB of POINT(1 2).
std::string point_1_2() {
  std::string s("\x00\x00\x00\x00\x01\x01\x00\x00\x00", 9);
  s += std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8);  // 1.0 LE
  s += std::string("\x00\x00\x00\x00\x00\x00\x00\x40", 8);  // 2.0 LE
  return s;
}

// Row A: the far ends of every type, text needing escapes, 4-byte UTF-8, latin1 text.
std::vector<Value> row_a() {
  return {
      Value::from_int(1),
      Value::from_int(-128),
      Value::from_uint(18446744073709551615ULL),
      dec("-99999999999999999999999999999999999.999999999999999999999999999999"),
      dec("-0.00"),
      Value::from_double(static_cast<float>(0.1f)),
      Value::from_double(0.1 + 0.2),
      str(std::string("\x01", 1)),
      str(std::string("\x10\x01", 2)),
      year(2155),
      date(1969, 7, 20),
      time_value(true, 838, 59, 59, 0),
      datetime(9999, 12, 31, 23, 59, 59, 999000),
      Value::from_temporal(TypeClass::DateTime, from_unix_seconds_utc(2147483647, 999999)),
      str(std::string("q\"b\\n\nt\tc\x01", 10)),
      str("caf\xe9 \x80"),  // latin1: "café €"
      str(std::string("\x00\xff\x10\x80", 4)),
      str(""),
      str(std::string("\xff\xfe\x00" "bin", 6)),
      str("\xf0\x9f\x98\x80 \xe4\xb8\xad\xe6\x96\x87 \xc3\xbc"),  // "😀 中文 ü"
      str("b"),
      str("x,y"),
      Value::from_json(R"({"k": [1, "😀"], "s": "a\"b"})"),
      str(point_1_2()),
  };
}

// Row B: zeros, empty strings, NULLs, a negative zero DOUBLE, invalid UTF-8 in a text column.
std::vector<Value> row_b() {
  return {
      Value::from_int(2),
      Value::from_int(0),
      Value::from_uint(0),
      Value::null(),
      dec("0.00"),
      Value::null(),
      Value::from_double(-0.0),
      str(std::string("\x00", 1)),
      Value::null(),
      year(0),
      date(0, 0, 0),
      time_value(false, 0, 0, 0, 0),
      datetime(0, 0, 0, 0, 0, 0, 0),
      Value::from_temporal(TypeClass::DateTime, Temporal{}),
      str(""),
      Value::null(),
      Value::null(),
      Value::null(),
      str(""),
      str("bad \xff\xc3 utf8"),
      str(""),
      str(""),
      Value::from_json("null"),
      Value::null(),
  };
}

// Row B after an UPDATE: some columns changed (NULL -> value, value -> value), the rest not.
std::vector<Value> row_b_updated() {
  auto r = row_b();
  r[col("c_tinyint")] = Value::from_int(127);
  r[col("c_decimal")] = dec("0.000000000000000000000000000001");
  r[col("c_float")] = Value::from_double(1.5);
  r[col("c_text")] = str("fixed");
  r[col("c_json")] = Value::from_json("[]");
  return r;
}

struct Case {
  std::string name;
  ChangeRecord record;
  TableContext table;
};

ChangeRecord base_record() {
  ChangeRecord r;
  r.commit_ts_us = 1700000000123456;
  r.gtid = "3e11fa47-71ca-11e1-9e33-c80aa9429562:23";
  r.xid = 4711;
  r.file = "mysql-bin.000003";
  r.position = 1234;
  r.transaction_seq = 9;
  r.row_in_transaction = 0;
  r.transaction_rows = 1;
  r.store_sequence = 7;
  r.now_ms = 1700000000789;
  return r;
}

// The images outlive the records that point to them.
const std::vector<Value>& image_a() {
  static const auto v = row_a();
  return v;
}
const std::vector<Value>& image_b() {
  static const auto v = row_b();
  return v;
}
const std::vector<Value>& image_b2() {
  static const auto v = row_b_updated();
  return v;
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  TableContext table = make_table();
  auto add = [&](std::string name, ChangeRecord r, TableContext t) { cases.push_back({std::move(name), r, std::move(t)}); };

  ChangeRecord r = base_record();
  r.kind = RecordKind::Insert;
  r.after = &image_a();
  add("insert", r, table);

  r = base_record();
  r.kind = RecordKind::Update;
  r.before = &image_b();
  r.after = &image_b2();
  add("update", r, table);

  r = base_record();
  r.kind = RecordKind::Delete;
  r.before = &image_a();
  add("delete", r, table);

  r = base_record();
  r.kind = RecordKind::FullSyncRow;
  r.after = &image_b();
  r.gtid = "";
  r.xid = 0;
  r.file = "";
  r.position = 0;
  r.transaction_seq = 0;
  r.transaction_rows = 0;
  add("full_sync_row", r, table);

  r = base_record();
  r.kind = RecordKind::Ddl;
  r.ddl_sql = "ALTER TABLE `all_types` DROP COLUMN `c_set`";
  r.ddl_kind = "ALTER";
  add("ddl", r, table);

  r = base_record();
  r.kind = RecordKind::Heartbeat;
  r.gtid = "";
  r.file = "";
  r.position = 0;
  r.xid = 0;
  add("heartbeat", r, table);

  // PROJECT … BUSINESS ID and TRANSACTION SEQUENCE ON; the 3rd of 5 changes, 2nd of this table;
  // a MySQL source (db without tenant) without GTIDs.
  TableContext t2 = table;
  t2.business_id = "crm";
  t2.transaction_sequence = true;
  t2.source_kind = "MYSQL";
  t2.tenant = "";
  t2.cluster = "";
  r = base_record();
  r.kind = RecordKind::Insert;
  r.after = &image_a();
  r.gtid = "";
  r.row_in_transaction = 2;
  r.transaction_rows = 5;
  r.row_in_table = 1;
  add("insert_txseq", r, t2);
  return cases;
}

const char* const kFormats[] = {"default", "default_extend_column_type", "canal", "dataworks", "shareplex", "debezium"};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

bool update_golden() {
  const char* v = std::getenv("OBSYNC_UPDATE_GOLDEN");
  return v && std::string_view(v) == "1";
}

// Compares `actual` with the golden file (or rewrites it); `actual` empty and no file is a match.
void check_golden(const fs::path& p, const std::string* actual) {
  if (update_golden()) {
    if (actual) write_file(p, *actual);
    else fs::remove(p);
    return;
  }
  INFO("golden file " << p.string() << " (OBSYNC_UPDATE_GOLDEN=1 rewrites it)");
  if (!actual) {
    CHECK_FALSE(fs::exists(p));
    return;
  }
  REQUIRE(fs::exists(p));
  CHECK(read_file(p) == *actual);
}

fs::path golden_dir() { return fs::path(OBSYNC_SOURCE_DIR) / "tests" / "golden" / "formats"; }

// Encodes every case of every format once: format -> case -> message.
const std::map<std::string, std::map<std::string, Message>>& encoded() {
  static const auto all = [] {
    std::map<std::string, std::map<std::string, Message>> m;
    for (const char* f : kFormats) {
      auto enc = make_encoder(f);
      REQUIRE(enc);
      for (const auto& c : all_cases()) {
        Message msg;
        enc->encode(c.table, c.record, msg);
        m[f][c.name] = msg;
      }
    }
    return m;
  }();
  return all;
}

json value_of(std::string_view format, std::string_view case_name) {
  const Message& m = encoded().at(std::string(format)).at(std::string(case_name));
  return json::parse(m.value);
}

}  // namespace

TEST_CASE("encode: make_encoder knows the six formats and nothing else", "[encode]") {
  for (const char* f : kFormats) CHECK(make_encoder(f) != nullptr);
  CHECK(make_encoder("avro") == nullptr);
  CHECK(make_encoder("") == nullptr);
  CHECK(make_encoder("debezium")->carries_ddl() == false);
  CHECK(make_encoder("debezium")->carries_heartbeat() == false);
  CHECK(make_encoder("canal")->carries_ddl());
  CHECK(make_encoder("default")->carries_heartbeat());
}

TEST_CASE("encode: JSON strings are escaped and always valid UTF-8", "[encode]") {
  auto esc = [](std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
  };
  CHECK(esc("") == R"("")");
  CHECK(esc("a\"b\\c") == R"("a\"b\\c")");
  CHECK(esc("\n\r\t\b\f") == R"("\n\r\t\b\f")");
  CHECK(esc(std::string("\x00\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
  CHECK(esc("\xf0\x9f\x98\x80") == "\"\xf0\x9f\x98\x80\"");  // 4-byte UTF-8 passes through
  CHECK(esc("a\xff" "b") == "\"a\xEF\xBF\xBD" "b\"");         // invalid byte -> U+FFFD
  CHECK(esc("\xc3") == "\"\xEF\xBF\xBD\"");                   // truncated sequence
  CHECK(esc("\xed\xa0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
  CHECK(esc("\xc0\xaf") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong '/'
  // Whatever the bytes, the result parses and round-trips through a strict JSON parser.
  std::string all;
  for (int i = 0; i < 256; i++) all.push_back(static_cast<char>(i));
  CHECK_NOTHROW(json::parse(esc(all)));
  CHECK(json::parse(esc("x\"\\\n\xe4\xb8\xad")).get<std::string>() == "x\"\\\n\xe4\xb8\xad");
}

TEST_CASE("encode: Base64 as RFC 4648", "[encode]") {
  auto b64 = [](std::string_view s) {
    std::string out;
    append_base64_raw(out, s);
    return out;
  };
  CHECK(b64("") == "");
  CHECK(b64("f") == "Zg==");
  CHECK(b64("fo") == "Zm8=");
  CHECK(b64("foo") == "Zm9v");
  CHECK(b64("foob") == "Zm9vYg==");
  CHECK(b64("fooba") == "Zm9vYmE=");
  CHECK(b64("foobar") == "Zm9vYmFy");
  CHECK(b64(std::string("\x00\xff\x10\x80", 4)) == "AP8QgA==");
}

TEST_CASE("encode: numbers", "[encode]") {
  std::string o;
  append_double(o, 0.1 + 0.2);
  o += ' ';
  append_float(o, 0.1f);
  o += ' ';
  append_double(o, -0.0);
  o += ' ';
  append_double(o, 1e300);
  o += ' ';
  append_uint(o, 18446744073709551615ULL);
  o += ' ';
  append_int(o, INT64_MIN);
  CHECK(o == "0.30000000000000004 0.1 -0.0 1e+300 18446744073709551615 -9223372036854775808");
}

TEST_CASE("encode: golden files for every format and operation", "[encode]") {
  for (const char* f : kFormats) {
    for (const auto& c : all_cases()) {
      const Message& m = encoded().at(f).at(c.name);
      fs::path dir = golden_dir() / f;
      SECTION(std::string(f) + "/" + c.name) {
        INFO(m.value);
        // Valid JSON, no trailing newline.
        CHECK_NOTHROW(json::parse(m.value));
        CHECK((!m.value.empty() && m.value.back() == '}'));
        if (m.has_key) CHECK_NOTHROW(json::parse(m.key));
        check_golden(dir / (c.name + ".json"), &m.value);
        check_golden(dir / (c.name + ".key.json"), m.has_key ? &m.key : nullptr);
      }
    }
  }
}

TEST_CASE("encode: deterministic, and no state leaks between messages", "[encode]") {
  for (const char* f : kFormats) {
    auto enc = make_encoder(f);
    Message m;
    for (int round = 0; round < 2; round++) {
      for (const auto& c : all_cases()) {
        enc->encode(c.table, c.record, m);
        INFO(f << "/" << c.name);
        CHECK(m.value == encoded().at(f).at(c.name).value);
        CHECK(m.key == encoded().at(f).at(c.name).key);
        CHECK(m.has_key == encoded().at(f).at(c.name).has_key);
      }
    }
  }
}

TEST_CASE("encode: keys are the SHARD BY values — none under PARTITION BY ONE", "[encode]") {
  const auto& all = encoded();
  for (const char* f : {"default", "default_extend_column_type", "canal", "dataworks", "shareplex"}) {
    INFO(f);
    CHECK(all.at(f).at("insert").key == R"(["1"])");
    CHECK(all.at(f).at("delete").key == R"(["1"])");
    CHECK(all.at(f).at("update").key == R"(["2"])");
    CHECK_FALSE(all.at(f).at("ddl").has_key);
    CHECK_FALSE(all.at(f).at("heartbeat").has_key);
  }
  CHECK(all.at("debezium").at("insert").key == R"({"id":1})");
  CHECK(all.at("debezium").at("delete").key == R"({"id":1})");

  // Two SHARD BY columns, binary values as Base64 in the key too.
  TableContext t = make_table();
  t.shard_indexes = {col("c_binary"), col("id")};
  ChangeRecord r = base_record();
  r.after = &image_a();
  Message m;
  make_encoder("canal")->encode(t, r, m);
  CHECK(m.key == R"(["AP8QgA==","1"])");
  make_encoder("debezium")->encode(t, r, m);
  CHECK(m.key == R"({"c_binary":"AP8QgA==","id":1})");

  t.partition_one = true;
  for (const char* f : kFormats) {
    make_encoder(f)->encode(t, r, m);
    INFO(f);
    CHECK_FALSE(m.has_key);
    CHECK(m.key.empty());
  }
}

TEST_CASE("encode: default carries OMS's fields and MySQL's text of every value", "[encode]") {
  json ins = value_of("default", "insert");
  CHECK(ins["recordType"] == "INSERT");
  CHECK(ins["prevStruct"].is_null());
  const json& md = ins["allMetaData"];
  for (const char* k : {"checkpoint", "record_primary_key", "record_primary_value", "source_identity", "dbType",
                        "storeDataSequence", "table_name", "db", "timestamp", "uniqueId", "transId", "clusterId"})
    CHECK(md.contains(k));
  CHECK(md["checkpoint"] == "1700000000");
  CHECK(md["storeDataSequence"] == 170000000000007);
  CHECK(md["db"] == "t1.shop");
  CHECK(md["dbType"] == "OB_MYSQL");
  CHECK(md["timestamp"] == "1700000000");
  CHECK(md["record_primary_key"] == "id");
  CHECK(md["record_primary_value"] == "1");
  CHECK(md["uniqueId"] == "3e11fa47-71ca-11e1-9e33-c80aa9429562:23");

  const json& post = ins["postStruct"];
  CHECK(post["id"] == "1");
  CHECK(post["c_bigint_u"] == "18446744073709551615");
  CHECK(post["c_decimal"] == "-99999999999999999999999999999999999.999999999999999999999999999999");
  CHECK(post["c_money"] == "0.00");  // MySQL has no negative zero DECIMAL
  CHECK(post["c_float"] == "0.1");
  CHECK(post["c_double"] == "0.30000000000000004");
  CHECK(post["c_bit1"] == "AQ==");
  CHECK(post["c_bit"] == "EAE=");
  CHECK(post["c_year"] == "2155");
  CHECK(post["c_date"] == "1969-07-20");
  CHECK(post["c_time"] == "-838:59:59.000000");
  CHECK(post["c_datetime"] == "9999-12-31 23:59:59.999");
  CHECK(post["c_timestamp"] == "2147483647.999999");  // OMS: epoch seconds, 6 digits
  CHECK(post["c_char"] == std::string("q\"b\\n\nt\tc\x01"));
  CHECK(post["c_latin1"] == "caf\xc3\xa9 \xe2\x82\xac");  // latin1 converted to UTF-8
  CHECK(post["c_binary"] == "AP8QgA==");
  CHECK(post["c_varbinary"] == "");
  CHECK(post["c_blob"] == "//4AYmlu");
  CHECK(post["c_text"] == "\xf0\x9f\x98\x80 \xe4\xb8\xad\xe6\x96\x87 \xc3\xbc");
  CHECK(post["c_enum"] == "b");
  CHECK(post["c_set"] == "x,y");
  CHECK(post["c_json"] == R"({"k": [1, "😀"], "s": "a\"b"})");  // the JSON text, as a string

  json upd = value_of("default", "update");
  CHECK(upd["recordType"] == "UPDATE");
  CHECK(upd["prevStruct"]["c_decimal"].is_null());
  CHECK(upd["prevStruct"]["c_timestamp"] == "0.000000");
  CHECK(upd["prevStruct"]["c_date"] == "0000-00-00");
  CHECK(upd["prevStruct"]["c_datetime"] == "0000-00-00 00:00:00.000");
  CHECK(upd["prevStruct"]["c_year"] == "0000");
  CHECK(upd["prevStruct"]["c_double"] == "-0");
  CHECK(upd["prevStruct"]["c_text"] == "bad \xEF\xBF\xBD\xEF\xBF\xBD utf8");
  CHECK(upd["postStruct"]["c_decimal"] == "0.000000000000000000000000000001");

  json del = value_of("default", "delete");
  CHECK(del["recordType"] == "DELETE");
  CHECK(del["postStruct"].is_null());
  CHECK(del["prevStruct"]["id"] == "1");

  json row = value_of("default", "full_sync_row");
  CHECK(row["recordType"] == "ROW");
  CHECK(row["allMetaData"]["checkpoint"] == "2");  // the row's key during the full sync
  CHECK(row["allMetaData"]["storeDataSequence"].is_null());

  json ddl = value_of("default", "ddl");
  CHECK(ddl["recordType"] == "DDL");
  CHECK(ddl["postStruct"]["ddl"] == "ALTER TABLE `all_types` DROP COLUMN `c_set`");
  CHECK(ddl["allMetaData"]["ddlType"] == "ALTER");

  json hb = value_of("default", "heartbeat");
  CHECK(hb["recordType"] == "HEARTBEAT");
  CHECK(hb["prevStruct"].is_null());
  CHECK(hb["postStruct"].is_null());

  json tx = value_of("default", "insert_txseq");
  CHECK(tx["allMetaData"]["business_id"] == "crm");
  CHECK(tx["allMetaData"]["trans_seq"] == 3);
  CHECK(tx["allMetaData"]["trans_size"] == 5);
  CHECK(tx["allMetaData"]["db"] == "shop");
  CHECK(tx["allMetaData"]["dbType"] == "MYSQL");
  CHECK(tx["allMetaData"]["uniqueId"] == "mysql-bin.000003:1234");
  CHECK_FALSE(ins["allMetaData"].contains("trans_seq"));
  CHECK_FALSE(ins["allMetaData"].contains("business_id"));
}

TEST_CASE("encode: default_extend_column_type adds __light_type to the image present", "[encode]") {
  json ins = value_of("default_extend_column_type", "insert");
  const json& lt = ins["postStruct"]["__light_type"];
  REQUIRE(lt.is_object());
  CHECK(lt.size() == kColumnCount);
  CHECK(lt["id"]["schemaType"] == "INT");
  CHECK(lt["c_bigint_u"]["schemaType"] == "BIGINT");
  CHECK(lt["c_latin1"]["schemaType"] == "VARCHAR");
  CHECK(lt["c_timestamp"]["schemaType"] == "TIMESTAMP");
  CHECK(lt["c_geometry"]["schemaType"] == "POINT");
  json del = value_of("default_extend_column_type", "delete");
  CHECK(del["prevStruct"].contains("__light_type"));
  json upd = value_of("default_extend_column_type", "update");
  CHECK(upd["postStruct"].contains("__light_type"));
  CHECK_FALSE(upd["prevStruct"].contains("__light_type"));
  // Otherwise the same as default.
  json plain = value_of("default", "insert");
  ins["postStruct"].erase("__light_type");
  CHECK(ins == plain);
}

TEST_CASE("encode: canal is a Canal FlatMessage", "[encode]") {
  json ins = value_of("canal", "insert");
  for (const char* k : {"id", "database", "table", "pkNames", "isDdl", "type", "es", "ts", "sql", "sqlType",
                        "mysqlType", "data", "old", "gtid"})
    CHECK(ins.contains(k));
  CHECK(ins["type"] == "INSERT");
  CHECK(ins["isDdl"] == false);
  CHECK(ins["id"] == 9);
  CHECK(ins["database"] == "shop");
  CHECK(ins["es"] == 1700000000123);
  CHECK(ins["ts"] == 1700000000789);
  CHECK(ins["sql"] == "");
  CHECK(ins["pkNames"] == json::array({"id"}));
  CHECK(ins["old"].is_null());
  CHECK(ins["data"].size() == 1);
  CHECK(ins["data"][0]["c_timestamp"] == "2038-01-19 03:14:07.999999");  // UTC, MySQL's text
  CHECK(ins["data"][0]["c_blob"] == "//4AYmlu");
  const json& st = ins["sqlType"];
  CHECK(st["id"] == 4);
  CHECK(st["c_tinyint"] == -6);
  CHECK(st["c_bigint_u"] == 3);
  CHECK(st["c_decimal"] == 3);
  CHECK(st["c_float"] == 7);
  CHECK(st["c_double"] == 8);
  CHECK(st["c_bit"] == -7);
  CHECK(st["c_year"] == 12);
  CHECK(st["c_date"] == 91);
  CHECK(st["c_time"] == 92);
  CHECK(st["c_datetime"] == 93);
  CHECK(st["c_timestamp"] == 93);
  CHECK(st["c_char"] == 1);
  CHECK(st["c_latin1"] == 12);
  CHECK(st["c_binary"] == 2004);
  CHECK(st["c_blob"] == 2004);
  CHECK(st["c_text"] == 2005);
  CHECK(st["c_json"] == 12);
  CHECK(ins["mysqlType"]["c_bigint_u"] == "bigint unsigned");
  CHECK(ins["mysqlType"]["c_decimal"] == "decimal(65,30)");

  json upd = value_of("canal", "update");
  CHECK(upd["type"] == "UPDATE");
  // `old`: exactly the changed columns, with their previous values (NULL included).
  json expected_old = {{"c_tinyint", "0"}, {"c_decimal", nullptr}, {"c_float", nullptr},
                       {"c_text", "bad \xEF\xBF\xBD\xEF\xBF\xBD utf8"}, {"c_json", "null"}};
  CHECK(upd["old"] == json::array({expected_old}));
  CHECK(upd["data"][0]["c_text"] == "fixed");

  json del = value_of("canal", "delete");
  CHECK(del["type"] == "DELETE");
  CHECK(del["data"][0]["id"] == "1");  // the before image
  CHECK(del["old"].is_null());

  CHECK(value_of("canal", "full_sync_row")["type"] == "INSERT");

  json ddl = value_of("canal", "ddl");
  CHECK(ddl["isDdl"] == true);
  CHECK(ddl["type"] == "ALTER");
  CHECK(ddl["sql"] == "ALTER TABLE `all_types` DROP COLUMN `c_set`");
  CHECK(ddl["data"].is_null());
  CHECK(ddl["pkNames"].is_null());

  CHECK(value_of("canal", "heartbeat")["type"] == "MHEARTBEAT");
}

TEST_CASE("encode: dataworks has typed columns and payload images", "[encode]") {
  json ins = value_of("dataworks", "insert");
  const json& schema = ins["schema"];
  REQUIRE(schema["dataColumn"].size() == kColumnCount);
  std::map<std::string, std::string> types;
  for (const auto& c : schema["dataColumn"]) types[c["name"]] = c["type"];
  CHECK(types["id"] == "LONG");
  CHECK(types["c_bigint_u"] == "STRING");
  CHECK(types["c_decimal"] == "STRING");
  CHECK(types["c_float"] == "DOUBLE");
  CHECK(types["c_bit"] == "BYTES");
  CHECK(types["c_year"] == "LONG");
  CHECK(types["c_date"] == "DATE");
  CHECK(types["c_time"] == "STRING");
  CHECK(types["c_datetime"] == "DATE");
  CHECK(types["c_timestamp"] == "DATE");
  CHECK(types["c_blob"] == "BYTES");
  CHECK(types["c_geometry"] == "BYTES");
  CHECK(types["c_json"] == "STRING");
  CHECK(schema["primaryKey"] == json::array({"id"}));
  CHECK(schema["source"]["dbType"] == "OceanBase");
  CHECK(schema["source"]["dbVersion"] == "5.7.25-OceanBase-v4.2.1.2");
  CHECK(schema["source"]["dbName"] == "shop");
  CHECK(schema["source"]["tableName"] == "all_types");

  const json& p = ins["payload"];
  for (const char* k : {"before", "after", "sequenceId", "timestamp", "op", "ddl", "extraInfo"}) CHECK(p.contains(k));
  CHECK(p["op"] == "INSERT");
  CHECK(p["before"].is_null());
  const json& a = p["after"]["dataColumn"];
  CHECK(a["id"] == 1);
  CHECK(a["c_tinyint"] == -128);
  CHECK(a["c_bigint_u"] == "18446744073709551615");
  CHECK(a["c_float"].get<float>() == 0.1f);
  CHECK(a["c_date"] == -165 * 86400000LL);
  CHECK(a["c_datetime"] == 253402300799999LL);
  CHECK(a["c_timestamp"] == 2147483647999LL);
  CHECK(a["c_time"] == "-838:59:59.000000");
  CHECK(p["timestamp"]["eventTime"] == 1700000000123);
  CHECK(p["timestamp"]["systemTime"] == 1700000000789);
  CHECK(p["sequenceId"] == "170000000000007");

  json upd = value_of("dataworks", "update");
  CHECK(upd["payload"]["op"] == "UPDATE");
  CHECK(upd["payload"]["before"]["dataColumn"]["c_date"].is_null());  // zero date: no instant
  CHECK(upd["payload"]["after"]["dataColumn"]["c_float"] == 1.5);
  json del = value_of("dataworks", "delete");
  CHECK(del["payload"]["op"] == "DELETE");
  CHECK(del["payload"]["after"].is_null());
  json ddl = value_of("dataworks", "ddl");
  CHECK(ddl["payload"]["op"] == "ALTER");
  CHECK(ddl["payload"]["ddl"] == "ALTER TABLE `all_types` DROP COLUMN `c_set`");
  CHECK(value_of("dataworks", "heartbeat")["payload"]["op"] == "MHEARTBEAT");
  json tx = value_of("dataworks", "insert_txseq");
  CHECK(tx["payload"]["extraInfo"] == json({{"business_id", "crm"}, {"trans_seq", 3}, {"trans_size", 5}}));
}

TEST_CASE("encode: shareplex meta, data and key", "[encode]") {
  json ins = value_of("shareplex", "insert");
  const json& meta = ins["meta"];
  for (const char* k : {"time", "userid", "op", "scn", "rowid", "trans", "seq", "size", "table", "idx", "posttime"})
    CHECK(meta.contains(k));
  CHECK(meta["op"] == "ins");
  CHECK(meta["time"] == "2023-11-14T22:13:20");
  CHECK(meta["posttime"] == "2023-11-14T22:13:20");
  CHECK(meta["table"] == "shop.all_types");
  CHECK(meta["seq"] == 1);
  CHECK(meta["size"] == 1);
  CHECK(meta["idx"] == "1/1");
  CHECK(meta["rowid"] == "1");
  CHECK(ins["data"]["c_decimal"] == "-99999999999999999999999999999999999.999999999999999999999999999999");
  CHECK(ins["key"] == json({{"id", "1"}}));

  json upd = value_of("shareplex", "update");
  CHECK(upd["meta"]["op"] == "upd");
  CHECK(upd["data"]["c_text"] == "fixed");
  CHECK(upd["key"] == json({{"id", "2"}}));
  CHECK(value_of("shareplex", "delete")["meta"]["op"] == "del");
  CHECK(value_of("shareplex", "delete")["data"]["id"] == "1");
  json ddl = value_of("shareplex", "ddl");
  CHECK(ddl["meta"]["op"] == "DROP COLUMN");
  CHECK(ddl["data"]["ddl"] == "ALTER TABLE `all_types` DROP COLUMN `c_set`");
  json tx = value_of("shareplex", "insert_txseq");
  CHECK(tx["meta"]["seq"] == 3);
  CHECK(tx["meta"]["idx"] == "3/5");
  CHECK(value_of("shareplex", "full_sync_row")["meta"]["idx"].is_null());
}

TEST_CASE("encode: debezium envelope and Debezium's typed values", "[encode]") {
  json ins = value_of("debezium", "insert");
  for (const char* k : {"before", "after", "source", "op", "ts_ms", "transaction"}) CHECK(ins.contains(k));
  CHECK(ins["op"] == "c");
  CHECK(ins["ts_ms"] == 1700000000789);
  CHECK(ins["transaction"].is_null());
  const json& s = ins["source"];
  for (const char* k : {"version", "connector", "name", "ts_ms", "db", "table", "server_id", "gtid", "file", "pos",
                        "row", "thread", "query"})
    CHECK(s.contains(k));
  CHECK(s["connector"] == "mysql");
  CHECK(s["name"] == "ob_shop");
  CHECK(s["ts_ms"] == 1700000000123);
  CHECK(s["server_id"] == 1001);
  CHECK(s["file"] == "mysql-bin.000003");
  CHECK(s["pos"] == 1234);
  CHECK(s["snapshot"] == "false");

  const json& a = ins["after"];
  CHECK(a["id"] == 1);
  CHECK(a["c_tinyint"] == -128);
  CHECK(a["c_bigint_u"].get<uint64_t>() == 18446744073709551615ULL);
  CHECK(a["c_decimal"] == "-99999999999999999999999999999999999.999999999999999999999999999999");
  CHECK(a["c_money"] == "0.00");
  CHECK(a["c_float"].get<float>() == 0.1f);
  CHECK(a["c_double"] == 0.30000000000000004);
  CHECK(a["c_bit1"] == true);
  CHECK(a["c_bit"] == "ARA=");  // little-endian bytes
  CHECK(a["c_year"] == 2155);
  CHECK(a["c_date"] == -165);
  CHECK(a["c_time"] == -3020399000000LL);
  CHECK(a["c_datetime"] == 253402300799999LL);  // DATETIME(3): ms
  CHECK(a["c_timestamp"] == "2038-01-19T03:14:07.999999Z");
  CHECK(a["c_latin1"] == "caf\xc3\xa9 \xe2\x82\xac");
  CHECK(a["c_binary"] == "AP8QgA==");
  CHECK(a["c_enum"] == "b");
  CHECK(a["c_set"] == "x,y");
  CHECK(a["c_json"] == R"({"k": [1, "😀"], "s": "a\"b"})");
  CHECK(a["c_geometry"] == json({{"x", 1.0}, {"y", 2.0}, {"wkb", "AQEAAAAAAAAAAADwPwAAAAAAAABA"}, {"srid", nullptr}}));

  json upd = value_of("debezium", "update");
  CHECK(upd["op"] == "u");
  const json& b = upd["before"];
  CHECK(b["c_date"].is_null());       // zero date in a nullable column
  CHECK(b["c_datetime"].is_null());
  CHECK(b["c_timestamp"].is_null());
  CHECK(b["c_bit1"] == false);
  CHECK(b["c_year"] == 0);
  CHECK(b["c_time"] == 0);
  CHECK(upd["after"]["c_decimal"] == "0.000000000000000000000000000001");

  json del = value_of("debezium", "delete");
  CHECK(del["op"] == "d");
  CHECK(del["after"].is_null());
  json row = value_of("debezium", "full_sync_row");
  CHECK(row["op"] == "r");
  CHECK(row["source"]["snapshot"] == "true");
  CHECK(row["before"].is_null());

  json tx = value_of("debezium", "insert_txseq");
  CHECK(tx["transaction"] == json({{"id", "mysql-bin.000003:1234"}, {"total_order", 3}, {"data_collection_order", 2}}));
  CHECK(tx["source"]["gtid"].is_null());

  // Schema changes and heartbeats keep Debezium's own shapes (for topics of their own).
  json ddl = value_of("debezium", "ddl");
  CHECK(ddl["ddl"] == "ALTER TABLE `all_types` DROP COLUMN `c_set`");
  CHECK(ddl["databaseName"] == "shop");
  CHECK(value_of("debezium", "heartbeat") == json({{"ts_ms", 1700000000789}}));
}

TEST_CASE("encode: NOT NULL zero dates read as the epoch in debezium", "[encode]") {
  TableContext t;
  t.source_kind = "MYSQL";
  t.database = "d";
  t.table = "z";
  for (const char* type : {"date NOT NULL", "datetime(6) NOT NULL", "timestamp NOT NULL"}) {
    std::string error;
    auto st = parse_column_type(type, error);
    REQUIRE(st);
    t.columns.push_back({std::string("c") + std::to_string(t.columns.size()), *st, type, false});
  }
  std::vector<Value> row = {date(0, 0, 0), datetime(0, 0, 0, 0, 0, 0, 0), Value::from_temporal(TypeClass::DateTime, Temporal{})};
  ChangeRecord r = base_record();
  r.after = &row;
  Message m;
  make_encoder("debezium")->encode(t, r, m);
  json after = json::parse(m.value)["after"];
  CHECK(after == json({{"c0", 0}, {"c1", 0}, {"c2", "1970-01-01T00:00:00Z"}}));
  // DATETIME(6) is µs since the epoch, negative before 1970.
  row[1] = datetime(1969, 12, 31, 23, 59, 59, 999999);
  make_encoder("debezium")->encode(t, r, m);
  CHECK(json::parse(m.value)["after"]["c1"] == -1);
}

// Prints the examples of docs/formats.md (a small table, every format and operation) as
// `format case key value` lines: build/unit_tests "[.docs-formats]" (hidden from normal runs).
TEST_CASE("encode: docs/formats.md examples", "[.docs-formats]") {
  TableContext t;
  t.source_kind = "OCEANBASE";
  t.source_name = "ob_shop";
  t.tenant = "t1";
  t.cluster = "obcluster";
  t.database = "shop";
  t.table = "orders";
  t.server_id = 1001;
  t.db_version = "5.7.25-OceanBase-v4.2.1.2";
  for (auto [name, type] : {std::pair{"id", "bigint"}, {"status", "varchar(16)"}, {"amount", "decimal(10,2)"},
                            {"paid_at", "timestamp(3)"}, {"memo", "varbinary(8)"}}) {
    std::string error;
    t.columns.push_back({name, *parse_column_type(type, error), type, std::string_view(name) == "id"});
  }
  t.key_names = {"id"};
  t.key_indexes = {0};
  t.shard_indexes = {0};
  std::vector<Value> before = {Value::from_int(42), str("new"), dec("19.90"), Value::null(), str("")};
  std::vector<Value> after = {Value::from_int(42), str("paid"), dec("19.90"),
                              Value::from_temporal(TypeClass::DateTime, from_unix_seconds_utc(1700000000, 123000)),
                              str(std::string("\x01\x02", 2))};
  ChangeRecord base = base_record();
  base.transaction_rows = 1;
  std::vector<std::pair<std::string, ChangeRecord>> recs;
  ChangeRecord r = base;
  r.kind = RecordKind::Insert;
  r.after = &before;
  recs.emplace_back("insert", r);
  r = base;
  r.kind = RecordKind::Update;
  r.before = &before;
  r.after = &after;
  recs.emplace_back("update", r);
  r = base;
  r.kind = RecordKind::Delete;
  r.before = &after;
  recs.emplace_back("delete", r);
  r = base;
  r.kind = RecordKind::FullSyncRow;
  r.after = &after;
  r.gtid = r.file = "";
  r.position = r.xid = r.transaction_seq = 0;
  r.transaction_rows = 0;
  recs.emplace_back("full_sync_row", r);
  r = base;
  r.kind = RecordKind::Ddl;
  r.ddl_sql = "ALTER TABLE orders ADD COLUMN note varchar(64)";
  r.ddl_kind = "ALTER";
  recs.emplace_back("ddl", r);
  r = base;
  r.kind = RecordKind::Heartbeat;
  r.gtid = r.file = "";
  r.position = r.xid = 0;
  recs.emplace_back("heartbeat", r);
  for (const char* f : kFormats) {
    auto enc = make_encoder(f);
    for (const auto& [name, rec] : recs) {
      Message m;
      enc->encode(t, rec, m);
      std::cout << f << ' ' << name << ' ' << (m.has_key ? m.key : "-") << ' ' << m.value << '\n';
    }
  }
}
