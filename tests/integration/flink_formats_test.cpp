// Flink reads obsync's canal and debezium messages unchanged: the golden messages of
// tests/golden/formats go through Flink's own CanalJsonDeserializationSchema and
// DebeziumJsonDeserializationSchema (flink-json 1.20.0, tests/integration/flink/FlinkFormats.java)
// and the rows Flink makes are compared value by value.
// Needs /usr/bin/java (17+) and Maven to fetch Flink's jars from Maven Central once, into
// $OBSYNC_FLINK_LIB or ~/.cache/obsync/flink-1.20.0/lib; tools/install-deps.sh fetches them; without them the test fails.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/infra/process.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using obsync::test::run_process;

namespace {

const fs::path kSource = OBSYNC_SOURCE_DIR;

fs::path flink_lib() {
  if (const char* d = std::getenv("OBSYNC_FLINK_LIB")) return d;
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : "/tmp") / ".cache" / "obsync" / "flink-1.20.0" / "lib";
}

// The jar directory, fetched with Maven on first use; empty when that is not possible.
fs::path ensure_flink_lib() {
  fs::path lib = flink_lib();
  if (fs::exists(lib / "flink-json-1.20.0.jar")) return lib;
  if (!fs::exists("/usr/bin/mvn") || !fs::exists("/usr/bin/java")) return {};
  auto r = run_process({"/usr/bin/mvn", "-q", "-B", "-f", (kSource / "tests/integration/flink/pom.xml").string(),
                        "dependency:copy-dependencies", "-DoutputDirectory=" + lib.string()},
                       std::chrono::minutes(10));
  if (r.exit_code != 0 || !fs::exists(lib / "flink-json-1.20.0.jar")) {
    WARN("cannot fetch Flink's jars with Maven: " << r.out << r.err);
    return {};
  }
  return lib;
}

// One line per message (or per row Flink emits): "<kind> <JSON array>", "ERROR <text>", "SKIPPED []".
std::vector<std::string> run_flink(const fs::path& lib, const std::string& format, const std::string& row_type,
                                   const std::vector<std::string>& cases) {
  std::vector<std::string> argv = {"/usr/bin/java", "-cp", (lib / "*").string(),
                                   (kSource / "tests/integration/flink/FlinkFormats.java").string(), format, row_type};
  for (const auto& c : cases) argv.push_back((kSource / "tests/golden/formats" / format / (c + ".json")).string());
  auto r = run_process(argv, std::chrono::minutes(2));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Splits "<kind> <JSON>" and checks the kind; returns the JSON.
json row(const std::string& line, const std::string& kind) {
  INFO(line);
  REQUIRE(line.rfind(kind + " ", 0) == 0);
  return json::parse(line.substr(kind.size() + 1));
}

// Row A of encoder_test.cpp as Flink holds it, for the columns both formats type alike.
void check_row_a_common(const json& r) {
  CHECK(r[0] == "1");
  CHECK(r[1] == "-128");
  CHECK(r[2] == "18446744073709551615");  // BIGINT UNSIGNED as DECIMAL(20,0): exact
  CHECK(r[3] == "-99999999999999999999999999999999999.999999999999999999999999999999");
  CHECK(r[4] == "0.00");
  CHECK(r[5] == "0.1");
  CHECK(r[6] == "0.30000000000000004");
  CHECK(r[9] == "2155");
  CHECK(r[10] == "-165");  // DATE / INT: days since the epoch (1969-07-20)
  CHECK(r[13] == "2038-01-19T03:14:07.999999");  // TIMESTAMP: the UTC instant
  CHECK(r[14] == "q\"b\\n\nt\tc\x01");
  CHECK(r[15] == "caf\xc3\xa9 \xe2\x82\xac");
  CHECK(r[16] == "AP8QgA==");  // BYTES round-trip
  CHECK(r[17] == "");
  CHECK(r[18] == "//4AYmlu");
  CHECK(r[19] == "\xf0\x9f\x98\x80 \xe4\xb8\xad\xe6\x96\x87 \xc3\xbc");
  CHECK(r[20] == "b");
  CHECK(r[21] == "x,y");
  CHECK(r[22] == R"({"k": [1, "😀"], "s": "a\"b"})");
}

const char* const kCanalTyped =
    "ROW<id INT, c_tinyint TINYINT, c_bigint_u DECIMAL(20,0), c_decimal STRING, c_money DECIMAL(10,2), "
    "c_float FLOAT, c_double DOUBLE, c_bit1 BYTES, c_bit BYTES, c_year INT, c_date DATE, c_time STRING, "
    "c_datetime TIMESTAMP(3), c_timestamp TIMESTAMP(6), c_char STRING, c_latin1 STRING, c_binary BYTES, "
    "c_varbinary BYTES, c_blob BYTES, c_text STRING, c_enum STRING, c_set STRING, c_json STRING, c_geometry BYTES>";
// Zero dates ('0000-00-00') are not Flink DATE/TIMESTAMP values: such columns read as STRING.
const char* const kCanalZeroDates =
    "ROW<id INT, c_tinyint TINYINT, c_bigint_u DECIMAL(20,0), c_decimal STRING, c_money DECIMAL(10,2), "
    "c_float FLOAT, c_double DOUBLE, c_bit1 BYTES, c_bit BYTES, c_year INT, c_date STRING, c_time STRING, "
    "c_datetime STRING, c_timestamp STRING, c_char STRING, c_latin1 STRING, c_binary BYTES, "
    "c_varbinary BYTES, c_blob BYTES, c_text STRING, c_enum STRING, c_set STRING, c_json STRING, c_geometry BYTES>";
