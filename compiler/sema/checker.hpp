// Semantic checks of a whole program and the resolved plan they produce (for explain and run).
#pragma once
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ir/ir.hpp"
#include "compiler/sema/program.hpp"
#include "compiler/sema/schema.hpp"

namespace obsync {

struct PlanProperty {
  std::string key;
  std::string value;     // literal text, env name or file path; "***" never stored here
  ast::PropertyValue::Kind kind = ast::PropertyValue::Kind::Literal;
  bool secret = false;   // printed as *** everywhere
  bool is_string = true; // a string literal (printed quoted) rather than a number
  std::vector<PlanProperty> entries;  // Map
};

struct ConnectionPlan {
  std::string name;
  std::string kind;  // OCEANBASE, MYSQL, MARIADB, KAFKA (upper case)
  std::vector<PlanProperty> properties;
  const PlanProperty* find(std::string_view key) const;
};

struct TopicPlan {
  ast::TargetKind kind = ast::TargetKind::Topic;
  std::string name;   // topic, or template with ${database}/${table}
  int partitions = 3;
  int replicas = 1;
};

// One source table a SYNC reads, with its compiled expressions (when the schema is known).
struct SyncTable {
  std::string database;
  std::string table;
  const TableSchema* schema = nullptr;   // null without --schema
  ir::ExprPtr where;                      // typed WHERE (null when absent or not typed)
  std::vector<ir::OutputColumn> columns;  // typed output columns
  std::vector<std::string> key_columns;   // SHARD BY / primary key / unique key; empty: table name
};

struct SyncPlan {
  SourceSpan span;
  std::vector<ast::TableRef> refs;
  TopicPlan target;
  std::string format;      // lower case
  std::string partition;   // "hash" | "one"
  std::vector<std::string> shard_by;
  std::vector<SyncTable> tables;  // matched tables (with --schema)
  const ast::SyncStmt* stmt = nullptr;
};

struct ProjectPlan {
  std::string name;
  std::vector<std::string> tags;
  std::string business_id;
  std::string source, sink;
  bool schema_step = true, full = true, incremental = true;
  std::string start_at = "NOW";
  std::string format = "default";
  std::string partition = "hash";
  bool transaction_sequence = false;
  bool exactly_once = false;
  bool ddl = false;
};

struct Plan {
  ProjectPlan project;
  std::vector<ConnectionPlan> sources, sinks;
  std::vector<SyncPlan> syncs;
};

struct CheckOptions {
  const Schema* schema = nullptr;
  std::time_t now = 0;  // 0: the current time (START AT must not be in the future)
};

// Every rule of docs/language.md; all problems are collected, never only the first.
Plan check_program(const Program& program, const CheckOptions& options, DiagnosticSink& diags);

// The formats and their canonical names.
const std::vector<std::string>& known_formats();

}  // namespace obsync
