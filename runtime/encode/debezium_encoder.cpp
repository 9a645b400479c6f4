// Debezium MySQL change events (JsonConverter, schemas.enable=false): typed values, source block.
#include <cctype>
#include <cstring>

#include "runtime/encode/encoder.hpp"
#include "runtime/encode/json_writer.hpp"

namespace obsync::encode {

namespace {

// Debezium's `source.version` names the producer's version; obsync names itself.
constexpr std::string_view kSourceVersion = "obsync-0.1.0";

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); i++)
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  return true;
}

double load_double(const unsigned char* p, bool little_endian) {
  uint64_t bits = 0;
  for (int i = 0; i < 8; i++) bits |= uint64_t{p[little_endian ? i : 7 - i]} << (8 * i);
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

class DebeziumEncoder final : public Encoder {
 public:
  bool carries_ddl() const override { return false; }
  bool carries_heartbeat() const override { return false; }

  void encode(const TableContext& table, const ChangeRecord& r, Message& out) override {
    std::string& o = out.value;
    o.clear();
    out.key.clear();
    out.has_key = false;
    if (r.kind == RecordKind::Heartbeat) {
      // Debezium's heartbeat message, for a heartbeat topic of its own.
      out.has_key = true;
      out.key = "{\"serverName\":";
      append_json_string(out.key, table.source_name);
      out.key.push_back('}');
      o += "{\"ts_ms\":";
      append_int(o, r.now_ms);
      o.push_back('}');
      return;
    }
    if (r.kind == RecordKind::Ddl) {
      // Debezium's schema change event, for a schema-change topic of its own.
      out.has_key = true;
      out.key = "{\"databaseName\":";
      append_json_string(out.key, table.database);
      out.key.push_back('}');
      o += "{\"source\":";
      append_source(o, table, r);
      o += ",\"ts_ms\":";
      append_int(o, r.now_ms);
      o += ",\"databaseName\":";
      append_json_string(o, table.database);
      o += ",\"schemaName\":null,\"ddl\":";
      append_json_string(o, r.ddl_sql);
      o += ",\"tableChanges\":[]}";
      return;
    }

    const std::vector<Value>* image = row_image(r);
    if (!table.partition_one && !table.shard_indexes.empty() && image) {
      out.has_key = true;
      append_row(out.key, table, *image, &table.shard_indexes);
    }
    o += "{\"before\":";
    if (r.before && (r.kind == RecordKind::Update || r.kind == RecordKind::Delete)) append_row(o, table, *r.before, nullptr);
    else o += "null";
    o += ",\"after\":";
    if (r.after && (r.kind == RecordKind::Insert || r.kind == RecordKind::Update || r.kind == RecordKind::FullSyncRow))
      append_row(o, table, *r.after, nullptr);
    else o += "null";
    o += ",\"source\":";
    append_source(o, table, r);
    o += ",\"op\":\"";
    switch (r.kind) {
      case RecordKind::Insert: o.push_back('c'); break;
      case RecordKind::Update: o.push_back('u'); break;
      case RecordKind::Delete: o.push_back('d'); break;
      default: o.push_back('r'); break;  // full-sync rows are Debezium's snapshot reads
    }
    o += "\",\"ts_ms\":";
    append_int(o, r.now_ms);
    o += ",\"transaction\":";
    if (table.transaction_sequence && r.kind != RecordKind::FullSyncRow) {
      o += "{\"id\":";
      joined_.clear();
      append_transaction_id(joined_, r);
      append_json_string(o, joined_);
      o += ",\"total_order\":";
      append_uint(o, uint64_t{r.row_in_transaction} + 1);
      o += ",\"data_collection_order\":";
      append_uint(o, uint64_t{r.row_in_table} + 1);
      o.push_back('}');
    } else {
      o += "null";
    }
    o.push_back('}');
  }

 private:
  void append_source(std::string& o, const TableContext& table, const ChangeRecord& r) {
    o += "{\"version\":\"";
    o += kSourceVersion;
    o += "\",\"connector\":\"mysql\",\"name\":";
    append_json_string(o, table.source_name);
    o += ",\"ts_ms\":";
    append_int(o, floor_div(r.commit_ts_us, 1000));
    o += ",\"snapshot\":\"";
    o += r.kind == RecordKind::FullSyncRow ? "true" : "false";
    o += "\",\"db\":";
    append_json_string(o, table.database);
    o += ",\"sequence\":null,\"table\":";
    if (r.kind == RecordKind::Ddl) o += "null";
    else append_json_string(o, table.table);
    o += ",\"server_id\":";
    append_uint(o, table.server_id);
    o += ",\"gtid\":";
    if (r.gtid.empty()) o += "null";
    else append_json_string(o, r.gtid);
    o += ",\"file\":";
    append_json_string(o, r.file);
    o += ",\"pos\":";
    append_uint(o, r.position);
    // (file, pos, row) orders and identifies changes: pos is the transaction's start, so row
    // counts the changes within the transaction.
    o += ",\"row\":";
    append_uint(o, r.row_in_transaction);
    o += ",\"thread\":null,\"query\":null}";
  }

  void append_row(std::string& o, const TableContext& table, const std::vector<Value>& image,
                  const std::vector<size_t>* only) {
    o.push_back('{');
    size_t n = only ? only->size() : table.columns.size();
    for (size_t k = 0; k < n; k++) {
      size_t i = only ? (*only)[k] : k;
      if (k) o.push_back(',');
      append_json_string(o, table.columns[i].name);
      o.push_back(':');
      append_value(o, image[i], table.columns[i]);
    }
    o.push_back('}');
  }

  // Values as Debezium's MySQL connector gives them with its defaults (time.precision.mode=
  // adaptive_time_microseconds, binary.handling.mode=bytes), except: DECIMAL as a string
  // (decimal.handling.mode=string: exact, and what Flink's DECIMAL reads), and BIGINT UNSIGNED
  // as its exact number (Debezium's default `long` wraps values beyond 2^63-1 to negatives).
  void append_value(std::string& o, const Value& v, const OutputColumnInfo& col) {
    const SqlType& t = col.type;
    if (v.is_null()) {
      o += "null";
      return;
    }
    switch (v.cls) {
      case TypeClass::Null: o += "null"; return;
      case TypeClass::Int:
        if (v.is_unsigned) append_uint(o, v.u);
        else append_int(o, v.i);
        return;
      case TypeClass::Decimal: append_text_value(o, v, t, false, scratch_); return;
      case TypeClass::Double:
        if (t.column == ColumnType::Float) append_float(o, static_cast<float>(v.d));
        else append_double(o, v.d);
        return;
      case TypeClass::Json: append_json_string(o, v.str); return;  // io.debezium.data.Json: the text
      case TypeClass::Date:
        // io.debezium.time.Date: days since the epoch. Zero dates: null, or the epoch when the
        // column is NOT NULL (as Debezium does).
        if (is_calendar_date(v.tm)) append_int(o, epoch_days(v.tm));
        else o += t.nullable ? "null" : "0";
        return;
      case TypeClass::Time: append_int(o, time_micros_signed(v.tm)); return;  // io.debezium.time.MicroTime
      case TypeClass::DateTime: {
        const int fsp = t.is_temporal() ? t.scale : 0;
        if (t.column == ColumnType::Timestamp) {
          // io.debezium.time.ZonedTimestamp: ISO-8601 in UTC with the column's fraction digits.
          if (!is_calendar_date(v.tm)) {
            if (t.nullable) o += "null";
            else o += "\"1970-01-01T00:00:00Z\"";
            return;
          }
          o.push_back('"');
          append_iso_seconds(o, floor_div(epoch_micros(v.tm), 1000000));
          if (fsp > 0) {
            static constexpr uint32_t kDiv[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
            fmt_fraction(o, v.tm.micro / kDiv[fsp], fsp);
          }
          o += "Z\"";
          return;
        }
        // DATETIME: io.debezium.time.Timestamp (ms) up to fsp 3, MicroTimestamp (µs) beyond.
        if (!is_calendar_date(v.tm)) {
          o += t.nullable ? "null" : "0";
          return;
        }
        int64_t us = epoch_micros(v.tm);
        append_int(o, fsp <= 3 ? floor_div(us, 1000) : us);
        return;
      }
      case TypeClass::String: break;
    }
    if (t.column == ColumnType::Bit) {
      if (t.precision == 1) {  // BIT(1): BOOLEAN
        bool set = false;
        for (char c : v.str) set |= c != 0;
        o += set ? "true" : "false";
        return;
      }
      // io.debezium.data.Bits: the bytes little-endian (MySQL sends them big-endian).
      scratch_.assign(v.str.rbegin(), v.str.rend());
      append_base64(o, scratch_);
      return;
    }
    if (t.column == ColumnType::Geometry) {
      append_geometry(o, v.str, starts_with_nocase(col.type_text, "point"));
      return;
    }
    append_text_value(o, v, t, false, scratch_);  // text (UTF-8), ENUM/SET labels, bytes as Base64
  }

  static void fmt_fraction(std::string& o, uint32_t digits, int width) {
    char buf[8];
    for (int i = width - 1; i >= 0; i--) {
      buf[i] = static_cast<char>('0' + digits % 10);
      digits /= 10;
    }
    o.push_back('.');
    o.append(buf, static_cast<size_t>(width));
  }

  // io.debezium.data.geometry.Geometry {wkb, srid} (Point adds x, y): MySQL's value is a 4-byte
  // little-endian SRID then the WKB; SRID 0 reads as null, as Debezium's MySqlGeometry does.
  void append_geometry(std::string& o, std::string_view bytes, bool is_point) {
    std::string_view wkb = bytes;
    uint32_t srid = 0;
    if (bytes.size() >= 4) {
      const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
      srid = p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t{p[3]} << 24);
      wkb = bytes.substr(4);
    }
    o.push_back('{');
    if (is_point && wkb.size() >= 21) {
      const auto* p = reinterpret_cast<const unsigned char*>(wkb.data());
      bool le = p[0] == 1;
      o += "\"x\":";
      append_double(o, load_double(p + 5, le));
      o += ",\"y\":";
      append_double(o, load_double(p + 13, le));
      o.push_back(',');
    }
    o += "\"wkb\":";
    append_base64(o, wkb);
    o += ",\"srid\":";
    if (srid == 0) o += "null";
    else append_uint(o, srid);
    o.push_back('}');
  }

  std::string scratch_, joined_;
};

}  // namespace

std::unique_ptr<Encoder> make_debezium_encoder() { return std::make_unique<DebeziumEncoder>(); }

}  // namespace obsync::encode
