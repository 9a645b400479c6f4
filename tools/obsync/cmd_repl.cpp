// obsync repl: an interactive session that grows a script statement by statement, checks it as
// it goes and evaluates expressions. With stdin not a terminal it reads the same input from stdin
// (no prompts, no history), so sessions are scriptable and testable.
#include <editline/readline.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "compiler/fmt/formatter_hook.hpp"
#include "compiler/sema/checker.hpp"
#include "tools/obsync/commands.hpp"
#include "tools/obsync/plan_printer.hpp"

namespace obsync::cli {

namespace {

constexpr const char* kHelp = R"(Statements (SOURCE, SINK, PROJECT, SYNC, INCLUDE) end with `;` and may span lines.
Each is checked against the session so far and kept when it parses.
  \help                       this text
  \check                      check the whole session
  \explain                    the resolved plan of the session
  \eval EXPR [WITH ROW {...}] evaluate an expression (columns from \columns)
  \columns DEFS               typed columns for \eval: id BIGINT, name VARCHAR(20), ...
  \schema load FILE           resolve tables and columns against a schema file
  \format                     print the session in canonical layout
  \show                       print the session as entered
  \reset                      forget every statement
  \quit                       leave (also Ctrl-D)
)";

class Repl {
 public:
  Repl(bool interactive, std::string base_dir) : interactive_(interactive), base_dir_(std::move(base_dir)) {}

  bool load_file(const std::string& path) {
    std::string text;
    if (!read_file(path, text)) return false;
    base_dir_ = std::filesystem::path(path).parent_path().string();
    add_statements(text, /*echo_ok=*/false);
    return true;
  }

  int run() {
    if (interactive_) {
      history_path_ = history_file();
      read_history(history_path_.c_str());
      std::cout << "obsync repl — \\help for commands, \\quit to leave\n";
    }
    std::string pending;
    for (;;) {
      std::string line;
      if (!next_line(pending.empty() ? "obsync> " : "     -> ", line)) break;
      if (pending.empty()) {
        std::string_view trimmed = trim(line);
        if (trimmed.empty()) continue;
        if (trimmed[0] == '\\') {
          if (!command(trimmed)) break;
          continue;
        }
      }
      pending += line;
      pending += '\n';
      if (statement_complete(pending)) {
        add_statements(pending, true);
        pending.clear();
      }
    }
    if (!trim(pending).empty()) {
      std::cerr << "error: the last statement has no `;` and was not added\n";
      exit_code_ = kExitFailure;
    }
    if (interactive_) write_history(history_path_.c_str());
    return exit_code_;
  }

 private:
  static std::string_view trim(std::string_view s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
  }

  static std::string history_file() {
    const char* home = std::getenv("HOME");
    return home ? std::string(home) + "/.obsync_history" : std::string(".obsync_history");
  }

  bool next_line(const char* prompt, std::string& out) {
    if (interactive_) {
      char* l = readline(prompt);
      if (!l) return false;
      out = l;
      if (*l) add_history(l);
      std::free(l);
      return true;
    }
    return static_cast<bool>(std::getline(std::cin, out));
  }

