// The runtime's kernel per table: the JIT's (WHERE and COLUMNS over whole batches) gives the
// interpreter's records row for row: the UPDATE-in/out rule, change predicates (op(), OLD.col),
// computed DECIMAL / temporal / string columns, and errors at the same row with the same words.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <random>

#include "compiler/sema/checker.hpp"
#include "runtime/pipeline/kernel.hpp"

using namespace obsync;

namespace {

const char* kSchema = R"json({"format":"obsync-schema/1","databases":[{"name":"shop","tables":[
 {"name":"orders","columns":[{"name":"id","type":"bigint unsigned","nullable":false},
   {"name":"status","type":"varchar(20)"},{"name":"amount","type":"decimal(10,2)"},
   {"name":"created","type":"datetime(3)"},{"name":"qty","type":"bigint"},{"name":"note","type":"text"}],
  "primary_key":["id"]}]}]})json";

struct Compiled {
  Plan plan;
  const SyncTable* table = nullptr;
};

Compiled compile(const std::string& sync) {
  DiagnosticSink diags;
  Program program = load_program_text(
      "k.sync", "SOURCE ob OCEANBASE (host = 'h', user = 'u');\nSINK k KAFKA (bootstrap = 'k:9092');\nPROJECT p;\n" + sync,
      ".", diags);
  std::string error;
  static Schema schema = *parse_schema_json(kSchema, error);
  CheckOptions options;
  options.schema = &schema;
  Compiled c;
  c.plan = check_program(program, options, diags);
  std::string text;
  for (const auto& d : diags.diagnostics()) text += d.message + "\n";
  INFO(text);
  REQUIRE(!diags.has_errors());
  REQUIRE(c.plan.syncs.size() == 1);
  REQUIRE(c.plan.syncs[0].tables.size() == 1);
  c.table = &c.plan.syncs[0].tables[0];
  return c;
}

Value random_row_value(std::mt19937_64& rng, size_t column) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  if (column > 0 && pick(8) == 0) return Value::null();
  static const char* const kStatus[] = {"paid", "PAID ", "pending", "cancelled", "Paid", "shipped", "ß", ""};
  switch (column) {
    case 0: return Value::from_uint(static_cast<uint64_t>(pick(1000)));
    case 1: return Value::from_string(kStatus[pick(8)]);
    case 2: {
      auto d = Decimal::parse(fmt::format("{}.{:02}", pick(400) - 50, pick(100))).value;
      return Value::from_decimal(d);
    }
    case 3: {
      Temporal t;
      t.year = 2020 + pick(6);
      t.month = static_cast<uint8_t>(1 + pick(12));
      t.day = static_cast<uint8_t>(1 + pick(28));
      t.hour = static_cast<uint32_t>(pick(24));
      t.minute = static_cast<uint8_t>(pick(60));
      t.micro = static_cast<uint32_t>(pick(1000)) * 1000;
      return Value::from_temporal(TypeClass::DateTime, t);
    }
    case 4: {
      static const int64_t edges[] = {0, 1, -1, 7, 9223372036854775807LL, -9223372036854775807LL - 1};
      return Value::from_int(pick(5) ? pick(21) - 5 : edges[pick(6)]);
    }
    default: return Value::from_string(pick(2) ? "note" : "a longer note with spaces  ");
  }
}

// A batch of `rows` random changes (INSERT, UPDATE with both images, DELETE).
RowBatch random_batch(const SyncTable& table, uint64_t seed, size_t rows, bool small_numbers) {
  std::mt19937_64 rng(seed);
  std::vector<SqlType> types;
  for (const auto& c : table.schema->columns) types.push_back(c.type);
  RowBatch batch;
  batch.reset(table.database, table.table, table.schema, types);
  for (size_t i = 0; i < rows; i++) {
    std::vector<Value> before(types.size()), after(types.size());
    for (size_t c = 0; c < types.size(); c++) {
      before[c] = random_row_value(rng, c);
      after[c] = rng() % 3 ? before[c] : random_row_value(rng, c);
      if (small_numbers && c == 4) {
        if (!before[c].is_null()) before[c].i %= 100;
        if (!after[c].is_null()) after[c].i %= 100;
      }
    }
    auto op = static_cast<ChangeOp>(rng() % 3);
    batch.append(op, static_cast<uint32_t>(i), op == ChangeOp::Insert ? nullptr : &before,
                 op == ChangeOp::Delete ? nullptr : &after);
  }
  return batch;
}

std::string render_row(const std::vector<Value>& values, const SyncTable& table) {
  std::string out;
  for (size_t i = 0; i < values.size() && i < table.columns.size(); i++)
    out += (values[i].is_null() ? "NULL" : render_value(values[i], table.columns[i].expr->type)) + "|";
  return out;
}

