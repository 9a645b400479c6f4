// Benchmark: WHEREs (numeric; string + numeric) over a 1M-row column-major batch, interpreter vs
// JIT kernel, and the JIT's compile latency per kernel. Usage: build/bench_jit_where [rows]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "compiler/interp/interpreter.hpp"
#include "compiler/jit/jit.hpp"
#include "compiler/parse/parser.hpp"
#include "compiler/sema/binder.hpp"
#include "runtime/batch/row_batch.hpp"

using namespace obsync;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

ir::ExprPtr bind_text(const std::string& text, const std::vector<ColumnSchema>& columns) {
  SourceManager sources;
  DiagnosticSink diags;
  uint32_t file = sources.add("<where>", text);
  auto ast = parse_expression(sources, file, diags);
  ir::ExprPtr ir;
  if (ast) {
    BindScope scope;
    scope.columns = &columns;
    ir = bind_expression(*ast, scope, sources, diags);
  }
  if (!ir || diags.has_errors()) {
    for (const auto& d : diags.diagnostics()) std::cerr << render_human(d, sources);
    std::exit(1);
  }
  return ir;
}

}  // namespace

int main(int argc, char** argv) {
  size_t rows = argc > 1 ? std::stoul(argv[1]) : 1000000;
  std::string error;
  auto columns = *parse_column_definitions("a BIGINT, b BIGINT, status VARCHAR(20), amount BIGINT", error);
  std::vector<SqlType> types;
  for (const auto& c : columns) types.push_back(c.type);

  // The batch: a in 0..19, b in 0..19 (other phase), status of six values (case variants and a
  // trailing space: utf8mb4_general_ci compares them equal), amount in 0..299; one NULL in 50
  // for each column.
  static const char* const kStatus[] = {"paid", "shipped", "cancelled", "Cancelled ", "pending", "refunded", "PAID"};
  std::vector<ColumnVector> batch;
  for (const auto& t : types) batch.emplace_back(t);
  std::vector<std::vector<Value>> row_values(rows);
  for (size_t i = 0; i < rows; ++i) {
    Value a = i % 50 == 7 ? Value::null() : Value::from_int(static_cast<int64_t>((i * 7) % 20));
    Value b = i % 50 == 31 ? Value::null() : Value::from_int(static_cast<int64_t>((i * 13 + 5) % 20));
    Value status = i % 50 == 17 ? Value::null() : Value::from_string(kStatus[(i * 5 + i / 7) % std::size(kStatus)]);
    Value amount = i % 50 == 43 ? Value::null() : Value::from_int(static_cast<int64_t>((i * 37) % 300));
    row_values[i] = {a, b, status, amount};
    for (size_t c = 0; c < batch.size(); ++c) batch[c].append(row_values[i][c]);
  }
  jit::ColumnArrays arrays;
  for (const auto& c : batch) {
    bool is_string = c.cls() == TypeClass::String;
    arrays.data.push_back(is_string ? static_cast<const void*>(c.bytes()) : static_cast<const void*>(c.i64()));
    arrays.offsets.push_back(is_string ? c.offsets() : nullptr);
    arrays.validity.push_back(c.validity());
  }
  std::cout << fmt::format("{} rows, {}\n", rows, jit::JitEngine::instance().target_description());

  std::string why;
  std::vector<uint32_t> selection(rows);
  auto measure = [&](const std::string& label, const std::string& where) {
    auto ir = bind_text(where, columns);
    // Interpreter: rows already as Values (the runtime would also have to build them).
    double interp_best = 1e9;
    size_t interp_selected = 0;
    for (int run = 0; run < 3; ++run) {
      interp_selected = 0;
      auto t0 = Clock::now();
      for (const auto& row : row_values) {
        RowContext ctx;
        ctx.row = &row;
        EvalContext ec;
        interp_selected += evaluate_condition(*ir, ctx, ec);
      }
      interp_best = std::min(interp_best, seconds_since(t0));
    }
    // JIT: the first compile also creates the LLJIT.
    auto t_compile = Clock::now();
    auto kernel = jit::JitEngine::instance().compile_predicate(*ir, types, why);
    double compile_ms = seconds_since(t_compile) * 1e3;
    if (!kernel) {
      std::cerr << "JIT: " << why << "\n";
      return false;
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
      std::cerr << fmt::format("MISMATCH: interpreter selected {}, JIT {} (error row {})\n", interp_selected,
                               jit_selected, error_row);
      return false;
    }
    std::cout << fmt::format("({}) WHERE {} ({} selected)\n", label, where, interp_selected);
    std::cout << fmt::format("  interpreter: best of 3 = {:.3f} s = {:.1f} M rows/s\n", interp_best,
                             rows / interp_best / 1e6);
    std::cout << fmt::format("  JIT kernel:  best of 10 = {:.4f} s = {:.1f} M rows/s ({:.1f}x the interpreter)\n",
                             jit_best, rows / jit_best / 1e6, interp_best / jit_best);
    std::cout << fmt::format("  compile: {:.2f} ms{}\n", compile_ms, label == "a" ? " (creates the LLJIT)" : "");
    return true;
  };
  if (!measure("a", "a > 5 AND b < 10")) return 1;
  // Strings: every comparison calls the collation's compare in the host.
  if (!measure("b", "status <> 'cancelled' AND amount >= 100")) return 1;
  if (!measure("c", "status IN ('paid', 'shipped') OR amount IS NULL")) return 1;

  // Compile latency: 50 distinct kernels of each shape (new constants: no cache hits).
  const std::vector<std::pair<std::string, std::string>> shapes = {
      {"(a)", "a > {} AND b < 10"},
      {"wide", "(a + {}) * 2 > b OR a IS NULL OR b IN (1, 2, 3, {}) OR (a - b BETWEEN -5 AND 5 AND a <> {})"},
      {"str", "status NOT IN ('x{}', 'y{}') AND amount >= {}"},
  };
  for (const auto& [label, shape] : shapes) {
    std::vector<double> ms;
    for (int k = 0; k < 50; ++k) {
      auto e = bind_text(fmt::format(fmt::runtime(shape), 100 + k, 200 + k, 300 + k), columns);
      auto t0 = Clock::now();
      auto compiled = jit::JitEngine::instance().compile_predicate(*e, types, why);
      ms.push_back(seconds_since(t0) * 1e3);
      if (!compiled) {
        std::cerr << "JIT: " << why << "\n";
        return 1;
      }
    }
    std::sort(ms.begin(), ms.end());
    std::cout << fmt::format("  compile latency {:>4}, 50 kernels: median {:.2f} ms, max {:.2f} ms\n", label,
                             ms[ms.size() / 2], ms.back());
  }
}
