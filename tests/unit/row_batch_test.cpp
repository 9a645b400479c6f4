// Column-major row batches: every class stored and read back, NULLs, images, reuse.
#include <catch2/catch.hpp>

#include "runtime/batch/row_batch.hpp"
#include "stdlib/collation.hpp"

using namespace obsync;

TEST_CASE("a batch stores each class and reads it back", "[row-batch]") {
  std::vector<SqlType> types = {SqlType::bigint(true), SqlType::bigint(), SqlType::dbl(), SqlType::decimal(65, 30),
                                SqlType::datetime(6), SqlType::varbinary(), SqlType::json()};
  RowBatch b;
  b.reset("shop", "t", nullptr, types);
  std::vector<Value> row1 = {Value::from_uint(18446744073709551615ull), Value::from_int(-9223372036854775807 - 1),
                             Value::from_double(-0.5), Value::from_decimal(Decimal::parse("-1.5").value),
                             Value::from_temporal(TypeClass::DateTime, Temporal{2026, 11, 25, 10, 0, 0, 123456, false}),
                             Value::from_string(std::string("\0x", 2)), Value::from_json("{\"a\": 1}")};
  std::vector<Value> row2(types.size());  // all NULL
  b.append(ChangeOp::Insert, 0, nullptr, &row1);
  b.append(ChangeOp::Update, 1, &row1, &row2);
  b.append(ChangeOp::Delete, 2, &row2, nullptr);
  REQUIRE(b.size() == 3);
  CHECK(b.ops[1] == ChangeOp::Update);
  CHECK(b.has_after[0] == 1);
  CHECK(b.has_before[0] == 0);
  std::vector<Value> out;
  b.row_values(0, false, out);
  for (size_t i = 0; i < types.size(); i++) CHECK(render_value(out[i], types[i]) == render_value(row1[i], types[i]));
  CHECK(out[0].is_unsigned);
  CHECK(out[0].u == 18446744073709551615ull);
  CHECK(out[5].str.size() == 2);
  b.row_values(1, true, out);
  CHECK(render_value(out[3], types[3]) == "-1.500000000000000000000000000000");
  b.row_values(1, false, out);
  for (const auto& v : out) CHECK(v.is_null());
  b.row_values(0, true, out);  // an INSERT has no before image: NULLs
  for (const auto& v : out) CHECK(v.is_null());
  CHECK(b.after[6].str(0) == "{\"a\": 1}");
  CHECK(b.after[6].str(1).empty());
  b.select_all();
  CHECK(b.selection == std::vector<uint32_t>{0, 1, 2});
}

TEST_CASE("validity spans more than one word and storage is reused", "[row-batch]") {
  RowBatch b;
  b.reset("d", "t", nullptr, {SqlType::bigint()});
  std::vector<Value> v(1);
  for (int i = 0; i < 200; i++) {
    v[0] = i % 3 == 0 ? Value::null() : Value::from_int(i);
    b.append(ChangeOp::Insert, static_cast<uint32_t>(i), nullptr, &v);
  }
  for (int i = 0; i < 200; i++) {
    CHECK(b.after[0].is_null(static_cast<size_t>(i)) == (i % 3 == 0));
    if (i % 3 != 0) CHECK(b.after[0].i64()[i] == i);
  }
  size_t warm = b.memory_bytes();
  b.clear();
  CHECK(b.empty());
  for (int i = 0; i < 200; i++) b.append(ChangeOp::Insert, 0, nullptr, &v);
  CHECK(b.memory_bytes() == warm);
}
