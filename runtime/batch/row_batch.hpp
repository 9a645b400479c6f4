// The one batch type that crosses every stage: rows of one table, column-major, with validity
// bitmaps and a selection vector. Binlog rows events and full-sync chunks both become batches;
// kernels (interpreter or JIT) read them; encoders read them. Nothing downstream sees protocol
// bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stdlib/decimal.hpp"
#include "stdlib/temporal.hpp"
#include "stdlib/types.hpp"
#include "stdlib/value.hpp"

namespace obsync {

struct TableSchema;

// One column's values for the rows of a batch. Storage by the type's class:
//   Int            i64 (unsigned values as their bit pattern; SqlType::is_unsigned says which)
//   Double         f64
//   Decimal        dec
//   Date/Time/DateTime  tm
//   String / Json  bytes + offsets (row i is bytes[offsets[i], offsets[i+1]))
// A NULL row has its validity bit clear and a zero/empty slot in storage.
class ColumnVector {
 public:
  ColumnVector() = default;
  explicit ColumnVector(SqlType type);

  const SqlType& type() const { return type_; }
  TypeClass cls() const { return cls_; }
  size_t size() const { return size_; }
  void clear();
  void reserve(size_t rows);

  bool is_null(size_t row) const { return ((validity_[row >> 6] >> (row & 63)) & 1) == 0; }
  const uint64_t* validity() const { return validity_.data(); }  // bit set: not NULL

  void append_null();
  // Appends `v`, which must be NULL or of this column's class (a binlog or SELECT value of the
  // column's own type).
  void append(const Value& v);
  // Row `row` as a Value (NULL when null), reusing out's storage.
  void get(size_t row, Value& out) const;
  Value get(size_t row) const;

  // Typed access for kernels and encoders.
  const int64_t* i64() const { return i64_.data(); }
  const double* f64() const { return f64_.data(); }
  const Decimal* dec() const { return dec_.data(); }
  const Temporal* tm() const { return tm_.data(); }
  std::string_view str(size_t row) const {
    return std::string_view(bytes_).substr(offsets_[row], offsets_[row + 1] - offsets_[row]);
  }
  const uint32_t* offsets() const { return offsets_.data(); }
  const char* bytes() const { return bytes_.data(); }

  // Bytes held (capacity included): the batch's share of the reader's memory accounting.
  size_t memory_bytes() const;

 private:
  void set_valid(size_t row, bool valid);
  SqlType type_;
  TypeClass cls_ = TypeClass::Null;
  size_t size_ = 0;
  std::vector<uint64_t> validity_;
  std::vector<int64_t> i64_;
  std::vector<double> f64_;
  std::vector<Decimal> dec_;
  std::vector<Temporal> tm_;
  std::vector<uint32_t> offsets_{0};
  std::string bytes_;
};

enum class ChangeOp : uint8_t { Insert, Update, Delete };
std::string_view change_op_name(ChangeOp op);  // "INSERT", "UPDATE", "DELETE"

// Rows of one table at one schema version. For each row: its operation, its ordinal in the
// transaction (0-based; full sync: in the chunk), and its images: `after` holds INSERT and
// UPDATE rows' new values, `before` holds UPDATE and DELETE rows' old values. Both column sets
// always have size() rows; a row with no image of a kind has NULLs there (has_before/has_after
// say which). Columns are in table order (the schema's), all of them.
struct RowBatch {
  std::string database, table;
  const TableSchema* schema = nullptr;  // the version these rows were decoded with
  std::vector<ChangeOp> ops;
  std::vector<uint32_t> ordinals;
  std::vector<uint8_t> has_before, has_after;
  std::vector<ColumnVector> before, after;
  // Rows the WHERE kept, ascending. Filled by the kernel; all rows before it runs.
  std::vector<uint32_t> selection;

  size_t size() const { return ops.size(); }
  bool empty() const { return ops.empty(); }
  // Sets the table and its column types, dropping rows (storage kept for reuse).
  void reset(std::string_view db, std::string_view tbl, const TableSchema* table_schema,
             const std::vector<SqlType>& column_types);
  void clear();  // drops rows, keeps table and columns
  // Appends one row. `before`/`after` hold one Value per column, or are null when that image
  // is absent.
  void append(ChangeOp op, uint32_t ordinal, const std::vector<Value>* before_image,
              const std::vector<Value>* after_image);
  void select_all();
  // Row `row` of an image as Values (for the interpreter and tests).
  void row_values(size_t row, bool before_image, std::vector<Value>& out) const;
  size_t memory_bytes() const;
};

}  // namespace obsync
