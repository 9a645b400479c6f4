// The full sync: a table's rows over SQL, in key order by keyset pagination (bounded chunks),
// or in one streamed scan when the table has no usable key, with the SYNC's WHERE pushed down.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compiler/sema/schema.hpp"
#include "runtime/batch/row_batch.hpp"
#include "runtime/source/sql_connection.hpp"
#include "stdlib/value.hpp"

namespace obsync {
namespace ast {
struct Expr;
}
}  // namespace obsync

namespace obsync::source {

struct FullSyncTable {
  std::string database, table;
  const TableSchema* schema = nullptr;  // required: columns, types and keys
  std::string where_sql;                // pushed-down predicate (MySQL syntax), empty: none
  // Resume after this key (values in the key's column order, MySQL text form) — from a
  // checkpoint's per-table progress; empty: from the start.
  std::vector<std::optional<std::string>> resume_after;
};

struct FullSyncProgress {
  std::string database, table;
  uint64_t rows_done = 0;
  uint64_t rows_estimated = 0;  // information_schema.TABLES.TABLE_ROWS at the start
  double rows_per_second = 0;
  bool done = false;
  // The last key delivered (text form), for the checkpoint; empty for keyless tables.
  std::vector<std::optional<std::string>> last_key;
};

struct FullSyncOptions {
  size_t chunk_rows = 10000;  // rows per keyset SELECT
  size_t batch_rows = 1024;   // rows per delivered batch
  size_t batch_bytes = 8u << 20;
};

// Copies one table: on_batch for each batch (ops INSERT, ordinals the row number), on_progress
// after each chunk and at the end. Memory is bounded by one batch plus one row. Throws
// SourceError (naming the table) on SQL failures.
void copy_table(SqlConnection& sql, const FullSyncTable& table, const FullSyncOptions& options,
                const std::function<void(RowBatch&)>& on_batch,
                const std::function<void(const FullSyncProgress&)>& on_progress = {});

// A value of `type` from its MySQL text form as SELECT returns it (time_zone '+00:00').
// False with `why` when the text is not a value of that type.
bool parse_text_value(const SqlType& type, std::string_view text, Value& out, std::string& why);

// The WHERE of a SYNC as a MySQL predicate for the SELECT, or nullopt when some part cannot be
// pushed down (op(), OLD.col, commit_ts(), functions whose MySQL spelling differs); then the
// AND-terms that can be are pushed and the rest evaluated by the kernel, which evaluates the
// whole WHERE on every row anyway (pushdown only saves transfer).
std::optional<std::string> pushdown_sql(const ast::Expr& where);

}  // namespace obsync::source
