// Benchmark: the full sync's rows/s from a private MariaDB over loopback, narrow 8-column rows
// (the binlog bench's pattern), with a stream-only pass that splits server+client time from ours.
// Usage: build/bench_full_sync [rows] [chunk_rows]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "compiler/sema/schema.hpp"
#include "runtime/source/full_sync.hpp"
#include "tests/infra/mariadb_server.hpp"

using namespace obsync;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// BIGINT id, INT, VARCHAR(32), DECIMAL(10,2), DATETIME, TIMESTAMP(3), TINYINT, VARCHAR(255)
// (NULL every 4th row).
const char* kTable =
    "CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, customer INT NOT NULL, name VARCHAR(32) NOT NULL, "
    "amount DECIMAL(10,2) NOT NULL, created DATETIME NOT NULL, updated TIMESTAMP(3) NOT NULL, "
    "flags TINYINT NOT NULL, note VARCHAR(255) NULL)";
const char* kLoad =
    "INSERT INTO orders SELECT seq, seq % 9973, CONCAT('customer-', seq % 1000), (seq % 50000) / 100, "
    "'2026-01-31 10:30:00', '2026-01-31 10:30:00.123', seq % 128, "
    "IF(seq % 4 = 0, NULL, CONCAT('note for order ', seq, ' shipped')) FROM seq_1_to_{}";

TableSchema load_schema(obsync::test::MariaDbConnection& conn) {
  TableSchema schema;
  schema.name = "orders";
  for (const auto& r : conn.query("SELECT COLUMN_NAME, COLUMN_TYPE, COLLATION_NAME, IS_NULLABLE FROM "
                                  "information_schema.COLUMNS WHERE TABLE_SCHEMA = 'bench' AND TABLE_NAME = "
                                  "'orders' ORDER BY ORDINAL_POSITION")) {
    std::string text = *r[1];
    if (r[2]) text += " COLLATE " + *r[2];
    if (*r[3] == "NO") text += " NOT NULL";
    std::string error;
    auto type = parse_column_type(text, error);
    if (!type) throw std::runtime_error(text + ": " + error);
    schema.columns.push_back({*r[0], *r[1], *type});
  }
  schema.primary_key = {"id"};
  return schema;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t rows = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  source::FullSyncOptions options;
  if (argc > 2) options.chunk_rows = std::strtoull(argv[2], nullptr, 10);

  obsync::test::MariaDbServer server;
  server.execute("CREATE DATABASE bench CHARACTER SET utf8mb4");
  auto conn = server.connect("bench");
  conn.execute("SET SESSION sql_log_bin = 0");
  conn.execute(kTable);
  auto t0 = Clock::now();
  conn.execute(fmt::format(fmt::runtime(kLoad), rows));
  conn.execute("ANALYZE TABLE orders");
  fmt::print("loaded {} rows in {:.1f} s\n", rows, seconds_since(t0));
  TableSchema schema = load_schema(conn);

  source::SourceConfig config;
  config.sql = {server.host(), server.port()};
  config.user = server.user();
  config.password = server.password();
  config.tls.mode = source::TlsMode::Disabled;
  source::SqlConnection sql(config, config.sql);

  // Server + libmariadb alone: the same keyset SELECTs, rows fetched and dropped.
  for (int run = 0; run < 2; run++) {
    t0 = Clock::now();
    size_t n = 0;
    std::string cursor;
    std::vector<std::optional<std::string_view>> row;
    for (;;) {
      std::string q = "SELECT id, customer, name, amount, created, updated, flags, note FROM bench.orders";
      if (!cursor.empty()) q += " WHERE id > " + cursor;
      q += fmt::format(" ORDER BY id LIMIT {}", options.chunk_rows);
      auto stream = sql.stream(q);
      size_t got = 0;
      while (stream.next(row)) {
        got++;
        cursor.assign(*row[0]);
      }
      n += got;
      if (got < options.chunk_rows) break;
    }
    double s = seconds_since(t0);
    fmt::print("stream only      : {} rows in {:.2f} s = {:.0f} rows/s\n", n, s, static_cast<double>(n) / s);
  }

  // The full sync: parse into Values, append to batches, deliver.
  for (int run = 0; run < 3; run++) {
    source::FullSyncTable table{"bench", "orders", &schema, "", {}};
    size_t delivered = 0;
    t0 = Clock::now();
    source::copy_table(sql, table, options, [&](RowBatch& batch) { delivered += batch.size(); });
    double s = seconds_since(t0);
    fmt::print("full sync (copy_table, chunk {}, batch {}): {} rows in {:.2f} s = {:.0f} rows/s\n", options.chunk_rows,
               options.batch_rows, delivered, s, static_cast<double>(delivered) / s);
  }
  return 0;
}
