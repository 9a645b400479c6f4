// `obsync run` end to end for every format: a table with every column type (primary key) and a
// keyless table, each behind a SYNC with WHERE and COLUMNS (computed columns too), a random
// workload before the run (full sync) and during it (incremental). The test reads every topic
// back, rebuilds each table with a decoder of that format (by key; the keyless table as a
// multiset of rows, from the before images), and compares it with SELECT of the same projection
// on the source, each SELECT value rendered as the format documents it (docs/formats.md).
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/infra/kafka_broker.hpp"
#include "tests/infra/mariadb_server.hpp"
#include "tests/infra/type_cases.hpp"
#include "tests/integration/e2e_support.hpp"

using obsync::test::MariaDbConnection;
using obsync::test::MariaDbServer;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const std::vector<std::string> kFormats = {"default",   "default_extend_column_type", "canal",
                                           "dataworks", "shareplex",                  "debezium"};

// The table of binlog_types_test.cpp: one column per type (and per interesting variant).
const char* kTypesColumns = obsync::test::kAllTypesColumns;

const std::vector<std::string> kTypeNames = {
    "id", "ti", "tiu", "si", "siu", "mi", "miu", "i", "iu", "bi", "biu", "d65", "d10", "d5", "f",
    "dbl", "b1", "b13", "b64", "y", "dt", "t0", "t6", "t3", "dtm", "dtm6", "ts", "ts3", "c", "vc",
    "vl", "bn", "vb", "tt", "tx", "mt", "lt", "tb", "bl", "mb", "lb", "e", "st", "j", "g"};

// The edge rows of binlog_types_test.cpp, with the large values cut so that an UPDATE's two
// images stay below Kafka's default 1 MB message limit (~390 KB of Base64 and text per image).
const std::vector<std::string> kEdgeRows = {
    "-128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, "
    "-99999999999999999999999999999999999.999999999999999999999999999999, 0.00, -99999, "
    "-3.40282e38, -1.7976931348623157e308, b'0', b'0', b'0', 1901, "
    "'0000-00-00', '-838:59:59', '-838:59:59.000000', '-00:00:00.001', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000000', "
    "'1970-01-01 00:00:01', '1970-01-01 00:00:01.000', "
    "'', '', '', x'00', x'', '', '', '', '', x'', x'', x'', x'', '', '', '[]', ST_GeomFromText('POINT(0 0)')",
    "127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, "
    "99999999999999999999999999999999999.999999999999999999999999999999, 99999999.99, 99999, "
    "3.40282e38, 1.7976931348623157e308, b'1', b'1111111111111', b'1111111111111111111111111111111111111111111111111111111111111111', 2155, "
    "'9999-12-31', '838:59:59', '838:59:59.000000', '838:59:58.999', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999999', "
    "'2038-01-19 03:14:07', '2038-01-19 03:14:07.999', "
    "'😀𝄞漢字', REPEAT('ü😀', 150), 'Ærøskøbing', x'ffffffff', x'00ff00ff00ff00ff00ff', "
    "REPEAT('x', 255), REPEAT('漢', 1000), REPEAT('m', 70000), REPEAT('L', 70000), "
    "x'00', REPEAT(x'ab', 65535), REPEAT(x'cd', 60000), REPEAT(x'ef', 60000), 'ü', 'x,y,z', "
    "'{\"k\": [1, 2.5, \"s\", null, true, {\"n\": -1}], \"u\": \"😀\"}', ST_GeomFromText('LINESTRING(0 0, 1 1, 2.5 -3)')",
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL",
    "-5, 200, -300, 40000, -70000, 70000, -1, 3000000000, -1, 9223372036854775808, "
    "-0.000000000000000000000000000001, 12.34, -0, "
    "1.5, 0.1, b'1', b'101', b'1000000000000000000000000000000000000000000000000000000000000001', 2026, "
    "'2026-11-25', '-12:34:56', '00:00:00.000001', '-00:00:01.5', '2026-11-25 10:11:12', '2026-11-25 10:11:12.000001', "
    "'2026-11-25 10:11:12', '2026-11-25 10:11:12.5', "
    "'a ', 'tab\\there\\nnew', 'x\\\\y', x'0102', x'000000', 'tt', 'text', 'mt', 'lt', x'7f', x'80', x'ff', x'00', "
    "'b', 'y', '{\"a\": {\"b\": [1, {\"c\": 1e300}]}, \"big\": 18446744073709551615}', ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))')",
};

// binlog_types_test.cpp's UPDATE of every edge column.
const char* kEdgeUpdate =
    "ti = 1 - COALESCE(ti, 0) % 2, biu = 42, d65 = 1.5, dbl = -0.25, b13 = b'10', y = 2000, dt = '2000-02-29', "
    "t6 = '-01:02:03.4', dtm6 = '2000-01-01 00:00:00.5', ts3 = '2001-02-03 04:05:06.789', c = 'ÄÖÜ', "
    "vc = CONCAT('u', COALESCE(vc, '')), bn = x'01', lb = x'', e = 'a', st = '', j = '{\"updated\": true}', g = NULL";

const char* kKeylessColumns =
    "grp INT NOT NULL, name VARCHAR(30) CHARACTER SET utf8mb4, amount DECIMAL(12,3), bin VARBINARY(16), "
    "dt6 DATETIME(6), f DOUBLE, ts TIMESTAMP(6) NULL, note TEXT";

