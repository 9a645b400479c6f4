// Start positions as users write them, the order of binlog positions, and the GTID set that
// COM_BINLOG_DUMP_GTID carries.
#include <catch2/catch.hpp>

#include "runtime/source/binlog_stream.hpp"
#include "runtime/source/position.hpp"

using namespace obsync::source;

TEST_CASE("start positions: every form users write", "[position]") {
  std::string error;
  auto now = parse_start_position(" now ", error);
  REQUIRE(now);
  CHECK(now->kind == StartPosition::Kind::Now);

  auto ts = parse_start_position("2026-01-31 10:00:00", error);
  REQUIRE(ts);
  CHECK(ts->kind == StartPosition::Kind::Timestamp);
  CHECK(ts->timestamp == 1769853600);
  auto day = parse_start_position("1970-01-02", error);
  REQUIRE(day);
  CHECK(day->timestamp == 86400);

  auto fp = parse_start_position("mysql-bin.000003:1234", error);
  REQUIRE(fp);
  CHECK(fp->kind == StartPosition::Kind::FilePosition);
  CHECK(fp->position.file == "mysql-bin.000003");
  CHECK(fp->position.offset == 1234);

  auto gtid = parse_start_position("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-42:50, 3E11FA47-71CA-11E1-9E33-C80AA9429563:7",
                                   error);
  REQUIRE(gtid);
  CHECK(gtid->kind == StartPosition::Kind::MySqlGtid);

  auto maria = parse_start_position("0-1-42,1-2-7", error);
  REQUIRE(maria);
  CHECK(maria->kind == StartPosition::Kind::MariaDbGtid);
  CHECK(maria->position.mariadb_gtid);
  CHECK(maria->position.gtid_set == "0-1-42,1-2-7");
}

TEST_CASE("start positions: bad input says what is expected", "[position]") {
  std::string error;
  CHECK_FALSE(parse_start_position("yesterday", error));
  CHECK_THAT(error, Catch::Contains("NOW"));
  CHECK_THAT(error, Catch::Contains("mysql-bin.000003:1234"));
  CHECK_FALSE(parse_start_position("2026-02-30 10:00:00", error));
  CHECK_THAT(error, Catch::Contains("not a valid timestamp"));
  CHECK_FALSE(parse_start_position("mysql-bin.000003:2", error));
  CHECK_THAT(error, Catch::Contains("at least 4"));
  CHECK_FALSE(parse_start_position("3e11fa47-71ca-11e1-9e33-c80aa9429562:5-2", error));
  CHECK_FALSE(parse_start_position("3e11fa47-71ca-11e1-9e33-c80aa9429562:0", error));
  CHECK_FALSE(parse_start_position("0-1", error));
  CHECK_FALSE(parse_start_position("", error));
}

TEST_CASE("binlog positions order by file sequence, then offset", "[position]") {
  BinlogPosition a{"mysql-bin.000009", 500, {}, false}, b{"mysql-bin.000010", 4, {}, false};
  CHECK(compare_positions(a, b) < 0);
  CHECK(compare_positions(b, a) > 0);
  CHECK(compare_positions(a, a) == 0);
  BinlogPosition c{"mysql-bin.000009", 501, {}, false};
  CHECK(compare_positions(a, c) < 0);
  CHECK(a.to_string() == "mysql-bin.000009:500");
  BinlogPosition g{"f.000001", 4, "0-1-5", true};
  CHECK(g.to_string() == "f.000001:4 gtid=0-1-5");
}

TEST_CASE("COM_BINLOG_DUMP_GTID's set: MySQL's Gtid_set::encode layout", "[position]") {
  std::string error;
  std::string enc = encode_mysql_gtid_set("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-42:50", error);
  REQUIRE(enc.size() == 8 + 16 + 8 + 2 * 16);
  auto u64 = [&](size_t at) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | static_cast<uint8_t>(enc[at + i]);
    return v;
  };
  CHECK(u64(0) == 1);  // one source
  CHECK(static_cast<uint8_t>(enc[8]) == 0x3e);
  CHECK(static_cast<uint8_t>(enc[8 + 15]) == 0x62);
  CHECK(u64(24) == 2);  // two intervals
  CHECK(u64(32) == 1);
  CHECK(u64(40) == 43);  // end is exclusive
  CHECK(u64(48) == 50);
  CHECK(u64(56) == 51);
  CHECK(encode_mysql_gtid_set("", error).size() == 8);
  CHECK(encode_mysql_gtid_set("nonsense:1", error).empty());
  CHECK_THAT(error, Catch::Contains("nonsense"));
}
