// Canal FlatMessage (canal-json): one row per message, string values, sqlType/mysqlType, `old`.
#include "runtime/encode/encoder.hpp"
#include "runtime/encode/json_writer.hpp"

namespace obsync::encode {

namespace {

// java.sql.Types codes as Canal's RowsLogBuffer/LogEventConvert assign them.
constexpr int kTinyInt = -6, kSmallInt = 5, kInteger = 4, kBigInt = -5, kDecimal = 3, kReal = 7, kDouble = 8,
              kBit = -7, kDate = 91, kTime = 92, kTimestamp = 93, kChar = 1, kVarChar = 12, kClob = 2005,
              kBlob = 2004;

int sql_type(const SqlType& t) {
  switch (t.column) {
    // Canal moves an unsigned column one size up only when a value overflows the signed type,
    // so its code changes from row to row; obsync always gives the type that holds every value.
    case ColumnType::TinyInt: return t.is_unsigned ? kSmallInt : kTinyInt;
    case ColumnType::SmallInt: return t.is_unsigned ? kInteger : kSmallInt;
    case ColumnType::MediumInt: return kInteger;
    case ColumnType::Int: return t.is_unsigned ? kBigInt : kInteger;
    case ColumnType::BigInt: return t.is_unsigned ? kDecimal : kBigInt;
    case ColumnType::Decimal: return kDecimal;
    case ColumnType::Float: return kReal;
    case ColumnType::Double: return kDouble;
    case ColumnType::Bit: return kBit;
    case ColumnType::Year: return kVarChar;  // Canal: YEAR as VARCHAR
    case ColumnType::Date: return kDate;
    case ColumnType::Time: return kTime;
    case ColumnType::DateTime:
    case ColumnType::Timestamp: return kTimestamp;
    case ColumnType::Char: return kChar;
    case ColumnType::VarChar: return kVarChar;
    case ColumnType::TinyText: case ColumnType::Text: case ColumnType::MediumText: case ColumnType::LongText:
      return kClob;
    case ColumnType::Binary: case ColumnType::VarBinary: case ColumnType::TinyBlob: case ColumnType::Blob:
    case ColumnType::MediumBlob: case ColumnType::LongBlob: case ColumnType::Geometry:
      return kBlob;
    // Canal sends ENUM's index (INTEGER) and SET's bitmap (BIT); obsync sends the labels SELECT
    // shows, so the code says text.
    case ColumnType::Enum: case ColumnType::Set: case ColumnType::Json: return kVarChar;
    case ColumnType::None: break;
  }
  switch (t.cls) {
    case TypeClass::Int: return t.is_unsigned ? kDecimal : kBigInt;
    case TypeClass::Decimal: return kDecimal;
    case TypeClass::Double: return kDouble;
    case TypeClass::String: return t.is_binary_string() ? kBlob : kVarChar;
    case TypeClass::Date: return kDate;
    case TypeClass::Time: return kTime;
    case TypeClass::DateTime: return kTimestamp;
    case TypeClass::Json: case TypeClass::Null: break;
  }
  return kVarChar;
}

class CanalEncoder final : public Encoder {
 public:
  // `{"id":-5,…},"mysqlType":{…}`: the same for every row of a table, so built once per table
  // (batches are per table: the cache almost always hits).
  const std::string& types_block(const TableContext& table) {
    if (table.context_id != 0 && table.context_id == types_context_) return types_;
    std::string& o = types_;
    o.clear();
    o.push_back('{');
    for (size_t i = 0; i < table.columns.size(); i++) {
      if (i) o.push_back(',');
      append_json_string(o, table.columns[i].name);
      o.push_back(':');
      append_int(o, sql_type(table.columns[i].type));
    }
    o += "},\"mysqlType\":{";
    for (size_t i = 0; i < table.columns.size(); i++) {
      if (i) o.push_back(',');
      const OutputColumnInfo& c = table.columns[i];
      append_json_string(o, c.name);
      o.push_back(':');
      if (c.type_text.empty()) append_json_string(o, to_string(c.type));
      else append_json_string(o, c.type_text);
    }
    o.push_back('}');
    types_context_ = table.context_id;
    return types_;
  }

