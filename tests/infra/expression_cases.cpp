// Parser of the differential expression table; the format is documented in its README.
#include "tests/infra/expression_cases.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace obsync::test {
namespace {

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// "key: value" with a known key, else nullopt.
std::optional<std::string_view> directive(std::string_view line, std::string_view key) {
  if (line.size() <= key.size() || line.substr(0, key.size()) != key) return std::nullopt;
  if (line[key.size()] != ':') return std::nullopt;
  return trim(line.substr(key.size() + 1));
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}

}  // namespace

std::string to_mariadb_dialect(std::string_view sql) {
  std::string out(sql);
  replace_all(out, "utf8mb4_0900_ai_ci", "utf8mb4_uca1400_nopad_ai_ci");
  replace_all(out, "utf8mb4_0900_bin", "utf8mb4_nopad_bin");
  return out;
}

std::vector<ExpressionCase> parse_expression_cases(std::istream& in, std::string_view file_name) {
  std::vector<ExpressionCase> cases;
  std::string area = "misc", columns, row_json;
  bool need_row = false;      // `columns:` seen, `row:` not yet
  bool can_annotate = false;  // the last directive-or-case line was a case
  int line_no = 0;
  auto fail = [&](const std::string& why) {
    throw std::runtime_error(fmt::format("{}:{}: {}", file_name, line_no, why));
  };
  auto check_last = [&] {
    if (cases.empty()) return;
    const auto& c = cases.back();
    if ((c.expect_mysql || c.mariadb_expr != c.expr) && c.because.empty())
      throw std::runtime_error(fmt::format(
          "{}:{}: a case with `mariadb:` or `expect-mysql:` needs a `because:` line", file_name,
          c.line));
  };

  for (std::string raw; std::getline(in, raw);) {
    ++line_no;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;  // no expression starts with '#'

    bool indented = raw[0] == ' ' || raw[0] == '\t';
    if (indented) {
      // An annotation of the case above it (comments and blank lines may sit in between).
      if (!can_annotate) fail("annotation not under a case");
      auto& c = cases.back();
      if (auto v = directive(line, "mariadb")) {
        if (v->empty()) fail("empty `mariadb:`");
        c.mariadb_expr = std::string(*v);
      } else if (auto v2 = directive(line, "expect-mysql")) {
        c.expect_mysql = std::string(*v2);
      } else if (auto v3 = directive(line, "because")) {
        c.because = std::string(*v3);
      } else {
        fail("unknown annotation (expected `mariadb:`, `expect-mysql:` or `because:`)");
      }
      continue;
    }

    check_last();
    can_annotate = false;
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3) fail("malformed section header");
      area = std::string(trim(line.substr(1, line.size() - 2)));
      continue;
    }
    if (auto v = directive(line, "columns")) {
      if (*v == "none") {
        columns.clear();
        row_json.clear();
        need_row = false;
      } else {
        if (v->empty()) fail("empty `columns:` (use `columns: none` for constant cases)");
        columns = std::string(*v);
        row_json.clear();
        need_row = true;
      }
      continue;
    }
    if (auto v = directive(line, "row")) {
      if (columns.empty()) fail("`row:` without `columns:`");
      if (v->empty() || v->front() != '{' || v->back() != '}') fail("`row:` needs a JSON object");
      row_json = std::string(*v);
      need_row = false;
      continue;
    }
    if (need_row) fail("a typed case needs a `row:` after `columns:`");
    ExpressionCase c;
    c.line = line_no;
    c.area = area;
    c.expr = std::string(line);
    c.mariadb_expr = c.expr;
    c.columns = columns;
    c.row_json = row_json;
    cases.push_back(std::move(c));
    can_annotate = true;
  }
  check_last();
  return cases;
}

}  // namespace obsync::test
