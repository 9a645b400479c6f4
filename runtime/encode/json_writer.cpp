// JSON primitives and the value/metadata renderings the message formats share.
#include "runtime/encode/json_writer.hpp"

#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>

#include "stdlib/charset.hpp"
#include "stdlib/collation.hpp"
#include "stdlib/temporal.hpp"

namespace obsync::encode {

namespace {

// Which ASCII bytes need an escape in a JSON string: controls, '"' and '\'.
constexpr bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

constexpr char kHex[] = "0123456789abcdef";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool needs_utf8_conversion(const SqlType& t) {
  if (t.collation == nullptr || t.collation->is_binary) return false;
  std::string_view cs = t.collation->charset;
  return cs != "utf8mb4" && cs != "utf8mb3" && cs != "utf8" && cs != "ascii";
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (!needs_escape(c)) {
        i++;
        continue;
      }
      out.append(s.data() + run, i - run);
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
      }
      run = ++i;
      continue;
    }
    char32_t cp;
    int n = utf8_decode(s, i, cp);
    if (n > 0) {  // well-formed: stays in the run, copied as is
      i += static_cast<size_t>(n);
      continue;
    }
    out.append(s.data() + run, i - run);
    out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER for each byte that is not UTF-8
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void append_base64_raw(std::string& out, std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size(), i = 0;
  size_t at = out.size();
  out.resize(at + (n + 2) / 3 * 4);
  char* w = out.data() + at;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    *w++ = kBase64[v >> 18];
    *w++ = kBase64[(v >> 12) & 63];
    *w++ = kBase64[(v >> 6) & 63];
    *w++ = kBase64[v & 63];
  }
  if (i < n) {
    uint32_t v = uint32_t{p[i]} << 16;
    if (i + 1 < n) v |= uint32_t{p[i + 1]} << 8;
    *w++ = kBase64[v >> 18];
    *w++ = kBase64[(v >> 12) & 63];
    *w++ = i + 1 < n ? kBase64[(v >> 6) & 63] : '=';
    *w++ = '=';
  }
}

void append_base64(std::string& out, std::string_view bytes) {
  out.push_back('"');
  append_base64_raw(out, bytes);
  out.push_back('"');
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  if (v == 0 && std::signbit(v)) {
    out += "-0.0";  // "-0" would read back as the integer 0 (Jackson), losing the sign
    return;
  }
  fmt::format_to(std::back_inserter(out), "{}", v);
}

void append_float(std::string& out, float v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  if (v == 0 && std::signbit(v)) {
    out += "-0.0";  // "-0" would read back as the integer 0 (Jackson), losing the sign
    return;
  }
  fmt::format_to(std::back_inserter(out), "{}", v);
}

bool is_binary_column(const SqlType& t) {
  switch (t.column) {
    case ColumnType::Binary: case ColumnType::VarBinary: case ColumnType::TinyBlob: case ColumnType::Blob:
    case ColumnType::MediumBlob: case ColumnType::LongBlob: case ColumnType::Bit: case ColumnType::Geometry:
      return true;
    default:
      return t.is_binary_string();
  }
}

bool is_calendar_date(const Temporal& t) { return t.year != 0 && t.month != 0 && t.day != 0; }

int64_t epoch_micros(const Temporal& t) { return unix_seconds_utc(t) * 1000000 + t.micro; }

int64_t epoch_days(const Temporal& t) {
  constexpr int64_t kEpochDayNumber = 719528;  // TO_DAYS('1970-01-01')
  return to_days(t.year, t.month, t.day) - kEpochDayNumber;
}

int64_t time_micros_signed(const Temporal& t) {
  int64_t us = (int64_t{t.hour} * 3600 + t.minute * 60 + t.second) * 1000000 + t.micro;
  return t.negative ? -us : us;
}