  void encode(const TableContext& table, const ChangeRecord& r, Message& out) override {
    set_shard_key(table, r, out, scratch_);
    std::string& o = out.value;
    o.clear();
    const bool is_row = r.kind == RecordKind::Insert || r.kind == RecordKind::Update ||
                        r.kind == RecordKind::Delete || r.kind == RecordKind::FullSyncRow;
    const std::vector<Value>* data = is_row ? row_image(r) : nullptr;

    o += "{\"id\":";
    append_uint(o, r.transaction_seq);  // Canal's batch id: all rows of one transaction share it
    o += ",\"database\":";
    append_json_string(o, table.database);
    o += ",\"table\":";
    append_json_string(o, table.table);
    o += ",\"pkNames\":";
    if (!is_row || table.key_names.empty()) {
      o += "null";
    } else {
      o.push_back('[');
      for (size_t i = 0; i < table.key_names.size(); i++) {
        if (i) o.push_back(',');
        append_json_string(o, table.key_names[i]);
      }
      o.push_back(']');
    }
    o += ",\"isDdl\":";
    o += r.kind == RecordKind::Ddl ? "true" : "false";
    o += ",\"type\":";
    switch (r.kind) {
      case RecordKind::Insert:
      case RecordKind::FullSyncRow: o += "\"INSERT\""; break;  // Canal has no snapshot rows
      case RecordKind::Update: o += "\"UPDATE\""; break;
      case RecordKind::Delete: o += "\"DELETE\""; break;
      case RecordKind::Ddl: append_json_string(o, r.ddl_kind.empty() ? std::string_view("QUERY") : r.ddl_kind); break;
      case RecordKind::Heartbeat: o += "\"MHEARTBEAT\""; break;  // Canal's EventType for heartbeats
    }
    o += ",\"es\":";
    append_int(o, floor_div(r.commit_ts_us, 1000));
    o += ",\"ts\":";
    append_int(o, r.now_ms);
    o += ",\"sql\":";
    append_json_string(o, r.kind == RecordKind::Ddl ? r.ddl_sql : std::string_view());
    o += ",\"sqlType\":";
    if (data == nullptr) {
      o += "null,\"mysqlType\":null";
    } else {
      o += types_block(table);
    }
    o += ",\"data\":";
    if (data == nullptr) {
      o += "null";
    } else {
      o += "[{";
      for (size_t i = 0; i < table.columns.size(); i++) {
        if (i) o.push_back(',');
        append_json_string(o, table.columns[i].name);
        o.push_back(':');
        append_text_value(o, (*data)[i], table.columns[i].type, false, scratch_);
      }
      o += "}]";
    }
    o += ",\"old\":";
    if (r.kind == RecordKind::Update && r.before && r.after) {
      // Only the columns whose value changed, with their previous value (null included). An
      // update that changed nothing still has one (empty) entry: Flink pairs old[i] with data[i].
      o += "[{";
      bool first = true;
      for (size_t i = 0; i < table.columns.size(); i++) {
        if (values_equal((*r.before)[i], (*r.after)[i])) continue;
        if (!first) o.push_back(',');
        first = false;
        append_json_string(o, table.columns[i].name);
        o.push_back(':');
        append_text_value(o, (*r.before)[i], table.columns[i].type, false, scratch_);
      }
      o += "}]";
    } else {
      o += "null";
    }
    o += ",\"gtid\":";
    append_json_string(o, r.gtid);
    o.push_back('}');
  }

 private:
  std::string scratch_;
  uint64_t types_context_ = 0;
  std::string types_;
};

}  // namespace

std::unique_ptr<Encoder> make_canal_encoder() { return std::make_unique<CanalEncoder>(); }

}  // namespace obsync::encode