  // A statement is complete at a `;` outside strings, quoted names and comments.
  static bool statement_complete(std::string_view s) {
    char quote = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (quote) {
        if (c == '\\' && quote == '\'') ++i;
        else if (c == quote) quote = 0;
        continue;
      }
      if (c == '\'' || c == '`' || c == '"') quote = c;
      else if (c == '#' || (c == '-' && i + 2 < s.size() && s[i + 1] == '-' && (s[i + 2] == ' ' || s[i + 2] == '\t'))) {
        while (i < s.size() && s[i] != '\n') ++i;
      } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
        size_t end = s.find("*/", i + 2);
        if (end == std::string_view::npos) return false;
        i = end + 1;
      } else if (c == ';') {
        if (trim(s.substr(i + 1)).empty()) return true;
      }
    }
    return false;
  }

  // Checks the session plus `text`; keeps `text` when it parses. Prints diagnostics of `text`.
  void add_statements(const std::string& text, bool echo_ok) {
    std::string candidate = session_ + text;
    DiagnosticSink diags;
    Program program = load_program_text("<repl>", candidate, base_dir_, diags);
    size_t new_begin = session_.size();
    bool syntax_error = false;
    for (const auto& d : diags.diagnostics())
      if (d.has_span && d.span.file == 0 && d.span.begin >= new_begin && d.code < "E0010") syntax_error = true;
    if (syntax_error) {
      diags.sort_by_location();
      for (const auto& d : diags.diagnostics())
        if (!d.has_span || d.span.file != 0 || d.span.begin >= new_begin)
          std::cerr << render_human(d, program.sources, interactive_ && use_color());
      std::cerr << "error: statement not added (syntax error)\n";
      exit_code_ = kExitFailure;
      return;
    }
    session_ = candidate;
    // Only what the new statements add: "no PROJECT yet" is normal while a session grows.
    CheckOptions options;
    options.schema = schema_ ? &*schema_ : nullptr;
    check_program(program, options, diags);
    diags.sort_by_location();
    size_t shown = 0;
    for (const auto& d : diags.diagnostics()) {
      if (!d.has_span || d.span.file != 0 || d.span.begin < new_begin) continue;
      if (d.code == "E0100" || d.code == "W0004" || d.code == "E0112") continue;  // normal mid-session
      std::cerr << render_human(d, program.sources, interactive_ && use_color());
      ++shown;
    }
    if (echo_ok && shown == 0 && interactive_) std::cout << "ok\n";
  }

  bool command(std::string_view line) {
    std::string_view name = line.substr(0, line.find_first_of(" \t"));
    std::string_view rest = name.size() < line.size() ? trim(line.substr(name.size())) : std::string_view{};
    if (name == "\\quit" || name == "\\q" || name == "\\exit") return false;
    if (name == "\\help" || name == "\\h" || name == "\\?") {
      std::cout << kHelp;
    } else if (name == "\\check") {
      check(false);
    } else if (name == "\\explain") {
      check(true);
    } else if (name == "\\eval") {
      eval(rest);
    } else if (name == "\\columns") {
      std::string error;
      auto defs = parse_column_definitions(rest, error);
      if (!defs) {
        std::cerr << "error: " << error << "\n";
        exit_code_ = kExitFailure;
      } else {
        columns_ = std::move(*defs);
        if (interactive_) std::cout << fmt::format("{} column(s)\n", columns_.size());
      }
    } else if (name == "\\schema") {
      schema_command(rest);
    } else if (name == "\\format") {
      DiagnosticSink diags;
      Program program = load_program_text("<repl>", session_, base_dir_, diags);
      std::string formatted;
      if (!format_hook(program, formatted)) {
        std::cerr << "error: the session has statements with syntax errors; nothing was formatted\n";
        exit_code_ = kExitFailure;
      } else {
        std::cout << formatted;
      }
    } else if (name == "\\show") {
      std::cout << session_;
    } else if (name == "\\reset") {
      session_.clear();
    } else {
      std::cerr << fmt::format("error: unknown command `{}`\n  = help: \\help lists the commands\n", name);
      exit_code_ = kExitFailure;
    }
    return true;
  }

  void check(bool explain) {
    DiagnosticSink diags;
    Program program = load_program_text("<repl>", session_, base_dir_, diags);
    CheckOptions options;
    options.schema = schema_ ? &*schema_ : nullptr;
    Plan plan = check_program(program, options, diags);
    diags.sort_by_location();
    for (const auto& d : diags.diagnostics()) std::cerr << render_human(d, program.sources, interactive_ && use_color());
    if (diags.has_errors()) {
      exit_code_ = kExitFailure;
      std::cerr << fmt::format("error: {} error(s), {} warning(s)\n", diags.error_count(), diags.warning_count());
      return;
    }
    if (explain) print_plan(std::cout, program, plan, false);
    else std::cout << fmt::format("ok: {} warning(s)\n", diags.warning_count());
  }

  void eval(std::string_view rest) {
    std::string expr(rest), row;
    // WITH ROW {...} at the end (outside strings).
    size_t pos = std::string::npos;
    char quote = 0;
    for (size_t i = 0; i + 8 <= expr.size(); ++i) {
      char c = expr[i];
      if (quote) {
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '\'' || c == '`') quote = c;
      else if ((i == 0 || std::isspace(static_cast<unsigned char>(expr[i - 1]))) &&
               strncasecmp(expr.c_str() + i, "WITH ROW", 8) == 0)
        pos = i;
    }
    if (pos != std::string::npos) {
      row = std::string(trim(std::string_view(expr).substr(pos + 8)));
      expr = std::string(trim(std::string_view(expr).substr(0, pos)));
    }
    if (trim(expr).empty()) {
      std::cerr << "error: \\eval needs an expression\n  = help: \\eval 1 + 2\n";
      exit_code_ = kExitFailure;
      return;
    }
    int rc = evaluate_and_print(expr, columns_, row, std::cout, std::cerr);
    if (rc != kExitOk) exit_code_ = kExitFailure;
  }

  void schema_command(std::string_view rest) {
    std::string_view verb = rest.substr(0, rest.find_first_of(" \t"));
    std::string path(trim(rest.substr(verb.size())));
    if (verb != "load" || path.empty()) {
      std::cerr << "error: usage: \\schema load FILE\n";
      exit_code_ = kExitFailure;
      return;
    }
    std::string text, error;
    if (!read_file(path, text)) {
      exit_code_ = kExitFailure;
      return;
    }
    auto schema = parse_schema_json(text, error);
    if (!schema) {
      std::cerr << "error: invalid schema file " << path << ": " << error << "\n";
      exit_code_ = kExitFailure;
      return;
    }
    schema_ = std::move(*schema);
    if (interactive_) std::cout << fmt::format("schema: {} database(s)\n", schema_->databases.size());
  }

  bool interactive_;
  std::string base_dir_;
  std::string history_path_;
  std::string session_;
  std::vector<ColumnSchema> columns_;
  std::optional<Schema> schema_;
  int exit_code_ = kExitOk;
};

}  // namespace

void register_repl(CLI::App& app, Action& action) {
  auto file = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("repl", "Interactive session: statements, \\check, \\explain, \\eval (reads stdin when not a terminal)");
  cmd->add_option("file", *file, "a script to start from");
  cmd->callback([file, &action] {
    action = [file] {
      Repl repl(isatty(STDIN_FILENO), ".");
      if (!file->empty() && !repl.load_file(*file)) return kExitUsage;
      return repl.run();
    };
  });
}

}  // namespace obsync::cli
