// Benchmark (issue 5): interpreter vs JIT kernel over a 1M-row column-major batch, and the JIT's
// compile latency per kernel. Usage: build/bench_jit_where [rows]
//   (a)  numeric WHERE                       a > 5 AND b < 10
//   (b)  string WHERE with LIKE and IN, utf8mb4_general_ci and COLLATE utf8mb4_bin
//   (c)  COLUMNS items over DECIMAL(10,2) and DATETIME(6) (compile_projection + run_values)
//   (d)  a 20-term mixed WHERE; (d') the same with its DECIMAL literal 0.05 written 5e-2
//   s1/s2: the string WHEREs of the first slice (bench/RESULTS.md)
// then compile latency over 50 distinct kernels of each shape, and over every WHERE and COLUMNS
// kernel of a generated 50-SYNC script checked against a schema (compiler/sema/checker.hpp).
// The interpreter evaluates prebuilt rows of Values (a lower bound of its cost): best of 3 over
// rows of only the columns the expression reads, and once over the full 9-column rows. Each
// kernel's result is checked against the interpreter's; exit status 1 lists any problem.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>

#include "compiler/interp/interpreter.hpp"
#include "compiler/jit/jit.hpp"
#include "compiler/parse/parser.hpp"
#include "compiler/sema/binder.hpp"
#include "compiler/sema/checker.hpp"
#include "runtime/batch/row_batch.hpp"
#include "stdlib/temporal.hpp"

using namespace obsync;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

ir::ExprPtr bind_text(const std::string& text, const std::vector<ColumnSchema>& columns) {
  SourceManager sources;
  DiagnosticSink diags;
  uint32_t file = sources.add("<expr>", text);
  auto ast = parse_expression(sources, file, diags);
  ir::ExprPtr ir;
  if (ast) {
    BindScope scope;
    scope.columns = &columns;
    ir = bind_expression(*ast, scope, sources, diags);
  }
  if (!ir || diags.has_errors()) {
    std::cerr << "cannot bind: " << text << "\n";
    for (const auto& d : diags.diagnostics()) std::cerr << render_human(d, sources);
    std::exit(1);
  }
  return ir;
}

struct Latency {
  double median = 0, max = 0;
};
Latency summarize(std::vector<double> ms) {
  if (ms.empty()) return {};
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.back()};
}

// The same Value (NULL, class and MySQL text form).
bool same_value(const Value& x, const Value& y, const SqlType& type) {
  if (x.is_null() || y.is_null()) return x.is_null() == y.is_null();
  return x.cls == y.cls && render_value(x, type) == render_value(y, type);
}

void collect_columns(const ir::Expr& e, std::vector<int>& out) {
  if (e.op == ir::Op::Column) out.push_back(e.column);
  for (const auto& a : e.args)
    if (a) collect_columns(*a, out);
}

// The host functions a kernel's optimized IR calls, by name and number of call sites
// ("obsync_jit_call x2, obsync_jit_compare_strings x3"), from CompiledPredicate/Projection::ir().
std::string host_calls(const std::string& ir) {
  std::map<std::string, int> calls;
  for (size_t at = ir.find("call "); at != std::string::npos; at = ir.find("call ", at + 5)) {
    size_t line_end = ir.find('\n', at);
    size_t name = ir.find("@obsync_jit_", at);
    if (name == std::string::npos || name > line_end) continue;
    size_t end = ir.find('(', name);
    calls[ir.substr(name + 1, end - name - 1)]++;
  }
  size_t instructions = 0;  // lines of the function bodies that are instructions (rough size)
  for (size_t at = 0; at < ir.size();) {
    size_t end = ir.find('\n', at);
    if (end == std::string::npos) end = ir.size();
    if (end > at + 2 && ir.compare(at, 2, "  ") == 0) ++instructions;
    at = end + 1;
  }
  std::string out = fmt::format("{} IR instructions; ", instructions);
  if (calls.empty()) out += "none";
  for (const auto& [name, n] : calls) out += fmt::format("{}{} x{}", out.back() == ' ' ? "" : ", ", name, n);
  return out;
}

