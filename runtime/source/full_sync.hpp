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
  // Resume after this key (values in the key's column order, in FullSyncProgress::last_key's
  // form) — from a checkpoint's per-table progress; empty: from the start. A key that does not
  // fit the table's key (other column count, a NULL) restarts the table from the start: at
  // least once, never a gap. Keyless tables always start from the start.
  std::vector<std::optional<std::string>> resume_after;
};

struct FullSyncProgress {
  std::string database, table;
  uint64_t rows_done = 0;
  uint64_t rows_estimated = 0;  // information_schema.TABLES.TABLE_ROWS at the start
  double rows_per_second = 0;
  bool done = false;
  // The last key delivered, for the checkpoint; empty for keyless tables. Each value is text
  // (valid UTF-8, safe in a JSON checkpoint): SELECT's text for numbers, temporals and utf8
  // strings; hex digits of the bytes for binary strings, BIT and text in other charsets; the
  // index (`col`+0) of ENUM and SET.
  std::vector<std::optional<std::string>> last_key;
};

struct FullSyncOptions {
  size_t chunk_rows = 10000;  // rows per keyset SELECT
  size_t batch_rows = 1024;   // rows per delivered batch
  size_t batch_bytes = 8u << 20;
};

// Copies one table: on_batch for each batch (ops INSERT, ordinals the row's number in its
// chunk), on_progress after each chunk (the last one with done set; every chunk_rows rows of a
// keyless scan). Every row up to progress.last_key has been passed to on_batch before
// on_progress sees it. on_batch runs while a result streams from `sql`: it must not use that
// connection. Memory is bounded by one batch plus one row. Values are those the binlog decoder
// gives for the same stored data (render_value renders both alike): text in a charset other
// than utf8mb3/utf8mb4 stays in the column's charset bytes, GEOMETRY is its internal bytes
// (SRID + WKB). Throws SourceError (naming the table) on SQL failures and on values that do not
// parse.
void copy_table(SqlConnection& sql, const FullSyncTable& table, const FullSyncOptions& options,
                const std::function<void(RowBatch&)>& on_batch,
                const std::function<void(const FullSyncProgress&)>& on_progress = {});

// A value of `type` from its MySQL text form as SELECT returns it (time_zone '+00:00').
// False with `why` when the text is not a value of that type.
bool parse_text_value(const SqlType& type, std::string_view text, Value& out, std::string& why);

// The WHERE of a SYNC as a MySQL predicate for the SELECT: the conjunction of its top-level
// AND-terms that the server evaluates exactly as the kernel does; nullopt when no term can be
// pushed. Left out: terms with op(), OLD.col, commit_ts(), functions outside the shared
// deterministic set, `->`/`->>` and JSON functions (MariaDB's JSON is text), REGEXP (ICU vs
// PCRE), COLLATE (the server may lack the collation), and, as the kernel reads a TIME as day
// zero where MySQL reads the clock, terms mixing a TIME column with date conversions (without
// `schema`, every term with a date conversion). The kernel evaluates the whole WHERE on every
// row anyway: pushdown only saves transfer, so leaving a term out is always safe.
std::optional<std::string> pushdown_sql(const ast::Expr& where, const TableSchema* schema = nullptr);

}  // namespace obsync::source
