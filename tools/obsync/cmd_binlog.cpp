// obsync binlog print: decode a binlog file offline and print its row changes as JSON Lines.
#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "runtime/source/binlog_decoder.hpp"
#include "stdlib/charset.hpp"
#include "stdlib/collation.hpp"
#include "tools/obsync/change_json.hpp"
#include "tools/obsync/commands.hpp"

namespace obsync::cli {

namespace {

struct BinlogPrintArgs {
  std::string file;
  std::string schema_path;
};

std::vector<const SqlType*> column_types(const binlog::TableMap& t) {
  std::vector<const SqlType*> out;
  for (const auto& c : t.columns) out.push_back(&c.sql_type);
  return out;
}

int run_binlog_print(const BinlogPrintArgs& args) {
  std::optional<Schema> schema;
  if (!args.schema_path.empty() && !load_schema_file(args.schema_path, schema)) return kExitUsage;
  std::string why;
  auto file = binlog::BinlogFile::open(args.file, why);
  if (!file) {
    std::cerr << "error: " << why << "\n";
    return kExitUsage;
  }
  binlog::DecoderOptions options;
  if (schema) {
    options.lookup_table = [&schema](std::string_view db, std::string_view table) -> const TableSchema* {
      const DatabaseSchema* d = schema->find_database(db);
      return d ? d->find_table(table) : nullptr;
    };
  }
  std::string name = binlog::binlog_base_name(args.file);
  binlog::BinlogDecoder decoder(name, options);
  decoder.reset(file->bytes());
  binlog::Event ev;
  binlog::RowChange row;
  std::string gtid;  // the current transaction's; empty: anonymous
  std::string line;
  while (decoder.next(ev)) {
    if (ev.kind == binlog::EventKind::Gtid) {
      gtid = ev.gtid.to_string();
      continue;
    }
    if (ev.kind != binlog::EventKind::Rows) continue;
    const binlog::TableMap& t = *ev.table;
    std::vector<std::string> names;
    if (t.has_names)
      for (const auto& c : t.columns) names.push_back(c.name);
    auto types = column_types(t);
    while (decoder.next_row(row)) {
      line.clear();
      append_change_head(line, {name, ev.position, gtid, ev.header.timestamp, t.db, t.table,
                                binlog::row_op_name(row.op), t.has_names ? &names : nullptr});
      line += ",\"before\":";
      if (row.has_before) append_json_image(line, row.before.values, types);
      else line += "null";
      line += ",\"after\":";
      if (row.has_after) append_json_image(line, row.after.values, types);
      else line += "null";
      line += "}\n";
      std::fwrite(line.data(), 1, line.size(), stdout);
    }
    if (decoder.failed()) break;
  }
  std::fflush(stdout);
  if (decoder.failed()) {
    std::cerr << "error: " << decoder.error().message << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

void register_binlog(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("binlog", "Decode MySQL/MariaDB/OceanBase binlogs");
  cmd->require_subcommand(1);
  auto args = std::make_shared<BinlogPrintArgs>();
  auto* print = cmd->add_subcommand(
      "print", "Print a binlog file's row changes as JSON Lines (exit 0 ok, 1 undecodable event, 2 usage/IO)");
  print->add_option("file", args->file, "binlog file")->required();
  print->add_option("--schema", args->schema_path,
                    "schema file (from `obsync schema pull`): column names, signedness, ENUM/SET labels");
  print->callback([args, &action] { action = [args] { return run_binlog_print(*args); }; });
  register_binlog_tail(*cmd, action);
}

}  // namespace obsync::cli
