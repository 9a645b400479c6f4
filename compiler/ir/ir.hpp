// The typed expression IR that the reference interpreter and the JIT both execute.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "compiler/sema/diagnostics.hpp"
#include "stdlib/compare.hpp"
#include "stdlib/function_registry.hpp"
#include "stdlib/types.hpp"
#include "stdlib/value.hpp"

namespace obsync::ir {

enum class Op : uint8_t {
  Const,      // `constant`
  Column,     // the row's column `column` (after image; before image for DELETE)
  OldColumn,  // the before image's column `column`; NULL for INSERT and in the full sync
  OpName,     // op(): 'INSERT' | 'UPDATE' | 'DELETE'
  CommitTs,   // commit_ts(): the source commit time, DATETIME(6)
  Call,       // `fn` over args (operators included: "+", "=", "LIKE", …)
  Cast,       // args[0] converted to `type`
  And, Or, Xor, Not,  // three-valued logic
  IsNull,     // args[0] IS [NOT] NULL (negated)
  IsTrue,     // args[0] IS [NOT] TRUE
  IsFalse,    // args[0] IS [NOT] FALSE
  In,         // args[0] [NOT] IN (args[1..]) compared by `compare`
  Between,    // args[0] [NOT] BETWEEN args[1] AND args[2] compared by `compare`
  Case,       // [operand] (when, then)* [else]; operand compared to whens by `compare`
  If,         // IF(c, a, b): lazy
  Coalesce,   // COALESCE / IFNULL: the first non-NULL, lazily
  NullIf,     // NULLIF(a, b) compared by `compare`
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  Op op = Op::Const;
  SqlType type;             // the MySQL result type
  Value constant;           // Const
  int column = -1;          // Column / OldColumn: index into the table's columns
  const FunctionDef* fn = nullptr;  // Call
  BoundCall call;           // Call: what resolution decided
  ComparePlan compare;      // In, Between, Case (with operand), NullIf
  bool negated = false;
  bool has_operand = false, has_else = false;  // Case
  std::vector<ExprPtr> args;
  SourceSpan span;
  std::string text;         // the source text, for error messages ("in '(a + 1)'")
};

// An output column of a SYNC: its name in messages and the expression computing it.
struct OutputColumn {
  std::string name;
  ExprPtr expr;
  bool is_key = false;  // part of the row key (kept even when not listed)
};

// Readable one-line dump, for `explain` and tests: "(+ [BIGINT] amount:3 1)".
std::string dump(const Expr& e);

}  // namespace obsync::ir
