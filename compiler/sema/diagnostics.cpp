// Rendering of diagnostics and the did-you-mean search.
#include "compiler/sema/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace obsync {

uint32_t SourceManager::add(std::string path, std::string text) {
  SourceFile f{std::move(path), std::move(text), {0}};
  for (uint32_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  files_.push_back(std::move(f));
  return static_cast<uint32_t>(files_.size() - 1);
}

static uint32_t count_chars(std::string_view s) {
  uint32_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

LineCol SourceManager::location(uint32_t file_id, uint32_t offset) const {
  const SourceFile& f = file(file_id);
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(f.text.size()));
  auto it = std::upper_bound(f.line_starts.begin(), f.line_starts.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - f.line_starts.begin());
  uint32_t start = f.line_starts[line - 1];
  return {line, 1 + count_chars(std::string_view(f.text).substr(start, offset - start))};
}

std::string_view SourceManager::line_text(uint32_t file_id, uint32_t line) const {
  const SourceFile& f = file(file_id);
  if (line == 0 || line > f.line_starts.size()) return {};
  uint32_t start = f.line_starts[line - 1];
  uint32_t end = line < f.line_starts.size() ? f.line_starts[line] - 1 : static_cast<uint32_t>(f.text.size());
  std::string_view s = std::string_view(f.text).substr(start, end - start);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

std::string_view SourceManager::text(const SourceSpan& span) const {
  const SourceFile& f = file(span.file);
  uint32_t b = std::min<uint32_t>(span.begin, static_cast<uint32_t>(f.text.size()));
  uint32_t e = std::clamp<uint32_t>(span.end, b, static_cast<uint32_t>(f.text.size()));
  return std::string_view(f.text).substr(b, e - b);
}

void DiagnosticSink::error(std::string code, SourceSpan span, std::string message, std::string help) {
  diagnostics_.push_back({Severity::Error, std::move(code), std::move(message), span, true, std::move(help)});
}
void DiagnosticSink::warning(std::string code, SourceSpan span, std::string message, std::string help) {
  diagnostics_.push_back({Severity::Warning, std::move(code), std::move(message), span, true, std::move(help)});
}
void DiagnosticSink::error_no_span(std::string code, std::string message, std::string help) {
  diagnostics_.push_back({Severity::Error, std::move(code), std::move(message), {}, false, std::move(help)});
}
size_t DiagnosticSink::error_count() const {
  return std::count_if(diagnostics_.begin(), diagnostics_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Error; });
}
size_t DiagnosticSink::warning_count() const { return diagnostics_.size() - error_count(); }

void DiagnosticSink::sort_by_location() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.has_span != b.has_span) return !a.has_span;
    if (a.span.file != b.span.file) return a.span.file < b.span.file;
    return a.span.begin < b.span.begin;
  });
}

static const char* severity_name(Severity s) { return s == Severity::Error ? "error" : "warning"; }

// Tabs are shown as one space so that the caret lines up whatever the terminal's tab width.
static std::string printable_line(std::string_view line) {
  std::string out(line);
  std::replace(out.begin(), out.end(), '\t', ' ');
  return out;
}

std::string render_human(const Diagnostic& d, const SourceManager& sources, bool color) {
  const char* bold = color ? "\x1b[1m" : "";
  const char* sev_color = color ? (d.severity == Severity::Error ? "\x1b[1;31m" : "\x1b[1;33m") : "";
  const char* reset = color ? "\x1b[0m" : "";
  std::string out;
  if (!d.has_span) {
    out = fmt::format("{}{}[{}]{}: {}{}{}\n", sev_color, severity_name(d.severity), d.code, reset, bold,
                      d.message, reset);
  } else {
    const SourceFile& f = sources.file(d.span.file);
    LineCol b = sources.location(d.span.file, d.span.begin);
    LineCol e = sources.location(d.span.file, std::max(d.span.end, d.span.begin));
    out = fmt::format("{}:{}:{}: {}{}[{}]{}: {}{}{}\n", f.path, b.line, b.col, sev_color,
                      severity_name(d.severity), d.code, reset, bold, d.message, reset);
    std::string gutter = std::to_string(b.line);
    std::string pad(gutter.size(), ' ');
    std::string_view line = sources.line_text(d.span.file, b.line);
    uint32_t width = 1;
    if (e.line == b.line && e.col > b.col) width = e.col - b.col;
    if (e.line != b.line) width = std::max<uint32_t>(1, count_chars(line) + 1 - b.col);
    out += fmt::format("{} |\n{} | {}\n{} | {}{}{}{}\n", pad, gutter, printable_line(line), pad,
                       std::string(b.col - 1, ' '), sev_color, std::string(width, '^'), reset);
  }
  if (!d.help.empty()) out += fmt::format("  = help: {}\n", d.help);
  return out;
}

std::string render_json(const std::vector<Diagnostic>& diagnostics, const SourceManager& sources) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  size_t errors = 0, warnings = 0;
  for (const Diagnostic& d : diagnostics) {
    (d.severity == Severity::Error ? errors : warnings)++;
    nlohmann::ordered_json j;
    j["severity"] = severity_name(d.severity);
    j["code"] = d.code;
    j["message"] = d.message;
    if (d.has_span) {
      LineCol b = sources.location(d.span.file, d.span.begin);
      LineCol e = sources.location(d.span.file, std::max(d.span.end, d.span.begin));
      j["file"] = sources.file(d.span.file).path;
      j["line"] = b.line;
      j["col"] = b.col;
      j["end_line"] = e.line;
      j["end_col"] = e.col;
    } else {
      j["file"] = nullptr;
      j["line"] = nullptr;
      j["col"] = nullptr;
      j["end_line"] = nullptr;
      j["end_col"] = nullptr;
    }
    j["help"] = d.help.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(d.help);
    list.push_back(std::move(j));
  }
  nlohmann::ordered_json doc;
  doc["valid"] = errors == 0;
  doc["error_count"] = errors;
  doc["warning_count"] = warnings;
  doc["diagnostics"] = std::move(list);
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

static size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(1, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace obsync
