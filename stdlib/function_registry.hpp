// The built-in function registry: each function is declared once (name, arity, null policy,
// determinism, type resolution) with one implementation that every engine calls.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stdlib/collation.hpp"
#include "stdlib/types.hpp"
#include "stdlib/value.hpp"

namespace obsync {

enum class NullPolicy : uint8_t {
  NullIfAnyNull,  // any NULL argument gives NULL; the implementation never sees NULLs
  Custom,         // the implementation handles NULL arguments itself (CONCAT_WS, GREATEST…)
};

// What type resolution decided for one call site; passed back to the implementation.
struct BoundCall {
  SqlType result;
  std::vector<SqlType> args;          // the argument types as resolved
  const Collation* collation = nullptr;  // comparison/derivation collation for string functions
  int variant = 0;                    // implementation-specific choice (e.g. compare as int/decimal)
  int64_t param = 0;                  // implementation-specific constant (e.g. SHA2's bit length)
};
// BoundCall::param of ROUND/TRUNCATE: the constant digit count (clamped to ±1000), or this.
constexpr int64_t kRoundDigitsNotConstant = INT64_MIN;

// Evaluation state: errors (MySQL raises them: BIGINT out of range, invalid JSON) and warnings.
struct EvalContext {
  bool failed = false;
  std::string error;  // "BIGINT UNSIGNED value is out of range in '(1 - 2)'" (without the expr part)
  int error_code = 0; // MySQL's error number (1690 ER_DATA_OUT_OF_RANGE, …)
  std::string expr_text;  // set by the engine before calling: the failing expression's source

  void fail(int code, std::string message) {
    if (failed) return;
    failed = true;
    error_code = code;
    error = std::move(message);
  }
};

using ResolveFn = bool (*)(std::span<const SqlType> args, BoundCall& out, std::string& error);
using EvalFn = Value (*)(std::span<const Value> args, const BoundCall& call, EvalContext& ctx);

struct FunctionDef {
  std::string_view name;     // upper case, as documented
  int min_args;
  int max_args;              // -1: any number
  NullPolicy null_policy;
  bool deterministic;
  ResolveFn resolve;         // null for rejected (non-deterministic) functions
  EvalFn eval;
  std::string_view usage;    // "SUBSTRING(str, pos[, len])"
};

// Case-insensitive lookup; nullptr when unknown. Aliases (SUBSTR, CEILING, LCASE…) resolve to
// their function.
const FunctionDef* find_function(std::string_view name);
std::vector<std::string> function_names();  // for did-you-mean

// Registration: each stdlib/functions/*.cpp defines one of these, listing its functions.
std::span<const FunctionDef> comparison_operators();  // = <> < <= > >= <=> LIKE REGEXP
std::span<const FunctionDef> arithmetic_operators();  // + - * / DIV % NEG & | ^ << >> ~
std::span<const FunctionDef> string_functions();
std::span<const FunctionDef> numeric_functions();
std::span<const FunctionDef> temporal_functions();
std::span<const FunctionDef> control_functions();
std::span<const FunctionDef> json_functions();
std::span<const FunctionDef> hash_functions();
std::span<const FunctionDef> rejected_functions();  // NOW, RAND, UUID… (non-deterministic)

}  // namespace obsync