std::string_view value_text(const Value& v, const SqlType& t, bool timestamp_epoch, std::string& scratch) {
  switch (v.cls) {
    case TypeClass::Null: return {};
    case TypeClass::Int:
      scratch.clear();
      if (t.column == ColumnType::Year) {
        fmt::format_to(std::back_inserter(scratch), "{:04d}", v.is_unsigned ? static_cast<int64_t>(v.u) : v.i);
      } else if (v.is_unsigned) {
        append_uint(scratch, v.u);
      } else {
        append_int(scratch, v.i);
      }
      return scratch;
    case TypeClass::String:
      if (is_binary_column(t)) {
        scratch.clear();
        append_base64_raw(scratch, v.str);
        return scratch;
      }
      if (needs_utf8_conversion(t)) {
        charset_to_utf8(v.str, t.collation->charset, scratch);
        return scratch;
      }
      return v.str;
    case TypeClass::Json: return v.str;
    case TypeClass::DateTime:
      if (timestamp_epoch && t.column == ColumnType::Timestamp) {
        scratch.clear();
        // The zero TIMESTAMP '0000-00-00 00:00:00' reads as 0, as UNIX_TIMESTAMP() gives.
        int64_t seconds = is_calendar_date(v.tm) ? unix_seconds_utc(v.tm) : 0;
        uint32_t micro = is_calendar_date(v.tm) ? v.tm.micro : 0;
        fmt::format_to(std::back_inserter(scratch), "{}.{:06d}", seconds, micro);
        return scratch;
      }
      scratch = render_value(v, t);
      return scratch;
    default:
      scratch = render_value(v, t);
      return scratch;
  }
}

void append_text_value(std::string& out, const Value& v, const SqlType& t, bool timestamp_epoch,
                       std::string& scratch) {
  if (v.is_null()) {
    out += "null";
    return;
  }
  append_json_string(out, value_text(v, t, timestamp_epoch, scratch));
}

bool values_equal(const Value& a, const Value& b) {
  if (a.cls != b.cls) return false;
  switch (a.cls) {
    case TypeClass::Null: return true;
    case TypeClass::Int:
      if (a.is_unsigned != b.is_unsigned) {
        return a.is_unsigned ? b.i >= 0 && a.u == static_cast<uint64_t>(b.i)
                             : a.i >= 0 && static_cast<uint64_t>(a.i) == b.u;
      }
      return a.is_unsigned ? a.u == b.u : a.i == b.i;
    case TypeClass::Decimal: return a.dec == b.dec;
    // Bitwise: -0.0 and 0.0 print differently, and a change between them is a change.
    case TypeClass::Double: return std::bit_cast<uint64_t>(a.d) == std::bit_cast<uint64_t>(b.d);
    case TypeClass::String:
    case TypeClass::Json: return a.str == b.str;
    case TypeClass::Date:
    case TypeClass::Time:
    case TypeClass::DateTime: return a.tm == b.tm;
  }
  return false;
}

const std::vector<Value>* row_image(const ChangeRecord& r) {
  return r.kind == RecordKind::Delete ? r.before : r.after;
}

void set_shard_key(const TableContext& table, const ChangeRecord& r, Message& out, std::string& scratch) {
  out.key.clear();
  const std::vector<Value>* image = row_image(r);
  out.has_key = !table.partition_one && !table.shard_indexes.empty() && image != nullptr &&
                (r.kind == RecordKind::Insert || r.kind == RecordKind::Update || r.kind == RecordKind::Delete ||
                 r.kind == RecordKind::FullSyncRow);
  if (!out.has_key) return;
  out.key.push_back('[');
  for (size_t i = 0; i < table.shard_indexes.size(); i++) {
    if (i) out.key.push_back(',');
    size_t c = table.shard_indexes[i];
    append_text_value(out.key, (*image)[c], table.columns[c].type, false, scratch);
  }
  out.key.push_back(']');
}

void append_joined_key_values(std::string& out, const TableContext& table, const std::vector<Value>* image,
                              bool timestamp_epoch, std::string& scratch) {
  if (image == nullptr) return;
  for (size_t i = 0; i < table.key_indexes.size(); i++) {
    if (i) out += "\x01";
    size_t c = table.key_indexes[i];
    const Value& v = (*image)[c];
    // A NULL in a unique key prints as MySQL's batch mode does.
    if (v.is_null()) out += "NULL";
    else out.append(value_text(v, table.columns[c].type, timestamp_epoch, scratch));
  }
}

void append_transaction_id(std::string& out, const ChangeRecord& r) {
  if (!r.gtid.empty()) {
    out.append(r.gtid);
  } else if (!r.file.empty()) {
    out.append(r.file);
    out.push_back(':');
    append_uint(out, r.position);
  }
}

void append_iso_seconds(std::string& out, int64_t epoch_seconds) {
  Temporal t = from_unix_seconds_utc(epoch_seconds);
  fmt::format_to(std::back_inserter(out), "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}", t.year, t.month, t.day,
                 t.hour, t.minute, t.second);
}

}  // namespace obsync::encode
