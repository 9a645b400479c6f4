// What each table's columns are at each point of the binlog. OceanBase's Binlog Service sends
// TABLE_MAP events without column names, keys or signedness, so the reader takes the tables'
// definitions from the catalog (information_schema) at a known position and then applies the
// DDL it reads in QUERY events, so that every row decodes against the schema its table had
// when the row was written, also when the reader is far behind.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/sema/schema.hpp"
#include "runtime/source/position.hpp"

namespace obsync::source {

class SqlConnection;

// What one DDL statement did to the tracked tables, for the log and the DDL records.
struct DdlOutcome {
  enum class Kind : uint8_t {
    None,      // not a table DDL (CREATE USER, GRANT, …) or outside the tracked databases
    Create, Alter, Drop, Rename, Truncate, DropDatabase,
    Unparsed,  // a DDL on a tracked table that obsync cannot interpret: refreshed from the
               // catalog when one was given (correct only when the reader is not behind;
               // a TABLE_MAP check catches the rest)
  };
  Kind kind = Kind::None;
  // Tables affected, as db.table; for Rename: pairs (from, to) in `renamed` (also filled for an
  // ALTER TABLE … RENAME TO that changes more than the name, whose kind is Alter).
  std::vector<std::pair<std::string, std::string>> tables;
  std::vector<std::pair<std::pair<std::string, std::string>, std::pair<std::string, std::string>>> renamed;
  std::string message;  // one line for the log: "ALTER TABLE shop.orders: added column note"
};

class SchemaHistory {
 public:
  SchemaHistory();
  ~SchemaHistory();
  SchemaHistory(SchemaHistory&&) noexcept;
  SchemaHistory& operator=(SchemaHistory&&) noexcept;

  // Replaces what is known with the catalog's current tables (all databases but the system
  // ones), valid from `at`.
  void load_catalog(SqlConnection& sql, const BinlogPosition& at);
  // Sets one table's definition from `at` on (tests, CREATE TABLE).
  void set_table(std::string_view db, std::string_view table, TableSchema schema, const BinlogPosition& at);

  // The table as of the latest position applied; nullptr when unknown or dropped. The pointer
  // stays valid (it is never changed in place) until forget_before() passes a later version.
  const TableSchema* find(std::string_view db, std::string_view table) const;
  // The table as it was at `at`. A definition from the catalog or a checkpoint also answers for
  // positions before the one it was loaded at (nothing better is known there).
  const TableSchema* find_at(std::string_view db, std::string_view table, const BinlogPosition& at) const;

  // Applies one QUERY event's statement, read at `at` (the position after the event), with
  // `default_db` its current database. `catalog`, when given, refreshes tables touched by a
  // statement that cannot be interpreted. Never throws for unknown syntax (Unparsed); throws
  // SourceError only when reading `catalog` fails.
  DdlOutcome apply_ddl(std::string_view default_db, std::string_view sql, const BinlogPosition& at,
                       SqlConnection* catalog = nullptr);

  // Drops versions that no position at or after `checkpoint` can need.
  void forget_before(const BinlogPosition& checkpoint);

  // The tables as of `at`, for the checkpoint (JSON, self-contained) and back.
  std::string to_json(const BinlogPosition& at) const;
  static std::optional<SchemaHistory> from_json(std::string_view text, std::string& error);
  // The tables as of the latest position, as the schema file holds them (schema pull).
  Schema current_schema() const;

  size_t version_count() const;  // all versions of all tables (tests, memory)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads the catalog's tables (information_schema.TABLES / COLUMNS / STATISTICS) into a Schema:
// physical tables and views (is_view), columns in order with their COLUMN_TYPE, collation and
// nullability, primary and unique keys. `databases` empty: all but mysql, sys,
// information_schema, performance_schema, oceanbase. Throws SourceError.
Schema read_catalog(SqlConnection& sql, const std::vector<std::string>& databases = {});

}  // namespace obsync::source
