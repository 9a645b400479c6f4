// Real MySQL binlog files (../shared/testdata/binlogs) decoded by `obsync binlog print` and by an
// independent decoder, `mariadb-binlog --base64-output=decode-rows -vv`: same rows, values, order.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/source/binlog_decoder.hpp"
#include "stdlib/temporal.hpp"
#include "tests/infra/process.hpp"

using obsync::test::run_process;

namespace {

const std::string kDir = OBSYNC_SOURCE_DIR "/../shared/testdata/binlogs";

struct Change {
  uint64_t pos = 0;
  std::string op, db, table;
  bool has_before = false, has_after = false;
  std::vector<std::optional<std::string>> before, after;  // nullopt: NULL
};

// mariadb-binlog's value text -> the MySQL text form obsync prints. The normalisations:
//  1. strings are quoted '…' and bytes below 0x20 written as \xNN (my_b_write_quoted): unquote
//     and unescape;
//  2. TIMESTAMP columns print as epoch seconds: obsync prints them as datetimes in UTC;
//  3. integers that are negative print as "-1 (255)", the unsigned reading in parentheses:
//     without signedness metadata (MySQL 5.7) obsync reads signed, so the first number counts;
//  4. DOUBLE prints with %.20g; obsync as MySQL does (shortest round trip): compared as numbers
//     by the caller (both parsed with strtod);
//  5. NULL prints as NULL: obsync gives JSON null.
std::optional<std::string> normalise(const std::string& value, const std::string& type) {
  if (value == "NULL") return std::nullopt;
  if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
    std::string s;
    for (size_t i = 1; i + 1 < value.size(); i++) {
      if (value[i] == '\\' && i + 3 < value.size() && value[i + 1] == 'x') {
        s.push_back(static_cast<char>(std::stoi(value.substr(i + 2, 2), nullptr, 16)));
        i += 3;
      } else {
        s.push_back(value[i]);
      }
    }
    return s;
  }
  std::string v = value.substr(0, value.find(" ("));
  if (type.starts_with("TIMESTAMP")) {
    auto t = obsync::from_unix_seconds_utc(std::stoll(v));
    return std::stoll(v) == 0 ? "0000-00-00 00:00:00" : obsync::format_datetime(t, 0);
  }
  return v;
}

std::vector<Change> parse_mariadb_binlog(const std::string& out) {
  std::vector<Change> changes;
  std::vector<std::optional<std::string>>* image = nullptr;
  uint64_t at = 0;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    start = end + 1;
    if (line.starts_with("# at ")) {
      at = std::stoull(line.substr(5));
      continue;
    }
    if (!line.starts_with("### ")) continue;
    std::string rest = line.substr(4);
    std::string op;
    if (rest.starts_with("INSERT INTO ")) op = "INSERT";
    else if (rest.starts_with("UPDATE ")) op = "UPDATE";
    else if (rest.starts_with("DELETE FROM ")) op = "DELETE";
    if (!op.empty()) {
      Change c;
      c.op = op;
      c.pos = at;
      std::string name = rest.substr(rest.find('`'));  // `db`.`table`
      size_t dot = name.find("`.`");
      c.db = name.substr(1, dot - 1);
      c.table = name.substr(dot + 3, name.size() - dot - 4);
      changes.push_back(c);
      image = nullptr;
    } else if (rest == "SET") {
      changes.back().has_after = true;
      image = &changes.back().after;
    } else if (rest == "WHERE") {
      changes.back().has_before = true;
      image = &changes.back().before;
    } else if (rest.starts_with("  @") && image) {
      size_t eq = rest.find('=');
      size_t comment = rest.rfind(" /* ");
      std::string value = rest.substr(eq + 1, comment - eq - 1);
      std::string type = rest.substr(comment + 4);
      type = type.substr(0, type.find(' '));
      image->push_back(normalise(value, type));
    }
  }
  return changes;
}

