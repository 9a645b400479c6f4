// obsync binlog tail and obsync schema pull: the commands that talk to a script's live source.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>

#include <fmt/format.h>

#include "compiler/sema/checker.hpp"
#include "compiler/sema/route.hpp"
#include "runtime/source/binlog_stream.hpp"
#include "runtime/source/change_reader.hpp"
#include "runtime/source/schema_history.hpp"
#include "runtime/source/source_config.hpp"
#include "runtime/state/checkpoint.hpp"
#include "tools/obsync/change_json.hpp"
#include "tools/obsync/commands.hpp"

namespace obsync::cli {

bool load_plan(const std::string& path, Program& program, Plan& plan, const Schema* schema) {
  DiagnosticSink diags;
  program = load_program(path, diags);
  if (program.main_file_missing) {
    std::cerr << "error: " << program.io_error << "\n";
    return false;
  }
  CheckOptions options;
  options.schema = schema;
  plan = check_program(program, options, diags);
  diags.sort_by_location();
  for (const auto& d : diags.diagnostics()) std::cerr << render_human(d, program.sources, use_color()) << "\n";
  if (diags.has_errors()) {
    std::cerr << "error: the script has errors; fix them first (obsync check)\n";
    return false;
  }
  return true;
}

namespace {

std::atomic<source::ChangeReader*> g_reader{nullptr};
extern "C" void on_stop_signal(int) {
  if (auto* r = g_reader.load()) r->stop();
}

// The databases a script's SYNC statements name (patterns on tables need the whole database).
std::vector<std::string> script_databases(const Plan& plan) {
  std::set<std::string> dbs;
  for (const auto& s : plan.syncs)
    for (const auto& r : s.refs) dbs.insert(r.database.text);
  return {dbs.begin(), dbs.end()};
}

// Prints each row change as one JSON line (the form of `binlog print`), flushed at each commit.
class TailPrinter : public source::ChangeConsumer {
 public:
  explicit TailPrinter(uint64_t limit) : limit_(limit) {}
  void begin(const source::TransactionInfo&) override {}
  void rows(const source::TransactionInfo& txn, RowBatch& batch) override {
    names_.clear();
    types_.clear();
    if (batch.schema)
      for (const auto& c : batch.schema->columns) names_.push_back(c.name);
    for (const auto& c : batch.after) types_.push_back(&c.type());
    for (size_t i = 0; i < batch.size(); i++) {
      line_.clear();
      append_change_head(line_, {txn.begin.file, txn.begin.offset, txn.gtid, txn.commit_ts_us / 1000000,
                                 batch.database, batch.table, change_op_name(batch.ops[i]),
                                 batch.schema ? &names_ : nullptr});
      line_ += ",\"before\":";
      if (batch.has_before[i]) {
        batch.row_values(i, true, values_);
        append_json_image(line_, values_, types_);
      } else {
        line_ += "null";
      }
      line_ += ",\"after\":";
      if (batch.has_after[i]) {
        batch.row_values(i, false, values_);
        append_json_image(line_, values_, types_);
      } else {
        line_ += "null";
      }
      line_ += "}\n";
      std::fwrite(line_.data(), 1, line_.size(), stdout);
      printed_++;
    }
  }
  void commit(const source::TransactionInfo&) override {
    std::fflush(stdout);
    if (limit_ && printed_ >= limit_)
      if (auto* r = g_reader.load()) r->stop();
  }
  void notice(std::string_view message) override { std::cerr << "note: " << message << "\n"; }

