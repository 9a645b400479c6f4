// obsync fmt: not yet available (placeholder registration).
#include <iostream>

#include "tools/obsync/commands.hpp"

namespace obsync::cli {

void register_fmt(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("fmt", "fmt (not yet available)");
  cmd->allow_extras();
  cmd->callback([&action] { action = [] { std::cerr << "error: obsync fmt is not available yet\n"; return kExitUsage; }; });
}

}  // namespace obsync::cli
