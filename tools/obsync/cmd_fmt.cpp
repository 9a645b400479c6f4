// obsync fmt: rewrite scripts in the canonical layout (docs/formatting.md), or list the ones
// that are not (--check).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <iterator>

#include "compiler/fmt/formatter.hpp"
#include "tools/obsync/commands.hpp"

namespace obsync::cli {

namespace {

struct FmtArgs {
  std::vector<std::string> files;
  bool check = false;
};

enum class Outcome { Unchanged, Changed, SyntaxError, Failed };

// Formats `text`; nullopt after printing the diagnostics when it does not parse cleanly
// (`failure` = SyntaxError) or, a bug, when the result would not mean the same (Failed, as
// for a file that cannot be read or written: exit 2).
std::optional<std::string> format_text(const std::string& path, std::string text,
                                       Outcome& failure) {
  failure = Outcome::SyntaxError;
  SourceManager sources;
  uint32_t file = sources.add(path, std::move(text));
  DiagnosticSink diags;
  ParsedScript parsed = parse_script(sources, file, diags);
  if (diags.has_errors()) {
    diags.sort_by_location();
    for (const auto& d : diags.diagnostics())
      std::cerr << render_human(d, sources, use_color()) << "\n";
    std::cerr << "error: " << path << " has syntax errors; not formatted\n";
    return std::nullopt;
  }
  std::string out = format_script(sources, parsed);
  // The formatter never changes meaning: check it on every run, it costs one more parse.
  SourceManager again_sources;
  uint32_t again_file = again_sources.add(path, out);
  DiagnosticSink again_diags;
  ParsedScript again = parse_script(again_sources, again_file, again_diags);
  std::string why;
  if (again_diags.has_errors() || !same_meaning(parsed.script, again.script, &why)) {
    std::cerr << "error: internal error: formatting " << path << " would change it"
              << (why.empty() ? std::string(" (the result does not parse)") : ": " + why) << "\n"
              << "  = help: please report this with the script; the file was left as it was\n";
    failure = Outcome::Failed;
    return std::nullopt;
  }
  return out;
}

// Writes `text` beside `path` and renames it over `path`, keeping the file's permissions.
bool replace_file(const std::string& path, const std::string& text) {
  struct stat st{};
  bool have_mode = ::stat(path.c_str(), &st) == 0;
  std::string tmp = path + ".obsync-fmt.XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    std::cerr << "error: cannot write " << path << ": " << std::strerror(errno) << "\n";
    return false;
  }
  bool ok = true;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      ok = false;
    else
      done += static_cast<size_t>(n);
  }
  if (ok && have_mode) ok = ::fchmod(fd, st.st_mode & 07777) == 0;
  if (ok) ok = ::fsync(fd) == 0;
  int saved = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    std::cerr << "error: cannot write " << path << ": " << std::strerror(saved) << "\n";
  }
  return ok;
}

Outcome format_file(const std::string& path, bool check) {
  std::string text;
  if (!read_file(path, text)) return Outcome::Failed;
  Outcome failure;
  std::optional<std::string> out = format_text(path, text, failure);
  if (!out) return failure;
  if (*out == text) return Outcome::Unchanged;
  if (check) {
    std::cout << path << "\n";
    return Outcome::Changed;
  }
  return replace_file(path, *out) ? Outcome::Changed : Outcome::Failed;
}

// `-` (or no file): standard input to standard output.
Outcome format_stdin(bool check) {
  std::string text(std::istreambuf_iterator<char>(std::cin), {});
  Outcome failure;
  std::optional<std::string> out = format_text("<stdin>", text, failure);
  if (!out) return failure;
  if (check) {
    if (*out == text) return Outcome::Unchanged;
    std::cout << "<stdin>\n";
    return Outcome::Changed;
  }
  std::cout << *out;
  return Outcome::Unchanged;
}

int run_fmt(const FmtArgs& args) {
  std::vector<std::string> files = args.files;
  if (files.empty()) files.push_back("-");
  bool failed_io = false, failed = false;
  for (const auto& f : files) {
    Outcome o = f == "-" ? format_stdin(args.check) : format_file(f, args.check);
    if (o == Outcome::Failed) failed_io = true;
    if (o == Outcome::SyntaxError || (args.check && o == Outcome::Changed)) failed = true;
  }
  if (failed_io) return kExitUsage;
  return failed ? kExitFailure : kExitOk;
}

}  // namespace

void register_fmt(CLI::App& app, Action& action) {
  auto args = std::make_shared<FmtArgs>();
  auto* cmd = app.add_subcommand(
      "fmt",
      "Rewrite scripts in the canonical layout; --check lists those that would change (exit 1)");
  cmd->add_option("files", args->files,
                  "script files; `-` or none: standard input to standard output");
  cmd->add_flag("--check", args->check,
                "rewrite nothing; list the files that would change and exit 1 if any");
  cmd->callback([args, &action] { action = [args] { return run_fmt(*args); }; });
}

}  // namespace obsync::cli
