// Inputs the fuzzer found or that probe the parser's limits: they must give diagnostics, never
// crash (stack overflow, ANTLR's exception on malformed UTF-8) or take seconds.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "compiler/parse/parser.hpp"
#include "compiler/sema/checker.hpp"

using namespace obsync;

namespace {

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// The codes reported for `text` as a lone expression.
std::vector<std::string> expression_codes(const std::string& text, bool* parsed = nullptr) {
  SourceManager sources;
  DiagnosticSink diags;
  uint32_t file = sources.add("<expr>", text);
  ast::ExprPtr e = parse_expression(sources, file, diags);
  if (parsed) *parsed = e != nullptr;
  std::vector<std::string> codes;
  for (const auto& d : diags.diagnostics()) codes.push_back(d.code);
  return codes;
}

std::vector<std::string> script_codes(const std::string& text) {
  DiagnosticSink diags;
  Program program = load_program_text("t.sync", text, "/nonexistent", diags);
  check_program(program, CheckOptions{}, diags);
  std::vector<std::string> codes;
  for (const auto& d : diags.diagnostics()) codes.push_back(d.code);
  return codes;
}

const std::string kPrefix =
    "SOURCE ob OCEANBASE (host = 'h', user = 'u'); SINK k KAFKA (bootstrap = 'k:9092'); PROJECT p; "
    "SYNC shop.orders TO TOPIC orders WHERE ";

}  // namespace

TEST_CASE("deep nesting is E0008, not a stack overflow") {
  using V = std::vector<std::string>;
  CHECK(expression_codes(repeat("(", 100000) + "1" + repeat(")", 100000)) == V{"E0008"});
  CHECK(expression_codes(repeat("NOT ", 100000) + "1") == V{"E0008"});
  CHECK(expression_codes(repeat("-", 100000) + "1") == V{"E0008"});
  CHECK(expression_codes(repeat("- ", 100000) + "1") == V{"E0008"});
  CHECK(expression_codes(repeat("CASE WHEN ", 5000) + "1" + repeat(" THEN 1 END", 5000)) == V{"E0008"});
  CHECK(expression_codes("1" + repeat(" + 1", 100000)) == V{"E0008"});
  CHECK(script_codes(kPrefix + "id = 1" + repeat(" OR id = 2", 100000) + ";") == V{"E0008"});
  CHECK(script_codes(kPrefix + repeat("(", 100000) + "id" + repeat(")", 100000) + ";") == V{"E0008"});
}

TEST_CASE("nesting below the limit still parses") {
  bool parsed = false;
  CHECK(expression_codes(repeat("(", 80) + "1" + repeat(")", 80), &parsed).empty());
  CHECK(parsed);
  CHECK(expression_codes("1" + repeat(" + 1", 400), &parsed).empty());
  CHECK(parsed);
}

TEST_CASE("malformed UTF-8 is E0007 and parsing goes on") {
  using V = std::vector<std::string>;
  CHECK(expression_codes("'abc' COLLATE utf8mb4_bin \xbc 'abd'") == V{"E0007", "E0001"});
  CHECK(expression_codes("'caf\xe9'") == V{"E0007"});
  CHECK(expression_codes("'\xed\xa0\x80'") == V{"E0007"});      // a UTF-16 surrogate
  CHECK(expression_codes("'\xc0\xaf'") == V{"E0007"});          // an overlong '/'
  CHECK(expression_codes("'\xe6\x97\xa5\xe6\x9c\xac'").empty());  // 日本
}

TEST_CASE("nesting near the limit parses in reasonable time") {
  // ANTLR's prediction looks ahead through all the nesting: unbounded, 5,000 `(` took 10 s and
  // 1.5 GB and 20,000 prefix `-` overflowed the stack inside the prediction.
  auto start = std::chrono::steady_clock::now();
  bool parsed = false;
  expression_codes(repeat("IFNULL(", 75) + "1" + repeat(", 2)", 75), &parsed);
  CHECK(parsed);
  expression_codes(repeat("CASE WHEN ", 65) + "1" + repeat(" THEN 1 END", 65), &parsed);
  CHECK(parsed);
  CHECK(expression_codes(repeat("- ", 450) + "1", &parsed).empty());
  CHECK(parsed);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("parsing works after the prediction caches are dropped") {
  bool parsed = false;
  CHECK(expression_codes("1 BETWEEN 0 AND 2 OR 'a' LIKE 'b'", &parsed).empty());
  clear_parser_caches();
  CHECK(expression_codes("1 BETWEEN 0 AND 2 OR 'a' LIKE 'b'", &parsed).empty());
  CHECK(parsed);
  CHECK(script_codes(kPrefix + "id > 1 AND;") == std::vector<std::string>{"E0001"});
}

