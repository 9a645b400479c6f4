// obsync command-line entry point: parses arguments and dispatches to the subcommands.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tools/obsync/commands.hpp"

namespace obsync::cli {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "error: cannot read " << path << ": " << std::strerror(errno) << "\n";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

bool load_schema_file(const std::string& path, std::optional<Schema>& schema) {
  std::string text, error;
  if (!read_file(path, text)) return false;
  schema = parse_schema_json(text, error);
  if (!schema) {
    std::cerr << "error: invalid schema file " << path << ": " << error << "\n"
              << "  = help: write it with `obsync schema pull SCRIPT` (format: docs/schema-file.md)\n";
    return false;
  }
  return true;
}

bool use_color() { return isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr; }

}  // namespace obsync::cli

int main(int argc, char** argv) {
  using namespace obsync::cli;
  CLI::App app{"obsync: synchronize OceanBase (MySQL mode) to Kafka with a script"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "obsync 0.1.0");
  Action action;
  register_check(app, action);
  register_fmt(app, action);
  register_explain(app, action);
  register_eval(app, action);
  register_repl(app, action);
  register_binlog(app, action);
  register_schema(app, action);
  register_run(app, action);
  register_precheck(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  try {
    return action ? action() : kExitUsage;
  } catch (const std::exception& e) {
    // Last line of defence: a bug must still end with a message, not a crash.
    std::cerr << "error: internal error: " << e.what() << "\n"
              << "  = help: please report this with the script that caused it\n";
    return kExitUsage;
  }
}
