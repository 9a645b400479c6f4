// Schema knowledge for checks: the schema file (`check --schema`) and MySQL column definitions.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stdlib/types.hpp"

namespace obsync {

struct ColumnSchema {
  std::string name;
  std::string type_text;  // as MySQL's COLUMN_TYPE spells it: "decimal(10,2) unsigned"
  SqlType type;
};

struct TableSchema {
  std::string name;
  bool is_view = false;
  std::vector<ColumnSchema> columns;           // in table order
  std::vector<std::string> primary_key;        // empty: none
  std::vector<std::vector<std::string>> unique_keys;

  const ColumnSchema* find_column(std::string_view name) const;  // case-insensitive, as MySQL
  int column_index(std::string_view name) const;                  // -1 when absent
  // The key that identifies a row: primary key, else the first unique key of NOT NULL columns.
  std::vector<std::string> row_key() const;
};

struct DatabaseSchema {
  std::string name;
  std::vector<TableSchema> tables;
  const TableSchema* find_table(std::string_view name) const;
};

struct Schema {
  std::vector<DatabaseSchema> databases;
  const DatabaseSchema* find_database(std::string_view name) const;
};

// Reads the schema file (format "obsync-schema/1", see docs/schema-file.md). On failure returns
// nullopt and sets `error` to what is wrong and where (a JSON pointer).
std::optional<Schema> parse_schema_json(std::string_view text, std::string& error);
std::string schema_to_json(const Schema& schema);

// One MySQL column type: "BIGINT UNSIGNED", "varchar(20) COLLATE utf8mb4_bin",
// "DATETIME(3)", "enum('a','b')", "decimal(65,30)". `nullable` comes from NOT NULL.
std::optional<SqlType> parse_column_type(std::string_view text, std::string& error);
// A column-definition list: "id BIGINT UNSIGNED NOT NULL, name VARCHAR(20) COLLATE utf8mb4_bin".
std::optional<std::vector<ColumnSchema>> parse_column_definitions(std::string_view text, std::string& error);

// MySQL LIKE on names with % and _ (for table patterns); case-insensitive as table names are
// on OceanBase's default lower_case_table_names=1.
bool name_like(std::string_view name, std::string_view pattern);

}  // namespace obsync
