// obsync binlog print: decode a binlog file offline and print its row changes as JSON Lines.
#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "runtime/source/binlog_decoder.hpp"
#include "stdlib/charset.hpp"
#include "stdlib/collation.hpp"
#include "tools/obsync/commands.hpp"

namespace obsync::cli {

namespace {

struct BinlogPrintArgs {
  std::string file;
  std::string schema_path;
};

// A JSON string of a value's bytes. Text is UTF-8 and passes through; bytes that are not UTF-8
// (and every byte >= 0x80 of latin1 text and binary strings: BINARY, BLOB, BIT, GEOMETRY) read
// as ISO-8859-1, one character U+0080..U+00FF a byte, so the line is always valid JSON and
// binary values map back to their bytes exactly.
void append_json_string(std::string& out, std::string_view s, bool bytes_as_latin1) {
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      char32_t cp;
      int n = bytes_as_latin1 ? 0 : utf8_decode(s, i, cp);
      if (n > 0) {
        out.append(s.data() + i, static_cast<size_t>(n));
        i += static_cast<size_t>(n);
      } else {
        utf8_encode(c, out);
        i++;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out.push_back(static_cast<char>(c));
    }
    i++;
  }
  out.push_back('"');
}

bool latin1_or_binary(const SqlType& t) {
  if (t.cls != TypeClass::String || !t.collation) return false;
  return t.collation->is_binary || t.collation->charset == "latin1";
}

void append_image(std::string& out, const binlog::RowImage& image, const binlog::TableMap& table) {
  out.push_back('[');
  for (size_t i = 0; i < image.values.size(); i++) {
    if (i) out.push_back(',');
    const Value& v = image.values[i];
    if (v.is_null()) {
      out += "null";  // NULL, or a column the (minimal) row image leaves out
      continue;
    }
    const SqlType& t = table.columns[i].sql_type;
    append_json_string(out, render_value(v, t), latin1_or_binary(t));
  }
  out.push_back(']');
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
  std::string line, prefix;
  while (decoder.next(ev)) {
    if (ev.kind == binlog::EventKind::Gtid) {
      gtid = ev.gtid.to_string();
      continue;
    }
    if (ev.kind != binlog::EventKind::Rows) continue;
    const binlog::TableMap& t = *ev.table;
    prefix.clear();
    prefix += "{\"file\":";
    append_json_string(prefix, name, false);
    prefix += fmt::format(",\"pos\":{},\"gtid\":", ev.position);
    if (gtid.empty()) prefix += "null";
    else append_json_string(prefix, gtid, false);
    prefix += fmt::format(",\"ts\":{},\"db\":", ev.header.timestamp);
    append_json_string(prefix, t.db, false);
    prefix += ",\"table\":";
    append_json_string(prefix, t.table, false);
    while (decoder.next_row(row)) {
      line = prefix;
      line += ",\"op\":\"";
      line += binlog::row_op_name(row.op);
      line += '"';
      if (t.has_names) {
        line += ",\"columns\":[";
        for (size_t i = 0; i < t.columns.size(); i++) {
          if (i) line.push_back(',');
          append_json_string(line, t.columns[i].name, false);
        }
        line.push_back(']');
      }
      line += ",\"before\":";
      if (row.has_before) append_image(line, row.before, t);
      else line += "null";
      line += ",\"after\":";
      if (row.has_after) append_image(line, row.after, t);
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
}

}  // namespace obsync::cli