const char* const kTableColumns =
    "a BIGINT, b BIGINT, status VARCHAR(20), amount BIGINT, price DECIMAL(10,2), qty INT, score DOUBLE, "
    "created DATETIME(6), region VARCHAR(8) COLLATE utf8mb4_bin";

// The 20-term mixed WHERE (d): ints, a double, strings under two collations, IN, BETWEEN,
// IS NULL, arithmetic, NOT, an OR/AND mix and a CASE. {0} is varied for the latency runs.
const char* const kMixed =
    "a > 1 AND b < 19 AND amount BETWEEN 5 AND 295 AND qty * 3 + a <> {0} "
    "AND (score >= 0.05 OR score IS NULL) AND status IN ('paid', 'shipped', 'pending') "
    "AND (region <> 'xx' OR region IS NULL) AND a - b BETWEEN -15 AND 15 "
    "AND NOT (amount = 13 AND qty = 2) AND (b IN (1, 3, 5, 7, 9, 11, 13, 15, 17) OR a + b > 8) "
    "AND score * 2 + qty < 300 AND CASE WHEN qty > 5 THEN amount > 20 ELSE amount < 280 END "
    "AND a IS NOT NULL AND b + qty < 40 AND amount * 2 - a >= 0";

}  // namespace

int main(int argc, char** argv) {
  size_t rows = argc > 1 ? std::stoul(argv[1]) : 1000000;
  std::string error;
  auto columns = *parse_column_definitions(kTableColumns, error);
  std::vector<SqlType> types;
  for (const auto& c : columns) types.push_back(c.type);

  // The batch (one NULL in 50 for each column, at different rows):
  //   a, b     0..19 (b in another phase)
  //   status   seven values, case variants and a trailing space (utf8mb4_general_ci compares
  //            'paid' = 'PAID' and 'Cancelled ' = 'cancelled'; utf8mb4_bin does not)
  //   amount   0..299
  //   price    DECIMAL(10,2) 0.00..999.99, qty INT 1..10, score DOUBLE 0.000..0.999
  //   created  DATETIME(6) over 2023-01-01 .. 2024-12-30 with microseconds
  //   region   VARCHAR(8) utf8mb4_bin: eu, us, apac, EU
  static const char* const kStatus[] = {"paid", "shipped", "cancelled", "Cancelled ", "pending", "refunded", "PAID"};
  static const char* const kRegion[] = {"eu", "us", "apac", "EU"};
  std::vector<Decimal> prices(100000);
  for (size_t k = 0; k < prices.size(); ++k) prices[k] = Decimal::parse(fmt::format("{}.{:02}", k / 100, k % 100)).value;
  const int64_t day0 = to_days(2023, 1, 1);
  std::vector<ColumnVector> batch;
  for (const auto& t : types) batch.emplace_back(t);
  for (auto& c : batch) c.reserve(rows);
  std::vector<std::vector<Value>> row_values(rows);
  for (size_t i = 0; i < rows; ++i) {
    auto& r = row_values[i];
    r.resize(types.size());
    if (i % 50 != 7) r[0] = Value::from_int(static_cast<int64_t>((i * 7) % 20));
    if (i % 50 != 31) r[1] = Value::from_int(static_cast<int64_t>((i * 13 + 5) % 20));
    if (i % 50 != 17) r[2] = Value::from_string(kStatus[(i * 5 + i / 7) % std::size(kStatus)]);
    if (i % 50 != 43) r[3] = Value::from_int(static_cast<int64_t>((i * 37) % 300));
    if (i % 50 != 3) r[4] = Value::from_decimal(prices[(i * 7919) % prices.size()]);
    if (i % 50 != 11) r[5] = Value::from_int(static_cast<int64_t>((i * 3) % 10 + 1));
    if (i % 50 != 23) r[6] = Value::from_double(static_cast<double>((i * 31) % 1000) / 1000.0);
    if (i % 50 != 29) {
      Temporal t = from_days(day0 + static_cast<int64_t>((i * 7919) % 730));
      uint64_t s = (i * 104729) % 86400;
      t.hour = static_cast<uint32_t>(s / 3600);
      t.minute = static_cast<uint8_t>(s / 60 % 60);
      t.second = static_cast<uint8_t>(s % 60);
      t.micro = static_cast<uint32_t>((i * 7) % 1000000);
      r[7] = Value::from_temporal(TypeClass::DateTime, t);
    }
    if (i % 50 != 37) r[8] = Value::from_string(kRegion[(i * 3 + i / 11) % std::size(kRegion)]);
    for (size_t c = 0; c < batch.size(); ++c) batch[c].append(r[c]);
  }
  jit::ColumnArrays arrays;
  for (const auto& c : batch) {
    const void* data = nullptr;
    switch (c.cls()) {
      case TypeClass::Int: data = c.i64(); break;
      case TypeClass::Double: data = c.f64(); break;
      case TypeClass::Decimal: data = c.dec(); break;
      case TypeClass::Date:
      case TypeClass::Time:
      case TypeClass::DateTime: data = c.tm(); break;
      default: data = c.bytes(); break;  // String, Json
    }
    bool is_string = c.cls() == TypeClass::String || c.cls() == TypeClass::Json;
    arrays.data.push_back(data);
    arrays.offsets.push_back(is_string ? c.offsets() : nullptr);
    arrays.validity.push_back(c.validity());
  }
  std::cout << fmt::format("{} rows, {}\n", rows, jit::JitEngine::instance().target_description());

  std::string why;
  std::vector<std::string> problems;  // not compiled, mismatches, kernels that stopped
  std::vector<uint32_t> selection(rows);
  // The interpreter's rows for one expression: only the columns it reads (the expression is
  // bound again over those columns), so that its figure is not dominated by streaming the
  // unused Values (~140 bytes each) of a 9-column row from memory: its best case.
  struct InterpRows {
    ir::ExprPtr ir;
    std::vector<std::vector<Value>> rows;
    size_t used = 0;
  };
  auto compact_rows = [&](const std::string& text, const ir::Expr& full) {
    std::vector<int> used;
    collect_columns(full, used);
    std::sort(used.begin(), used.end());
    used.erase(std::unique(used.begin(), used.end()), used.end());
    std::vector<ColumnSchema> sub;
    for (int c : used) sub.push_back(columns[c]);
    InterpRows out;
    out.ir = bind_text(text, sub);
    out.used = used.size();
    out.rows.resize(rows);
    for (size_t i = 0; i < rows; ++i) {
      out.rows[i].reserve(used.size());
      for (int c : used) out.rows[i].push_back(row_values[i][c]);
    }
    return out;
  };
  auto note_compiled = [&](const std::string& label, const ir::Expr& ir) {
    std::string reason = jit::why_not_compiled(ir, types);
    std::cout << fmt::format("  why_not_compiled: {}\n", reason.empty() ? "(none: compiles)" : reason);
    if (!reason.empty()) problems.push_back(label + ": " + reason);
  };

  auto measure_where = [&](const std::string& label, const std::string& where) {
    std::cout << fmt::format("({}) WHERE {}\n", label, where);
    auto ir = bind_text(where, columns);
    note_compiled(label, *ir);
    // Interpreter: rows already as Values (the runtime would also have to build them); best of
    // 3 over rows of the columns it reads, and once over the full 9-column rows.
    auto interpret = [&](const ir::Expr& e, const std::vector<std::vector<Value>>& input, size_t& selected) {
      selected = 0;
      auto t0 = Clock::now();
      for (const auto& row : input) {
        RowContext ctx;
        ctx.row = &row;
        EvalContext ec;
        selected += evaluate_condition(e, ctx, ec);
      }
      return seconds_since(t0);
    };
    double interp_best = 1e9, interp_full = 0;
    size_t interp_selected = 0, full_selected = 0;
    {
      InterpRows compact = compact_rows(where, *ir);
      for (int run = 0; run < 3; ++run) interp_best = std::min(interp_best, interpret(*compact.ir, compact.rows, interp_selected));
      std::cout << fmt::format("  interpreter reads {} of {} columns\n", compact.used, columns.size());
    }
    interp_full = interpret(*ir, row_values, full_selected);
    if (full_selected != interp_selected) problems.push_back(label + ": the interpreter over full rows differs");
    // JIT: the first compile also creates the LLJIT.
    auto t_compile = Clock::now();
    auto kernel = jit::JitEngine::instance().compile_predicate(*ir, types, why);
    double compile_ms = seconds_since(t_compile) * 1e3;
    std::cout << fmt::format("  interpreter: best of 3 = {:.3f} s = {:.2f} M rows/s ({} selected); full rows: {:.2f} M rows/s\n",
                             interp_best, rows / interp_best / 1e6, interp_selected, rows / interp_full / 1e6);
    if (!kernel) {
      std::cout << "  JIT: " << why << "\n";
      problems.push_back(label + ": " + why);
      return;
    }
    double jit_best = 1e9;
    size_t jit_selected = 0;
    int64_t error_row = -1;
    for (int run = 0; run < 10; ++run) {
      auto t0 = Clock::now();
      kernel->run(arrays, rows, selection.data(), jit_selected, error_row);
      jit_best = std::min(jit_best, seconds_since(t0));
    }
    if (jit_selected != interp_selected || error_row != -1) {
      std::cout << fmt::format("  MISMATCH: interpreter selected {}, JIT {} (error row {})\n", interp_selected,
                               jit_selected, error_row);
      problems.push_back(fmt::format("{}: interpreter selected {}, JIT {} (stopped at row {})", label, interp_selected,
                                     jit_selected, error_row));
    }
    std::cout << fmt::format("  JIT kernel:  best of 10 = {:.4f} s = {:.1f} M rows/s ({:.1f}x the interpreter)\n",
                             jit_best, rows / jit_best / 1e6, interp_best / jit_best);
    std::cout << fmt::format("  compile: {:.2f} ms{}; {}\n", compile_ms,
                             label == "a" ? " (creates the LLJIT)" : "", host_calls(kernel->ir()));
  };

  auto measure_projection = [&](const std::string& label, const std::string& expr) {
    std::cout << fmt::format("({}) COLUMNS item {}\n", label, expr);
    auto ir = bind_text(expr, columns);
    note_compiled(label, *ir);
    std::vector<Value> interp_out(rows);
    size_t interp_errors = 0;
    auto interpret = [&](const ir::Expr& e, const std::vector<std::vector<Value>>& input) {
      interp_errors = 0;
      auto t0 = Clock::now();
      for (size_t i = 0; i < rows; ++i) {
        RowContext ctx;
        ctx.row = &input[i];
        EvalContext ec;
        interp_out[i] = evaluate(e, ctx, ec);
        interp_errors += ec.failed;
      }
      return seconds_since(t0);
    };
    double interp_best = 1e9, interp_full = interpret(*ir, row_values);
    {
      InterpRows compact = compact_rows(expr, *ir);
      for (int run = 0; run < 3; ++run) interp_best = std::min(interp_best, interpret(*compact.ir, compact.rows));
      std::cout << fmt::format("  interpreter reads {} of {} columns\n", compact.used, columns.size());
    }
    std::cout << fmt::format(
        "  interpreter: best of 3 = {:.3f} s = {:.2f} M rows/s (type {}, {} errors); full rows: {:.2f} M rows/s\n",
        interp_best, rows / interp_best / 1e6, to_string(ir->type), interp_errors, rows / interp_full / 1e6);
    auto t_compile = Clock::now();
    auto kernel = jit::JitEngine::instance().compile_projection(*ir, types, why);
    double compile_ms = seconds_since(t_compile) * 1e3;
    if (!kernel) {
      std::cout << "  JIT: " << why << "\n";
      problems.push_back(label + ": " + why);
      return;
    }
    static const char* const kOutput[] = {"Int", "Double", "Value"};
    std::vector<Value> jit_out;
    double jit_best = 1e9;
    int64_t error_index = -1;
    for (int run = 0; run < 10; ++run) {
      auto t0 = Clock::now();
      kernel->run_values(arrays, nullptr, rows, jit_out, error_index);
      jit_best = std::min(jit_best, seconds_since(t0));
    }
    size_t differing = 0, first_difference = rows;
    size_t end = error_index >= 0 ? static_cast<size_t>(error_index) : rows;
    for (size_t i = 0; i < end; ++i)
      if (!same_value(interp_out[i], jit_out[i], ir->type)) {
        if (!differing) first_difference = i;
        ++differing;
      }
    if (differing || error_index != -1) {
      std::string detail = fmt::format("{} rows differ (first: row {}), kernel stopped at {}", differing,
                                       first_difference, error_index);
      if (differing)
        detail += fmt::format(" — interpreter '{}', JIT '{}'", render_value(interp_out[first_difference], ir->type),
                              render_value(jit_out[first_difference], ir->type));
      std::cout << "  MISMATCH: " << detail << "\n";
      problems.push_back(label + ": " + detail);
    }
    std::cout << fmt::format(
        "  JIT kernel:  best of 10 = {:.4f} s = {:.1f} M rows/s ({:.1f}x the interpreter; output {})\n", jit_best,
        rows / jit_best / 1e6, interp_best / jit_best, kOutput[static_cast<int>(kernel->output())]);
    std::cout << fmt::format("  compile: {:.2f} ms; {}\n", compile_ms, host_calls(kernel->ir()));
  };

  measure_where("a", "a > 5 AND b < 10");
  measure_where("b1", "status LIKE 'ca%' OR status IN ('paid', 'shipped')");
  measure_where("b2", "status COLLATE utf8mb4_bin LIKE 'ca%' OR status COLLATE utf8mb4_bin IN ('paid', 'shipped')");
  measure_projection("c1", "price * qty + 1.50");
  measure_projection("c2", "DATE_FORMAT(created, '%Y-%m')");
  measure_projection("c3", "DATEDIFF(created, '2024-01-01')");
  measure_projection("c4", "DATE(created) >= '2024-01-01'");
  measure_where("d", fmt::format(fmt::runtime(kMixed), 17));
  // (d) with its one DECIMAL literal written as a DOUBLE: how much the boxed constant costs.
  {
    std::string native = fmt::format(fmt::runtime(kMixed), 17);
    native.replace(native.find("0.05"), 4, "5e-2");
    measure_where("d'", native);
  }
  measure_where("s1", "status <> 'cancelled' AND amount >= 100");
  measure_where("s2", "status IN ('paid', 'shipped') OR amount IS NULL");

  // Compile latency: 50 distinct kernels of each shape (new constants: no cache hits).
  struct Shape {
    std::string label, text;
    bool where;
  };
  const std::vector<Shape> shapes = {
      {"a", "a > {0} AND b < 10", true},
      {"wide", "(a + {0}) * 2 > b OR a IS NULL OR b IN (1, 2, 3, {1}) OR (a - b BETWEEN -5 AND 5 AND a <> {2})", true},
      {"s", "status NOT IN ('x{0}', 'y{1}') AND amount >= {2}", true},
      {"b1", "status LIKE 'ca{0}%' OR status IN ('paid', 'shipped{0}')", true},
      {"b2", "status COLLATE utf8mb4_bin LIKE 'ca{0}%' OR status COLLATE utf8mb4_bin IN ('paid', 'shipped{0}')", true},
      {"c1", "price * qty + {0}.50", false},
      {"c2", "DATE_FORMAT(created, '%Y-%m/{0}')", false},
      {"c3", "DATEDIFF(created, '2025-{3:02}-{4:02}')", false},
      {"c4", "DATE(created) >= '2025-{3:02}-{4:02}'", false},
      {"d", kMixed, true},
  };
  for (const auto& shape : shapes) {
    std::vector<double> ms;
    auto before = jit::JitEngine::instance().stats();
    for (int k = 0; k < 50; ++k) {
      auto e = bind_text(fmt::format(fmt::runtime(shape.text), 100 + k, 200 + k, 300 + k, k % 12 + 1, k / 12 + 1),
                         columns);
      auto t0 = Clock::now();
      bool ok = shape.where ? jit::JitEngine::instance().compile_predicate(*e, types, why) != nullptr
                            : jit::JitEngine::instance().compile_projection(*e, types, why) != nullptr;
      ms.push_back(seconds_since(t0) * 1e3);
      if (!ok) {
        problems.push_back("latency " + shape.label + ": " + why);
        break;
      }
    }
    auto after = jit::JitEngine::instance().stats();
    Latency l = summarize(ms);
    std::cout << fmt::format("  compile latency {:>4}, {} kernels: median {:.2f} ms, max {:.2f} ms ({} new, {} cache hits)\n",
                             shape.label, ms.size(), l.median, l.max, after.kernels_compiled - before.kernels_compiled,
                             after.cache_hits - before.cache_hits);
  }

  // A 50-SYNC script: 50 tables (each with its own schema: a table-specific VARCHAR length),
  // varied WHEREs and COLUMNS with per-statement constants, checked against the schema; every
  // WHERE and COLUMNS kernel of the plan compiled as the runtime does (runtime/pipeline/kernel.cpp).
  {
    Schema schema;
    schema.databases.emplace_back();
    DatabaseSchema& db = schema.databases.back();
    db.name = "db";
    for (int k = 0; k < 50; ++k) {
      TableSchema t;
      t.name = fmt::format("t{}", k);
      t.columns = *parse_column_definitions(
          fmt::format("id BIGINT NOT NULL, {}, note VARCHAR({})", kTableColumns, 20 + k), error);
      t.primary_key = {"id"};
      db.tables.push_back(std::move(t));
    }
    static const char* const kWheres[] = {
        "a > {0} AND b < 10",
        "status LIKE 'ca{0}%' OR status IN ('paid', 'shipped', 's{0}')",
        "amount BETWEEN {0} AND {1} AND (region IS NULL OR region <> 'r{0}')",
        "price * qty > {0}.50 AND created >= '2024-{2:02}-01'",
        "(a + b) * 2 > {0} OR score < 0.{0:02} OR CASE WHEN qty > 3 THEN amount > {0} ELSE a IS NULL END",
        "DATE(created) >= '2024-{2:02}-{3:02}' AND status COLLATE utf8mb4_bin NOT IN ('x{0}', 'cancelled')",
        "qty * 3 + a <> {0} AND NOT (amount = {0} AND qty = 2) AND b IN (1, 3, 5, {0}) AND note IS NOT NULL",
    };
    static const char* const kColumns[] = {
        "id, status, price * qty + {0}.50 AS total",
        "id, a, b, a * {0} + b AS ab, score * 100 AS pct",
        "id, DATE_FORMAT(created, '%Y-%m/{0}') AS month, CONCAT(region, '-{0}') AS r",
        "id, status, DATEDIFF(created, '2024-{2:02}-{3:02}') AS age, ROUND(score * {0}, 2) AS s",
        "id, amount, IF(amount > {0}, 'big', 'small') AS size, COALESCE(region, 'n{0}') AS region, UPPER(note) AS n",
    };
    std::string text =
        "SOURCE ob OCEANBASE (host = 'obproxy', port = 2883, user = 'cdc@t#c', password = env('P'));\n"
        "SINK kafka KAFKA (bootstrap = 'k1:9092');\n"
        "PROJECT bench50 TAGS ('bench') BUSINESS ID 'b1';\n";
    for (int k = 0; k < 50; ++k) {
      auto fill = [&](const char* shape) { return fmt::format(fmt::runtime(shape), k, k + 150, k % 12 + 1, k % 28 + 1); };
      text += fmt::format("SYNC db.t{0} TO TOPIC sync_t{0}\n  WHERE ", k);
      text += fill(kWheres[k % std::size(kWheres)]);
      text += "\n  COLUMNS (";
      text += fill(kColumns[k % std::size(kColumns)]);
      text += ");\n";
    }
    DiagnosticSink diags;
    auto t_check = Clock::now();
    Program program = load_program_text("bench50.sync", text, ".", diags);
    CheckOptions options;
    options.schema = &schema;
    Plan plan = check_program(program, options, diags);
    double check_ms = seconds_since(t_check) * 1e3;
    if (diags.error_count()) {
      std::cerr << "50-SYNC script: " << diags.error_count() << " errors\n";
      for (const auto& d : diags.diagnostics()) std::cerr << render_human(d, program.sources);
      return 1;
    }
    std::vector<double> where_ms, column_ms, all_ms, trivial_ms;
    size_t not_compiled = 0;
    auto before = jit::JitEngine::instance().stats();
    auto t_all = Clock::now();
    for (const auto& sync : plan.syncs)
      for (const auto& table : sync.tables) {
        std::vector<SqlType> table_types;
        for (const auto& c : table.schema->columns) table_types.push_back(c.type);
        if (table.where) {
          auto t0 = Clock::now();
          bool ok = jit::JitEngine::instance().compile_predicate(*table.where, table_types, why) != nullptr;
          double ms = seconds_since(t0) * 1e3;
          where_ms.push_back(ms);
          all_ms.push_back(ms);
          if (!ok) {
            ++not_compiled;
            problems.push_back(fmt::format("script {}.{} WHERE: {}", table.database, table.table, why));
          }
        }
        for (const auto& col : table.columns) {
          auto t0 = Clock::now();
          bool ok = jit::JitEngine::instance().compile_projection(*col.expr, table_types, why) != nullptr;
          double ms = seconds_since(t0) * 1e3;
          (col.expr->op == ir::Op::Column ? trivial_ms : column_ms).push_back(ms);
          all_ms.push_back(ms);
          if (!ok) {
            ++not_compiled;
            problems.push_back(fmt::format("script {}.{} COLUMNS {}: {}", table.database, table.table, col.name, why));
          }
        }
      }
    double total_ms = seconds_since(t_all) * 1e3;
    auto after = jit::JitEngine::instance().stats();
    Latency w = summarize(where_ms), c = summarize(column_ms), t = summarize(trivial_ms), a = summarize(all_ms);
    std::cout << fmt::format("50-SYNC script: {} bytes, {} SYNCs, parse + check {:.1f} ms\n", text.size(),
                             plan.syncs.size(), check_ms);
    std::cout << fmt::format("  {} kernels ({} new, {} cache hits, {} not compiled) in {:.0f} ms\n", all_ms.size(),
                             after.kernels_compiled - before.kernels_compiled, after.cache_hits - before.cache_hits,
                             not_compiled, total_ms);
    std::cout << fmt::format("  WHERE kernels:            {:>3}: median {:.2f} ms, max {:.2f} ms\n", where_ms.size(),
                             w.median, w.max);
    std::cout << fmt::format("  COLUMNS expression items: {:>3}: median {:.2f} ms, max {:.2f} ms\n", column_ms.size(),
                             c.median, c.max);
    std::cout << fmt::format("  COLUMNS plain columns:    {:>3}: median {:.2f} ms, max {:.2f} ms\n",
                             trivial_ms.size(), t.median, t.max);
    std::cout << fmt::format("  all kernels:              {:>3}: median {:.2f} ms, max {:.2f} ms\n", all_ms.size(),
                             a.median, a.max);
  }

  if (problems.empty()) {
    std::cout << "every kernel compiled and matched the interpreter\n";
    return 0;
  }
  std::cout << "problems:\n";
  for (const auto& p : problems) std::cout << "  " << p << "\n";
  return 1;
}
