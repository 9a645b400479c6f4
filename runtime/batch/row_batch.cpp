// Column-major row batches.
#include "runtime/batch/row_batch.hpp"

#include <numeric>

namespace obsync {

ColumnVector::ColumnVector(SqlType type) : type_(std::move(type)), cls_(type_.cls) {}

void ColumnVector::clear() {
  size_ = 0;
  validity_.clear();
  i64_.clear();
  f64_.clear();
  dec_.clear();
  tm_.clear();
  offsets_.assign(1, 0);
  bytes_.clear();
}

void ColumnVector::reserve(size_t rows) {
  validity_.reserve((rows + 63) / 64);
  switch (cls_) {
    case TypeClass::Int: i64_.reserve(rows); break;
    case TypeClass::Double: f64_.reserve(rows); break;
    case TypeClass::Decimal: dec_.reserve(rows); break;
    case TypeClass::Date: case TypeClass::Time: case TypeClass::DateTime: tm_.reserve(rows); break;
    case TypeClass::String: case TypeClass::Json: offsets_.reserve(rows + 1); break;
    case TypeClass::Null: break;
  }
}

void ColumnVector::set_valid(size_t row, bool valid) {
  if ((row >> 6) >= validity_.size()) validity_.push_back(0);
  if (valid) validity_[row >> 6] |= uint64_t{1} << (row & 63);
}

void ColumnVector::append_null() {
  set_valid(size_, false);
  switch (cls_) {
    case TypeClass::Int: i64_.push_back(0); break;
    case TypeClass::Double: f64_.push_back(0); break;
    case TypeClass::Decimal: dec_.emplace_back(); break;
    case TypeClass::Date: case TypeClass::Time: case TypeClass::DateTime: tm_.emplace_back(); break;
    case TypeClass::String: case TypeClass::Json: offsets_.push_back(static_cast<uint32_t>(bytes_.size())); break;
    case TypeClass::Null: break;
  }
  size_++;
}

void ColumnVector::append(const Value& v) {
  if (v.is_null()) {
    append_null();
    return;
  }
  set_valid(size_, true);
  switch (cls_) {
    case TypeClass::Int: i64_.push_back(v.is_unsigned ? static_cast<int64_t>(v.u) : v.i); break;
    case TypeClass::Double: f64_.push_back(v.d); break;
    case TypeClass::Decimal: dec_.push_back(v.dec); break;
    case TypeClass::Date: case TypeClass::Time: case TypeClass::DateTime: tm_.push_back(v.tm); break;
    case TypeClass::String: case TypeClass::Json:
      bytes_ += v.str;
      offsets_.push_back(static_cast<uint32_t>(bytes_.size()));
      break;
    case TypeClass::Null: break;
  }
  size_++;
}

void ColumnVector::get(size_t row, Value& out) const {
  if (is_null(row)) {
    out.cls = TypeClass::Null;
    return;
  }
  out.cls = cls_;
  switch (cls_) {
    case TypeClass::Int:
      out.is_unsigned = type_.is_unsigned;
      out.i = i64_[row];
      out.u = static_cast<uint64_t>(i64_[row]);
      break;
    case TypeClass::Double: out.d = f64_[row]; break;
    case TypeClass::Decimal: out.dec = dec_[row]; break;
    case TypeClass::Date: case TypeClass::Time: case TypeClass::DateTime: out.tm = tm_[row]; break;
    case TypeClass::String: case TypeClass::Json: out.str.assign(str(row)); break;
    case TypeClass::Null: break;
  }
}

Value ColumnVector::get(size_t row) const {
  Value v;
  get(row, v);
  return v;
}

size_t ColumnVector::memory_bytes() const {
  return validity_.capacity() * sizeof(uint64_t) + i64_.capacity() * sizeof(int64_t) +
         f64_.capacity() * sizeof(double) + dec_.capacity() * sizeof(Decimal) + tm_.capacity() * sizeof(Temporal) +
         offsets_.capacity() * sizeof(uint32_t) + bytes_.capacity();
}

std::string_view change_op_name(ChangeOp op) {
  switch (op) {
    case ChangeOp::Insert: return "INSERT";
    case ChangeOp::Update: return "UPDATE";
    case ChangeOp::Delete: return "DELETE";
  }
  return "INSERT";
}

void RowBatch::reset(std::string_view db, std::string_view tbl, const TableSchema* table_schema,
                     const std::vector<SqlType>& column_types) {
  database.assign(db);
  table.assign(tbl);
  schema = table_schema;
  bool same = before.size() == column_types.size();
  for (size_t i = 0; same && i < column_types.size(); i++)
    same = before[i].cls() == column_types[i].cls && before[i].type().is_unsigned == column_types[i].is_unsigned &&
           before[i].type().scale == column_types[i].scale && before[i].type().column == column_types[i].column;
  if (!same) {
    before.clear();
    after.clear();
    for (const auto& t : column_types) {
      before.emplace_back(t);
      after.emplace_back(t);
    }
  }
  clear();
}

void RowBatch::clear() {
  ops.clear();
  ordinals.clear();
  has_before.clear();
  has_after.clear();
  selection.clear();
  for (auto& c : before) c.clear();
  for (auto& c : after) c.clear();
}

void RowBatch::append(ChangeOp op, uint32_t ordinal, const std::vector<Value>* before_image,
                      const std::vector<Value>* after_image) {
  ops.push_back(op);
  ordinals.push_back(ordinal);
  has_before.push_back(before_image != nullptr);
  has_after.push_back(after_image != nullptr);
  for (size_t i = 0; i < before.size(); i++) {
    if (before_image != nullptr && i < before_image->size()) before[i].append((*before_image)[i]);
    else before[i].append_null();
    if (after_image != nullptr && i < after_image->size()) after[i].append((*after_image)[i]);
    else after[i].append_null();
  }
}

void RowBatch::select_all() {
  selection.resize(size());
  std::iota(selection.begin(), selection.end(), 0u);
}

void RowBatch::row_values(size_t row, bool before_image, std::vector<Value>& out) const {
  const auto& cols = before_image ? before : after;
  out.resize(cols.size());
  for (size_t i = 0; i < cols.size(); i++) cols[i].get(row, out[i]);
}

size_t RowBatch::memory_bytes() const {
  size_t n = ops.capacity() + ordinals.capacity() * 4 + has_before.capacity() + has_after.capacity() +
             selection.capacity() * 4;
  for (const auto& c : before) n += c.memory_bytes();
  for (const auto& c : after) n += c.memory_bytes();
  return n;
}

}  // namespace obsync
