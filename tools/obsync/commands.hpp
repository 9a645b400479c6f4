// The subcommands of the obsync CLI: each file cmd_<name>.cpp registers one with CLI11.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "compiler/sema/checker.hpp"
#include "compiler/sema/schema.hpp"

namespace obsync::cli {

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // errors in the input (diagnostics), evaluation errors
inline constexpr int kExitUsage = 2;    // bad arguments, unreadable files

// A subcommand registers itself and stores the action to run when it was chosen.
using Action = std::function<int()>;
void register_check(CLI::App& app, Action& action);
void register_fmt(CLI::App& app, Action& action);
void register_explain(CLI::App& app, Action& action);
void register_eval(CLI::App& app, Action& action);
void register_repl(CLI::App& app, Action& action);
void register_binlog(CLI::App& app, Action& action);
void register_binlog_tail(CLI::App& binlog, Action& action);  // under `binlog`
void register_schema(CLI::App& app, Action& action);
void register_run(CLI::App& app, Action& action);  // run and status
void register_precheck(CLI::App& app, Action& action);

// Evaluates one expression over an optional typed row (JSON) and prints its MySQL text form;
// diagnostics and evaluation errors go to `err`. Returns the exit code (0, 1 or 2).
int evaluate_and_print(const std::string& expr_text, const std::vector<ColumnSchema>& columns,
                       const std::string& row_json, std::ostream& out, std::ostream& err);

// Loads and checks a script; prints diagnostics to stderr; false when it has errors or cannot
// be read.
bool load_plan(const std::string& path, Program& program, Plan& plan, const Schema* schema);

// Reads `--schema FILE`; on failure prints why (with the JSON pointer) and returns false.
bool load_schema_file(const std::string& path, std::optional<Schema>& schema);

// Reads a whole file; false (with a message printed to stderr) when it cannot.
bool read_file(const std::string& path, std::string& out);
// Diagnostics go to stderr in color only when stderr is a terminal and NO_COLOR is unset.
bool use_color();

}  // namespace obsync::cli