std::vector<nlohmann::json> obsync_print(const std::string& file) {
  auto r = run_process({OBSYNC_BINARY, "binlog", "print", file}, std::chrono::seconds(60));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<nlohmann::json> lines;
  size_t start = 0;
  while (start < r.out.size()) {
    size_t end = r.out.find('\n', start);
    lines.push_back(nlohmann::json::parse(r.out.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

bool same_value(const std::optional<std::string>& expected, const nlohmann::json& got) {
  if (!expected) return got.is_null();
  if (!got.is_string()) return false;
  const std::string& g = got.get_ref<const std::string&>();
  if (g == *expected) return true;
  // Normalisation 4: DOUBLE digits.
  char* e1 = nullptr;
  char* e2 = nullptr;
  double a = std::strtod(expected->c_str(), &e1), b = std::strtod(g.c_str(), &e2);
  return *e1 == '\0' && *e2 == '\0' && !expected->empty() && a == b;
}

void compare_with_mariadb_binlog(const std::string& name, size_t expected_rows) {
  std::string file = kDir + "/" + name;
  auto mb = run_process({"mariadb-binlog", "--base64-output=decode-rows", "-vv", file}, std::chrono::seconds(60));
  INFO(mb.err);
  REQUIRE(mb.exit_code == 0);
  auto expected = parse_mariadb_binlog(mb.out);
  auto got = obsync_print(file);
  REQUIRE(expected.size() == expected_rows);
  REQUIRE(got.size() == expected.size());
  for (size_t i = 0; i < got.size(); i++) {
    const Change& e = expected[i];
    const auto& g = got[i];
    INFO(name << " row " << i << ": " << g.dump());
    CHECK(g["file"] == name);
    CHECK(g["pos"] == e.pos);
    CHECK(g["op"] == e.op);
    CHECK(g["db"] == e.db);
    CHECK(g["table"] == e.table);
    CHECK(g["before"].is_null() == !e.has_before);
    CHECK(g["after"].is_null() == !e.has_after);
    for (auto [img, exp] : {std::pair{"before", &e.before}, std::pair{"after", &e.after}}) {
      if (g[img].is_null()) continue;
      REQUIRE(g[img].size() == exp->size());
      for (size_t c = 0; c < exp->size(); c++) {
        INFO(img << " @" << c + 1 << " expected " << (*exp)[c].value_or("NULL"));
        CHECK(same_value((*exp)[c], g[img][c]));
      }
    }
  }
}

}  // namespace

TEST_CASE("binlog files: MySQL 5.7 files decode as mariadb-binlog decodes them", "[binlog-files]") {
  // Row counts from the folder's README; mariadb-binlog must agree.
  SECTION("CRC32, INT/BIGINT/TINYINT/DOUBLE/DECIMAL/TIMESTAMP/VARCHAR/TEXT, anonymous GTIDs") {
    compare_with_mariadb_binlog("mysql-5.7.21-crc32.binlog", 63);
    for (const auto& line : obsync_print(kDir + "/mysql-5.7.21-crc32.binlog")) CHECK(line["gtid"].is_null());
  }
  SECTION("no checksum, DATETIME/CHAR/VARCHAR(6000)") {
    compare_with_mariadb_binlog("mysql-5.7.20-nochecksum.binlog", 36);
  }
  SECTION("real GTIDs") {
    compare_with_mariadb_binlog("mysql-5.7.40-gtid.binlog", 7);
    for (const auto& line : obsync_print(kDir + "/mysql-5.7.40-gtid.binlog")) {
      REQUIRE(line["gtid"].is_string());
      CHECK(line["gtid"].get<std::string>().size() > 37);  // uuid:N
    }
  }
}

TEST_CASE("binlog files: MySQL 8 TRANSACTION_PAYLOAD (zstd) file", "[binlog-files]") {
  const std::string file = kDir + "/mysql-8.0.31-compressed.binlog";
  // Its origin's test (mysql-binlog-connector-rust) expects 8 events: the payloads count as one.
  std::string why;
  auto f = obsync::binlog::BinlogFile::open(file, why);
  REQUIRE(f);
  obsync::binlog::BinlogDecoder dec("mysql-8.0.31-compressed.binlog");
  dec.reset(f->bytes());
  obsync::binlog::Event ev;
  int top = 0, inner = 0, payloads = 0;
  while (dec.next(ev)) {
    (ev.in_payload ? inner : top)++;
    payloads += ev.kind == obsync::binlog::EventKind::TransactionPayload;
  }
  INFO(dec.error().message);
  CHECK_FALSE(dec.failed());
  CHECK(top == 8);
  CHECK(payloads == 2);
  CHECK(inner == 13);  // QUERY, ROWS_QUERY, TABLE_MAP, rows, XID; and 8 in the second payload

  // The rows, as the ROWS_QUERY events inside state them: `insert into b values(1)`; then
  // `update test_table_3 set enum_field='large', set_field='c', product_item_2='product_3_value'
  // where product_id=55555` and `insert into test_table_3 values(6666, …, now(), …)`. ENUM and
  // SET print as numbers (binlog_row_metadata=MINIMAL: no labels): 'large' is 4, 'c' 4, 'd' 8.
  auto got = obsync_print(file);
  REQUIRE(got.size() == 3);
  const std::string gtid = "76f3e7be-6720-11ed-9cad-0242ac110002:";
  CHECK(got[0].dump() == nlohmann::json({{"file", "mysql-8.0.31-compressed.binlog"}, {"pos", 457},
                                         {"gtid", gtid + "12"}, {"ts", 1668952358}, {"db", "a"},
                                         {"table", "b"}, {"op", "INSERT"}, {"before", nullptr},
                                         {"after", {"1"}}})
                             .dump());
  auto row = [](std::string id, std::string set, std::string item2, std::string ts) {
    return nlohmann::json::array({id, "product_item_value_2", "2022-11-20", "111", "description_1", ts, "4", set,
                                  "b3", "{\"c\": 1}", item2, "2022-11-20", "2022-11-20", "2222",
                                  "description_3_value", ts, "2022-11-20", "222", "description_4_value", ts});
  };
  CHECK(got[1]["pos"] == 730);
  CHECK(got[1]["gtid"] == gtid + "13");
  CHECK(got[1]["op"] == "UPDATE");
  CHECK(got[1]["table"] == "test_table_3");
  CHECK(got[1]["before"] == row("55555", "8", "product_item_2_value", "2022-11-20 13:40:30"));
  CHECK(got[1]["after"] == row("55555", "4", "product_3_value", "2022-11-20 13:40:30"));
  CHECK(got[2]["pos"] == 730);
  CHECK(got[2]["op"] == "INSERT");
  CHECK(got[2]["before"].is_null());
  CHECK(got[2]["after"] == row("6666", "8", "product_item_2_value", "2022-11-20 13:53:32"));
}

TEST_CASE("binlog files: a damaged file stops with file and position", "[binlog-files]") {
  auto r = run_process({OBSYNC_BINARY, "binlog", "print", kDir + "/README.md"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("README.md is not a binlog file") != std::string::npos);
  auto missing = run_process({OBSYNC_BINARY, "binlog", "print", kDir + "/nope.binlog"});
  CHECK(missing.exit_code == 2);
}
