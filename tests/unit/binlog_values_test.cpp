// Binlog column values from hand-built bytes: each layout as MySQL documents it (field.cc,
// my_time.cc, strings/decimal.cc, json_binary.h), rendered as SELECT shows the value.
#include "runtime/source/binlog_values.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace obsync;
using namespace obsync::binlog;
using namespace obsync::binlog::column_type;

namespace {

struct Col {
  uint8_t type;
  std::string meta;
  bool is_unsigned = false;
  std::vector<std::string> labels = {};
  uint16_t collation = 0;
};

// Decodes `bytes` as one value of the column; "ERR: why" when it cannot. All bytes must be used.
std::string decode(const Col& spec, const std::string& bytes) {
  ColumnInfo c;
  c.type = spec.type;
  ByteReader m(reinterpret_cast<const uint8_t*>(spec.meta.data()),
               reinterpret_cast<const uint8_t*>(spec.meta.data() + spec.meta.size()));
  if (!read_column_metadata(m, c)) return "ERR: metadata";
  if (m.remaining()) return "ERR: metadata left over";
  c.is_unsigned = spec.is_unsigned;
  c.collation_id = spec.collation;
  finish_column(c, spec.labels);
  ByteReader r(reinterpret_cast<const uint8_t*>(bytes.data()), reinterpret_cast<const uint8_t*>(bytes.data() + bytes.size()));
  Value v;
  if (const char* why = decode_value(c, r, v)) return std::string("ERR: ") + why;
  if (r.remaining()) return "ERR: " + std::to_string(r.remaining()) + " bytes left";
  return render_value(v, c.sql_type);
}

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

}  // namespace

TEST_CASE("binlog values: integers, little-endian, signed unless said unsigned", "[binlog]") {
  CHECK(decode({kTiny, ""}, "\xff") == "-1");
  CHECK(decode({kTiny, "", true}, "\xff") == "255");
  CHECK(decode({kShort, ""}, bytes({0x00, 0x80})) == "-32768");
  CHECK(decode({kShort, "", true}, bytes({0xff, 0xff})) == "65535");
  CHECK(decode({kInt24, ""}, bytes({0xff, 0xff, 0x7f})) == "8388607");
  CHECK(decode({kInt24, ""}, bytes({0x00, 0x00, 0x80})) == "-8388608");
  CHECK(decode({kInt24, "", true}, bytes({0xff, 0xff, 0xff})) == "16777215");
  CHECK(decode({kLong, ""}, bytes({0xff, 0xff, 0xff, 0xff})) == "-1");
  CHECK(decode({kLong, "", true}, bytes({0xff, 0xff, 0xff, 0xff})) == "4294967295");
  CHECK(decode({kLongLong, "", true}, std::string(8, '\xff')) == "18446744073709551615");
  CHECK(decode({kLongLong, ""}, bytes({0, 0, 0, 0, 0, 0, 0, 0x80})) == "-9223372036854775808");
  CHECK(decode({kYear, ""}, bytes({126})) == "2026");
  CHECK(decode({kYear, ""}, bytes({0})) == "0000");
  CHECK(decode({kLong, ""}, bytes({1, 2, 3})).starts_with("ERR: "));
}

TEST_CASE("binlog values: FLOAT and DOUBLE", "[binlog]") {
  CHECK(decode({kFloat, "\x04"}, "\xc3\xf5\x48\x40") == "3.14");
  CHECK(decode({kDouble, "\x08"}, bytes({0, 0, 0, 0, 0, 0, 0xf8, 0x3f})) == "1.5");
  CHECK(decode({kDouble, "\x08"}, "\x00").starts_with("ERR: "));
}

TEST_CASE("binlog values: DECIMAL in MySQL's binary format", "[binlog]") {
  // strings/decimal.cc's own example: 1234567890.1234 as DECIMAL(14,4) is 81 0D FB 38 D2 04 D2.
  CHECK(decode({kNewDecimal, bytes({14, 4})}, bytes({0x81, 0x0D, 0xFB, 0x38, 0xD2, 0x04, 0xD2})) == "1234567890.1234");
  CHECK(decode({kNewDecimal, bytes({14, 4})}, bytes({0x7E, 0xF2, 0x04, 0xC7, 0x2D, 0xFB, 0x2D})) == "-1234567890.1234");
  CHECK(decode({kNewDecimal, bytes({10, 2})}, bytes({0x80, 0, 0, 0, 0})) == "0.00");
  CHECK(decode({kNewDecimal, bytes({5, 0})}, bytes({0x80, 0, 0x2a})) == "42");
  // DECIMAL(65,30): 35 integer digits (3 full groups + 8), 30 fraction digits (3 groups + 3).
  std::string max;
  max += bytes({0x85, 0xf5, 0xe0, 0xff});  // 99999999 | 0x80000000
  for (int i = 0; i < 6; i++) max += bytes({0x3b, 0x9a, 0xc9, 0xff});  // 999999999
  max += bytes({0x03, 0xe7});  // 999
  CHECK(decode({kNewDecimal, bytes({65, 30})}, max) ==
        "99999999999999999999999999999999999.999999999999999999999999999999");
  // A group above 999999999 is not a decimal.
  CHECK(decode({kNewDecimal, bytes({10, 0})}, bytes({0x80, 0xff, 0xff, 0xff, 0xff})).starts_with("ERR: "));
  CHECK(decode({kNewDecimal, bytes({14, 4})}, bytes({0x81, 0x0D})).starts_with("ERR: "));
}

