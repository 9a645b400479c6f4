// Benchmark: decoding a binlog held in memory into row values (rows/s on one core), laid out as
// OceanBase's Binlog Service writes it: CRC32, a TABLE_MAP and a v2 rows event for every row.
// Usage: build/bench_binlog_decode [rows]
#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "runtime/source/binlog_builder.hpp"
#include "runtime/source/binlog_decoder.hpp"

using namespace obsync;
using namespace obsync::binlog;
using namespace obsync::binlog::column_type;

namespace {

std::string b(std::initializer_list<int> xs) {
  std::string s;
  for (int x : xs) s.push_back(static_cast<char>(x));
  return s;
}

// The 8-column pattern: BIGINT id, INT, VARCHAR(32), DECIMAL(10,2), DATETIME2, TIMESTAMP2(3),
// TINYINT, VARCHAR(255) (NULL every 4th row).
std::vector<BuildColumn> pattern_columns() {
  return {{kLongLong, "", false}, {kLong, ""},           {kVarChar, b({128, 0})}, {kNewDecimal, b({10, 2})},
          {kDateTime2, b({0})},   {kTimestamp2, b({3})}, {kTiny, ""},             {kVarChar, b({0xfc, 3})}};
}

void append_pattern_values(std::string& r, uint64_t i) {
  put_le(r, i, 8);
  put_le(r, i % 9973, 4);
  std::string s = fmt::format("customer-{}", i % 1000);
  r.push_back(static_cast<char>(s.size()));
  r += s;
  r += b({0x80, 0, static_cast<int>(i % 500 >> 8), static_cast<int>(i % 500 & 0xff), static_cast<int>(i % 100)});
  r += b({0x99, 0xb8, 0xfe, 0xa7, 0x80});  // 2026-01-31 10:30:00
  r += b({0x65, 0x53, 0xf1, 0x00, 0x01, 0x02});
  r.push_back(static_cast<char>(i & 0x7f));
  if (i % 4) {
    std::string note = fmt::format("note for order {} shipped", i);
    put_le(r, note.size(), 2);
    r += note;
  }
}

struct Workload {
  std::string name;
  BinlogBuilder binlog;
  size_t rows = 0;
};

Workload build(size_t patterns, size_t rows, size_t rows_per_txn) {
  Workload w{fmt::format("{} columns", patterns * 8), BinlogBuilder(ChecksumAlg::Crc32), rows};
  std::vector<BuildColumn> cols;
  for (size_t p = 0; p < patterns; p++)
    for (auto& c : pattern_columns()) cols.push_back(c);
  static const uint8_t sid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  std::string image;
  for (size_t i = 0; i < rows; i++) {
    if (i % rows_per_txn == 0) {
      w.binlog.gtid(sid, i / rows_per_txn + 1, 1700000000000000 + i);
      w.binlog.query("shop", "BEGIN");
    }
    image.clear();
    std::string nulls((cols.size() + 7) / 8, '\0');
    for (size_t p = 0; p < patterns; p++)
      if (i % 4 == 0) nulls[(p * 8 + 7) / 8] = static_cast<char>(nulls[(p * 8 + 7) / 8] | (1 << ((p * 8 + 7) % 8)));
    image += nulls;
    for (size_t p = 0; p < patterns; p++) append_pattern_values(image, i);
    w.binlog.table_map(42, "shop", "orders", cols);
    w.binlog.rows(event_type::kWriteRowsV2, 42, cols.size(), image);
    if (i % rows_per_txn == rows_per_txn - 1 || i + 1 == rows) w.binlog.xid(i);
  }
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  size_t rows = argc > 1 ? std::stoul(argv[1]) : 1000000;
  for (size_t patterns : {1, 5}) {
    size_t n = patterns == 1 ? rows : rows / 4;
    Workload w = build(patterns, n, 100);
    double best = 1e9;
    size_t decoded = 0;
    uint64_t checksum = 0;
    for (int run = 0; run < 5; ++run) {
      auto t0 = std::chrono::steady_clock::now();
      BinlogDecoder dec("bench.000001");
      dec.reset(w.binlog.span());
      Event ev;
      RowChange row;
      decoded = 0;
      while (dec.next(ev)) {
        if (ev.kind != EventKind::Rows) continue;
        while (dec.next_row(row)) {
          decoded++;
          checksum += static_cast<uint64_t>(row.after.values[0].i);
        }
      }
      if (dec.failed()) {
        std::cerr << dec.error().message << "\n";
        return 1;
      }
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      best = std::min(best, s);
    }
    if (decoded != n) {
      std::cerr << "decoded " << decoded << " rows of " << n << "\n";
      return 1;
    }
    std::cout << fmt::format("{:>10}: {} rows, {:.1f} MB, best of 5: {:.3f} s = {:.0f} rows/s, {:.0f} MB/s (sum {})\n",
                             w.name, n, w.binlog.size() / 1e6, best, n / best, w.binlog.size() / 1e6 / best,
                             checksum % 1000);
  }
  return 0;
}
