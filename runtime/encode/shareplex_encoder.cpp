// SharePlex JSON: meta (op, commit time, position in the transaction) + data + key, string values.
#include <cctype>

#include "runtime/encode/encoder.hpp"
#include "runtime/encode/json_writer.hpp"

namespace obsync::encode {

namespace {

bool contains_nocase(std::string_view text, std::string_view word) {
  if (word.size() > text.size()) return false;
  for (size_t i = 0; i + word.size() <= text.size(); i++) {
    size_t k = 0;
    while (k < word.size() && std::tolower(static_cast<unsigned char>(text[i + k])) == word[k]) k++;
    if (k == word.size()) return true;
  }
  return false;
}

class SharePlexEncoder final : public Encoder {
 public:
  void encode(const TableContext& table, const ChangeRecord& r, Message& out) override {
    set_shard_key(table, r, out, scratch_);
    std::string& o = out.value;
    o.clear();
    const bool is_dml = r.kind == RecordKind::Insert || r.kind == RecordKind::Update || r.kind == RecordKind::Delete;
    const std::vector<Value>* data = is_dml || r.kind == RecordKind::FullSyncRow ? row_image(r) : nullptr;

    o += "{\"meta\":{\"time\":\"";
    append_iso_seconds(o, floor_div(r.commit_ts_us, 1000000));
    o += "\",\"userid\":null,\"op\":";  // the committing user is not in the binlog
    switch (r.kind) {
      case RecordKind::Insert:
      case RecordKind::FullSyncRow: o += "\"ins\""; break;
      case RecordKind::Update: o += "\"upd\""; break;
      case RecordKind::Delete: o += "\"del\""; break;
      case RecordKind::Ddl:
        // SharePlex's long forms for the DDL it names; any other statement by its kind.
        if (r.ddl_kind == "TRUNCATE") o += "\"TRUNCATE\"";
        else if (r.ddl_kind == "ALTER" && contains_nocase(r.ddl_sql, "drop column")) o += "\"DROP COLUMN\"";
        else append_json_string(o, r.ddl_kind.empty() ? std::string_view("QUERY") : r.ddl_kind);
        break;
      case RecordKind::Heartbeat: o += "\"HEARTBEAT\""; break;
    }
    o += ",\"scn\":\"";
    // OceanBase's commit version is its commit timestamp; MySQL has no SCN: the same clock.
    append_int(o, r.commit_ts_us);
    o += "\",\"rowid\":";
    joined_.clear();
    if (data) append_joined_key_values(joined_, table, data, false, scratch_);
    append_json_string(o, joined_);
    o += ",\"trans\":";
    joined_.clear();
    if (is_dml || r.kind == RecordKind::Ddl) append_transaction_id(joined_, r);
    append_json_string(o, joined_);
    o += ",\"seq\":";
    append_uint(o, uint64_t{r.row_in_transaction} + 1);
    o += ",\"size\":";
    if (r.transaction_rows) append_uint(o, r.transaction_rows);
    else o += "null";
    o += ",\"table\":";
    joined_.assign(table.database);
    joined_.push_back('.');
    joined_ += table.table;
    append_json_string(o, joined_);
    o += ",\"idx\":";
    if (r.transaction_rows) {
      o.push_back('"');
      append_uint(o, uint64_t{r.row_in_transaction} + 1);
      o.push_back('/');
      append_uint(o, r.transaction_rows);
      o.push_back('"');
    } else {
      o += "null";  // the transaction's size is not known when the change is sent
    }
    o += ",\"posttime\":\"";
    append_iso_seconds(o, floor_div(r.now_ms, 1000));
    o.push_back('"');
    if (!table.business_id.empty()) {
      o += ",\"business_id\":";
      append_json_string(o, table.business_id);
    }
    o += "},\"data\":";
    if (data) {
      append_columns(o, table, *data, nullptr);
    } else if (r.kind == RecordKind::Ddl) {
      o += "{\"ddl\":";
      append_json_string(o, r.ddl_sql);
      o.push_back('}');
    } else {
      o += "{}";
    }
    o += ",\"key\":";
    // INSERT and full-sync rows: the new key; UPDATE: the key before the change (how the target
    // finds the row); DELETE: the deleted row's key.
    const std::vector<Value>* key_image = r.kind == RecordKind::Update ? r.before : data;
    // A table without a row key: every column is the key (SharePlex builds a key of all columns
    // for such tables). With `{}` an UPDATE of a keyless table carried no old values at all, so
    // a target could not find the row it changes (found by run_formats_e2e_test's rebuild).
    const std::vector<size_t>* key_columns = table.key_indexes.empty() ? nullptr : &table.key_indexes;
    if (key_image) append_columns(o, table, *key_image, key_columns);
    else o += "{}";
    o.push_back('}');
  }

 private:
  void append_columns(std::string& o, const TableContext& table, const std::vector<Value>& image,
                      const std::vector<size_t>* only) {
    o.push_back('{');
    size_t n = only ? only->size() : table.columns.size();
    for (size_t k = 0; k < n; k++) {
      size_t i = only ? (*only)[k] : k;
      if (k) o.push_back(',');
      append_json_string(o, table.columns[i].name);
      o.push_back(':');
      append_text_value(o, image[i], table.columns[i].type, false, scratch_);
    }
    o.push_back('}');
  }

  std::string scratch_, joined_;
};

}  // namespace

std::unique_ptr<Encoder> make_shareplex_encoder() { return std::make_unique<SharePlexEncoder>(); }

}  // namespace obsync::encode
