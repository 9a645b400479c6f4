// OMS Default and DefaultExtendColumnType: prevStruct/postStruct images of strings + allMetaData.
#include <cctype>

#include "runtime/encode/encoder.hpp"
#include "runtime/encode/json_writer.hpp"

namespace obsync::encode {

namespace {

std::string_view record_type(RecordKind k) {
  switch (k) {
    case RecordKind::Insert: return "INSERT";
    case RecordKind::Update: return "UPDATE";
    case RecordKind::Delete: return "DELETE";
    case RecordKind::FullSyncRow: return "ROW";
    case RecordKind::Ddl: return "DDL";
    case RecordKind::Heartbeat: return "HEARTBEAT";
  }
  return "";
}

std::string_view db_type(std::string_view source_kind) {
  // OMS has no MariaDB source; consumers switch on the values OMS documents.
  return source_kind == "OCEANBASE" ? "OB_MYSQL" : "MYSQL";
}

std::string_view column_type_name(const SqlType& t) {
  switch (t.column) {
    case ColumnType::TinyInt: return "TINYINT";
    case ColumnType::SmallInt: return "SMALLINT";
    case ColumnType::MediumInt: return "MEDIUMINT";
    case ColumnType::Int: return "INT";
    case ColumnType::BigInt: return "BIGINT";
    case ColumnType::Decimal: return "DECIMAL";
    case ColumnType::Float: return "FLOAT";
    case ColumnType::Double: return "DOUBLE";
    case ColumnType::Bit: return "BIT";
    case ColumnType::Year: return "YEAR";
    case ColumnType::Date: return "DATE";
    case ColumnType::Time: return "TIME";
    case ColumnType::DateTime: return "DATETIME";
    case ColumnType::Timestamp: return "TIMESTAMP";
    case ColumnType::Char: return "CHAR";
    case ColumnType::VarChar: return "VARCHAR";
    case ColumnType::Binary: return "BINARY";
    case ColumnType::VarBinary: return "VARBINARY";
    case ColumnType::TinyText: return "TINYTEXT";
    case ColumnType::Text: return "TEXT";
    case ColumnType::MediumText: return "MEDIUMTEXT";
    case ColumnType::LongText: return "LONGTEXT";
    case ColumnType::TinyBlob: return "TINYBLOB";
    case ColumnType::Blob: return "BLOB";
    case ColumnType::MediumBlob: return "MEDIUMBLOB";
    case ColumnType::LongBlob: return "LONGBLOB";
    case ColumnType::Enum: return "ENUM";
    case ColumnType::Set: return "SET";
    case ColumnType::Json: return "JSON";
    case ColumnType::Geometry: return "GEOMETRY";
    case ColumnType::None: break;
  }
  switch (t.cls) {
    case TypeClass::Int: return "BIGINT";
    case TypeClass::Decimal: return "DECIMAL";
    case TypeClass::Double: return "DOUBLE";
    case TypeClass::String: return t.is_binary_string() ? "VARBINARY" : "VARCHAR";
    case TypeClass::Date: return "DATE";
    case TypeClass::Time: return "TIME";
    case TypeClass::DateTime: return "DATETIME";
    case TypeClass::Json: return "JSON";
    case TypeClass::Null: break;
  }
  return "NULL";
}

// `__light_type`'s schemaType: the bare type name in capitals as OMS consumers compare it
// ("INT", "VARCHAR", "TIMESTAMP"); the leading word of COLUMN_TYPE keeps POINT, POLYGON… apart.
void append_schema_type(std::string& out, const OutputColumnInfo& c) {
  out.push_back('"');
  size_t n = 0;
  while (n < c.type_text.size() && (std::isalnum(static_cast<unsigned char>(c.type_text[n])) || c.type_text[n] == '_')) n++;
  if (n == 0) {
    out.append(column_type_name(c.type));
  } else {
    for (size_t i = 0; i < n; i++) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c.type_text[i]))));
  }
  out.push_back('"');
}

class DefaultEncoder final : public Encoder {
 public:
  explicit DefaultEncoder(bool extend_column_type) : extend_column_type_(extend_column_type) {}

  void encode(const TableContext& table, const ChangeRecord& r, Message& out) override {
    set_shard_key(table, r, out, scratch_);
    std::string& o = out.value;
    o.clear();
    const bool has_before = r.before && (r.kind == RecordKind::Update || r.kind == RecordKind::Delete);
    const bool has_after = r.after && (r.kind == RecordKind::Insert || r.kind == RecordKind::Update ||
                                       r.kind == RecordKind::FullSyncRow);
    o += "{\"prevStruct\":";
    if (has_before) append_image(o, table, *r.before, r.kind == RecordKind::Delete);
    else o += "null";
    o += ",\"postStruct\":";
    if (has_after) {
      append_image(o, table, *r.after, true);
    } else if (r.kind == RecordKind::Ddl) {
      o += "{\"ddl\":";
      append_json_string(o, r.ddl_sql);
      o.push_back('}');
    } else {
      o += "null";
    }
    append_metadata(o, table, r);
    o += ",\"recordType\":\"";
    o += record_type(r.kind);
    o += "\"}";
  }

