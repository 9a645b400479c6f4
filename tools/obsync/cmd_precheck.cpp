// obsync precheck: the live checks of a script's source and sink, one line each.
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "runtime/precheck/precheck.hpp"
#include "tools/obsync/commands.hpp"

namespace obsync::cli {

namespace {

struct PrecheckArgs {
  std::string script;
};

int run_precheck(const PrecheckArgs& args) {
  Program program;
  Plan plan;
  if (!load_plan(args.script, program, plan, nullptr)) return kExitFailure;
  auto results = precheck::run_prechecks(program, plan);
  bool color = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  size_t failed = 0, warned = 0;
  for (const auto& r : results) {
    const char* word = r.outcome == precheck::Outcome::Pass ? "pass" : r.outcome == precheck::Outcome::Warn ? "warn" : "FAIL";
    const char* c = r.outcome == precheck::Outcome::Pass ? "\033[32m" : r.outcome == precheck::Outcome::Warn ? "\033[33m" : "\033[31m";
    std::cout << fmt::format("{}{}{}  {}: {}\n", color ? c : "", word, color ? "\033[0m" : "", r.what, r.why);
    failed += r.outcome == precheck::Outcome::Fail;
    warned += r.outcome == precheck::Outcome::Warn;
  }
  std::cout << fmt::format("{} checks: {} failed, {} warnings\n", results.size(), failed, warned);
  return failed ? kExitFailure : kExitOk;
}

}  // namespace

void register_precheck(CLI::App& app, Action& action) {
  auto args = std::make_shared<PrecheckArgs>();
  auto* cmd = app.add_subcommand("precheck", "Check the script against the live source and Kafka (exit 0: nothing failed)");
  cmd->add_option("script", args->script, "script file")->required();
  cmd->callback([args, &action] { action = [args] { return run_precheck(*args); }; });
}

}  // namespace obsync::cli