TEST_CASE("binlog values: DATE, TIME, DATETIME, TIMESTAMP in old and 5.6 formats", "[binlog]") {
  CHECK(decode({kDate, ""}, "\x3f\xd4\x0f") == "2026-01-31");
  CHECK(decode({kDate, ""}, bytes({0, 0, 0})) == "0000-00-00");
  CHECK(decode({kTime, ""}, "\x58\x92\x01") == "10:30:00");
  CHECK(decode({kTime, ""}, "\xa8\x6d\xfe") == "-10:30:00");
  CHECK(decode({kTime2, bytes({0})}, "\x80\xa7\x80") == "10:30:00");
  CHECK(decode({kTime2, bytes({0})}, "\x4b\x91\x05") == "-838:59:59");
  CHECK(decode({kTime2, bytes({6})}, "\x7f\xff\xfe\xf8\x5e\xe0") == "-00:00:01.500000");
  CHECK(decode({kTime2, bytes({1})}, "\x7f\xff\xfe\xce") == "-00:00:01.5");
  CHECK(decode({kDateTime, ""}, std::string("\x18\xe1\xea\x2d\x6d\x12\x00\x00", 8)) == "2026-01-31 10:30:00");
  CHECK(decode({kDateTime2, bytes({0})}, "\x99\xb8\xfe\xa7\x80") == "2026-01-31 10:30:00");
  CHECK(decode({kDateTime2, bytes({3})}, std::string("\x99\xb8\xfe\xa7\x80", 5) + bytes({0x04, 0xce})) ==
        "2026-01-31 10:30:00.123");
  CHECK(decode({kDateTime2, bytes({0})}, bytes({0x80, 0, 0, 0, 0})) == "0000-00-00 00:00:00");
  // TIMESTAMP is seconds since the epoch, shown in UTC; 0 is the zero value.
  CHECK(decode({kTimestamp, ""}, std::string("\x00\xf1\x53\x65", 4)) == "2023-11-14 22:13:20");
  CHECK(decode({kTimestamp2, bytes({6})}, std::string("\x65\x53\xf1\x00\x01\xe2\x40", 7)) ==
        "2023-11-14 22:13:20.123456");
  CHECK(decode({kTimestamp2, bytes({2})}, bytes({0x65, 0x53, 0xf1, 0x00, 12})) == "2023-11-14 22:13:20.12");
  CHECK(decode({kTimestamp2, bytes({0})}, bytes({0, 0, 0, 0})) == "0000-00-00 00:00:00");
  CHECK(decode({kTimestamp2, bytes({6})}, bytes({0x65, 0x53, 0xf1, 0x00, 1})).starts_with("ERR: "));
  CHECK(decode({kTime2, bytes({7})}, "").starts_with("ERR: metadata"));  // fsp above 6
}

TEST_CASE("binlog values: strings, BLOB, BIT, GEOMETRY", "[binlog]") {
  CHECK(decode({kVarChar, bytes({20, 0})}, "\x03" "abc") == "abc");
  CHECK(decode({kVarChar, bytes({0x2c, 0x01})}, std::string("\x02\x00", 2) + "hi") == "hi");  // max 300: 2 length bytes
  CHECK(decode({kVarChar, bytes({20, 0})}, "\x05" "abc").starts_with("ERR: "));
  CHECK(decode({kString, bytes({0xfe, 10})}, "\x02hi") == "hi");
  // CHAR(100) utf8mb4 = 400 bytes: bits 8..9 of the length ride in the type byte, inverted.
  CHECK(decode({kString, bytes({0xfe ^ 0x10, 400 & 0xff})}, std::string("\x02\x00", 2) + "hi") == "hi");
  CHECK(decode({kString, bytes({0xfe, 10})}, std::string("\x04\xf0\x9f\x98\x80", 5)) == "\xf0\x9f\x98\x80");
  CHECK(decode({kBlob, bytes({2})}, std::string("\x03\x00", 2) + "abc") == "abc");
  CHECK(decode({kBlob, bytes({4})}, std::string("\x01\x00\x00\x00", 4) + "z") == "z");
  CHECK(decode({kBlob, bytes({1})}, std::string("\x00", 1)) == "");
  CHECK(decode({kBlob, bytes({2})}, std::string("\x09\x00", 2) + "abc").starts_with("ERR: "));
  CHECK(decode({kBlob, bytes({5})}, "").starts_with("ERR: metadata"));
  // BIT(10): metadata is (bits % 8, bytes); the value is big-endian bytes, as SELECT returns them.
  CHECK(decode({kBit, bytes({2, 1})}, "\x03\xff") == "\x03\xff");
  CHECK(decode({kBit, bytes({1, 0})}, "\x01") == "\x01");
  CHECK(decode({kGeometry, bytes({4})}, std::string("\x02\x00\x00\x00\x01\x02", 6)) == "\x01\x02");
  CHECK(decode({kNull, ""}, "") == "NULL");
}

