// Loading a script and its includes, with cycle detection.
#include "compiler/sema/program.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>

namespace obsync {
namespace fs = std::filesystem;

namespace {

bool read_text(const fs::path& path, std::string& out, std::string& error) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    error = "is a directory";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::string canonical_key(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal().string() : c.string();
}

class Loader {
 public:
  Loader(Program& program, DiagnosticSink& diags) : program_(program), diags_(diags) {}

  void load_file_text(const std::string& display, const fs::path& dir, std::string text) {
    uint32_t id = program_.sources.add(display, std::move(text));
    size_t index = program_.files.size();
    program_.files.push_back(parse_script(program_.sources, id, diags_));
    // Copy the include list: the vector of files grows while we recurse.
    std::vector<ast::IncludeStmt> includes;
    for (const auto& st : program_.files[index].script.statements)
      if (st.kind == ast::StatementKind::Include) includes.push_back(st.include);
    for (const auto& inc : includes) include(inc, dir);
  }

  void include(const ast::IncludeStmt& inc, const fs::path& dir) {
    fs::path target = fs::path(inc.path.text).is_absolute() ? fs::path(inc.path.text) : dir / inc.path.text;
    std::string key = canonical_key(target);
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i] != key) continue;
      std::string chain;
      for (size_t j = i; j < stack_.size(); ++j) chain += fs::path(stack_[j]).filename().string() + " -> ";
      chain += fs::path(key).filename().string();
      diags_.error("E0011", inc.path.span, fmt::format("include cycle: {}", chain),
                   "move the shared declarations into a file that includes nothing");
      return;
    }
    if (loaded_.count(key)) return;  // included twice on different paths: once is enough
    std::string text, error;
    if (!read_text(target, text, error)) {
      diags_.error("E0010", inc.path.span, fmt::format("cannot include '{}': {}", inc.path.text, error),
                   fmt::format("the path is relative to the including file's folder ({})",
                               dir.empty() ? "." : dir.string()));
      ++program_.failed_includes;
      return;
    }
    loaded_.insert(key);
    stack_.push_back(key);
    std::string display = (dir.empty() ? fs::path(inc.path.text) : dir / inc.path.text).lexically_normal().string();
    load_file_text(display, target.parent_path(), std::move(text));
    stack_.pop_back();
  }

  void enter(const std::string& key) {
    stack_.push_back(key);
    loaded_.insert(key);
  }

 private:
  Program& program_;
  DiagnosticSink& diags_;
  std::vector<std::string> stack_;
  std::set<std::string> loaded_;
};

}  // namespace

Program load_program(const std::string& path, DiagnosticSink& diags) {
  Program program;
  std::string text, error;
  if (!read_text(path, text, error)) {
    program.main_file_missing = true;
    program.io_error = fmt::format("cannot read {}: {}", path, error);
    return program;
  }
  Loader loader(program, diags);
  loader.enter(canonical_key(path));
  loader.load_file_text(path, fs::path(path).parent_path(), std::move(text));
  return program;
}

Program load_program_text(const std::string& name, std::string text, const std::string& base_dir,
                          DiagnosticSink& diags) {
  Program program;
  Loader loader(program, diags);
  loader.load_file_text(name, base_dir, std::move(text));
  return program;
}

}  // namespace obsync
