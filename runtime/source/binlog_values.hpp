// Column values in binlog row images: every MySQL column type decoded into obsync::Value.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/source/binlog_event.hpp"
#include "stdlib/decimal.hpp"
#include "stdlib/json.hpp"
#include "stdlib/types.hpp"
#include "stdlib/value.hpp"

namespace obsync::binlog {

// MySQL's enum_field_types as TABLE_MAP events carry them.
namespace column_type {
inline constexpr uint8_t kDecimal = 0, kTiny = 1, kShort = 2, kLong = 3, kFloat = 4, kDouble = 5,
                         kNull = 6, kTimestamp = 7, kLongLong = 8, kInt24 = 9, kDate = 10,
                         kTime = 11, kDateTime = 12, kYear = 13, kNewDate = 14, kVarChar = 15,
                         kBit = 16, kTimestamp2 = 17, kDateTime2 = 18, kTime2 = 19,
                         kTypedArray = 20, kVector = 242, kBool = 244, kJson = 245,
                         kNewDecimal = 246, kEnum = 247, kSet = 248, kTinyBlob = 249,
                         kMediumBlob = 250, kLongBlob = 251, kBlob = 252, kVarString = 253,
                         kString = 254, kGeometry = 255;
}  // namespace column_type

// "VARCHAR", "TIMESTAMP2", … for messages; "TYPE(N)" for codes MySQL does not define.
std::string column_type_name(uint8_t type);

// One column of a TABLE_MAP, with what decoding and rendering need.
struct ColumnInfo {
  uint8_t type = 0;        // binlog type; STRING columns holding ENUM or SET become kEnum / kSet
  uint16_t meta = 0;       // the metadata as MySQL reads it (STRING: real_type << 8 | length)
  uint32_t max_length = 0; // STRING / VARCHAR: max bytes; BLOB family: length bytes (1..4);
                           // BIT: bits; ENUM / SET: bytes of the value (pack length)
  uint8_t precision = 0;   // NEWDECIMAL
  uint8_t scale = 0;       // NEWDECIMAL scale; TIME2 / DATETIME2 / TIMESTAMP2 fsp
  bool nullable = true;
  bool is_unsigned = false;      // from optional metadata or the schema; signed by default
  uint16_t collation_id = 0;     // 0: unknown
  uint32_t binary_pad = 0;       // BINARY(n) (from the schema): SELECT shows n bytes, 0x00-padded
  std::string name;              // empty when unknown
  SqlType sql_type;              // how the value renders (render_value); set by finish_column
};

// Reads one column's metadata (0, 1 or 2 bytes by type) from a TABLE_MAP's metadata block and
// resolves STRING's real type. False when the type is unknown or the block ends early.
bool read_column_metadata(ByteReader& r, ColumnInfo& col);

// Sets col.sql_type from the type, metadata, signedness, collation and enum/set labels
// (`labels`: empty when unknown; then ENUM and SET values are their numbers).
void finish_column(ColumnInfo& col, std::vector<std::string> labels = {});

// Decodes one non-NULL value of `col` from `r` into `out`, reusing `out`'s string storage.
// Returns nullptr, or why the bytes cannot be a value of that column (truncated, malformed,
// unsupported type); then `r` is left failed or unchanged and `out` unspecified.
const char* decode_value(const ColumnInfo& col, ByteReader& r, Value& out);

// MySQL's binary DECIMAL(precision, scale): its size in bytes, and its value.
size_t decimal_binary_size(int precision, int scale);
const char* decode_decimal_binary(const uint8_t* p, size_t size, int precision, int scale, Decimal& out);

// MySQL's binary JSON (json_binary.h) to a JsonValue. nullptr on success.
const char* decode_json_binary(std::span<const uint8_t> bytes, JsonValue& out);

// The packed longlong temporal forms of binary JSON and MySQL internals (my_time.h).
Temporal datetime_from_packed(int64_t packed);
Temporal time_from_packed(int64_t packed);

}  // namespace obsync::binlog