TEST_CASE("binlog values: ENUM and SET as numbers, or labels when known", "[binlog]") {
  CHECK(decode({kString, bytes({kEnum, 1})}, "\x02") == "2");
  CHECK(decode({kString, bytes({kEnum, 1}), false, {"a", "b"}}, "\x02") == "b");
  CHECK(decode({kString, bytes({kEnum, 1}), false, {"a", "b"}}, std::string("\x00", 1)) == "");
  CHECK(decode({kString, bytes({kEnum, 2}), false, {"a", "b"}}, std::string("\x01\x00", 2)) == "a");
  CHECK(decode({kString, bytes({kEnum, 1}), false, {"a", "b"}}, "\x03").starts_with("ERR: "));
  CHECK(decode({kString, bytes({kSet, 1})}, "\x05") == "5");
  CHECK(decode({kString, bytes({kSet, 1}), false, {"a", "b", "c"}}, "\x05") == "a,c");
  CHECK(decode({kString, bytes({kSet, 1}), false, {"a", "b", "c"}}, std::string("\x00", 1)) == "");
  CHECK(decode({kString, bytes({kSet, 1}), false, {"a", "b", "c"}}, "\x08").starts_with("ERR: "));
}

TEST_CASE("binlog values: JSON from MySQL's binary format", "[binlog]") {
  auto json = [](const std::string& doc) {
    std::string v;
    uint32_t n = static_cast<uint32_t>(doc.size());
    v.append(reinterpret_cast<const char*>(&n), 4);
    return decode({kJson, bytes({4})}, v + doc);
  };
  // {"a": 1, "b": [true, null]}: small object, 2 members; keys at 18 and 19; "a" an inlined
  // int16; "b" a small array at offset 20 holding two inlined literals.
  CHECK(json(bytes({0x00, 0x02, 0x00, 0x1e, 0x00, 0x12, 0x00, 0x01, 0x00, 0x13, 0x00, 0x01, 0x00, 0x05, 0x01,
                    0x00, 0x02, 0x14, 0x00, 'a', 'b', 0x02, 0x00, 0x0a, 0x00, 0x04, 0x01, 0x00, 0x04, 0x00,
                    0x00})) == "{\"a\": 1, \"b\": [true, null]}");
  CHECK(json(bytes({0x0c, 0x03, 'a', '"', 'c'})) == "\"a\\\"c\"");
  CHECK(json(bytes({0x04, 0x02})) == "false");
  CHECK(json(bytes({0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})) == "-1");
  CHECK(json(bytes({0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})) == "18446744073709551615");
  CHECK(json(bytes({0x0b, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f})) == "1.5");
  // An opaque DECIMAL(5,2) 1.50: field type 246, length 5, precision, scale, binary decimal.
  CHECK(json(bytes({0x0f, 246, 5, 5, 2, 0x80, 0x01, 0x32})) == "1.50");
  // An opaque DATE: packed longlong ((2026*13+1) << 5 | 31) << 41.
  int64_t packed = ((int64_t{2026} * 13 + 1) << 5 | 31) << 41;
  std::string date = bytes({0x0f, 10, 8});
  date.append(reinterpret_cast<const char*>(&packed), 8);
  CHECK(json(date) == "\"2026-01-31\"");
  CHECK(json("") == "null");
  CHECK(json(bytes({0x0c, 0x05, 'a'})).starts_with("ERR: "));
  CHECK(json(bytes({0x0e})).starts_with("ERR: "));
  CHECK(json(bytes({0x00, 0x02, 0x00, 0x1e, 0x00})).starts_with("ERR: "));
  // Offsets pointing outside the document are errors, not reads out of bounds.
  CHECK(json(bytes({0x02, 0x01, 0x00, 0x07, 0x00, 0x0c, 0xff, 0x00})).starts_with("ERR: "));
}
