// The live checks of `obsync precheck`: source, privileges, binlog settings, tables, Kafka,
// topics and message sizes. Each check says pass, warn or fail and why.
#include "runtime/precheck/precheck.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "compiler/sema/route.hpp"
#include "runtime/sink/kafka_sink.hpp"
#include "runtime/source/binlog_stream.hpp"
#include "runtime/source/schema_history.hpp"
#include "runtime/source/source_config.hpp"
#include "runtime/source/sql_connection.hpp"
#include "stdlib/collation.hpp"

namespace obsync::precheck {

namespace {

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

uint64_t column_bytes(const SqlType& t) {
  switch (t.column) {
    case ColumnType::TinyBlob: case ColumnType::TinyText: return 255;
    case ColumnType::Blob: case ColumnType::Text: return 65535;
    case ColumnType::MediumBlob: case ColumnType::MediumText: return 16777215;
    case ColumnType::LongBlob: case ColumnType::LongText: case ColumnType::Json: case ColumnType::Geometry:
      return 4294967295ull;
    case ColumnType::Char: case ColumnType::VarChar: return uint64_t{t.length} * 4;  // UTF-8
    case ColumnType::Binary: case ColumnType::VarBinary: return (uint64_t{t.length} + 2) / 3 * 4;  // Base64
    case ColumnType::Enum: case ColumnType::Set: {
      uint64_t n = 0;
      for (const auto& e : t.elements) n += e.size() + 1;
      return n;
    }
    default: return 40;
  }
}

}  // namespace

uint64_t largest_row_bytes(const TableSchema& table) {
  uint64_t n = 0;
  for (const auto& c : table.columns) n += column_bytes(c.type) + c.name.size() + 8;
  return std::min<uint64_t>(n * 2 + 512, UINT64_MAX / 4);  // before and after images, envelope
}

std::vector<CheckResult> run_prechecks(const Program& program, const Plan& plan) {
  std::vector<CheckResult> out;
  auto pass = [&](std::string what, std::string why) { out.push_back({Outcome::Pass, std::move(what), std::move(why)}); };
  auto warn = [&](std::string what, std::string why) { out.push_back({Outcome::Warn, std::move(what), std::move(why)}); };
  auto fail = [&](std::string what, std::string why) { out.push_back({Outcome::Fail, std::move(what), std::move(why)}); };

  // --- source -------------------------------------------------------------------------------
  std::string error;
  auto config = source::source_config_from_plan(plan, error);
  std::optional<Schema> schema;
  if (!config) {
    fail("source configuration", error);
  } else {
    try {
      source::SqlConnection sql(*config, config->sql);
      pass("source reachable", fmt::format("{} ({})", sql.describe(), sql.server_version()));

      // Privileges: SELECT, REPLICATION SLAVE, REPLICATION CLIENT (MariaDB 10.5+: BINLOG MONITOR).
      std::string grants;
      try {
        for (const auto& r : sql.query("SHOW GRANTS FOR CURRENT_USER()"))
          if (r[0]) grants += upper(*r[0]) + "\n";
      } catch (const source::SourceError& e) {
        warn("privileges", fmt::format("cannot read the grants: {}", e.what()));
      }
      if (!grants.empty()) {
        bool all = grants.find("GRANT ALL PRIVILEGES ON *.*") != std::string::npos;
        std::vector<std::string> missing;
        auto has = [&](std::initializer_list<const char*> names) {
          for (const char* n : names)
            if (grants.find(n) != std::string::npos) return true;
          return false;
        };
        if (!all) {
          if (!has({"SELECT"})) missing.push_back("SELECT");
          if (!has({"REPLICATION SLAVE", "REPLICATION REPLICA"})) missing.push_back("REPLICATION SLAVE");
          if (!has({"REPLICATION CLIENT", "BINLOG MONITOR"})) missing.push_back("REPLICATION CLIENT");
        }
        if (missing.empty()) pass("privileges", all ? "ALL PRIVILEGES" : "SELECT, REPLICATION SLAVE, REPLICATION CLIENT");
        else
          fail("privileges", fmt::format("missing {}; GRANT {} ON *.* TO the user", fmt::join(missing, ", "),
                                         fmt::join(missing, ", ")));
      }

      // Binlog settings.
      try {
        auto rows = sql.query("SELECT @@global.log_bin, @@global.binlog_format, @@global.binlog_row_image");
        std::string log_bin = rows[0][0].value_or("?"), format = rows[0][1].value_or("?"),
                    image = rows[0][2].value_or("?");
        std::vector<std::string> wrong;
        if (log_bin != "1" && upper(log_bin) != "ON") wrong.push_back("log_bin is OFF: enable it");
        if (upper(format) != "ROW") wrong.push_back(fmt::format("binlog_format is {}: set ROW", format));
        if (upper(image) != "FULL") wrong.push_back(fmt::format("binlog_row_image is {}: set FULL", image));
        if (wrong.empty()) pass("binlog settings", "log_bin ON, binlog_format ROW, binlog_row_image FULL");
        else fail("binlog settings", fmt::format("{}", fmt::join(wrong, "; ")));
      } catch (const source::SourceError& e) {
        warn("binlog settings", fmt::format("cannot read them ({}); the Binlog Service is checked below", e.what()));
      }
      // The replication endpoint (OceanBase Binlog Service, or the server itself).
      try {
        source::SqlConnection binlog(*config, config->binlog);
        auto pos = source::current_position(binlog);
        pass("binlog reachable", fmt::format("{} at {}", binlog.describe(), pos.to_string()));
      } catch (const source::SourceError& e) {
        fail("binlog reachable", e.what());
      }

      // Tables, columns and types against the live schema.
      std::set<std::string> dbs;
      for (const auto& s : plan.syncs)
        for (const auto& r : s.refs) dbs.insert(r.database.text);
      schema = source::read_catalog(sql, {dbs.begin(), dbs.end()});
    } catch (const source::SourceError& e) {
      fail("source reachable", e.what());
    }
  }
  std::optional<Plan> live;
  if (schema) {
    DiagnosticSink diags;
    CheckOptions options;
    options.schema = &*schema;
    live = check_program(program, options, diags);
    diags.sort_by_location();
    size_t tables = 0;
    for (const auto& s : live->syncs) tables += s.tables.size();
    bool bad = false;
    for (const auto& d : diags.diagnostics()) {
      LineCol lc = d.has_span ? program.sources.location(d.span.file, d.span.begin) : LineCol{};
      std::string where = d.has_span ? fmt::format("{}:{}: ", program.sources.file(d.span.file).path, lc.line) : "";
      std::string text = fmt::format("{}{}[{}] {}{}", where, d.severity == Severity::Error ? "error" : "warning",
                                     d.code, d.message, d.help.empty() ? "" : " (" + d.help + ")");
      if (d.severity == Severity::Error) {
        fail("tables and columns", text);
        bad = true;
      } else {
        warn("tables and columns", text);
      }
    }
    if (!bad) pass("tables and columns", fmt::format("{} tables match; WHERE, COLUMNS and SHARD BY type-check", tables));
  }

  // --- Kafka --------------------------------------------------------------------------------
  auto sink_config = sink::sink_config_from_plan(plan, error);
  if (!sink_config) {
    fail("kafka configuration", error);
    return out;
  }
  sink::SinkError serr;
  auto sink = sink::KafkaSink::create(*sink_config, {}, serr);
  if (!sink) {
    fail("kafka configuration", serr.message);
    return out;
  }
  std::vector<std::string> brokers;
  if (!sink->brokers(brokers, serr)) {
    fail("kafka reachable", serr.message);
    return out;
  }
  pass("kafka reachable", fmt::format("{} broker{}: {}", brokers.size(), brokers.size() == 1 ? "" : "s",
                                      fmt::join(brokers, ", ")));
  const Plan& p = live ? *live : plan;
  std::vector<std::string> existing;
  std::vector<sink::TopicSpec> to_create;
  std::map<std::string, uint64_t> largest;  // topic → the largest message its tables can make
  for (const auto& s : p.syncs) {
    std::vector<const SyncTable*> tables;
    for (const auto& t : s.tables) tables.push_back(&t);
    if (tables.empty() && s.target.kind != ast::TargetKind::Template) tables.push_back(nullptr);
    for (const SyncTable* t : tables) {
      std::string name = t ? topic_for(s.target, t->database, t->table) : s.target.name;
      if (t && t->schema) largest[name] = std::max(largest[name], largest_row_bytes(*t->schema));
      if (s.target.kind == ast::TargetKind::ExistingTopic) {
        if (std::find(existing.begin(), existing.end(), name) == existing.end()) existing.push_back(name);
      } else if (std::none_of(to_create.begin(), to_create.end(), [&](const auto& x) { return x.name == name; })) {
        to_create.push_back({name, s.target.partitions, s.target.replicas});
      }
    }
  }
  std::vector<std::string> names = existing;
  for (const auto& t : to_create) names.push_back(t.name);
  std::vector<sink::TopicInfo> info;
  if (!sink->describe_topics(names, info, serr)) {
    fail("topics", serr.message);
    return out;
  }
  std::vector<sink::TopicSpec> missing;
  for (const auto& i : info) {
    bool is_existing = std::find(existing.begin(), existing.end(), i.name) != existing.end();
    if (is_existing) {
      if (i.partitions > 0) pass("existing topic " + i.name, fmt::format("present, {} partitions", i.partitions));
      else fail("existing topic " + i.name, "does not exist; create it, or write TOPIC to let obsync create it");
    } else if (i.partitions > 0) {
      pass("topic " + i.name, fmt::format("exists, {} partitions (left as it is)", i.partitions));
    } else {
      for (const auto& t : to_create)
        if (t.name == i.name) missing.push_back(t);
    }
  }
  if (!missing.empty()) {
    std::vector<std::string> created;
    if (!p.project.schema_step) {
      for (const auto& m : missing)
        fail("topic " + m.name, "does not exist and TYPES leave out SCHEMA; create it, or add SCHEMA to TYPES");
    } else if (sink->create_topics(missing, created, serr, 30000, true)) {
      for (const auto& m : missing)
        pass("topic " + m.name, fmt::format("can be created ({} partitions, replication factor {})", m.partitions, m.replicas));
    } else {
      fail("topics creatable", serr.message);
    }
  }
  // Message size versus max.message.bytes (existing topics: theirs; new ones: the broker's default).
  for (const auto& [topic, bytes] : largest) {
    int64_t limit = 1048588;
    bool known = false;
    for (const auto& i : info)
      if (i.name == topic && i.partitions > 0) known = sink->topic_max_message_bytes(topic, limit, serr);
    std::string where = known ? "the topic's max.message.bytes" : "Kafka's default max.message.bytes";
    if (bytes <= static_cast<uint64_t>(limit))
      pass("message size " + topic, fmt::format("largest possible message ~{} bytes <= {} ({})", bytes, limit, where));
    else
      warn("message size " + topic,
           fmt::format("a row can make a message of up to ~{} bytes, over {} ({} bytes); such a row stops the "
                       "project: raise max.message.bytes or leave large columns out with COLUMNS EXCEPT",
                       bytes >= 4294967295ull ? std::string("4 GB") : std::to_string(bytes), where, limit));
  }
  return out;
}

}  // namespace obsync::precheck