// Each row's outcome through `kernel`: "-" (filtered out), the record, or the error; the run
// stops at the first error, as the pipeline does.
std::vector<std::string> outcomes(pipeline::TableKernel& kernel, const RowBatch& batch, const SyncTable& table) {
  kernel.prepare(batch, 1700000000000000);
  std::vector<std::string> out;
  for (size_t i = 0; i < batch.size(); i++) {
    pipeline::KernelOutput o;
    std::string error;
    bool emitted = kernel.run(batch, i, false, 1700000000000000, o, error);
    if (!error.empty()) {
      out.push_back("error: " + error);
      break;
    }
    if (!emitted) {
      out.push_back("-");
      continue;
    }
    out.push_back(fmt::format("{} before {} after {}", static_cast<int>(o.kind),
                              o.kind == encode::RecordKind::Insert ? "" : render_row(o.before, table),
                              o.kind == encode::RecordKind::Delete ? "" : render_row(o.after, table)));
  }
  kernel.unprepare();
  return out;
}

void check_same(const std::string& sync, bool small_numbers, bool expect_error = false) {
  Compiled c = compile(sync);
  pipeline::TableKernel jit(*c.table, true), interp(*c.table, false);
  bool saw_error = false;
  for (uint64_t seed : {1u, 2u, 3u}) {
    RowBatch batch = random_batch(*c.table, seed, 300, small_numbers);
    auto expected = outcomes(interp, batch, *c.table);
    auto got = outcomes(jit, batch, *c.table);
    INFO(sync << "\nseed " << seed << ", engine " << jit.engine());
    CHECK(jit.engine() == "jit");
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); i++) {
      INFO("row " << i);
      CHECK(got[i] == expected[i]);
    }
    saw_error = saw_error || expected.back().rfind("error:", 0) == 0;
    size_t emitted = std::count_if(expected.begin(), expected.end(), [](const auto& s) { return s != "-"; });
    CHECK(emitted > 0);  // the batch exercises records, not only filtering
  }
  CHECK(saw_error == expect_error);
}

}  // namespace

TEST_CASE("table kernel: JIT and interpreter give the same records for computed DECIMAL, date and string columns",
          "[kernel][jit]") {
  check_same("SYNC shop.orders TO TOPIC out WHERE status LIKE 'pa%' AND amount >= 10\n"
             "  COLUMNS (id, amount * qty AS total, DATE_FORMAT(created, '%Y-%m') AS month, UPPER(status) AS s,\n"
             "           CASE WHEN qty > 5 THEN 'big' WHEN qty IS NULL THEN NULL ELSE 'small' END AS size,\n"
             "           COALESCE(note, status, 'none') AS n, amount / 3 AS third, qty DIV 2 AS half);",
             true);
  check_same("SYNC shop.orders TO TOPIC out COLUMNS (id, IF(amount > 100, amount, qty) AS mixed,\n"
             "  CAST(created AS DATE) AS day, DATEDIFF('2025-01-01', created) AS age,\n"
             "  NULLIF(status, 'paid') AS s, CONCAT(status, '/', note) AS label);",
             true);
}

TEST_CASE("table kernel: a change predicate (op(), OLD.col) is decided once per change by both engines",
          "[kernel][jit]") {
  check_same("SYNC shop.orders TO TOPIC out WHERE op() <> 'DELETE' AND (OLD.amount IS NULL OR amount > OLD.amount)\n"
             "  COLUMNS (id, op() AS o, OLD.amount AS was, amount);",
             true);
  check_same("SYNC shop.orders TO TOPIC out WHERE commit_ts() < '2023-11-14 22:13:21' OR qty > 3\n"
             "  COLUMNS (id, commit_ts() AS ts, DATEDIFF(commit_ts(), created) AS waited);",
             true);
  check_same("SYNC shop.orders TO TOPIC out WHERE op() = 'DELETE' OR OLD.status <> status\n"
             "  COLUMNS (id, OLD.status AS was, status);",
             true);
}

TEST_CASE("table kernel: an overflow in a COLUMNS item stops both engines on the same row, a filtered row never does",
          "[kernel][jit]") {
  // Large quantities overflow `qty * 2`, but the WHERE keeps only small ones.
  check_same("SYNC shop.orders TO TOPIC out WHERE qty BETWEEN -100 AND 100 COLUMNS (id, qty * 2 AS twice);", false);
  // Without the WHERE the first large quantity stops the run, in both engines alike.
  check_same("SYNC shop.orders TO TOPIC out COLUMNS (id, qty * 2 AS twice);", false, true);
}