// Debezium's literal types: DATE as INT days, TIME and DATETIME as BIGINT µs/ms, TIMESTAMP as
// an ISO-8601 string (TIMESTAMP_LTZ with timestamp-format.standard ISO-8601), BIT(1) BOOLEAN.
const char* const kDebezium =
    "ROW<id INT, c_tinyint TINYINT, c_bigint_u DECIMAL(20,0), c_decimal STRING, c_money DECIMAL(10,2), "
    "c_float FLOAT, c_double DOUBLE, c_bit1 BOOLEAN, c_bit BYTES, c_year INT, c_date INT, c_time BIGINT, "
    "c_datetime BIGINT, c_timestamp TIMESTAMP_LTZ(6), c_char STRING, c_latin1 STRING, c_binary BYTES, "
    "c_varbinary BYTES, c_blob BYTES, c_text STRING, c_enum STRING, c_set STRING, c_json STRING, "
    "c_geometry ROW<x DOUBLE, y DOUBLE, wkb BYTES, srid INT>>";

}  // namespace

TEST_CASE("flink: canal-json reads obsync's canal messages", "[flink]") {
  fs::path lib = ensure_flink_lib();
  // install-deps.sh fetches the jars; their absence is a broken set-up, not a reason to pass.
  REQUIRE_FALSE(lib.empty());
  auto out = run_flink(lib, "canal", kCanalTyped,
                       {"insert", "delete", "insert_txseq", "update", "full_sync_row", "ddl", "heartbeat"});
  REQUIRE(out.size() == 7);
  json ins = row(out[0], "+I");
  check_row_a_common(ins);
  CHECK(ins[7] == "AQ==");
  CHECK(ins[8] == "EAE=");
  CHECK(ins[11] == "-838:59:59.000000");
  CHECK(ins[12] == "9999-12-31T23:59:59.999");
  CHECK(ins[23] == "AAAAAAEBAAAAAAAAAAAA8D8AAAAAAAAAQA==");
  CHECK(row(out[1], "-D") == ins);
  CHECK(row(out[2], "+I") == ins);
  // Limits of Flink, not of the messages: zero dates in typed columns, DDL other than CREATE,
  // and heartbeats are errors for canal-json (docs/formats.md).
  CHECK(out[3].find("MonthOfYear") != std::string::npos);
  CHECK(out[4].find("MonthOfYear") != std::string::npos);
  CHECK(out[5].find(R"(Unknown \"type\" value \"ALTER\")") != std::string::npos);
  CHECK(out[6].find(R"(Unknown \"type\" value \"MHEARTBEAT\")") != std::string::npos);

  out = run_flink(lib, "canal", kCanalZeroDates, {"update", "full_sync_row"});
  REQUIRE(out.size() == 3);
  json before = row(out[0], "-U"), after = row(out[1], "+U");
  CHECK(after[1] == "127");
  CHECK(after[3] == "0.000000000000000000000000000001");
  CHECK(after[19] == "fixed");
  CHECK(before[1] == "0");
  CHECK(before[19] == "bad \xEF\xBF\xBD\xEF\xBF\xBD utf8");
  CHECK(before[22] == "null");
  CHECK(before[10] == "0000-00-00");
  CHECK(before[13] == "0000-00-00 00:00:00.000000");
  // A column that was NULL before the update is in `old` as null, and Flink keeps it NULL in
  // UPDATE_BEFORE (only columns absent from `old` take the new value).
  CHECK(before[3].is_null());
  CHECK(before[5].is_null());
  CHECK(before[6] == "-0.0");
  json row_b = row(out[2], "+I");
  CHECK(row_b[0] == "2");
  CHECK(row_b[3].is_null());
}

TEST_CASE("flink: debezium-json reads obsync's debezium messages", "[flink]") {
  fs::path lib = ensure_flink_lib();
  // install-deps.sh fetches the jars; their absence is a broken set-up, not a reason to pass.
  REQUIRE_FALSE(lib.empty());
  auto out = run_flink(lib, "debezium", kDebezium,
                       {"insert", "delete", "insert_txseq", "update", "full_sync_row", "heartbeat"});
  REQUIRE(out.size() == 7);
  json ins = row(out[0], "+I");
  check_row_a_common(ins);
  CHECK(ins[7] == "true");
  CHECK(ins[8] == "ARA=");
  CHECK(ins[11] == "-3020399000000");
  CHECK(ins[12] == "253402300799999");
  CHECK(ins[23] == json::array({"1.0", "2.0", "AQEAAAAAAAAAAADwPwAAAAAAAABA", nullptr}));
  CHECK(row(out[1], "-D") == ins);
  CHECK(row(out[2], "+I") == ins);
  json before = row(out[3], "-U"), after = row(out[4], "+U");
  CHECK(before[3].is_null());  // Debezium's before image is complete: NULL stays NULL
  CHECK(after[3] == "0.000000000000000000000000000001");
  // Flink reads JSON numbers with floats as BigDecimal, which has no negative zero.
  CHECK(before[6] == "0.0");
  CHECK(before[10].is_null());  // zero date in a nullable column
  CHECK(before[7] == "false");
  json snap = row(out[5], "+I");
  CHECK(snap[0] == "2");
  // Heartbeats are not for data topics (Encoder::carries_heartbeat() is false for debezium).
  CHECK(out[6].rfind("ERROR", 0) == 0);
}
