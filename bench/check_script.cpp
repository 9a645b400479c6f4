// Benchmark: parse + check of a generated 1,000-statement script (target: under 200 ms).
// Usage: build/bench_check_script [statements] [--write FILE]
#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>

#include "compiler/sema/checker.hpp"

using namespace obsync;

static std::string make_script(int statements) {
  std::string s =
      "SOURCE ob OCEANBASE (host = 'obproxy', port = 2883, user = 'cdc@t#c', password = env('P'));\n"
      "SINK kafka KAFKA (bootstrap = 'k1:9092', properties = ('linger.ms' = '5'));\n"
      "PROJECT bench TAGS ('bench') BUSINESS ID 'b1' FORMAT canal;\n";
  for (int i = 3; i < statements; ++i)
    s += fmt::format(
        "SYNC shop.orders_{0} TO TOPIC orders_{0} (PARTITIONS 6)\n"
        "  WHERE status <> 'cancelled' AND amount >= 100 AND (region IN ('eu', 'us') OR created > '2026-01-01')\n"
        "  COLUMNS (id, customer_id, status, amount, UPPER(region) AS region_code)\n"
        "  SHARD BY (customer_id);\n",
        i);
  return s;
}

int main(int argc, char** argv) {
  int statements = argc > 1 && argv[1][0] != '-' ? std::atoi(argv[1]) : 1000;
  std::string text = make_script(statements);
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--write") == 0) std::ofstream(argv[i + 1]) << text;
  double best = 1e9;
  for (int run = 0; run < 5; ++run) {
    auto t0 = std::chrono::steady_clock::now();
    DiagnosticSink diags;
    Program program = load_program_text("bench.sync", text, ".", diags);
    check_program(program, {}, diags);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, ms);
    if (diags.error_count()) {
      std::cerr << "unexpected errors: " << diags.error_count() << "\n";
      return 1;
    }
  }
  std::cout << fmt::format("check: {} statements, {} bytes: best of 5 = {:.1f} ms\n", statements, text.size(), best);
}
