// Column values in binlog row images: every MySQL column type decoded into obsync::Value.
#include "runtime/source/binlog_values.hpp"

#include <bit>
#include <cstring>

#include "stdlib/collation.hpp"

namespace obsync::binlog {

using namespace column_type;

std::string column_type_name(uint8_t type) {
  switch (type) {
    case kDecimal: return "DECIMAL";
    case kTiny: return "TINY";
    case kShort: return "SHORT";
    case kLong: return "LONG";
    case kFloat: return "FLOAT";
    case kDouble: return "DOUBLE";
    case kNull: return "NULL";
    case kTimestamp: return "TIMESTAMP";
    case kLongLong: return "LONGLONG";
    case kInt24: return "INT24";
    case kDate: return "DATE";
    case kTime: return "TIME";
    case kDateTime: return "DATETIME";
    case kYear: return "YEAR";
    case kNewDate: return "NEWDATE";
    case kVarChar: return "VARCHAR";
    case kBit: return "BIT";
    case kTimestamp2: return "TIMESTAMP2";
    case kDateTime2: return "DATETIME2";
    case kTime2: return "TIME2";
    case kTypedArray: return "TYPED_ARRAY";
    case kVector: return "VECTOR";
    case kJson: return "JSON";
    case kNewDecimal: return "NEWDECIMAL";
    case kEnum: return "ENUM";
    case kSet: return "SET";
    case kTinyBlob: return "TINY_BLOB";
    case kMediumBlob: return "MEDIUM_BLOB";
    case kLongBlob: return "LONG_BLOB";
    case kBlob: return "BLOB";
    case kVarString: return "VAR_STRING";
    case kString: return "STRING";
    case kGeometry: return "GEOMETRY";
    default: return "TYPE(" + std::to_string(type) + ")";
  }
}

bool read_column_metadata(ByteReader& r, ColumnInfo& col) {
  switch (col.type) {
    case kFloat: case kDouble: case kBlob: case kTinyBlob: case kMediumBlob: case kLongBlob:
    case kGeometry: case kJson: case kTime2: case kDateTime2: case kTimestamp2:
      col.meta = r.u8();
      break;
    case kVarChar: case kVarString:
      col.meta = r.u16();
      break;
    case kBit: case kNewDecimal: case kString: case kEnum: case kSet: {
      // Written as two bytes, read as (first << 8) | second except BIT, read little-endian.
      uint8_t b0 = r.u8(), b1 = r.u8();
      col.meta = col.type == kBit ? static_cast<uint16_t>(b0 | (b1 << 8)) : static_cast<uint16_t>((b0 << 8) | b1);
      break;
    }
    case kDecimal: case kTiny: case kShort: case kLong: case kNull: case kTimestamp: case kLongLong:
    case kInt24: case kDate: case kTime: case kDateTime: case kYear: case kNewDate:
      col.meta = 0;
      break;
    default:
      return false;
  }
  if (r.failed()) return false;
  switch (col.type) {
    case kVarChar: case kVarString: col.max_length = col.meta; break;
    case kBlob: case kTinyBlob: case kMediumBlob: case kLongBlob: case kGeometry: case kJson:
      col.max_length = col.meta;
      if (col.max_length < 1 || col.max_length > 4) return false;
      break;
    case kBit: col.max_length = (col.meta >> 8) * 8 + (col.meta & 0xff); break;
    case kNewDecimal:
      col.precision = static_cast<uint8_t>(col.meta >> 8);
      col.scale = static_cast<uint8_t>(col.meta & 0xff);
      if (col.precision == 0 || col.precision > 65 || col.scale > 30 || col.scale > col.precision) return false;
      break;
    case kTime2: case kDateTime2: case kTimestamp2:
      col.scale = static_cast<uint8_t>(col.meta);
      if (col.scale > 6) return false;
      break;
    case kString: case kEnum: case kSet: {
      uint8_t b0 = static_cast<uint8_t>(col.meta >> 8), b1 = static_cast<uint8_t>(col.meta & 0xff);
      uint8_t real = b0;
      uint32_t length = b1;
      // CHAR longer than 255 bytes keeps bits 8..9 of its length in bits 4..5 of the real type,
      // inverted (Field_string::do_save_field_metadata).
      if ((b0 & 0x30) != 0x30) {
        length = b1 | (((b0 & 0x30) ^ 0x30) << 4);
        real = b0 | 0x30;
      }
      if (real == kEnum || real == kSet) {
        col.type = real;
        col.max_length = b1;  // pack length: bytes of the value
        if (col.max_length == 0 || col.max_length > 8 || (real == kEnum && col.max_length > 2)) return false;
      } else {
        col.max_length = length;
      }
      break;
    }
    default: break;
  }
  return true;
}

namespace {

ColumnType int_column(uint8_t type) {
  switch (type) {
    case kTiny: return ColumnType::TinyInt;
    case kShort: return ColumnType::SmallInt;
    case kInt24: return ColumnType::MediumInt;
    case kLong: return ColumnType::Int;
    default: return ColumnType::BigInt;
  }
}

const Collation* collation_of(const ColumnInfo& col) {
  if (col.collation_id == 0) return nullptr;
  return find_collation_by_id(col.collation_id);
}

}  // namespace

void finish_column(ColumnInfo& col, std::vector<std::string> labels) {
  SqlType t;
  switch (col.type) {
    case kTiny: case kShort: case kInt24: case kLong: case kLongLong:
      t = SqlType::bigint(col.is_unsigned);
      t.column = int_column(col.type);
      break;
    case kYear:
      t = SqlType::bigint(true);
      t.column = ColumnType::Year;
      break;
    case kNewDecimal: case kDecimal:
      t = SqlType::decimal(col.precision, col.scale);
      t.is_unsigned = col.is_unsigned;
      t.column = ColumnType::Decimal;
      break;
    case kFloat:
      t = SqlType::dbl();
      t.column = ColumnType::Float;
      t.is_unsigned = col.is_unsigned;
      break;
    case kDouble:
      t = SqlType::dbl();
      t.column = ColumnType::Double;
      t.is_unsigned = col.is_unsigned;
      break;
    case kDate: case kNewDate:
      t = SqlType::date();
      t.column = ColumnType::Date;
      break;
    case kTime: case kTime2:
      t = SqlType::time(col.scale);
      t.column = ColumnType::Time;
      break;
    case kDateTime: case kDateTime2:
      t = SqlType::datetime(col.scale);
      t.column = ColumnType::DateTime;
      break;
    case kTimestamp: case kTimestamp2:
      t = SqlType::datetime(col.scale);
      t.column = ColumnType::Timestamp;
      break;
    case kBit:
      t = SqlType::varbinary(col.max_length);
      t.column = ColumnType::Bit;
      t.precision = static_cast<uint8_t>(col.max_length);
      break;
    case kJson:
      t = SqlType::json();
      t.column = ColumnType::Json;
      break;
    case kGeometry:
      t = SqlType::varbinary();
      t.column = ColumnType::Geometry;
      break;
    case kEnum: case kSet:
      if (labels.empty()) {
        t = SqlType::bigint(true);
      } else {
        t = SqlType::string(collation_of(col));
        t.elements = std::move(labels);
      }
      t.column = col.type == kEnum ? ColumnType::Enum : ColumnType::Set;
      break;
    case kBlob: case kTinyBlob: case kMediumBlob: case kLongBlob: {
      const Collation* c = collation_of(col);
      t = SqlType::string(c);
      bool binary = c && c->is_binary;
      static constexpr ColumnType kText[] = {ColumnType::TinyText, ColumnType::Text, ColumnType::MediumText,
                                             ColumnType::LongText};
      static constexpr ColumnType kBlobs[] = {ColumnType::TinyBlob, ColumnType::Blob, ColumnType::MediumBlob,
                                              ColumnType::LongBlob};
      t.column = (binary ? kBlobs : kText)[(col.max_length - 1) & 3];
      break;
    }
    case kString: {
      const Collation* c = collation_of(col);
      t = SqlType::string(c, col.max_length);
      t.column = c && c->is_binary ? ColumnType::Binary : ColumnType::Char;
      break;
    }
    default: {  // VARCHAR, VAR_STRING, NULL and anything else that reads as bytes
      const Collation* c = collation_of(col);
      t = SqlType::string(c, col.max_length);
      t.column = c && c->is_binary ? ColumnType::VarBinary : ColumnType::VarChar;
      break;
    }
  }
  t.nullable = col.nullable;
  col.sql_type = std::move(t);
}

// --- DECIMAL ---------------------------------------------------------------------------------

namespace {

constexpr int kDigitsToBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr uint32_t kPow10[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

// Writes v as exactly `digits` decimal digits (zero-padded) at out; returns the end.
char* put_digits(char* out, uint32_t v, int digits) {
  for (int i = digits - 1; i >= 0; i--) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return out + digits;
}

}  // namespace

size_t decimal_binary_size(int precision, int scale) {
  int intg = precision - scale;
  return static_cast<size_t>((intg / 9) * 4 + kDigitsToBytes[intg % 9] + (scale / 9) * 4 + kDigitsToBytes[scale % 9]);
}

const char* decode_decimal_binary(const uint8_t* src, size_t size, int precision, int scale, Decimal& out) {
  // decimal2bin: groups of 9 digits in 4 big-endian bytes, a partial leading group of the
  // integer part and a partial trailing group of the fraction in as few bytes as they need.
  // The sign is the top bit, inverted; negative numbers have every byte inverted.
  if (precision < 1 || precision > 65 || scale < 0 || scale > 30 || scale > precision) return "invalid DECIMAL precision or scale";
  if (size != decimal_binary_size(precision, scale)) return "truncated DECIMAL";
  uint8_t buf[40];
  std::memcpy(buf, src, size);
  bool negative = (buf[0] & 0x80) == 0;
  buf[0] ^= 0x80;
  if (negative)
    for (size_t i = 0; i < size; i++) buf[i] ^= 0xff;
  int intg = precision - scale;
  int intg0 = intg / 9, intg0x = intg % 9, frac0 = scale / 9, frac0x = scale % 9;
  char text[100];
  char* o = text;
  if (negative) *o++ = '-';
  char* int_start = o;
  size_t pos = 0;
  auto group = [&](int digits, uint32_t& v) -> bool {
    int n = digits == 9 ? 4 : kDigitsToBytes[digits];
    v = static_cast<uint32_t>(load_be(buf + pos, static_cast<size_t>(n)));
    pos += static_cast<size_t>(n);
    return v < kPow10[digits];
  };
  uint32_t v;
  if (intg0x) {
    if (!group(intg0x, v)) return "malformed DECIMAL";
    o = put_digits(o, v, intg0x);
  }
  for (int i = 0; i < intg0; i++) {
    if (!group(9, v)) return "malformed DECIMAL";
    o = put_digits(o, v, 9);
  }
  // Drop leading zeros of the integer part, keeping one.
  char* first = int_start;
  while (first < o - 1 && *first == '0') first++;
  if (o == int_start) *o++ = '0';
  else if (first != int_start) {
    std::memmove(int_start, first, static_cast<size_t>(o - first));
    o -= first - int_start;
  }
  if (scale) {
    *o++ = '.';
    for (int i = 0; i < frac0; i++) {
      if (!group(9, v)) return "malformed DECIMAL";
      o = put_digits(o, v, 9);
    }
    if (frac0x) {
      if (!group(frac0x, v)) return "malformed DECIMAL";
      o = put_digits(o, v, frac0x);
    }
  }
  std::string_view s(text, static_cast<size_t>(o - text));
  auto parsed = Decimal::parse(s);
  if (parsed.consumed != s.size()) return "malformed DECIMAL";
  out = parsed.value;  // the text has exactly `scale` fraction digits
  return nullptr;
}

// --- temporals -------------------------------------------------------------------------------

Temporal datetime_from_packed(int64_t packed) {
  Temporal t;
  uint64_t tmp = packed < 0 ? static_cast<uint64_t>(-packed) : static_cast<uint64_t>(packed);
  t.micro = static_cast<uint32_t>(tmp % (1u << 24));
  uint64_t ymdhms = tmp >> 24;
  uint64_t ymd = ymdhms >> 17, ym = ymd >> 5, hms = ymdhms % (1u << 17);
  t.day = static_cast<uint8_t>(ymd % 32);
  t.month = static_cast<uint8_t>(ym % 13);
  t.year = static_cast<int32_t>(ym / 13);
  t.second = static_cast<uint8_t>(hms % 64);
  t.minute = static_cast<uint8_t>((hms >> 6) % 64);
  t.hour = static_cast<uint32_t>(hms >> 12);
  return t;
}

Temporal time_from_packed(int64_t packed) {
  Temporal t;
  t.negative = packed < 0;
  uint64_t tmp = packed < 0 ? static_cast<uint64_t>(-packed) : static_cast<uint64_t>(packed);
  uint64_t hms = tmp >> 24;
  t.hour = static_cast<uint32_t>((hms >> 12) % (1u << 10));
  t.minute = static_cast<uint8_t>((hms >> 6) % 64);
  t.second = static_cast<uint8_t>(hms % 64);
  t.micro = static_cast<uint32_t>(tmp % (1u << 24));
  return t;
}

namespace {

// Fractional seconds of TIME2 / DATETIME2 / TIMESTAMP2: (fsp + 1) / 2 big-endian bytes.
uint32_t read_fraction(ByteReader& r, int fsp) {
  switch (fsp) {
    case 1: case 2: return r.u8() * 10000u;
    case 3: case 4: {
      auto b = r.bytes(2);
      return b.empty() ? 0 : static_cast<uint32_t>(load_be(b.data(), 2)) * 100u;
    }
    case 5: case 6: {
      auto b = r.bytes(3);
      return b.empty() ? 0 : static_cast<uint32_t>(load_be(b.data(), 3));
    }
    default: return 0;
  }
}

void set_temporal(Value& out, TypeClass cls, const Temporal& t) {
  out.cls = cls;
  out.tm = t;
}

// --- binary JSON -----------------------------------------------------------------------------

namespace json_type {
constexpr uint8_t kSmallObject = 0, kLargeObject = 1, kSmallArray = 2, kLargeArray = 3, kLiteral = 4,
                  kInt16 = 5, kUInt16 = 6, kInt32 = 7, kUInt32 = 8, kInt64 = 9, kUInt64 = 10,
                  kDouble = 11, kString = 12, kOpaque = 15;
}

constexpr int kMaxJsonDepth = 100;

// Variable-length lengths of binary JSON: 7 bits a byte, least significant first, up to 5 bytes.
bool read_json_length(const uint8_t*& p, const uint8_t* end, uint32_t& len) {
  uint64_t v = 0;
  for (int i = 0; i < 5; i++) {
    if (p >= end) return false;
    uint8_t b = *p++;
    v |= uint64_t{b & 0x7fu} << (7 * i);
    if ((b & 0x80) == 0) {
      if (v > UINT32_MAX) return false;
      len = static_cast<uint32_t>(v);
      return true;
    }
  }
  return false;
}

const char* parse_json_value(uint8_t type, const uint8_t* data, size_t size, JsonValue& out, int depth);

const char* parse_json_opaque(const uint8_t* data, size_t size, JsonValue& out) {
  const uint8_t* p = data;
  const uint8_t* end = data + size;
  if (p >= end) return "truncated JSON opaque value";
  uint8_t field_type = *p++;
  uint32_t len;
  if (!read_json_length(p, end, len) || static_cast<size_t>(end - p) < len) return "truncated JSON opaque value";
  switch (field_type) {
    case kNewDecimal: {
      if (len < 2) return "truncated JSON DECIMAL";
      int precision = p[0], scale = p[1];
      Decimal d;
      size_t n = decimal_binary_size(precision, scale);
      if (precision < 1 || precision > 65 || scale > 30 || scale > precision) return "malformed JSON DECIMAL";
      if (len - 2 < n) return "truncated JSON DECIMAL";
      if (const char* why = decode_decimal_binary(p + 2, n, precision, scale, d)) return why;
      out = JsonValue::from_decimal(d);
      return nullptr;
    }
    case kDate: case kDateTime: case kTimestamp: case kTime: {
      if (len < 8) return "truncated JSON temporal";
      int64_t packed = static_cast<int64_t>(load_le64(p));
      if (field_type == kTime) {
        out = JsonValue::from_temporal(JsonType::Time, time_from_packed(packed));
      } else {
        JsonType jt = field_type == kDate ? JsonType::Date
                      : field_type == kDateTime ? JsonType::DateTime
                                                : JsonType::Timestamp;
        out = JsonValue::from_temporal(jt, datetime_from_packed(packed));
      }
      return nullptr;
    }
    default:
      out = JsonValue::from_opaque(field_type, std::string(reinterpret_cast<const char*>(p), len));
      return nullptr;
  }
}

const char* parse_json_container(const uint8_t* data, size_t size, bool large, bool is_object, JsonValue& out,
                                 int depth) {
  if (depth > kMaxJsonDepth) return "JSON nested too deeply";
  const size_t os = large ? 4 : 2;  // offset size
  if (size < 2 * os) return "truncated JSON container";
  auto read_off = [&](const uint8_t* p) -> uint32_t { return large ? load_le32(p) : load_le16(p); };
  uint32_t count = read_off(data);
  uint32_t bytes = read_off(data + os);
  if (bytes > size) return "truncated JSON container";
  size = bytes;
  size_t key_entries = is_object ? count * (os + 2) : 0;
  size_t header = 2 * os + key_entries + count * (1 + os);
  if (count > size || header > size) return "truncated JSON container";
  out = is_object ? JsonValue::object() : JsonValue::array();
  if (is_object) out.members.reserve(count);
  else out.elements.reserve(count);
  for (uint32_t i = 0; i < count; i++) {
    JsonValue element;
    const uint8_t* entry = data + 2 * os + key_entries + i * (1 + os);
    uint8_t type = entry[0];
    bool inlined = type == json_type::kLiteral || type == json_type::kInt16 || type == json_type::kUInt16 ||
                   (large && (type == json_type::kInt32 || type == json_type::kUInt32));
    if (inlined) {
      if (const char* why = parse_json_value(type, entry + 1, os, element, depth + 1)) return why;
    } else {
      uint32_t off = read_off(entry + 1);
      if (off >= size) return "JSON value offset out of range";
      if (const char* why = parse_json_value(type, data + off, size - off, element, depth + 1)) return why;
    }
    if (is_object) {
      const uint8_t* key_entry = data + 2 * os + i * (os + 2);
      uint32_t key_off = read_off(key_entry);
      uint16_t key_len = load_le16(key_entry + os);
      if (key_off > size || key_len > size - key_off) return "JSON key out of range";
      // Keys are stored in MySQL's order already (length, then bytes).
      out.members.push_back({std::string(reinterpret_cast<const char*>(data + key_off), key_len), std::move(element)});
    } else {
      out.elements.push_back(std::move(element));
    }
  }
  return nullptr;
}

const char* parse_json_value(uint8_t type, const uint8_t* data, size_t size, JsonValue& out, int depth) {
  using namespace json_type;
  auto need = [&](size_t n) { return size >= n; };
  switch (type) {
    case kSmallObject: return parse_json_container(data, size, false, true, out, depth);
    case kLargeObject: return parse_json_container(data, size, true, true, out, depth);
    case kSmallArray: return parse_json_container(data, size, false, false, out, depth);
    case kLargeArray: return parse_json_container(data, size, true, false, out, depth);
    case kLiteral:
      if (!need(1)) return "truncated JSON literal";
      switch (data[0]) {
        case 0: out = JsonValue::null(); return nullptr;
        case 1: out = JsonValue::from_bool(true); return nullptr;
        case 2: out = JsonValue::from_bool(false); return nullptr;
        default: return "invalid JSON literal";
      }
    case kInt16:
      if (!need(2)) return "truncated JSON number";
      out = JsonValue::from_int(static_cast<int16_t>(load_le16(data)));
      return nullptr;
    case kUInt16:
      if (!need(2)) return "truncated JSON number";
      out = JsonValue::from_int(load_le16(data));
      return nullptr;
    case kInt32:
      if (!need(4)) return "truncated JSON number";
      out = JsonValue::from_int(static_cast<int32_t>(load_le32(data)));
      return nullptr;
    case kUInt32:
      if (!need(4)) return "truncated JSON number";
      out = JsonValue::from_int(load_le32(data));
      return nullptr;
    case kInt64:
      if (!need(8)) return "truncated JSON number";
      out = JsonValue::from_int(static_cast<int64_t>(load_le64(data)));
      return nullptr;
    case kUInt64:
      if (!need(8)) return "truncated JSON number";
      out = JsonValue::from_uint(load_le64(data));
      return nullptr;
    case kDouble: {
      if (!need(8)) return "truncated JSON number";
      double d;
      std::memcpy(&d, data, 8);
      out = JsonValue::from_double(d);
      return nullptr;
    }
    case kString: {
      const uint8_t* p = data;
      uint32_t len;
      if (!read_json_length(p, data + size, len) || static_cast<size_t>(data + size - p) < len)
        return "truncated JSON string";
      out = JsonValue::from_string(std::string(reinterpret_cast<const char*>(p), len));
      return nullptr;
    }
    case kOpaque: return parse_json_opaque(data, size, out);
    default: return "invalid JSON value type";
  }
}

}  // namespace

const char* decode_json_binary(std::span<const uint8_t> bytes, JsonValue& out) {
  // An empty value is what MySQL stores for JSON '' in non-strict modes; it reads as null.
  if (bytes.empty()) {
    out = JsonValue::null();
    return nullptr;
  }
  return parse_json_value(bytes[0], bytes.data() + 1, bytes.size() - 1, out, 0);
}

// --- the value decoder -----------------------------------------------------------------------

const char* decode_value(const ColumnInfo& col, ByteReader& r, Value& out) {
  constexpr const char* kTruncated = "row image ends inside a value";
  switch (col.type) {
    case kTiny: case kShort: case kInt24: case kLong: case kLongLong: {
      static constexpr uint8_t kSize[] = {0, 1, 2, 4, 0, 0, 0, 0, 8, 3};
      size_t n = kSize[col.type];
      if (!r.has(n)) return kTruncated;
      uint64_t u = r.uint_n(n);
      out.cls = TypeClass::Int;
      if (col.is_unsigned) {
        out.is_unsigned = true;
        out.u = u;
      } else {
        out.is_unsigned = false;
        int shift = static_cast<int>(64 - 8 * n);
        out.i = static_cast<int64_t>(u << shift) >> shift;  // sign-extend
      }
      return nullptr;
    }
    case kYear: {
      if (!r.has(1)) return kTruncated;
      uint8_t y = r.u8();
      out.cls = TypeClass::Int;
      out.is_unsigned = true;
      out.u = y == 0 ? 0 : 1900u + y;
      return nullptr;
    }
    case kFloat: {
      if (!r.has(4)) return kTruncated;
      uint32_t bits = r.u32();
      float f;
      std::memcpy(&f, &bits, 4);
      out.cls = TypeClass::Double;
      out.d = f;
      return nullptr;
    }
    case kDouble: {
      if (!r.has(8)) return kTruncated;
      uint64_t bits = r.u64();
      out.cls = TypeClass::Double;
      std::memcpy(&out.d, &bits, 8);
      return nullptr;
    }
    case kNewDecimal: {
      size_t n = decimal_binary_size(col.precision, col.scale);
      if (!r.has(n)) return kTruncated;
      out.cls = TypeClass::Decimal;
      return decode_decimal_binary(r.bytes(n).data(), n, col.precision, col.scale, out.dec);
    }
    case kDecimal: return "the pre-5.0 DECIMAL type is not supported in row events";
    case kDate: case kNewDate: {
      if (!r.has(3)) return kTruncated;
      uint32_t v = r.u24();
      Temporal t;
      t.day = static_cast<uint8_t>(v & 31);
      t.month = static_cast<uint8_t>((v >> 5) & 15);
      t.year = static_cast<int32_t>(v >> 9);
      set_temporal(out, TypeClass::Date, t);
      return nullptr;
    }
    case kTime: {  // pre-5.6 TIME: a signed 3-byte integer HHMMSS
      if (!r.has(3)) return kTruncated;
      uint32_t raw = r.u24();
      int32_t v = static_cast<int32_t>(raw << 8) >> 8;
      Temporal t;
      t.negative = v < 0;
      uint32_t a = static_cast<uint32_t>(v < 0 ? -v : v);
      t.hour = a / 10000;
      t.minute = static_cast<uint8_t>(a / 100 % 100);
      t.second = static_cast<uint8_t>(a % 100);
      set_temporal(out, TypeClass::Time, t);
      return nullptr;
    }
    case kTime2: {
      size_t n = 3 + (col.scale + 1) / 2;
      if (!r.has(n)) return kTruncated;
      const uint8_t* p = r.data();
      r.skip(n);
      int64_t packed;
      constexpr int64_t kIntOfs = 0x800000, kOfs = 0x800000000000LL;
      switch (col.scale) {
        case 0: packed = (static_cast<int64_t>(load_be(p, 3)) - kIntOfs) * (1LL << 24); break;
        case 1: case 2: {
          int64_t intpart = static_cast<int64_t>(load_be(p, 3)) - kIntOfs;
          int64_t frac = p[3];
          if (intpart < 0 && frac) {
            intpart++;
            frac -= 0x100;
          }
          packed = intpart * (1LL << 24) + frac * 10000;
          break;
        }
        case 3: case 4: {
          int64_t intpart = static_cast<int64_t>(load_be(p, 3)) - kIntOfs;
          int64_t frac = static_cast<int64_t>(load_be(p + 3, 2));
          if (intpart < 0 && frac) {
            intpart++;
            frac -= 0x10000;
          }
          packed = intpart * (1LL << 24) + frac * 100;
          break;
        }
        default: packed = static_cast<int64_t>(load_be(p, 6)) - kOfs; break;
      }
      set_temporal(out, TypeClass::Time, time_from_packed(packed));
      return nullptr;
    }
    case kDateTime: {  // pre-5.6 DATETIME: YYYYMMDDhhmmss as an 8-byte integer
      if (!r.has(8)) return kTruncated;
      uint64_t v = r.u64();
      Temporal t;
      uint64_t date = v / 1000000, time = v % 1000000;
      t.year = static_cast<int32_t>(date / 10000);
      t.month = static_cast<uint8_t>(date / 100 % 100);
      t.day = static_cast<uint8_t>(date % 100);
      t.hour = static_cast<uint32_t>(time / 10000);
      t.minute = static_cast<uint8_t>(time / 100 % 100);
      t.second = static_cast<uint8_t>(time % 100);
      set_temporal(out, TypeClass::DateTime, t);
      return nullptr;
    }
    case kDateTime2: {
      size_t n = 5 + (col.scale + 1) / 2;
      if (!r.has(n)) return kTruncated;
      const uint8_t* p = r.data();
      r.skip(5);
      int64_t intpart = static_cast<int64_t>(load_be(p, 5)) - 0x8000000000LL;
      uint32_t frac = read_fraction(r, col.scale);
      if (intpart < 0) return "negative DATETIME";
      Temporal t = datetime_from_packed(intpart << 24);
      t.micro = frac;
      set_temporal(out, TypeClass::DateTime, t);
      return nullptr;
    }
    case kTimestamp: case kTimestamp2: {
      uint32_t seconds;
      uint32_t micro = 0;
      if (col.type == kTimestamp) {
        if (!r.has(4)) return kTruncated;
        seconds = r.u32();
      } else {
        size_t n = 4 + (col.scale + 1) / 2;
        if (!r.has(n)) return kTruncated;
        seconds = static_cast<uint32_t>(load_be(r.data(), 4));
        r.skip(4);
        micro = read_fraction(r, col.scale);
      }
      // TIMESTAMP 0 is the zero value '0000-00-00 00:00:00', not the epoch.
      set_temporal(out, TypeClass::DateTime,
                   seconds == 0 && micro == 0 ? Temporal{} : from_unix_seconds_utc(seconds, micro));
      return nullptr;
    }
    case kVarChar: case kVarString: case kString: {
      size_t len_bytes = col.max_length > 255 ? 2 : 1;
      if (!r.has(len_bytes)) return kTruncated;
      size_t len = len_bytes == 1 ? r.u8() : r.u16();
      if (!r.has(len)) return kTruncated;
      out.cls = TypeClass::String;
      out.str.assign(reinterpret_cast<const char*>(r.data()), len);
      r.skip(len);
      if (col.binary_pad > len) out.str.resize(col.binary_pad, '\0');
      return nullptr;
    }
    case kBlob: case kTinyBlob: case kMediumBlob: case kLongBlob: case kGeometry: case kJson: {
      size_t len_bytes = col.max_length;
      if (len_bytes < 1 || len_bytes > 4) return "invalid BLOB length size";
      if (!r.has(len_bytes)) return kTruncated;
      size_t len = r.uint_n(len_bytes);
      if (!r.has(len)) return kTruncated;
      std::span<const uint8_t> bytes = r.bytes(len);
      if (col.type == kJson) {
        JsonValue doc;
        if (const char* why = decode_json_binary(bytes, doc)) return why;
        out.cls = TypeClass::Json;
        out.str.clear();
        append_json_text(out.str, doc);
        return nullptr;
      }
      out.cls = TypeClass::String;
      out.str.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      return nullptr;
    }
    case kBit: {
      size_t n = (col.max_length + 7) / 8;
      if (!r.has(n)) return kTruncated;
      out.cls = TypeClass::String;
      out.str.assign(reinterpret_cast<const char*>(r.data()), n);
      r.skip(n);
      return nullptr;
    }
    case kEnum: case kSet: {
      size_t n = col.max_length;
      if (!r.has(n)) return kTruncated;
      uint64_t v = r.uint_n(n);
      const auto& labels = col.sql_type.elements;
      if (labels.empty()) {
        out.cls = TypeClass::Int;
        out.is_unsigned = true;
        out.u = v;
        return nullptr;
      }
      out.cls = TypeClass::String;
      out.str.clear();
      if (col.type == kEnum) {
        // Index 0 is the '' MySQL stores for an invalid value.
        if (v > labels.size()) return "ENUM index beyond the column's labels";
        if (v) out.str = labels[v - 1];
        return nullptr;
      }
      if (labels.size() < 64 && (v >> labels.size()) != 0) return "SET bits beyond the column's labels";
      for (size_t i = 0; i < labels.size(); i++) {
        if (!(v >> i & 1)) continue;
        if (!out.str.empty()) out.str.push_back(',');
        out.str += labels[i];
      }
      return nullptr;
    }
    case kNull:
      out.cls = TypeClass::Null;
      return nullptr;
    default: return "column type not supported in row events";
  }
}

}  // namespace obsync::binlog
