// DataWorks real-time sync (version 2.0): schema.dataColumn types + payload images of typed values.
#include "runtime/encode/encoder.hpp"
#include "runtime/encode/json_writer.hpp"

namespace obsync::encode {

namespace {

// DataWorks' six column types (BOOLEAN is not produced: MySQL has no boolean column type).
enum class DwType : uint8_t { Long, Double, Date, Bytes, String };

DwType dw_type(const SqlType& t) {
  if (is_binary_column(t)) return DwType::Bytes;
  switch (t.cls) {
    // LONG is a Java long: BIGINT UNSIGNED beyond 2^63-1 would not fit, so it travels as text.
    case TypeClass::Int: return t.is_unsigned && (t.column == ColumnType::BigInt || t.column == ColumnType::None)
                                    ? DwType::String : DwType::Long;
    case TypeClass::Double: return DwType::Double;
    case TypeClass::Date:
    case TypeClass::DateTime: return DwType::Date;
    // DECIMAL as text keeps every digit (a DOUBLE would round); TIME is not a point in time.
    default: return DwType::String;
  }
}

std::string_view dw_type_name(DwType t) {
  switch (t) {
    case DwType::Long: return "LONG";
    case DwType::Double: return "DOUBLE";
    case DwType::Date: return "DATE";
    case DwType::Bytes: return "BYTES";
    case DwType::String: return "STRING";
  }
  return "STRING";
}

std::string_view db_type(std::string_view source_kind) {
  if (source_kind == "OCEANBASE") return "OceanBase";
  if (source_kind == "MARIADB") return "MariaDB";
  return "MySQL";
}

class DataWorksEncoder final : public Encoder {
 public:
  void encode(const TableContext& table, const ChangeRecord& r, Message& out) override {
    set_shard_key(table, r, out, scratch_);
    std::string& o = out.value;
    o.clear();
    o += "{\"schema\":{\"dataColumn\":[";
    for (size_t i = 0; i < table.columns.size(); i++) {
      if (i) o.push_back(',');
      o += "{\"name\":";
      append_json_string(o, table.columns[i].name);
      o += ",\"type\":\"";
      o += dw_type_name(dw_type(table.columns[i].type));
      o += "\"}";
    }
    o += "],\"primaryKey\":[";
    for (size_t i = 0; i < table.key_names.size(); i++) {
      if (i) o.push_back(',');
      append_json_string(o, table.key_names[i]);
    }
    o += "],\"source\":{\"dbType\":\"";
    o += db_type(table.source_kind);
    o += "\",\"dbVersion\":";
    append_json_string(o, table.db_version);
    o += ",\"dbName\":";
    append_json_string(o, table.database);
    o += ",\"schemaName\":";
    append_json_string(o, table.database);
    o += ",\"tableName\":";
    append_json_string(o, table.table);
    o += "}},\"payload\":{\"before\":";
    const bool has_before = r.before && (r.kind == RecordKind::Update || r.kind == RecordKind::Delete);
    const bool has_after = r.after && (r.kind == RecordKind::Insert || r.kind == RecordKind::Update ||
                                       r.kind == RecordKind::FullSyncRow);
    if (has_before) append_image(o, table, *r.before);
    else o += "null";
    o += ",\"after\":";
    if (has_after) append_image(o, table, *r.after);
    else o += "null";
    const int64_t commit_ms = floor_div(r.commit_ts_us, 1000);
    o += ",\"sequenceId\":\"";
    // As OMS's storeDataSequence: commit seconds then a 5-digit counter, so it sorts in source order.
    append_int(o, floor_div(r.commit_ts_us, 1000000) * 100000 + static_cast<int64_t>(r.store_sequence % 100000));
    o += "\",\"timestamp\":{\"eventTime\":";
    append_int(o, commit_ms);
    o += ",\"systemTime\":";
    append_int(o, r.now_ms);
    o += ",\"checkpointTime\":";
    append_int(o, commit_ms);
    o += "},\"op\":";
    switch (r.kind) {
      case RecordKind::Insert:
      case RecordKind::FullSyncRow: o += "\"INSERT\""; break;
      case RecordKind::Update: o += "\"UPDATE\""; break;  // one message with both images
      case RecordKind::Delete: o += "\"DELETE\""; break;
      case RecordKind::Ddl: append_json_string(o, r.ddl_kind.empty() ? std::string_view("QUERY") : r.ddl_kind); break;
      case RecordKind::Heartbeat: o += "\"MHEARTBEAT\""; break;
    }
    o += ",\"ddl\":";
    if (r.kind == RecordKind::Ddl) append_json_string(o, r.ddl_sql);
    else o += "null";
    o += ",\"extraInfo\":{";
    bool first = true;
    if (!table.business_id.empty()) {
      append_key(o, "business_id", first);
      first = false;
      append_json_string(o, table.business_id);
    }
    if (table.transaction_sequence &&
        (r.kind == RecordKind::Insert || r.kind == RecordKind::Update || r.kind == RecordKind::Delete)) {
      append_key(o, "trans_seq", first);
      append_uint(o, uint64_t{r.row_in_transaction} + 1);
      append_key(o, "trans_size");
      if (r.transaction_rows) append_uint(o, r.transaction_rows);
      else o += "null";
    }
    o += "}}}";
  }

 private:
  void append_image(std::string& o, const TableContext& table, const std::vector<Value>& image) {
    o += "{\"dataColumn\":{";
    for (size_t i = 0; i < table.columns.size(); i++) {
      if (i) o.push_back(',');
      append_json_string(o, table.columns[i].name);
      o.push_back(':');
      append_value(o, image[i], table.columns[i].type);
    }
    o += "}}";
  }

  void append_value(std::string& o, const Value& v, const SqlType& t) {
    if (v.is_null()) {
      o += "null";
      return;
    }
    switch (dw_type(t)) {
      case DwType::Long:
        if (v.cls == TypeClass::Int) {
          if (v.is_unsigned) append_uint(o, v.u);
          else append_int(o, v.i);
          return;
        }
        break;
      case DwType::Double:
        if (v.cls == TypeClass::Double) {
          // FLOAT columns hold a float: its shortest form, not the double's widened digits.
          if (t.column == ColumnType::Float) append_float(o, static_cast<float>(v.d));
          else append_double(o, v.d);
          return;
        }
        break;
      case DwType::Date:
        if (v.cls == TypeClass::Date || v.cls == TypeClass::DateTime) {
          // Zero dates ('0000-00-00') are no instant: null. DATETIME reads as UTC, and
          // fractions below the millisecond are cut (DATE is a 13-digit ms number).
          if (!is_calendar_date(v.tm)) o += "null";
          else append_int(o, floor_div(epoch_micros(v.tm), 1000));
          return;
        }
        break;
      case DwType::Bytes:
      case DwType::String: break;
    }
    append_text_value(o, v, t, false, scratch_);
  }

  std::string scratch_;
};

}  // namespace

std::unique_ptr<Encoder> make_dataworks_encoder() { return std::make_unique<DataWorksEncoder>(); }

}  // namespace obsync::encode
