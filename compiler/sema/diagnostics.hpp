// Source files, spans and compiler-style diagnostics (human and JSON renderings).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace obsync {

// A byte range in one source file.
struct SourceSpan {
  uint32_t file = 0;
  uint32_t begin = 0;  // byte offset of the first byte
  uint32_t end = 0;    // byte offset one past the last byte
};

struct SourceFile {
  std::string path;   // as the user named it (for messages)
  std::string text;
  std::vector<uint32_t> line_starts;
};

struct LineCol {
  uint32_t line = 1;  // 1-based
  uint32_t col = 1;   // 1-based, in characters (UTF-8 code points)
};

// Owns every file read during one compilation so that spans stay valid and printable.
class SourceManager {
 public:
  uint32_t add(std::string path, std::string text);
  const SourceFile& file(uint32_t id) const { return files_.at(id); }
  size_t size() const { return files_.size(); }
  LineCol location(uint32_t file, uint32_t offset) const;
  std::string_view line_text(uint32_t file, uint32_t line) const;  // without the newline
  std::string_view text(const SourceSpan& span) const;

 private:
  std::vector<SourceFile> files_;
};

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string code;     // "E0203"; stable, listed in docs/diagnostics.md
  std::string message;
  SourceSpan span;
  bool has_span = true;
  std::string help;     // "did you mean `amount`?"; empty when none fits
};

// Collects diagnostics; checks never stop at the first error.
class DiagnosticSink {
 public:
  void error(std::string code, SourceSpan span, std::string message, std::string help = {});
  void warning(std::string code, SourceSpan span, std::string message, std::string help = {});
  void error_no_span(std::string code, std::string message, std::string help = {});
  void add(Diagnostic d) { diagnostics_.push_back(std::move(d)); }

  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  size_t error_count() const;
  size_t warning_count() const;
  bool has_errors() const { return error_count() > 0; }
  void sort_by_location();  // file, then offset; stable for equal positions
  void clear() { diagnostics_.clear(); }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// `file:line:col: error[E0203]: message`, the source line, a caret line, `help:`.
std::string render_human(const Diagnostic& d, const SourceManager& sources, bool color = false);
// {"valid", "error_count", "warning_count", "diagnostics": [...]}
std::string render_json(const std::vector<Diagnostic>& diagnostics, const SourceManager& sources);

// The closest candidate within a small edit distance, for did-you-mean help; empty if none.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace obsync
