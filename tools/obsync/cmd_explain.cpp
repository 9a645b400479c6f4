// obsync explain: not yet available (placeholder registration).
#include <iostream>

#include "tools/obsync/commands.hpp"

namespace obsync::cli {

void register_explain(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("explain", "explain (not yet available)");
  cmd->allow_extras();
  cmd->callback([&action] { action = [] { std::cerr << "error: obsync explain is not available yet\n"; return kExitUsage; }; });
}

}  // namespace obsync::cli