 private:
  void append_image(std::string& o, const TableContext& table, const std::vector<Value>& image, bool light_type) {
    o.push_back('{');
    for (size_t i = 0; i < table.columns.size(); i++) {
      if (i) o.push_back(',');
      append_json_string(o, table.columns[i].name);
      o.push_back(':');
      append_text_value(o, image[i], table.columns[i].type, true, scratch_);
    }
    if (extend_column_type_ && light_type) {
      if (!table.columns.empty()) o.push_back(',');
      o += "\"__light_type\":{";
      for (size_t i = 0; i < table.columns.size(); i++) {
        if (i) o.push_back(',');
        append_json_string(o, table.columns[i].name);
        o += ":{\"schemaType\":";
        append_schema_type(o, table.columns[i]);
        o.push_back('}');
      }
      o.push_back('}');
    }
    o.push_back('}');
  }

  void append_metadata(std::string& o, const TableContext& table, const ChangeRecord& r) {
    const int64_t commit_seconds = floor_div(r.commit_ts_us, 1000000);
    const std::vector<Value>* image = r.kind == RecordKind::Ddl || r.kind == RecordKind::Heartbeat ? nullptr : row_image(r);
    o += ",\"allMetaData\":{\"checkpoint\":\"";
    if (r.kind == RecordKind::FullSyncRow) {
      // During the full sync OMS's checkpoint is the row's key: where a resumed copy restarts.
      joined_.clear();
      append_joined_key_values(joined_, table, image, true, scratch_);
      escape_into(o, joined_);
    } else {
      append_int(o, commit_seconds);
    }
    o += "\",\"record_primary_key\":";
    std::string& joined = joined_;
    joined.clear();
    for (size_t i = 0; i < table.key_names.size(); i++) {
      if (i) joined += "\x01";
      joined += table.key_names[i];
    }
    append_json_string(o, joined);
    o += ",\"record_primary_value\":";
    joined.clear();
    append_joined_key_values(joined, table, image, true, scratch_);
    append_json_string(o, joined);
    o += ",\"source_identity\":";
    append_json_string(o, table.source_name);
    o += ",\"dbType\":\"";
    o += db_type(table.source_kind);
    o += "\",\"storeDataSequence\":";
    if (r.kind == RecordKind::FullSyncRow) {
      o += "null";  // OMS: only incremental records carry it
    } else {
      append_int(o, commit_seconds * 100000 + static_cast<int64_t>(r.store_sequence % 100000));
    }
    o += ",\"table_name\":";
    append_json_string(o, table.table);
    o += ",\"db\":";
    joined.clear();
    if (table.source_kind == "OCEANBASE" && !table.tenant.empty()) {
      joined += table.tenant;
      joined.push_back('.');
    }
    joined += table.database;
    append_json_string(o, joined);
    o += ",\"timestamp\":\"";
    append_int(o, commit_seconds);
    o += "\",\"uniqueId\":";
    joined.clear();
    if (r.kind != RecordKind::FullSyncRow && r.kind != RecordKind::Heartbeat) append_transaction_id(joined, r);
    append_json_string(o, joined);
    o += ",\"transId\":\"";
    if (r.xid != 0 && r.kind != RecordKind::FullSyncRow && r.kind != RecordKind::Heartbeat) append_uint(o, r.xid);
    o += "\",\"clusterId\":";
    append_json_string(o, table.cluster);
    if (r.kind == RecordKind::Ddl) {
      o += ",\"ddlType\":";
      append_json_string(o, r.ddl_kind);
    }
    if (!table.business_id.empty()) {
      o += ",\"business_id\":";
      append_json_string(o, table.business_id);
    }
    if (table.transaction_sequence &&
        (r.kind == RecordKind::Insert || r.kind == RecordKind::Update || r.kind == RecordKind::Delete)) {
      o += ",\"trans_seq\":";
      append_uint(o, uint64_t{r.row_in_transaction} + 1);
      o += ",\"trans_size\":";
      if (r.transaction_rows) append_uint(o, r.transaction_rows);
      else o += "null";
    }
    o.push_back('}');
  }

  // The JSON-escaped body of a string (no quotes), for values built inside a quoted field.
  static void escape_into(std::string& o, std::string_view s) {
    size_t at = o.size();
    append_json_string(o, s);
    o.erase(at, 1);
    o.pop_back();
  }

  bool extend_column_type_;
  std::string scratch_, joined_;
};

}  // namespace

std::unique_ptr<Encoder> make_default_encoder(bool extend_column_type) {
  return std::make_unique<DefaultEncoder>(extend_column_type);
}

}  // namespace obsync::encode
