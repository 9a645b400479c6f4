// The typed syntax tree of a script: what the transformer builds and every later pass reads.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/sema/diagnostics.hpp"
#include "stdlib/temporal.hpp"

namespace obsync::ast {

// A name as written, with its span. `text` is unquoted (`order` for `` `order` ``).
struct Name {
  std::string text;
  SourceSpan span;
  bool quoted = false;  // written as a back-quoted identifier or a string
};

enum class LiteralKind { Null, Bool, Integer, Decimal, Real, String, Hex, Bit, Date, Time, Timestamp };

enum class ExprKind {
  Literal,     // literal_kind, text (strings unescaped; numbers as written; Bool "TRUE"/"FALSE")
  Column,      // text = column name
  OldColumn,   // OLD.text
  Unary,       // op: "-", "+", "~", "!", "NOT", "BINARY"; args[0]
  Binary,      // op: "+", "-", "*", "/", "DIV", "%", "MOD", "^", "&", "|", "<<", ">>",
               //     "=", "<=>", "<>", "!=", "<", "<=", ">", ">=", "AND", "OR", "XOR"; args[0..1]
  Is,          // args[0] IS [NOT] op: "NULL", "TRUE", "FALSE", "UNKNOWN"; negated
  IsDistinct,  // args[0] IS [NOT] DISTINCT FROM args[1]; negated
  Between,     // args[0] [NOT] BETWEEN args[1] AND args[2]
  In,          // args[0] [NOT] IN (args[1..])
  Like,        // args[0] [NOT] LIKE args[1] [ESCAPE args[2]]
  Regexp,      // args[0] [NOT] REGEXP args[1]
  Case,        // [operand] (WHEN THEN)* [ELSE]: args in that order; has_operand, has_else
  Cast,        // CAST(args[0] AS cast); convert_syntax for CONVERT(x, type)
  Call,        // text = function name as written; args
  Interval,    // INTERVAL args[0] unit
  JsonPath,    // text = column, op "->" or "->>", json_path = the path string
  Collate,     // args[0] COLLATE text
};

enum class CastKind { Binary, Char, Date, DateTime, Time, Decimal, Signed, Unsigned, Double, Float, Json, Year };

struct CastType {
  CastKind kind = CastKind::Signed;
  std::optional<int> length;     // CHAR(n), BINARY(n), DATETIME(n)/TIME(n) fsp, DECIMAL(p), FLOAT(p)
  std::optional<int> scale;      // DECIMAL(p, s)
  std::string charset;           // CHAR ... CHARACTER SET x
  bool integer_suffix = false;   // SIGNED INTEGER vs SIGNED
};

struct Expr {
  ExprKind kind;
  SourceSpan span;
  std::string text;
  std::string op;
  LiteralKind literal_kind = LiteralKind::Null;
  bool negated = false;
  bool has_operand = false;  // Case
  bool has_else = false;     // Case
  bool convert_syntax = false;
  CastType cast;
  IntervalUnit unit = IntervalUnit::Day;
  std::string json_path;
  std::vector<std::unique_ptr<Expr>> args;

  explicit Expr(ExprKind k, SourceSpan s) : kind(k), span(s) {}
};
using ExprPtr = std::unique_ptr<Expr>;

// Structural equality, ignoring spans and the spelling of keywords (for the formatter's
// "meaning never changes" property).
bool equal(const Expr& a, const Expr& b);

// Property values: literals, bare words (SASL_SSL), env('X'), file('p'), nested maps.
struct Property;
struct PropertyValue {
  enum class Kind { Literal, Word, Env, File, Map } kind = Kind::Literal;
  LiteralKind literal_kind = LiteralKind::String;
  std::string text;                // literal text (strings unescaped), word, env name, file path
  std::vector<Property> entries;   // Map
  SourceSpan span;
};
struct Property {
  Name key;
  PropertyValue value;
};

struct IncludeStmt {
  Name path;  // the string, unescaped
};

struct ConnectionDecl {  // SOURCE name KIND (...) / SINK name KAFKA (...)
  Name name;
  Name kind;
  std::vector<Property> properties;
};

enum class DeliveryMode { AtLeastOnce, ExactlyOnce };

// Each option is present when written; duplicates were reported by the transformer.
struct ProjectDecl {
  Name name;
  std::optional<std::vector<Name>> tags;
  std::optional<Name> business_id;
  std::optional<Name> from_source;
  std::optional<Name> to_sink;
  std::optional<std::vector<Name>> types;
  std::optional<Name> start_at;        // text "NOW" (not quoted) or the timestamp string (quoted)
  std::optional<Name> format;
  std::optional<Name> partition;       // HASH | ONE (as written; checked in sema)
  std::optional<bool> transaction_sequence;
  std::optional<DeliveryMode> delivery;
  std::optional<bool> ddl;
  std::vector<SourceSpan> option_spans;  // source order, for the formatter
};

enum class TableRefKind { Exact, All, Pattern };
struct TableRef {
  Name database;
  Name table;  // the table name, or the LIKE pattern; empty for db.*
  TableRefKind kind = TableRefKind::Exact;
  SourceSpan span;
};

enum class TargetKind { Topic, ExistingTopic, Template };
struct TopicOption {
  Name name;          // PARTITIONS | REPLICAS (as written)
  int64_t value = 0;
  SourceSpan span;
};
struct SyncTarget {
  TargetKind kind = TargetKind::Topic;
  Name name;  // topic name (dotted joined with '.') or template string
  std::vector<TopicOption> options;
  SourceSpan span;
};

struct ColumnItem {
  ExprPtr expr;
  std::optional<Name> alias;
  bool as_keyword = true;  // `expr AS alias` vs `expr alias`
  SourceSpan span;
};

struct SyncStmt {
  std::vector<TableRef> tables;
  SyncTarget target;
  ExprPtr where;
  std::optional<std::vector<ColumnItem>> columns;
  std::optional<std::vector<Name>> columns_except;
  std::optional<std::vector<Name>> shard_by;
  std::optional<Name> format;
  std::optional<Name> partition;
  SourceSpan where_span, columns_span, shard_span;
};

enum class StatementKind { Include, Source, Sink, Project, Sync };

struct Statement {
  StatementKind kind;
  SourceSpan span;
  IncludeStmt include;
  ConnectionDecl connection;  // Source, Sink
  ProjectDecl project;
  SyncStmt sync;

  explicit Statement(StatementKind k) : kind(k) {}
};

// One parsed file, statements in source order.
struct Script {
  uint32_t file = 0;
  std::vector<Statement> statements;
  size_t dropped_statements = 0;  // statements with syntax errors, left out of the checks
};

// A comment as written, for the formatter.
struct Comment {
  SourceSpan span;
  std::string text;
  bool own_line = false;  // nothing but white space before it on its line
};

}  // namespace obsync::ast
