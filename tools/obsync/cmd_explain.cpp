// obsync explain: the resolved plan of a script — sources, sinks, and for each SYNC its tables,
// topics, keys and typed expressions. Secrets are printed as ***.
#include <fmt/format.h>

#include <iostream>

#include "compiler/jit/jit.hpp"
#include "compiler/sema/checker.hpp"
#include "compiler/sema/route.hpp"
#include "tools/obsync/commands.hpp"
#include "tools/obsync/plan_printer.hpp"

namespace obsync::cli {

namespace {

std::string property_text(const PlanProperty& p);
void print_connection(std::ostream& out, const char* what, const ConnectionPlan& c);
std::string target_text(const TopicPlan& t);

struct ExplainArgs {
  std::string file;
  std::string schema_path;
  bool ir = false;
};

std::string property_text(const PlanProperty& p) {
  if (p.secret) return "***";
  switch (p.kind) {
    case ast::PropertyValue::Kind::Env: return fmt::format("env('{}')", p.value);
    case ast::PropertyValue::Kind::File: return fmt::format("file('{}')", p.value);
    case ast::PropertyValue::Kind::Word: return p.value;
    case ast::PropertyValue::Kind::Map: {
      std::string out = "(";
      for (size_t i = 0; i < p.entries.size(); ++i)
        out += fmt::format("{}'{}' = {}", i ? ", " : "", p.entries[i].key,
                           p.entries[i].secret ? "***" : property_text(p.entries[i]));
      return out + ")";
    }
    case ast::PropertyValue::Kind::Literal: return p.is_string ? fmt::format("'{}'", p.value) : p.value;
  }
  return p.value;
}

void print_connection(std::ostream& out, const char* what, const ConnectionPlan& c) {
  out << fmt::format("{} {} {}\n", what, c.name, c.kind);
  size_t width = 0;
  for (const auto& p : c.properties) width = std::max(width, p.key.size());
  for (const auto& p : c.properties) out << fmt::format("  {:<{}} = {}\n", p.key, width, property_text(p));
}

std::string target_text(const TopicPlan& t) {
  switch (t.kind) {
    case ast::TargetKind::Topic:
      return fmt::format("topic {} (created: {} partition{}, {} replica{})", t.name, t.partitions,
                         t.partitions == 1 ? "" : "s", t.replicas, t.replicas == 1 ? "" : "s");
    case ast::TargetKind::ExistingTopic: return fmt::format("existing topic {}", t.name);
    case ast::TargetKind::Template: return fmt::format("one topic per table: '{}'", t.name);
  }
  return {};
}

std::string engine_text(const std::string& why_not) {
  return why_not.empty() ? std::string("jit") : "interpreter (" + why_not + ")";
}

void print_llvm(std::ostream& out, const std::string& what, const std::string& ir, const std::string& why_not) {
  if (ir.empty()) {
    out << fmt::format("    llvm {}: none, {}\n", what, why_not);
    return;
  }
  out << fmt::format("    llvm {}:\n", what);
  size_t begin = 0;
  while (begin < ir.size()) {
    size_t end = ir.find('\n', begin);
    if (end == std::string::npos) end = ir.size();
    out << "      " << std::string_view(ir).substr(begin, end - begin) << "\n";
    begin = end + 1;
  }
}

}  // namespace

void print_plan(std::ostream& out, const Program& program, const Plan& plan, bool with_ir);

namespace {

int run_explain(const ExplainArgs& args) {
  std::optional<Schema> schema;
  if (!args.schema_path.empty() && !load_schema_file(args.schema_path, schema)) return kExitUsage;
  DiagnosticSink diags;
  Program program = load_program(args.file, diags);
  if (program.main_file_missing) {
    std::cerr << "error: " << program.io_error << "\n";
    return kExitUsage;
  }
  CheckOptions options;
  options.schema = schema ? &*schema : nullptr;
  Plan plan = check_program(program, options, diags);
  diags.sort_by_location();
  if (diags.has_errors()) {
    for (const auto& d : diags.diagnostics()) std::cerr << render_human(d, program.sources, use_color()) << "\n";
    std::cerr << "error: the script has errors; fix them to see its plan (obsync check)\n";
    return kExitFailure;
  }
  print_plan(std::cout, program, plan, args.ir);
  for (const auto& d : diags.diagnostics()) std::cerr << render_human(d, program.sources, use_color()) << "\n";
  return kExitOk;
}

}  // namespace

void print_plan(std::ostream& out, const Program& program, const Plan& plan, bool with_ir) {
  const ProjectPlan& p = plan.project;
  out << fmt::format("PROJECT {}\n", p.name);
  out << fmt::format("  from {} to {}\n", p.source, p.sink);
  std::vector<std::string> types;
  if (p.schema_step) types.push_back("SCHEMA");
  if (p.full) types.push_back("FULL");
  if (p.incremental) types.push_back("INCREMENTAL");
  out << fmt::format("  types: {}\n", fmt::join(types, ", "));
  if (!p.full) out << fmt::format("  start at: {}\n", p.start_at);
  if (!p.business_id.empty()) out << fmt::format("  business id: '{}'\n", p.business_id);
  if (!p.tags.empty()) out << fmt::format("  tags: '{}'\n", fmt::join(p.tags, "', '"));
  out << fmt::format("  delivery: {}; transaction sequence: {}; ddl: {}\n",
                     p.exactly_once ? "exactly once" : "at least once", p.transaction_sequence ? "on" : "off",
                     p.ddl ? "on" : "off");
  for (const auto& s : plan.sources) print_connection(out, "SOURCE", s);
  for (const auto& s : plan.sinks) print_connection(out, "SINK", s);
  for (size_t i = 0; i < plan.syncs.size(); ++i) {
    const SyncPlan& s = plan.syncs[i];
    LineCol where = program.sources.location(s.span.file, s.span.begin);
    out << fmt::format("SYNC #{} ({}:{})\n", i + 1, program.sources.file(s.span.file).path, where.line);
    std::vector<std::string> refs;
    for (const auto& r : s.refs)
      refs.push_back(r.kind == ast::TableRefKind::Pattern ? fmt::format("{}.'{}'", r.database.text, r.table.text)
                                                          : fmt::format("{}.{}", r.database.text, r.table.text));
    out << fmt::format("  tables: {}\n", fmt::join(refs, ", "));
    out << fmt::format("  target: {}\n", target_text(s.target));
    out << fmt::format("  format: {}; partition by {}\n", s.format, s.partition);
    const ast::SyncStmt& st = *s.stmt;
    if (!s.shard_by.empty()) out << fmt::format("  shard by: {}\n", fmt::join(s.shard_by, ", "));
    if (st.where) out << fmt::format("  where: {}\n", program.sources.text(st.where->span));
    if (st.columns) {
      std::vector<std::string> items;
      for (const auto& c : *st.columns) items.emplace_back(program.sources.text(c.span));
      out << fmt::format("  columns: {}\n", fmt::join(items, ", "));
    } else if (st.columns_except) {
      std::vector<std::string> items;
      for (const auto& c : *st.columns_except) items.push_back(c.text);
      out << fmt::format("  columns: all except {}\n", fmt::join(items, ", "));
    }
    for (const auto& t : s.tables) {
      out << fmt::format("  table {}.{} -> topic {}\n", t.database, t.table, topic_for(s.target, t.database, t.table));
      out << fmt::format("    key: {}\n", t.key_columns.empty() ? std::string("(none: the table name)") : fmt::format("{}", fmt::join(t.key_columns, ", ")));
      std::vector<SqlType> types;
      if (t.schema)
        for (const auto& c : t.schema->columns) types.push_back(c.type);
      if (t.where) {
        out << fmt::format("    where: {} [{}]\n", program.sources.text(t.where->span), to_string(t.where->type));
        out << fmt::format("    where engine: {}\n", engine_text(jit::why_not_compiled(*t.where, types)));
      }
      for (const auto& c : t.columns) {
        out << fmt::format("    column {}{}: {}\n", c.name, c.is_key ? " (key)" : "", c.expr ? to_string(c.expr->type) : "?");
        // A plain column is copied; say only which computed items run where.
        if (c.expr && c.expr->op != ir::Op::Column)
          out << fmt::format("      engine: {}\n", engine_text(jit::why_not_compiled(*c.expr, types)));
      }
      if (with_ir) {
        if (t.where) out << fmt::format("    ir where: {}\n", ir::dump(*t.where));
        for (const auto& c : t.columns)
          if (c.expr) out << fmt::format("    ir {}: {}\n", c.name, ir::dump(*c.expr));
        // Each kernel's LLVM IR after the JIT's passes: what runs over the batches.
        std::string why;
        if (t.where) {
          auto kernel = jit::JitEngine::instance().compile_predicate(*t.where, types, why);
          print_llvm(out, "where", kernel ? kernel->ir() : std::string(), why);
        }
        for (const auto& c : t.columns) {
          if (!c.expr) continue;
          auto kernel = jit::JitEngine::instance().compile_projection(*c.expr, types, why);
          print_llvm(out, c.name, kernel ? kernel->ir() : std::string(), why);
        }
      }
    }
  }
}

void register_explain(CLI::App& app, Action& action) {
  auto args = std::make_shared<ExplainArgs>();
  auto* cmd = app.add_subcommand("explain", "Print the resolved plan: tables, topics, keys, typed expressions");
  cmd->add_option("file", args->file, "script file")->required();
  cmd->add_option("--schema", args->schema_path, "schema file to resolve tables, columns and types");
  cmd->add_flag("--ir", args->ir, "also print the typed expression IR and each kernel's optimized LLVM IR (needs --schema)");
  cmd->callback([args, &action] { action = [args] { return run_explain(*args); }; });
}

}  // namespace obsync::cli
