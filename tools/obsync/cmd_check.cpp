// obsync check: parse and validate scripts offline, like a compiler (no network).
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "compiler/sema/checker.hpp"
#include "tools/obsync/commands.hpp"

namespace obsync::cli {

namespace {

struct CheckArgs {
  std::vector<std::string> files;
  std::string schema_path;
  std::string format = "human";
  bool strict = false;
};

int run_check(const CheckArgs& args) {
  std::optional<Schema> schema;
  if (!args.schema_path.empty() && !load_schema_file(args.schema_path, schema)) return kExitUsage;
  bool io_failure = false;
  size_t errors = 0, warnings = 0;
  nlohmann::ordered_json json_list = nlohmann::ordered_json::array();
  for (const auto& file : args.files) {
    DiagnosticSink diags;
    Program program = load_program(file, diags);
    if (program.main_file_missing) {
      std::cerr << "error: " << program.io_error << "\n";
      io_failure = true;
      continue;
    }
    CheckOptions options;
    options.schema = schema ? &*schema : nullptr;
    check_program(program, options, diags);
    diags.sort_by_location();
    errors += diags.error_count();
    warnings += diags.warning_count();
    if (args.format == "json") {
      auto doc = nlohmann::ordered_json::parse(render_json(diags.diagnostics(), program.sources));
      for (auto& d : doc["diagnostics"]) json_list.push_back(std::move(d));
    } else {
      for (const auto& d : diags.diagnostics()) std::cerr << render_human(d, program.sources, use_color()) << "\n";
    }
  }
  if (args.format == "json") {
    nlohmann::ordered_json doc;
    doc["valid"] = errors == 0 && !io_failure;
    doc["error_count"] = errors;
    doc["warning_count"] = warnings;
    doc["diagnostics"] = std::move(json_list);
    std::cout << doc.dump(2) << "\n";
  } else if (errors || warnings) {
    std::cerr << fmt::format("{}: {} error{}, {} warning{}\n", errors ? "error" : "warning", errors,
                             errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
  }
  if (io_failure) return kExitUsage;
  if (errors || (args.strict && warnings)) return kExitFailure;
  return kExitOk;
}

}  // namespace

void register_check(CLI::App& app, Action& action) {
  auto args = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand("check", "Parse and validate scripts offline (exit 0 clean, 1 errors, 2 usage/IO)");
  cmd->add_option("files", args->files, "script files")->required();
  cmd->add_option("--schema", args->schema_path, "schema file (from `obsync schema pull`) to resolve tables and columns");
  cmd->add_option("--format", args->format, "human or json")->check(CLI::IsMember({"human", "json"}));
  cmd->add_flag("--strict", args->strict, "warnings fail the check too");
  cmd->callback([args, &action] { action = [args] { return run_check(*args); }; });
}

}  // namespace obsync::cli