// The SYNCs' WHERE and COLUMNS, and the same projection in SQL for the comparison.
const char* kTypesWhere = "i IS NULL OR i % 3 <> 0";
const char* kKeylessWhere = "amount >= 10 OR amount IS NULL";
const char* kKeylessColumnsClause = "grp, name, amount, bin, dt6, f, ts, amount * 2 AS double_amount, SHA2(name, 256) AS h";

std::string types_columns_clause() {
  std::string out;
  for (const auto& n : kTypeNames) out += n + ", ";
  return out + "SHA2(vc, 256) AS h, d10 * 2 AS double_amount";
}

// What the comparison needs to know of an output column to render a SELECT value as a format does.
struct Col {
  std::string name;
  std::string data_type;  // information_schema DATA_TYPE
  std::string column_type;
  bool is_unsigned = false;
  int fsp = 0;
  int bits = 0;
};

bool is_one_of(const std::string& s, std::initializer_list<const char*> list) {
  for (const char* x : list)
    if (s == x) return true;
  return false;
}
bool is_int_type(const std::string& t) { return is_one_of(t, {"tinyint", "smallint", "mediumint", "int", "bigint"}); }
bool is_geometry(const std::string& t) {
  return is_one_of(t, {"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
                       "geometrycollection"});
}
bool is_binary_type(const std::string& t) {
  return is_geometry(t) ||
         is_one_of(t, {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit"});
}

std::vector<Col> source_columns(MariaDbConnection& conn, const std::string& db, const std::string& table) {
  std::vector<Col> out;
  for (const auto& r : conn.query(fmt::format(
           "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, DATETIME_PRECISION, NUMERIC_PRECISION FROM "
           "information_schema.COLUMNS WHERE TABLE_SCHEMA = '{}' AND TABLE_NAME = '{}' ORDER BY ORDINAL_POSITION",
           db, table))) {
    Col c;
    c.name = *r[0];
    c.data_type = *r[1];
    c.column_type = *r[2];
    c.is_unsigned = c.column_type.find("unsigned") != std::string::npos;
    if (r[3]) c.fsp = std::stoi(*r[3]);
    if (r[4] && c.data_type == "bit") c.bits = std::stoi(*r[4]);
    out.push_back(c);
  }
  return out;
}

// The output columns of a SYNC: the listed source columns, then the computed ones.
std::vector<Col> output_columns(const std::vector<Col>& source, const std::vector<std::string>& listed,
                                const std::vector<Col>& computed) {
  std::vector<Col> out;
  for (const auto& name : listed)
    for (const auto& c : source)
      if (c.name == name) out.push_back(c);
  out.insert(out.end(), computed.begin(), computed.end());
  return out;
}

struct Civil {
  int64_t y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int64_t micro = 0;
  bool zero() const { return y == 0 && mo == 0 && d == 0; }
  int64_t epoch_us() const {
    return (obsync::e2e::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000000 + micro;
  }
};

int64_t fraction_us(const std::string& s, size_t dot) {
  if (dot == std::string::npos) return 0;
  std::string f = s.substr(dot + 1);
  f.resize(6, '0');
  return std::stoll(f);
}

// "YYYY-MM-DD[ HH:MM:SS[.ffffff]]" as SELECT prints it.
Civil parse_civil(const std::string& s) {
  Civil c;
  c.y = std::stoll(s.substr(0, 4));
  c.mo = static_cast<unsigned>(std::stoi(s.substr(5, 2)));
  c.d = static_cast<unsigned>(std::stoi(s.substr(8, 2)));
  if (s.size() >= 19) {
    c.h = static_cast<unsigned>(std::stoi(s.substr(11, 2)));
    c.mi = static_cast<unsigned>(std::stoi(s.substr(14, 2)));
    c.s = static_cast<unsigned>(std::stoi(s.substr(17, 2)));
    c.micro = fraction_us(s, s.find('.'));
  }
  return c;
}

// "[-]HHH:MM:SS[.ffffff]" → signed microseconds.
int64_t parse_time_us(const std::string& text) {
  bool neg = !text.empty() && text[0] == '-';
  std::string s = neg ? text.substr(1) : text;
  size_t c1 = s.find(':'), c2 = s.find(':', c1 + 1);
  int64_t us = (std::stoll(s.substr(0, c1)) * 3600 + std::stoll(s.substr(c1 + 1, 2)) * 60 +
                std::stoll(s.substr(c2 + 1, 2))) *
                   1000000 +
               fraction_us(s, s.find('.'));
  return neg ? -us : us;
}

// A SELECT value (MySQL text protocol, utf8mb4, time_zone +00:00) as `format` renders it
// (docs/formats.md).
json expected_value(const std::string& format, const Col& c, const std::optional<std::string>& text) {
  if (!text) return nullptr;
  const std::string& s = *text;
  const std::string& t = c.data_type;
  const bool binary = is_binary_type(t);
  if (format != "dataworks" && format != "debezium") {
    if (binary) return obsync::e2e::base64(s);
    if (t == "timestamp" && (format == "default" || format == "default_extend_column_type")) {
      Civil cv = parse_civil(s);
      if (cv.zero()) return "0.000000";
      int64_t us = cv.epoch_us();
      return fmt::format("{}.{:06d}", us / 1000000, us % 1000000);
    }
    return s;
  }
  if (format == "dataworks") {
    if ((is_int_type(t) && !(t == "bigint" && c.is_unsigned)) || t == "year") {
      if (c.is_unsigned) return std::stoull(s);
      return std::stoll(s);
    }
    if (t == "float" || t == "double") return std::strtod(s.c_str(), nullptr);
    if (t == "date" || t == "datetime" || t == "timestamp") {
      Civil cv = parse_civil(s);
      if (cv.zero()) return nullptr;
      return obsync::e2e::floor_div(cv.epoch_us(), 1000);
    }
    if (binary) return obsync::e2e::base64(s);
    return s;  // DECIMAL, BIGINT UNSIGNED, TIME, text
  }
  // debezium
  if (is_int_type(t) || t == "year") {
    if (c.is_unsigned) return std::stoull(s);
    return std::stoll(s);
  }
  if (t == "float" || t == "double") return std::strtod(s.c_str(), nullptr);
  if (t == "bit") {
    if (c.bits == 1) {
      bool set = false;
      for (char ch : s) set |= ch != 0;
      return set;
    }
    return obsync::e2e::base64(std::string(s.rbegin(), s.rend()));  // io.debezium.data.Bits: little-endian
  }
  if (t == "date" || t == "datetime") {
    Civil cv = parse_civil(s);
    if (cv.zero()) return nullptr;  // all our columns are nullable
    if (t == "date") return obsync::e2e::days_from_civil(cv.y, cv.mo, cv.d);
    return c.fsp <= 3 ? obsync::e2e::floor_div(cv.epoch_us(), 1000) : cv.epoch_us();
  }
  if (t == "timestamp") {
    Civil cv = parse_civil(s);
    if (cv.zero()) return nullptr;
    std::string iso = s;
    iso[10] = 'T';
    return iso + "Z";  // SELECT already prints the column's fraction digits
  }
  if (t == "time") return parse_time_us(s);
  if (is_geometry(t)) {
    json g = json::object();
    uint32_t srid = 0;
    for (int k = 3; k >= 0; k--) srid = (srid << 8) | static_cast<unsigned char>(s[static_cast<size_t>(k)]);
    g["wkb"] = obsync::e2e::base64(std::string_view(s).substr(4));
    g["srid"] = srid == 0 ? json(nullptr) : json(srid);
    return g;
  }
  if (binary) return obsync::e2e::base64(s);
  return s;
}

// The comparison form of a value, shared by both sides: numbers of FLOAT columns as the float
// they denote, of DOUBLE columns as the double; everything else its JSON text.
std::string canon(const Col& c, const json& v) {
  if (v.is_number() && (c.data_type == "float" || c.data_type == "double")) {
    double d = v.get<double>();
    if (c.data_type == "float") return fmt::format("F{:.9g}", static_cast<float>(d));
    return fmt::format("D{:.17g}", d);
  }
  return v.dump();
}

using Row = std::map<std::string, std::string>;  // column → canon value

std::string row_text(const Row& r) {
  std::string out;
  for (const auto& [k, v] : r) out += fmt::format("{}={}; ", k, v.size() > 80 ? v.substr(0, 80) + "…" : v);
  return out;
}

// One row change as a consumer of any format sees it.
struct Change {
  enum class Op { Insert, Update, Delete } op = Op::Insert;
  std::optional<json> before, after;  // objects column → value (before may hold only key columns)
  int32_t partition = 0;
  std::string key;
};

// Decodes one message of `format` into its row changes (none for DDL and heartbeats).
// Problems with the message's shape go to `problems`.
std::vector<Change> decode(const std::string& format, const obsync::e2e::Record& rec, const std::vector<Col>& cols,
                           std::vector<std::string>& problems) {
  std::vector<Change> out;
  json v = json::parse(rec.value);
  auto problem = [&](const std::string& what) {
    if (problems.size() < 20) problems.push_back(fmt::format("{}[{}]@{}: {}: {}", rec.topic, rec.partition, rec.offset,
                                                             what, rec.value.substr(0, 300)));
  };
  Change ch;
  ch.partition = rec.partition;
  ch.key = rec.key;
  if (format == "default" || format == "default_extend_column_type") {
    std::string type = v.at("recordType");
    if (type == "HEARTBEAT" || type == "DDL") return out;
    auto strip = [&](json img, bool typed_here) {
      if (format == "default_extend_column_type") {
        if (typed_here) {
          if (!img.contains("__light_type")) problem("no __light_type");
          else {
            const json& lt = img["__light_type"];
            for (const auto& c : cols) {
              // schemaType: the leading word of COLUMN_TYPE in capitals (computed: their type).
              if (!lt.contains(c.name) || !lt[c.name].contains("schemaType")) problem("no schemaType of " + c.name);
            }
          }
        } else if (img.contains("__light_type")) {
          problem("__light_type in the wrong image");
        }
        img.erase("__light_type");
      }
      return img;
    };
    if (type == "INSERT" || type == "ROW") {
      ch.op = Change::Op::Insert;
      ch.after = strip(v.at("postStruct"), true);
    } else if (type == "UPDATE") {
      ch.op = Change::Op::Update;
      ch.before = strip(v.at("prevStruct"), false);
      ch.after = strip(v.at("postStruct"), true);
    } else if (type == "DELETE") {
      ch.op = Change::Op::Delete;
      ch.before = strip(v.at("prevStruct"), true);
    } else {
      problem("recordType " + type);
      return out;
    }
    out.push_back(ch);
  } else if (format == "canal") {
    if (v.at("isDdl").get<bool>()) return out;
    std::string type = v.at("type");
    if (type == "MHEARTBEAT") return out;
    const json& data = v.at("data");
    if (!data.is_array() || data.size() != 1) problem("data is not one row");
    for (size_t i = 0; i < data.size(); i++) {
      Change c = ch;
      if (type == "INSERT") {
        c.op = Change::Op::Insert;
        c.after = data[i];
      } else if (type == "DELETE") {
        c.op = Change::Op::Delete;
        c.before = data[i];
      } else if (type == "UPDATE") {
        c.op = Change::Op::Update;
        c.after = data[i];
        json before = data[i];
        const json& old = v.at("old");
        if (!old.is_array() || old.size() != data.size()) problem("old does not pair with data");
        else
          for (auto it = old[i].begin(); it != old[i].end(); ++it) {
            if (!before.contains(it.key())) problem("old has a column data has not: " + it.key());
            before[it.key()] = it.value();
          }
        c.before = before;
      } else {
        problem("type " + type);
        continue;
      }
      out.push_back(c);
    }
  } else if (format == "dataworks") {
    const json& p = v.at("payload");
    std::string op = p.at("op");
    if (op == "MHEARTBEAT" || !p.at("ddl").is_null()) return out;
    if (op == "INSERT") {
      ch.op = Change::Op::Insert;
      ch.after = p.at("after").at("dataColumn");
    } else if (op == "UPDATE") {
      ch.op = Change::Op::Update;
      ch.before = p.at("before").at("dataColumn");
      ch.after = p.at("after").at("dataColumn");
    } else if (op == "DELETE") {
      ch.op = Change::Op::Delete;
      ch.before = p.at("before").at("dataColumn");
    } else {
      problem("op " + op);
      return out;
    }
    // schema.dataColumn names every output column in order.
    const json& sc = v.at("schema").at("dataColumn");
    if (sc.size() != cols.size()) problem("schema.dataColumn has not every column");
    out.push_back(ch);
  } else if (format == "shareplex") {
    const json& meta = v.at("meta");
    std::string op = meta.at("op");
    if (op == "ins") {
      ch.op = Change::Op::Insert;
      ch.after = v.at("data");
    } else if (op == "upd") {
      ch.op = Change::Op::Update;
      ch.after = v.at("data");
      ch.before = v.at("key");  // the row as the target finds it (docs: key before the change)
    } else if (op == "del") {
      ch.op = Change::Op::Delete;
      ch.before = v.at("data");
    } else {
      return out;  // DDL and heartbeats
    }
    out.push_back(ch);
  } else if (format == "debezium") {
    if (!v.contains("op")) {
      problem("a message without op in a data topic");
      return out;
    }
    std::string op = v.at("op");
    if (op == "c" || op == "r") {
      ch.op = Change::Op::Insert;
      ch.after = v.at("after");
    } else if (op == "u") {
      ch.op = Change::Op::Update;
      ch.before = v.at("before");
      ch.after = v.at("after");
    } else if (op == "d") {
      ch.op = Change::Op::Delete;
      ch.before = v.at("before");
    } else {
      problem("op " + op);
      return out;
    }
    out.push_back(ch);
  }
  return out;
}

Row canon_row(const std::vector<Col>& cols, const json& image, std::vector<std::string>& problems) {
  Row r;
  for (auto it = image.begin(); it != image.end(); ++it) {
    const Col* col = nullptr;
    for (const auto& c : cols)
      if (c.name == it.key()) col = &c;
    if (!col) {
      if (problems.size() < 20) problems.push_back("unexpected column " + it.key());
      r[it.key()] = it.value().dump();
      continue;
    }
    r[it.key()] = canon(*col, it.value());
  }
  return r;
}

struct Compared {
  size_t rows = 0;
  size_t differences = 0;
  std::string report;
};

// Keyed table: apply in per-partition order (a key never changes partition: the workload never
// changes a primary key).
Compared compare_keyed(const std::vector<Change>& changes, const std::map<std::string, Row>& source,
                       const std::vector<Col>& cols, std::vector<std::string>& problems) {
  std::map<std::string, Row> rebuilt;
  std::map<std::string, int32_t> partition_of;
  for (const auto& c : changes) {
    const json& img = c.after ? *c.after : *c.before;
    if (!img.contains("id")) {
      problems.push_back("an image without the key column");
      continue;
    }
    std::string id = canon(cols[0], img["id"]);
    auto [it, fresh] = partition_of.emplace(id, c.partition);
    if (!fresh && it->second != c.partition && problems.size() < 20)
      problems.push_back(fmt::format("key {} in partitions {} and {}", id, it->second, c.partition));
    if (c.before) {
      if (!c.before->contains("id")) problems.push_back("a before image without the key column");
      else if (canon(cols[0], (*c.before)["id"]) != id && problems.size() < 20)
        problems.push_back("the workload changes no key, yet before and after keys differ: " + id);
    }
    if (c.op == Change::Op::Delete) rebuilt.erase(id);
    else rebuilt[id] = canon_row(cols, *c.after, problems);
  }
  Compared out;
  out.rows = source.size();
  std::set<std::string> keys;
  for (const auto& [k, _] : source) keys.insert(k);
  for (const auto& [k, _] : rebuilt) keys.insert(k);
  for (const auto& k : keys) {
    auto s = source.find(k);
    auto r = rebuilt.find(k);
    if (s != source.end() && r != rebuilt.end() && s->second == r->second) continue;
    out.differences++;
    if (out.differences > 6) continue;
    if (s == source.end()) out.report += fmt::format("  id {}: only in the topic: {}\n", k, row_text(r->second));
    else if (r == rebuilt.end()) out.report += fmt::format("  id {}: missing from the topic: {}\n", k, row_text(s->second));
    else
      for (const auto& [col, v] : s->second) {
        auto got = r->second.find(col);
        std::string g = got == r->second.end() ? "(absent)" : got->second;
        if (g != v)
          out.report += fmt::format("  id {} column {}: topic {} vs source {}\n", k, col,
                                    g.size() > 120 ? g.substr(0, 120) + "…" : g, v.size() > 120 ? v.substr(0, 120) + "…" : v);
      }
  }
  return out;
}

std::string row_key(const Row& r) {
  std::string out;
  for (const auto& [k, v] : r) out += k + "\x1f" + v + "\x1e";
  return out;
}

// Keyless table: a multiset of rows, each change -before +after. The sum does not depend on the
// order of the partitions, so an UPDATE of the SHARD BY column may move a row between them.
Compared compare_multiset(const std::vector<Change>& changes, const std::vector<Row>& source,
                          const std::vector<Col>& cols, std::vector<std::string>& problems) {
  std::map<std::string, int64_t> count;
  std::map<std::string, Row> rows;
  for (const auto& c : changes) {
    if (c.before) {
      Row r = canon_row(cols, *c.before, problems);
      rows[row_key(r)] = r;
      count[row_key(r)]--;
    }
    if (c.after) {
      Row r = canon_row(cols, *c.after, problems);
      rows[row_key(r)] = r;
      count[row_key(r)]++;
    }
  }
  for (const auto& r : source) {
    rows[row_key(r)] = r;
    count[row_key(r)]--;
  }
  Compared out;
  out.rows = source.size();
  for (const auto& [k, n] : count) {
    if (n == 0) continue;
    out.differences += static_cast<size_t>(std::abs(n));
    if (out.report.size() < 3000)
      out.report += fmt::format("  {} {}× {}\n", n > 0 ? "topic has extra" : "topic misses", std::abs(n), row_text(rows[k]));
  }
  return out;
}

// ---- the workload ----------------------------------------------------------------------------

struct Workload {
  std::mt19937_64 rng;
  const MariaDbConnection& quoter;
  int next_id = 100;
  explicit Workload(uint64_t seed, const MariaDbConnection& q) : rng(seed), quoter(q) {}

  uint64_t r(uint64_t n) { return rng() % n; }
  bool chance(int percent) { return static_cast<int>(r(100)) < percent; }

  std::string text(size_t max_units, bool latin1 = false) {
    static const std::vector<std::string> utf8 = {"a", "b", "Z", " ", "ü", "漢", "😀", "𝄞", "\\", "'", "\"", "\n", "\t", "%", "é"};
    static const std::vector<std::string> lat = {"a", "Æ", "ø", "ü", "é", " ", "'", "\\", "z"};
    const auto& abc = latin1 ? lat : utf8;
    std::string s;
    size_t n = r(max_units + 1);
    for (size_t k = 0; k < n; k++) s += abc[r(abc.size())];
    return quoter.quote(s);
  }
  std::string bytes(size_t max_len) {
    size_t n = r(max_len + 1);
    std::string s = "x'";
    for (size_t k = 0; k < n; k++) s += fmt::format("{:02x}", r(256));
    return s + "'";
  }
  std::string integer(int64_t lo, int64_t hi) {
    if (chance(10)) return std::to_string(chance(50) ? lo : hi);
    return std::to_string(lo + static_cast<int64_t>(r(static_cast<uint64_t>(hi - lo) + 1)));
  }
  std::string unsigned_int(uint64_t hi) {
    if (chance(10)) return chance(50) ? "0" : std::to_string(hi);
    return std::to_string(hi == UINT64_MAX ? rng() : r(hi + 1));
  }
  std::string date() {
    if (chance(5)) return "'0000-00-00'";
    return fmt::format("'{:04d}-{:02d}-{:02d}'", 1000 + r(9000), 1 + r(12), 1 + r(28));
  }
  std::string clock(int fsp) {
    std::string s = fmt::format("{:02d}:{:02d}:{:02d}", r(24), r(60), r(60));
    if (fsp) s += "." + fmt::format("{:06d}", r(1000000)).substr(0, static_cast<size_t>(fsp));
    return s;
  }
  std::string datetime(int fsp) {
    if (chance(5)) return "'0000-00-00 00:00:00'";
    return fmt::format("'{:04d}-{:02d}-{:02d} {}'", 1000 + r(9000), 1 + r(12), 1 + r(28), clock(fsp));
  }
  std::string timestamp(int fsp) {
    return fmt::format("'{:04d}-{:02d}-{:02d} {}'", 1971 + r(66), 1 + r(12), 1 + r(28), clock(fsp));
  }
  std::string time(int fsp) {
    std::string s = fmt::format("{}{}:{:02d}:{:02d}", chance(30) ? "-" : "", r(839), r(60), r(60));
    if (fsp) s += "." + fmt::format("{:06d}", r(1000000)).substr(0, static_cast<size_t>(fsp));
    return "'" + s + "'";
  }
  std::string decimal(int int_digits, int frac_digits, bool negative_ok) {
    std::string s = negative_ok && chance(40) ? "-" : "";
    int n = 1 + static_cast<int>(r(static_cast<uint64_t>(int_digits)));
    for (int k = 0; k < n; k++) s += static_cast<char>('0' + r(10));
    if (frac_digits) {
      s += ".";
      int f = 1 + static_cast<int>(r(static_cast<uint64_t>(frac_digits)));
      for (int k = 0; k < f; k++) s += static_cast<char>('0' + r(10));
    }
    return s;
  }
  std::string bits(int n) {
    std::string s = "b'";
    for (int k = 0; k < n; k++) s += chance(50) ? '1' : '0';
    return s + "'";
  }
  std::string geometry() {
    switch (r(3)) {
      case 0: return fmt::format("ST_GeomFromText('POINT({} {})')", integer(-1000, 1000), decimal(3, 3, true));
      case 1: return fmt::format("ST_GeomFromText('LINESTRING(0 0, {} {})', {})", r(100), r(100), chance(50) ? 0 : 4326);
      default: return "ST_GeomFromText('POLYGON((0 0,2 0,2 2,0 0))')";
    }
  }
  std::string json_doc() {
    static const std::vector<std::string> docs = {"'{}'", "'[]'", "'null'", "'{\"a\": 1, \"b\": [true, null]}'",
                                                  "'\"s😀\"'", "'{\"n\": -1.5e10, \"u\": 18446744073709551615}'"};
    return docs[r(docs.size())];
  }
  // A random value for column `name` of the types table.
  std::string value(const std::string& name) {
    if (name != "id" && chance(8)) return "NULL";
    if (name == "ti") return integer(-128, 127);
    if (name == "tiu") return unsigned_int(255);
    if (name == "si") return integer(-32768, 32767);
    if (name == "siu") return unsigned_int(65535);
    if (name == "mi") return integer(-8388608, 8388607);
    if (name == "miu") return unsigned_int(16777215);
    if (name == "i") return integer(-2147483648LL, 2147483647LL);
    if (name == "iu") return unsigned_int(4294967295ULL);
    if (name == "bi") return chance(50) ? integer(-1000000, 1000000) : std::to_string(static_cast<int64_t>(rng()));
    if (name == "biu") return unsigned_int(UINT64_MAX);
    if (name == "d65") return decimal(35, 30, true);
    if (name == "d10") return decimal(8, 2, false);
    if (name == "d5") return decimal(5, 0, true);
    // FLOAT: at most 6 significant digits, which MariaDB prints back exactly.
    if (name == "f") return fmt::format("{}{}.{}e{}", chance(50) ? "-" : "", r(1000), r(1000), integer(-30, 30));
    // DOUBLE: at most 15 significant digits (MariaDB prints %.15g-exact values back exactly).
    if (name == "dbl") return fmt::format("{}{}.{}e{}", chance(50) ? "-" : "", r(1000000), r(100000000), integer(-300, 300));
    if (name == "b1") return bits(1);
    if (name == "b13") return bits(13);
    if (name == "b64") return bits(64);
    if (name == "y") return std::to_string(1901 + r(255));
    if (name == "dt") return date();
    if (name == "t0") return time(0);
    if (name == "t6") return time(6);
    if (name == "t3") return time(3);
    if (name == "dtm") return datetime(0);
    if (name == "dtm6") return datetime(6);
    if (name == "ts") return timestamp(0);
    if (name == "ts3") return timestamp(3);
    if (name == "c") return text(10);
    if (name == "vc") return text(chance(10) ? 300 : 30);
    if (name == "vl") return text(20, true);
    if (name == "bn") return bytes(4);
    if (name == "vb") return bytes(10);
    if (name == "tt" || name == "tx" || name == "mt" || name == "lt") return text(60);
    if (name == "tb" || name == "bl" || name == "mb" || name == "lb") return bytes(64);
    if (name == "e") {
      static const char* labels[] = {"'a'", "'b'", "'ü'", "''"};
      return labels[r(4)];
    }
    if (name == "st") {
      static const char* sets[] = {"''", "'x'", "'y,z'", "'x,y,z'", "'z'"};
      return sets[r(5)];
    }
    if (name == "j") return json_doc();
    if (name == "g") return geometry();
    throw std::logic_error("no generator for " + name);
  }
  std::string types_row(int id) {
    std::string s = std::to_string(id);
    for (size_t k = 1; k < kTypeNames.size(); k++) s += ", " + value(kTypeNames[k]);
    return s;
  }
  std::string types_statement() {
    int what = static_cast<int>(r(100));
    if (what < 40) return fmt::format("INSERT INTO types VALUES ({})", types_row(next_id++));
    if (what < 75) {
      std::string set;
      int n = 1 + static_cast<int>(r(4));
      for (int k = 0; k < n; k++) {
        const std::string& col = kTypeNames[1 + r(kTypeNames.size() - 1)];
        if (!set.empty()) set += ", ";
        set += col + " = " + value(col);
      }
      if (chance(30)) set += ", i = " + value("i");  // moves rows into and out of the WHERE
      if (chance(25)) {
        int lo = static_cast<int>(r(static_cast<uint64_t>(next_id)));
        return fmt::format("UPDATE types SET {} WHERE id BETWEEN {} AND {}", set, lo, lo + 4);
      }
      return fmt::format("UPDATE types SET {} WHERE id = {}", set, r(static_cast<uint64_t>(next_id)));
    }
    if (what < 88) return fmt::format("DELETE FROM types WHERE id = {}", r(static_cast<uint64_t>(next_id)));
    if (what < 92) return fmt::format("DELETE FROM types WHERE id > {} AND id % 9 = {}", r(static_cast<uint64_t>(next_id)), r(9));
    return fmt::format("UPDATE types SET {} WHERE id <= 4", kEdgeUpdate);
  }
  std::string keyless_row() {
    static const char* names[] = {"'a'", "'b'", "'漢字'", "NULL", "'😀x'"};
    return fmt::format("{}, {}, {}, {}, {}, {}, {}, {}", r(8), names[r(5)],
                       chance(10) ? "NULL" : decimal(3, 3, true), chance(10) ? "NULL" : bytes(16),
                       chance(10) ? "NULL" : datetime(6), chance(10) ? "NULL" : fmt::format("{}.{}", r(100), r(100)),
                       chance(10) ? "NULL" : timestamp(6), text(10));
  }
  std::string keyless_statement() {
    int what = static_cast<int>(r(100));
    if (what < 30) return fmt::format("INSERT INTO nokey VALUES ({})", keyless_row());
    if (what < 40) {  // the same row twice: a multiset, not a set
      std::string row = keyless_row();
      return fmt::format("INSERT INTO nokey VALUES ({}), ({})", row, row);
    }
    if (what < 60)
      return fmt::format("UPDATE nokey SET amount = amount + {}, note = {} WHERE grp = {}", decimal(2, 3, true), text(5), r(8));
    if (what < 70) return fmt::format("UPDATE nokey SET grp = {} WHERE grp = {} LIMIT 1", r(8), r(8));  // moves partitions
    if (what < 78) return fmt::format("UPDATE nokey SET note = {} WHERE grp = {} LIMIT 2", text(5), r(8));  // not projected
    if (what < 90) return fmt::format("DELETE FROM nokey WHERE grp = {} LIMIT 1", r(8));
    return fmt::format("DELETE FROM nokey WHERE amount < {} LIMIT 3", decimal(2, 0, true));
  }
  // Groups of statements; a group of several is one transaction.
  std::vector<std::vector<std::string>> make(int groups) {
    std::vector<std::vector<std::string>> out;
    for (int g = 0; g < groups; g++) {
      std::vector<std::string> group;
      int n = chance(20) ? 2 + static_cast<int>(r(4)) : 1;
      for (int k = 0; k < n; k++) group.push_back(chance(55) ? types_statement() : keyless_statement());
      out.push_back(std::move(group));
    }
    return out;
  }
};

void execute_groups(std::vector<MariaDbConnection>& conns, const std::vector<std::vector<std::string>>& groups) {
  for (const auto& g : groups)
    for (auto& conn : conns) {
      if (g.size() > 1) conn.execute("BEGIN");
      for (const auto& s : g) conn.execute(s);
      if (g.size() > 1) conn.execute("COMMIT");
    }
}

std::string db_of(const std::string& format) { return "fmt_" + format; }
std::string topic_of(const std::string& format, const std::string& table) {
  return format == "default_extend_column_type" ? "fmt_extend_" + table : "fmt_" + format + "_" + table;
}

}  // namespace

TEST_CASE("run: every format rebuilds every column type, keyed and keyless, filtered and projected, exactly",
          "[e2e-formats]") {
  if (!obsync::test::kafka_libs_present()) FAIL("Kafka jars missing: run tools/install-deps.sh");
  auto started = std::chrono::steady_clock::now();
  MariaDbServer& server = obsync::test::shared_mariadb();
  obsync::test::KafkaBroker& kafka = obsync::test::shared_kafka();
  const uint64_t seed = 20261204;
  INFO("seed " << seed);

  std::vector<MariaDbConnection> conns;
  for (const auto& f : kFormats) {
    server.execute(fmt::format("DROP DATABASE IF EXISTS {}", db_of(f)));
    server.execute(fmt::format("CREATE DATABASE {} CHARACTER SET utf8mb4", db_of(f)));
    conns.push_back(server.connect(db_of(f)));
    auto& conn = conns.back();
    conn.execute("SET time_zone = '+00:00'");
    conn.execute("SET sql_mode = ''");  // zero dates
    conn.execute(fmt::format("CREATE TABLE types ({})", kTypesColumns));
    conn.execute(fmt::format("CREATE TABLE nokey ({})", kKeylessColumns));
    for (size_t i = 0; i < kEdgeRows.size(); i++)
      conn.execute(fmt::format("INSERT INTO types VALUES ({}, {})", i + 1, kEdgeRows[i]));
  }
  Workload workload(seed, conns[0]);
  execute_groups(conns, workload.make(120));  // copied by the full sync

  ::setenv("OBSYNC_E2E_PASSWORD", server.password().c_str(), 1);
  fs::path dir = fs::temp_directory_path() / fmt::format("obsync-e2e-formats-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string script = fmt::format(
      "SOURCE db MARIADB (host = '127.0.0.1', port = {}, user = '{}', password = env('OBSYNC_E2E_PASSWORD'), "
      "heartbeat = 1);\n"
      "SINK k KAFKA (bootstrap = '{}');\n"
      "PROJECT e2e_formats;\n",
      server.port(), server.user(), kafka.bootstrap());
  for (const auto& f : kFormats) {
    script += fmt::format("SYNC {}.types TO TOPIC {} (PARTITIONS 3)\n  WHERE {}\n  COLUMNS ({})\n  FORMAT {};\n", db_of(f),
                          topic_of(f, "types"), kTypesWhere, types_columns_clause(), f);
    script += fmt::format(
        "SYNC {}.nokey TO TOPIC {} (PARTITIONS 3)\n  WHERE {}\n  COLUMNS ({})\n  SHARD BY (grp)\n  FORMAT {};\n",
        db_of(f), topic_of(f, "nokey"), kKeylessWhere, kKeylessColumnsClause, f);
  }
  std::ofstream(dir / "formats.sync") << script;

  {
    obsync::e2e::ObsyncRun run({"run", (dir / "formats.sync").string(), "--state-dir", (dir / "state").string(),
                                "--stop-after-idle", "6"},
                               dir / "run.log");
    bool full_done = run.wait_log("full sync done", std::chrono::seconds(180));
    INFO(obsync::e2e::tail(run.log()));
    REQUIRE(full_done);
    // The incremental sync: inserts, updates (also of every edge row, and across the WHERE),
    // deletes, transactions.
    std::vector<std::vector<std::string>> edge_inserts;
    for (size_t i = 0; i < kEdgeRows.size(); i++)
      edge_inserts.push_back({fmt::format("INSERT INTO types VALUES ({}, {})", 1001 + i, kEdgeRows[i])});
    execute_groups(conns, edge_inserts);
    execute_groups(conns, workload.make(300));
    execute_groups(conns, {{fmt::format("UPDATE types SET {} WHERE id > 1000", kEdgeUpdate)},
                           {"DELETE FROM types WHERE id = 1003"}});
    int code = run.wait_exit(std::chrono::seconds(180));
    INFO(obsync::e2e::tail(run.log()));
    REQUIRE(code == 0);
    CHECK(run.log().find(server.password()) == std::string::npos);
  }

  std::vector<std::string> topics;
  for (const auto& f : kFormats) {
    topics.push_back(topic_of(f, "types"));
    topics.push_back(topic_of(f, "nokey"));
  }
  auto records = obsync::e2e::read_topics(kafka.bootstrap(), topics);
  std::map<std::string, std::vector<const obsync::e2e::Record*>> by_topic;
  for (const auto& r : records) by_topic[r.topic].push_back(&r);

  std::string summary;
  for (size_t fi = 0; fi < kFormats.size(); fi++) {
    const std::string& f = kFormats[fi];
    auto& conn = conns[fi];
    std::string db = db_of(f);
    std::vector<Col> types_cols = output_columns(source_columns(conn, db, "types"), kTypeNames,
                                                 {{"h", "varchar", "varchar(64)"}, {"double_amount", "decimal", "decimal"}});
    std::vector<Col> keyless_cols =
        output_columns(source_columns(conn, db, "nokey"), {"grp", "name", "amount", "bin", "dt6", "f", "ts"},
                       {{"double_amount", "decimal", "decimal"}, {"h", "varchar", "varchar(64)"}});

    // The source side: SELECT of the same projection, rendered as the format renders values.
    std::string list;
    for (const auto& c : types_cols) {
      if (!list.empty()) list += ", ";
      if (c.name == "h") list += "SHA2(vc, 256) AS h";
      else if (c.name == "double_amount") list += "d10 * 2 AS double_amount";
      else if (is_geometry(c.data_type)) list += fmt::format("CAST(`{0}` AS BINARY) AS `{0}`", c.name);
      else list += "`" + c.name + "`";
    }
    std::vector<std::string> problems;
    std::map<std::string, Row> source_types;
    {
      auto rows = conn.query(fmt::format("SELECT {} FROM types WHERE {}", list, kTypesWhere));
      for (const auto& r : rows) {
        Row row;
        for (size_t k = 0; k < types_cols.size(); k++)
          row[types_cols[k].name] = canon(types_cols[k], expected_value(f, types_cols[k], r[k]));
        source_types[row["id"]] = row;
      }
    }
    std::vector<Row> source_keyless;
    for (const auto& r : conn.query(fmt::format(
             "SELECT grp, name, amount, bin, dt6, f, ts, amount * 2 AS double_amount, SHA2(name, 256) AS h FROM nokey "
             "WHERE {}",
             kKeylessWhere))) {
      Row row;
      for (size_t k = 0; k < keyless_cols.size(); k++)
        row[keyless_cols[k].name] = canon(keyless_cols[k], expected_value(f, keyless_cols[k], r[k]));
      source_keyless.push_back(row);
    }

    std::vector<Change> types_changes, keyless_changes;
    size_t types_messages = 0, keyless_messages = 0;
    for (const auto* rec : by_topic[topic_of(f, "types")]) {
      types_messages++;
      if (!rec->has_key && problems.size() < 20) problems.push_back("a types message without a key");
      try {
        for (auto& c : decode(f, *rec, types_cols, problems)) types_changes.push_back(std::move(c));
      } catch (const json::exception& e) {
        problems.push_back(fmt::format("offset {}: {}: {}", rec->offset, e.what(), rec->value.substr(0, 300)));
      }
    }
    for (const auto* rec : by_topic[topic_of(f, "nokey")]) {
      keyless_messages++;
      try {
        for (auto& c : decode(f, *rec, keyless_cols, problems)) keyless_changes.push_back(std::move(c));
      } catch (const json::exception& e) {
        problems.push_back(fmt::format("offset {}: {}: {}", rec->offset, e.what(), rec->value.substr(0, 300)));
      }
    }
    // Per partition in offset order; the records are already so per partition, and a stable
    // sort by partition keeps that order.
    auto by_partition = [](const Change& a, const Change& b) { return a.partition < b.partition; };
    std::stable_sort(types_changes.begin(), types_changes.end(), by_partition);

    Compared keyed = compare_keyed(types_changes, source_types, types_cols, problems);
    Compared multiset = compare_multiset(keyless_changes, source_keyless, keyless_cols, problems);
    std::string problem_text;
    for (const auto& p : problems) problem_text += "  " + p + "\n";
    INFO("format " << f << ": " << types_messages << " messages for types (" << keyed.rows << " rows), "
                   << keyless_messages << " for nokey (" << multiset.rows << " rows)\n"
                   << "types differences:\n" << keyed.report << "nokey differences:\n" << multiset.report
                   << "message problems:\n" << problem_text);
    CHECK(keyed.differences == 0);
    CHECK(multiset.differences == 0);
    CHECK(problems.empty());
    CHECK(keyed.rows > 50);
    CHECK(multiset.rows > 20);
    summary += fmt::format("{}: {}+{} messages, {}+{} rows, {} + {} differences; ", f, types_messages, keyless_messages,
                           keyed.rows, multiset.rows, keyed.differences, multiset.differences);
  }
  WARN(summary << fmt::format("{:.1f} s",
                              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()));
  fs::remove_all(dir);
}
