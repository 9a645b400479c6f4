// obsync repl: not yet available (placeholder registration).
#include <iostream>

#include "tools/obsync/commands.hpp"

namespace obsync::cli {

void register_repl(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("repl", "repl (not yet available)");
  cmd->allow_extras();
  cmd->callback([&action] { action = [] { std::cerr << "error: obsync repl is not available yet\n"; return kExitUsage; }; });
}

}  // namespace obsync::cli