 private:
  uint64_t limit_;
  uint64_t printed_ = 0;
  std::vector<std::string> names_;
  std::vector<const SqlType*> types_;
  std::vector<Value> values_;
  std::string line_;
};

struct TailArgs {
  std::string script;
  std::string from;
  uint64_t limit = 0;
};

int run_binlog_tail(const TailArgs& args) {
  Program program;
  Plan plan;
  if (!load_plan(args.script, program, plan, nullptr)) return kExitFailure;
  std::string error;
  auto config = source::source_config_from_plan(plan, error);
  if (!config) {
    std::cerr << "error: " << error << "\n";
    return kExitFailure;
  }
  std::string from_text = args.from.empty() ? plan.project.start_at : args.from;
  auto start = source::parse_start_position(from_text, error);
  if (!start) {
    std::cerr << "error: --from: " << error << "\n";
    return kExitUsage;
  }
  try {
    source::SqlConnection sql(*config, config->sql);
    source::StartPosition resolved = source::resolve_start(*config, sql, *start);
    source::SchemaHistory history;
    // The catalog as it is now: DDL between the start and now is caught by the TABLE_MAP check.
    history.load_catalog(sql, resolved.position);
    source::ChangeReaderOptions options;
    options.in_scope = [&plan](std::string_view db, std::string_view table) {
      return route_table(plan, db, table) >= 0;
    };
    TailPrinter printer(args.limit);
    source::ChangeReader reader(*config, history, printer, options);
    g_reader = &reader;
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    std::cerr << fmt::format("tailing {} from {} (Ctrl-C stops)\n", config->describe(config->binlog),
                             resolved.position.file.empty() ? resolved.position.gtid_set
                                                            : resolved.position.to_string());
    reader.run(resolved.position);
    g_reader = nullptr;
    std::fflush(stdout);
  } catch (const source::SourceError& e) {
    g_reader = nullptr;
    std::cerr << "error: " << e.what() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

struct SchemaPullArgs {
  std::string script;
  std::string output;
};

int run_schema_pull(const SchemaPullArgs& args) {
  Program program;
  Plan plan;
  if (!load_plan(args.script, program, plan, nullptr)) return kExitFailure;
  std::string error;
  auto config = source::source_config_from_plan(plan, error);
  if (!config) {
    std::cerr << "error: " << error << "\n";
    return kExitFailure;
  }
  std::string json;
  size_t tables = 0;
  try {
    source::SqlConnection sql(*config, config->sql);
    auto dbs = script_databases(plan);
    Schema schema = source::read_catalog(sql, dbs);
    for (const auto& d : schema.databases) tables += d.tables.size();
    for (const auto& name : dbs)
      if (!schema.find_database(name))
        std::cerr << fmt::format("warning: database {} named by the script has no tables on {}\n", name,
                                 sql.describe());
    json = schema_to_json(schema);
  } catch (const source::SourceError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitFailure;
  }
  if (args.output.empty() || args.output == "-") {
    std::cout << json;
    if (json.empty() || json.back() != '\n') std::cout << "\n";
  } else {
    if (!state::write_file_atomically(args.output, json + (json.empty() || json.back() != '\n' ? "\n" : ""), error)) {
      std::cerr << "error: " << error << "\n";
      return kExitUsage;
    }
    std::cerr << fmt::format("wrote {} ({} tables)\n", args.output, tables);
  }
  return kExitOk;
}

}  // namespace

void register_binlog_tail(CLI::App& binlog, Action& action) {
  auto args = std::make_shared<TailArgs>();
  auto* tail = binlog.add_subcommand(
      "tail", "Print the live row changes of a script's tables as JSON Lines (exit 0 stopped, 1 error)");
  tail->add_option("script", args->script, "script file")->required();
  tail->add_option("--from", args->from,
                   "NOW, 'YYYY-MM-DD HH:MM:SS' (UTC), FILE:POS, a MySQL GTID set or a MariaDB GTID state "
                   "(default: the project's START AT, else NOW)");
  tail->add_option("--limit", args->limit, "stop after this many row changes (at a transaction's end)");
  tail->callback([args, &action] { action = [args] { return run_binlog_tail(*args); }; });
}

void register_schema(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("schema", "Work with the source's schema");
  cmd->require_subcommand(1);
  auto args = std::make_shared<SchemaPullArgs>();
  auto* pull = cmd->add_subcommand(
      "pull", "Write the schema file that `check --schema` reads, from the script's source (its databases)");
  pull->add_option("script", args->script, "script file")->required();
  pull->add_option("-o,--output", args->output, "file to write (default: standard output)");
  pull->callback([args, &action] { action = [args] { return run_schema_pull(*args); }; });
}

}  // namespace obsync::cli
