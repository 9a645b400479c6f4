// Binding: AST expressions to typed IR, with MySQL's typing rules and compile-time diagnostics.
#include "stdlib/ascii.hpp"
#include "compiler/sema/binder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "stdlib/collation.hpp"
#include "stdlib/compare.hpp"
#include "stdlib/convert.hpp"
#include "stdlib/function_registry.hpp"
#include "stdlib/charset.hpp"
#include "stdlib/temporal.hpp"

namespace obsync {
namespace {



template <typename... T>
std::vector<ir::ExprPtr> args_of(T&&... args) {
  std::vector<ir::ExprPtr> out;
  (out.push_back(std::forward<T>(args)), ...);
  return out;
}

const char* kAggregates[] = {"COUNT", "SUM", "AVG", "MIN", "MAX", "GROUP_CONCAT", "STD", "STDDEV",
                             "VARIANCE", "BIT_AND", "BIT_OR", "BIT_XOR", "JSON_ARRAYAGG", "JSON_OBJECTAGG"};

class Binder {
 public:
  Binder(const BindScope& scope, const SourceManager& sources, DiagnosticSink& diags)
      : scope_(scope), sources_(sources), diags_(diags), typed_(scope.columns != nullptr) {}

  // Binds; the node's `unknown` state is kept in unknown_ (no schema).
  ir::ExprPtr bind(const ast::Expr& e) {
    auto node = bind_node(e);
    if (node) {
      node->span = e.span;
      if (node->text.empty()) node->text = std::string(sources_.text(e.span));
    }
    return node;
  }

  bool failed() const { return failed_; }

 private:
  void error(const char* code, SourceSpan span, std::string message, std::string help = {}) {
    failed_ = true;
    diags_.error(code, span, std::move(message), std::move(help));
  }

  static ir::ExprPtr make(ir::Op op, SqlType type) {
    auto e = std::make_unique<ir::Expr>();
    e->op = op;
    e->type = std::move(type);
    return e;
  }
  // The placeholder of an expression over an unknown schema (unknown()): not a NULL-typed
  // expression (NULLIF(NULL, 1), COALESCE(NULL) are NULL-typed and bind as what they are).
  static bool is_unknown(const ir::Expr& e) {
    return e.op == ir::Op::Column && e.column < 0 && e.type.cls == TypeClass::Null;
  }
  static ir::ExprPtr unknown() { return make(ir::Op::Column, SqlType{}); }

  // The value of a constant expression (literals, and calls and casts over them), as MySQL's
  // resolution reads const_item() arguments; nullopt when not constant or when it fails.
  static std::optional<Value> constant_value(const ir::Expr& e) {
    switch (e.op) {
      case ir::Op::Const: return e.constant;
      case ir::Op::Cast: {
        auto v = constant_value(*e.args[0]);
        if (!v) return std::nullopt;
        EvalContext ctx;
        Value r = convert_value(*v, e.args[0]->type, e.type, ctx);
        return ctx.failed ? std::nullopt : std::optional<Value>(r);
      }
      case ir::Op::Call: {
        if (!e.fn || !e.fn->deterministic || !e.fn->eval) return std::nullopt;
        std::vector<Value> args;
        for (const auto& a : e.args) {
          auto v = constant_value(*a);
          if (!v) return std::nullopt;
          if (v->is_null() && e.fn->null_policy == NullPolicy::NullIfAnyNull) return Value::null();
          args.push_back(std::move(*v));
        }
        EvalContext ctx;
        Value r = e.fn->eval(args, e.call, ctx);
        return ctx.failed ? std::nullopt : std::optional<Value>(r);
      }
      default: return std::nullopt;
    }
  }

  ir::ExprPtr constant(Value v, SqlType t) {
    auto e = make(ir::Op::Const, std::move(t));
    e->constant = std::move(v);
    return e;
  }

  ir::ExprPtr bind_node(const ast::Expr& e) {
    switch (e.kind) {
      case ast::ExprKind::Literal: return literal(e);
      case ast::ExprKind::Column:
      case ast::ExprKind::OldColumn: return column(e);
      case ast::ExprKind::Unary: return unary(e);
      case ast::ExprKind::Binary: return binary(e);
      case ast::ExprKind::Is: {
        auto arg = bind_arg(e, 0);
        ir::Op op = e.op == "TRUE" ? ir::Op::IsTrue : e.op == "FALSE" ? ir::Op::IsFalse : ir::Op::IsNull;
        auto node = make(op, bool_type());
        node->negated = e.negated;
        node->args.push_back(std::move(arg));
        node->type.nullable = false;
        return node;
      }
      case ast::ExprKind::IsDistinct: {
        auto cmp = call_operator("<=>", e, args_of(bind_arg(e, 0), bind_arg(e, 1)));
        if (!e.negated) return logical_not(std::move(cmp));  // IS DISTINCT FROM = NOT (a <=> b)
        return cmp;
      }
      case ast::ExprKind::Between: {
        auto node = make(ir::Op::Between, bool_type());
        node->negated = e.negated;
        for (size_t i = 0; i < 3; ++i) node->args.push_back(bind_arg(e, i));
        plan_list(*node, e, ListComparison::kFolded);  // one type for both bounds (agg_cmp_type)
        return node;
      }
      case ast::ExprKind::In: {
        auto node = make(ir::Op::In, bool_type());
        node->negated = e.negated;
        for (size_t i = 0; i < e.args.size(); ++i) node->args.push_back(bind_arg(e, i));
        plan_list(*node, e);
        return node;
      }
      case ast::ExprKind::Like: {
        std::vector<ir::ExprPtr> args;
        for (size_t i = 0; i < e.args.size(); ++i) args.push_back(bind_arg(e, i));
        auto node = call_operator("LIKE", e, std::move(args));
        return e.negated ? logical_not(std::move(node)) : std::move(node);
      }
      case ast::ExprKind::Regexp: {
        auto node = call_operator("REGEXP", e, args_of(bind_arg(e, 0), bind_arg(e, 1)));
        return e.negated ? logical_not(std::move(node)) : std::move(node);
      }
      case ast::ExprKind::Case: return case_expr(e);
      case ast::ExprKind::Cast: return cast(e);
      case ast::ExprKind::Call: return call(e);
      case ast::ExprKind::Interval:
        error("E0304", e.span, "INTERVAL can only be added to or subtracted from a date or time",
              "write date_column + INTERVAL 1 DAY, or DATE_ADD(date_column, INTERVAL 1 DAY)");
        return nullptr;
      case ast::ExprKind::JsonPath: return json_path(e);
      case ast::ExprKind::Collate: return collate(e);
    }
    return nullptr;
  }

  ir::ExprPtr bind_arg(const ast::Expr& e, size_t i) {
    if (i >= e.args.size() || !e.args[i]) return nullptr;
    return bind(*e.args[i]);
  }

  static SqlType bool_type() {
    SqlType t = SqlType::bigint();
    t.length = 1;
    return t;
  }

  // --- leaves ------------------------------------------------------------------------
  ir::ExprPtr literal(const ast::Expr& e) {
    using K = ast::LiteralKind;
    switch (e.literal_kind) {
      case K::Null: {
        SqlType t;
        t.derivation = SqlType::kIgnorable;
        return constant(Value::null(), t);
      }
      case K::Bool: return constant(Value::from_int(e.text == "TRUE" ? 1 : 0), bool_type());
      case K::String: {
        SqlType t = SqlType::string(&default_collation(), static_cast<uint32_t>(utf8_char_length(e.text)));
        t.nullable = false;
        return constant(Value::from_string(e.text), t);
      }
      case K::Integer:
      case K::Decimal:
      case K::Real:
      case K::Hex:
      case K::Bit: {
        LiteralClass kind = e.literal_kind == K::Integer ? LiteralClass::Integer
                            : e.literal_kind == K::Decimal ? LiteralClass::Decimal
                            : e.literal_kind == K::Real ? LiteralClass::Real
                            : e.literal_kind == K::Hex ? LiteralClass::Hex : LiteralClass::Bit;
        auto lit = numeric_literal(e.text, kind);
        if (!lit) {
          error("E0308", e.span, fmt::format("invalid number `{}`", sources_.text(e.span)),
                e.literal_kind == K::Real ? "a DOUBLE is at most 1.7976931348623157e308" : "");
          return nullptr;
        }
        return constant(std::move(lit->first), std::move(lit->second));
      }
      case K::Date: {
        auto t = parse_date(e.text);
        if (!t || !strict_literal_ok(e.text)) {
          error("E0308", e.span, fmt::format("invalid DATE literal '{}'", e.text), "write DATE 'YYYY-MM-DD'");
          return nullptr;
        }
        return constant(Value::from_temporal(TypeClass::Date, *t), not_null(SqlType::date()));
      }
      case K::Time: {
        int fsp = fraction_digits(e.text);
        auto t = parse_time(e.text, fsp);
        if (!t) {
          error("E0308", e.span, fmt::format("invalid TIME literal '{}'", e.text), "write TIME 'HH:MM:SS[.ffffff]'");
          return nullptr;
        }
        return constant(Value::from_temporal(TypeClass::Time, *t), not_null(SqlType::time(fsp)));
      }
      case K::Timestamp: {
        int fsp = fraction_digits(e.text);
        auto t = parse_datetime(e.text, fsp);
        if (!t || !strict_literal_ok(e.text)) {
          error("E0308", e.span, fmt::format("invalid TIMESTAMP literal '{}'", e.text),
                "write TIMESTAMP 'YYYY-MM-DD HH:MM:SS[.ffffff]'");
          return nullptr;
        }
        return constant(Value::from_temporal(TypeClass::DateTime, *t), not_null(SqlType::datetime(fsp)));
      }
    }
    return nullptr;
  }

  static SqlType not_null(SqlType t) {
    t.nullable = false;
    return t;
  }
  // Standard-SQL temporal literals must start with a year (MySQL rejects DATE '' and the like).
  static bool strict_literal_ok(std::string_view s) {
    return !s.empty() && std::isdigit(static_cast<unsigned char>(s.front()));
  }
  static int fraction_digits(std::string_view s) {
    size_t dot = s.rfind('.');
    if (dot == std::string_view::npos || s.find(':') == std::string_view::npos || dot < s.rfind(':')) return 0;
    size_t n = 0;
    for (size_t i = dot + 1; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) ++n;
    return static_cast<int>(std::min<size_t>(n, 6));
  }

  ir::ExprPtr column(const ast::Expr& e) {
    if (!typed_) return unknown();
    const auto& cols = *scope_.columns;
    for (size_t i = 0; i < cols.size(); ++i) {
      if (upper(cols[i].name) != upper(e.text)) continue;
      SqlType t = cols[i].type;
      t.derivation = SqlType::kImplicit;
      if (e.kind == ast::ExprKind::OldColumn) t.nullable = true;
      auto node = make(e.kind == ast::ExprKind::OldColumn ? ir::Op::OldColumn : ir::Op::Column, t);
      node->column = static_cast<int>(i);
      return node;
    }
    TableSchema fake;
    fake.columns = cols;
    report_unknown_column(e.text, e.span, fake, scope_.table_name, diags_);
    failed_ = true;
    return nullptr;
  }

  // --- operators ---------------------------------------------------------------------
  ir::ExprPtr logical_not(ir::ExprPtr arg) {
    auto node = make(ir::Op::Not, bool_type());
    if (arg) node->span = arg->span, node->text = arg->text;
    node->args.push_back(std::move(arg));
    return node;
  }

  ir::ExprPtr unary(const ast::Expr& e) {
    if (e.op == "NOT" || e.op == "!") return logical_not(bind_arg(e, 0));
    if (e.op == "+") return bind_arg(e, 0);
    if (e.op == "-" && e.args[0] && e.args[0]->kind == ast::ExprKind::Literal &&
        (e.args[0]->literal_kind == ast::LiteralKind::Integer || e.args[0]->literal_kind == ast::LiteralKind::Decimal ||
         e.args[0]->literal_kind == ast::LiteralKind::Real)) {
      // A negative number literal, as MySQL's parser folds it (-9223372036854775808 is BIGINT).
      auto lit = numeric_literal("-" + e.args[0]->text,
                                 e.args[0]->literal_kind == ast::LiteralKind::Integer ? LiteralClass::Integer
                                 : e.args[0]->literal_kind == ast::LiteralKind::Decimal ? LiteralClass::Decimal
                                                                                        : LiteralClass::Real);
      if (lit) return constant(std::move(lit->first), std::move(lit->second));
    }
    if (e.op == "BINARY") {
      auto arg = bind_arg(e, 0);
      if (!arg) return nullptr;
      auto node = make(ir::Op::Cast, SqlType::varbinary());
      node->args.push_back(std::move(arg));
      return node;
    }
    auto arg = bind_arg(e, 0);
    int64_t param = 0;
    if (e.op == "-" && arg && arg->type.cls == TypeClass::Int) {
      // MySQL negates a constant integer as DECIMAL when its bits read as unsigned reach 2^63
      // (only the literal 9223372036854775808 stays BIGINT): - -9223372036854775808 is
      // 9223372036854775808, not an overflow.
      auto v = constant_value(*arg);
      if (v && v->cls == TypeClass::Int) {
        uint64_t bits = v->is_unsigned ? v->u : static_cast<uint64_t>(v->i);
        bool literal_2_63 = arg->op == ir::Op::Const && v->is_unsigned && bits == (uint64_t(1) << 63);
        if (bits >= (uint64_t(1) << 63) && !literal_2_63) param = 1;
      }
    }
    return call_named(e.op == "-" ? "NEG" : "~", e, args_of(std::move(arg)), param);
  }

  ir::ExprPtr binary(const ast::Expr& e) {
    const std::string& op = e.op;
    if (op == "AND" || op == "OR" || op == "XOR") {
      auto node = make(op == "AND" ? ir::Op::And : op == "OR" ? ir::Op::Or : ir::Op::Xor, bool_type());
      node->args.push_back(bind_arg(e, 0));
      node->args.push_back(bind_arg(e, 1));
      return node;
    }
    // Date arithmetic: d + INTERVAL n unit, INTERVAL n unit + d, d - INTERVAL n unit.
    bool left_interval = e.args[0] && e.args[0]->kind == ast::ExprKind::Interval;
    bool right_interval = e.args[1] && e.args[1]->kind == ast::ExprKind::Interval;
    if ((op == "+" || op == "-") && (left_interval || right_interval)) {
      if (left_interval && (op == "-" || right_interval)) {
        error("E0304", e.span, "an INTERVAL cannot be the left side of `-`", "write date - INTERVAL n unit");
        return nullptr;
      }
      const ast::Expr& interval = left_interval ? *e.args[0] : *e.args[1];
      const ast::Expr* date = left_interval ? e.args[1].get() : e.args[0].get();
      return date_arith(op == "+" ? "DATE_ADD" : "DATE_SUB", e, date, interval);
    }
    std::string name = op == "!=" ? "<>" : op == "MOD" ? "%" : op;
    return call_operator(name, e, args_of(bind_arg(e, 0), bind_arg(e, 1)));
  }

  ir::ExprPtr date_arith(const char* fn_name, const ast::Expr& e, const ast::Expr* date, const ast::Expr& interval) {
    if (!date || interval.args.empty() || !interval.args[0]) return nullptr;
    std::vector<ir::ExprPtr> args;
    args.push_back(bind(*date));
    args.push_back(bind(*interval.args[0]));
    auto node = call_named(fn_name, e, std::move(args), static_cast<int64_t>(interval.unit));
    return node;
  }

  ir::ExprPtr call_operator(const std::string& name, const ast::Expr& e, std::vector<ir::ExprPtr> args) {
    return call_named(name, e, std::move(args), 0);
  }

  // Resolves a registry function with bound arguments; `param` is passed to resolution.
  ir::ExprPtr call_named(const std::string& name, const ast::Expr& e, std::vector<ir::ExprPtr> args, int64_t param) {
    const FunctionDef* fn = find_function(name);
    if (!fn) {
      error("E0300", e.span, fmt::format("unknown function `{}`", name));
      return nullptr;
    }
    bool any_missing = false, any_unknown = false;
    for (const auto& a : args) {
      if (!a) any_missing = true;
      else if (is_unknown(*a)) any_unknown = true;
    }
    if (any_missing) return nullptr;
    if (any_unknown) return unknown();
    std::vector<SqlType> types;
    for (const auto& a : args) types.push_back(a->type);
    auto node = make(ir::Op::Call, SqlType{});
    node->fn = fn;
    node->call.param = param;
    std::string err;
    if (!fn->resolve || !fn->resolve(types, node->call, err)) {
      error("E0304", e.span, err.empty() ? fmt::format("invalid arguments for {}", fn->usage) : err,
            fn->usage.empty() ? "" : fmt::format("usage: {}", fn->usage));
      return nullptr;
    }
    node->type = node->call.result;
    node->call.args = types;
    node->args = std::move(args);
    return node;
  }

  void plan_list(ir::Expr& node, const ast::Expr& e, ListComparison mode = ListComparison::kPairwise) {
    std::vector<SqlType> types;
    for (const auto& a : node.args) {
      if (!a) return;
      if (is_unknown(*a)) {
        node.type = SqlType{};  // unknown
        node.op = ir::Op::Column;
        return;
      }
      types.push_back(a->type);
    }
    std::string err;
    bool ok = true;
    node.compare = plan_comparison_list(types, err, ok, mode);
    if (!ok) error("E0304", e.span, err);
  }

  // Binds every argument of `e` into `node`: Failed after an error, Unknown when some argument's
  // type is unknown (no schema), Typed otherwise.
  enum class ArgsBound { Failed, Unknown, Typed };
  ArgsBound bind_all_args(const ast::Expr& e, ir::Expr& node) {
    bool unknown_any = false;
    for (size_t i = 0; i < e.args.size(); ++i) {
      auto a = bind_arg(e, i);
      if (!a) return ArgsBound::Failed;
      unknown_any |= is_unknown(*a);
      node.args.push_back(std::move(a));
    }
    return unknown_any ? ArgsBound::Unknown : ArgsBound::Typed;
  }

  ir::ExprPtr case_expr(const ast::Expr& e) {
    auto node = make(ir::Op::Case, SqlType{});
    node->has_operand = e.has_operand;
    node->has_else = e.has_else;
    switch (bind_all_args(e, *node)) {
      case ArgsBound::Failed: return nullptr;
      case ArgsBound::Unknown: return unknown();
      case ArgsBound::Typed: break;
    }
    size_t first = e.has_operand ? 1 : 0;
    size_t pairs_end = e.args.size() - (e.has_else ? 1 : 0);
    std::vector<SqlType> results;
    for (size_t i = first + 1; i < pairs_end; i += 2) results.push_back(node->args[i]->type);
    if (e.has_else) results.push_back(node->args.back()->type);
    if (!e.has_else) {
      SqlType null_type;
      null_type.derivation = SqlType::kIgnorable;
      results.push_back(null_type);
    }
    std::string err;
    auto t = aggregate_types(results, err);
    if (!t) {
      error("E0304", e.span, err);
      return nullptr;
    }
    node->type = *t;
    if (e.has_operand) {
      std::vector<SqlType> keys{node->args[0]->type};
      for (size_t i = first; i < pairs_end; i += 2) keys.push_back(node->args[i]->type);
      bool ok = true;
      node->compare = plan_comparison_list(keys, err, ok);
      if (!ok) error("E0304", e.span, err);
    }
    return node;
  }

  ir::ExprPtr cast(const ast::Expr& e) {
    auto arg = bind_arg(e, 0);
    if (!arg) return nullptr;
    const ast::CastType& c = e.cast;
    SqlType t;
    switch (c.kind) {
      case ast::CastKind::Signed: t = SqlType::bigint(false); break;
      case ast::CastKind::Unsigned: t = SqlType::bigint(true); break;
      case ast::CastKind::Decimal: {
        int p = c.length.value_or(10), s = c.scale.value_or(0);
        if (p < 1 || p > 65) {
          error("E0304", e.span, fmt::format("DECIMAL precision {} is out of range (1 to 65)", p));
          return nullptr;
        }
        if (s > 30 || s > p) {
          error("E0304", e.span, fmt::format("DECIMAL scale {} is out of range (0 to 30, at most the precision {})", s, p));
          return nullptr;
        }
        t = SqlType::decimal(p, s);
        break;
      }
      case ast::CastKind::Double: t = SqlType::dbl(); break;
      case ast::CastKind::Float:
        t = SqlType::dbl();
        if (!c.length || *c.length <= 24) t.column = ColumnType::Float;
        if (c.length && *c.length > 53) {
          error("E0304", e.span, fmt::format("FLOAT({}) is out of range (0 to 53)", *c.length));
          return nullptr;
        }
        break;
      case ast::CastKind::Char: {
        const Collation* coll = &default_collation();
        if (!c.charset.empty()) {
          std::string cs = upper(c.charset);
          if (cs == "BINARY") coll = &binary_collation();
          else if (cs != "UTF8MB4" && cs != "UTF8" && cs != "UTF8MB3") {
            error("E0305", e.span, fmt::format("unsupported character set `{}`", c.charset),
                  "obsync evaluates strings in utf8mb4");
            return nullptr;
          }
        }
        t = SqlType::string(coll, c.length ? static_cast<uint32_t>(*c.length) : 0);
        t.derivation = SqlType::kImplicit;
        break;
      }
      case ast::CastKind::Binary:
        t = SqlType::varbinary(c.length ? static_cast<uint32_t>(*c.length) : 0);
        break;
      case ast::CastKind::Date: t = SqlType::date(); break;
      case ast::CastKind::DateTime:
      case ast::CastKind::Time: {
        int fsp = c.length.value_or(0);
        if (fsp > 6) {
          error("E0304", e.span, fmt::format("fractional seconds precision {} is out of range (0 to 6)", fsp));
          return nullptr;
        }
        t = c.kind == ast::CastKind::Time ? SqlType::time(fsp) : SqlType::datetime(fsp);
        break;
      }
      case ast::CastKind::Json: t = SqlType::json(); break;
      case ast::CastKind::Year:
        t = SqlType::bigint(true);
        t.column = ColumnType::Year;
        t.length = 4;
        break;
    }
    if (is_unknown(*arg)) return unknown();
    t.nullable = true;
    auto node = make(ir::Op::Cast, t);
    node->args.push_back(std::move(arg));
    return node;
  }

  ir::ExprPtr collate(const ast::Expr& e) {
    const Collation* coll = find_collation(e.text);
    if (!coll) {
      error("E0305", e.span, fmt::format("unknown or unsupported collation `{}`", e.text),
            "supported: utf8mb4_bin, utf8mb4_general_ci, utf8mb4_0900_ai_ci, binary");
      return nullptr;
    }
    auto arg = bind_arg(e, 0);
    if (!arg) return nullptr;
    if (is_unknown(*arg)) return unknown();
    if (arg->type.cls != TypeClass::String && arg->type.cls != TypeClass::Null) {
      // MySQL converts non-strings to the connection character set first.
      auto node = make(ir::Op::Cast, SqlType::string(coll));
      node->args.push_back(std::move(arg));
      arg = std::move(node);
    }
    if (arg->type.cls == TypeClass::String && arg->type.is_binary_string() != coll->is_binary) {
      error("E0305", e.span,
            fmt::format("COLLATE '{}' is not valid for CHARACTER SET '{}'", coll->name,
                        arg->type.collation ? arg->type.collation->charset : "utf8mb4"));
      return nullptr;
    }
    arg->type.collation = coll;
    arg->type.derivation = SqlType::kExplicit;
    return arg;
  }

  ir::ExprPtr json_path(const ast::Expr& e) {
    ast::Expr col(ast::ExprKind::Column, e.span);
    col.text = e.text;
    auto c = column(col);
    if (!c) return nullptr;
    if (!is_unknown(*c) && c->type.cls != TypeClass::Json)
      error("E0304", e.span, fmt::format("`{}` is {}, not JSON: `{}` needs a JSON column", e.text, to_string(c->type), e.op),
            fmt::format("use JSON_EXTRACT({}, '{}')", e.text, e.json_path));
    SqlType path_type = SqlType::string(&default_collation());
    std::vector<ir::ExprPtr> args;
    args.push_back(std::move(c));
    args.push_back(constant(Value::from_string(e.json_path), path_type));
    auto extract = call_named("JSON_EXTRACT", e, std::move(args), 0);
    if (e.op == "->" || !extract) return extract;
    std::vector<ir::ExprPtr> unq;
    unq.push_back(std::move(extract));
    return call_named("JSON_UNQUOTE", e, std::move(unq), 0);
  }

  // --- calls -------------------------------------------------------------------------
  ir::ExprPtr call(const ast::Expr& e) {
    std::string name = upper(e.text);
    size_t n = e.args.size();
    auto arity = [&](size_t lo, size_t hi, const char* usage) {
      if (n >= lo && n <= hi) return true;
      std::string_view shown(usage);  // spelled as the usage spells it: op, commit_ts, IF
      shown = shown.substr(0, shown.find('('));
      error("E0301", e.span,
            fmt::format("{} takes {} argument{}, not {}", shown,
                        lo == hi ? std::to_string(lo) : fmt::format("{} to {}", lo, hi), hi == 1 ? "" : "s", n),
            fmt::format("usage: {}", usage));
      return false;
    };
    if (name == "OP") {
      if (!arity(0, 0, "op()")) return nullptr;
      SqlType t = SqlType::string(&default_collation(), 6);
      t.nullable = false;
      return make(ir::Op::OpName, t);
    }
    if (name == "MOD") {
      // MOD(a, b) is the operator a % b; the registry names operators by their symbol.
      if (!arity(2, 2, "MOD(a, b)")) return nullptr;
      return call_operator("%", e, args_of(bind_arg(e, 0), bind_arg(e, 1)));
    }
    if (name == "COMMIT_TS") {
      if (!arity(0, 0, "commit_ts()")) return nullptr;
      return make(ir::Op::CommitTs, not_null(SqlType::datetime(6)));
    }
    if (name == "IF") {
      if (!arity(3, 3, "IF(condition, then, else)")) return nullptr;
      return lazy(ir::Op::If, e, 1);
    }
    if (name == "IFNULL") {
      if (!arity(2, 2, "IFNULL(value, fallback)")) return nullptr;
      return lazy(ir::Op::Coalesce, e, 0);
    }
    if (name == "COALESCE") {
      if (!arity(1, 1000, "COALESCE(value, ...)")) return nullptr;
      return lazy(ir::Op::Coalesce, e, 0);
    }
    if (name == "NULLIF") {
      if (!arity(2, 2, "NULLIF(a, b)")) return nullptr;
      auto node = make(ir::Op::NullIf, SqlType{});
      node->args.push_back(bind_arg(e, 0));
      node->args.push_back(bind_arg(e, 1));
      if (!node->args[0] || !node->args[1]) return nullptr;
      if (is_unknown(*node->args[0]) || is_unknown(*node->args[1])) return unknown();
      node->type = node->args[0]->type;
      node->type.nullable = true;
      std::string err;
      bool ok = true;
      node->compare = plan_comparison_list({node->args[0]->type, node->args[1]->type}, err, ok);
      if (!ok) error("E0304", e.span, err);
      return node;
    }
    if ((name == "DATE_ADD" || name == "DATE_SUB" || name == "ADDDATE" || name == "SUBDATE") && n == 2 &&
        e.args[1] && e.args[1]->kind == ast::ExprKind::Interval) {
      return date_arith(name == "DATE_ADD" || name == "ADDDATE" ? "DATE_ADD" : "DATE_SUB", e, e.args[0].get(), *e.args[1]);
    }
    if (name == "DATE_ADD" || name == "DATE_SUB") {
      error("E0301", e.span, fmt::format("{} takes a date and an INTERVAL", name),
            fmt::format("usage: {}(date, INTERVAL 1 DAY)", name));
      return nullptr;
    }
    if (std::find(std::begin(kAggregates), std::end(kAggregates), name) != std::end(kAggregates)) {
      error("E0307", e.span, fmt::format("aggregate function {} cannot be used here", name),
            "a SYNC expression sees one row at a time");
      return nullptr;
    }
    const FunctionDef* fn = find_function(name);
    if (fn && !fn->deterministic) {
      error("E0302", e.span, fmt::format("{}() is not deterministic and cannot be used in a SYNC", name),
            name == "NOW" || name == "SYSDATE" || name == "CURRENT_TIMESTAMP" || name == "LOCALTIME" ||
                    name == "CURDATE" || name == "CURRENT_DATE" || name == "UTC_TIMESTAMP"
                ? "a replayed change must give the same message: use commit_ts(), the source commit time"
                : "a replayed change must give the same message");
      return nullptr;
    }
    if (!fn || fn->name.empty() || !std::isalpha(static_cast<unsigned char>(fn->name[0]))) {
      std::vector<std::string> names = function_names();
      names.push_back("IF");
      names.push_back("IFNULL");
      names.push_back("COALESCE");
      names.push_back("NULLIF");
      names.push_back("OP");
      names.push_back("COMMIT_TS");
      std::string guess = closest_match(name, names);
      error("E0300", e.span, fmt::format("unknown function `{}`", e.text),
            guess.empty() ? "see docs/language.md for the built-in functions" : fmt::format("did you mean `{}`?", guess));
      for (const auto& a : e.args)
        if (a) bind(*a);  // still report problems inside the arguments
      return nullptr;
    }
    if (static_cast<int>(n) < fn->min_args || (fn->max_args >= 0 && static_cast<int>(n) > fn->max_args)) {
      std::string expected = fn->min_args == fn->max_args ? std::to_string(fn->min_args)
                             : fn->max_args < 0 ? fmt::format("at least {}", fn->min_args)
                                                : fmt::format("{} to {}", fn->min_args, fn->max_args);
      error("E0301", e.span,
            fmt::format("{} takes {} argument{}, not {}", fn->name, expected,
                        (fn->max_args == 1 && fn->min_args == 1) ? "" : "s", n),
            fmt::format("usage: {}", fn->usage));
      return nullptr;
    }
    std::vector<ir::ExprPtr> args;
    for (size_t i = 0; i < n; ++i) args.push_back(bind_arg(e, i));
    int64_t param = 0;
    if (fn->name == "TRIM") param = e.op == "LEADING" ? 1 : e.op == "TRAILING" ? 2 : 0;
    // ADDDATE(d, n) / SUBDATE(d, n) without INTERVAL add n days.
    if (fn->name == "DATE_ADD" || fn->name == "DATE_SUB") param = static_cast<int64_t>(IntervalUnit::Day);
    // UNIX_TIMESTAMP's scale for a constant string is the fraction digits it holds (MySQL's
    // Item::datetime_precision reads the value); 6 when it is not a datetime.
    if (fn->name == "UNIX_TIMESTAMP" && n == 1 && args[0] && args[0]->op == ir::Op::Const &&
        args[0]->constant.cls == TypeClass::String)
      param = 1 + datetime_fraction_digits(args[0]->constant.str).value_or(6);
    if ((fn->name == "ROUND" || fn->name == "TRUNCATE") && n == 2 && args[1]) {
      // MySQL types ROUND(x, d) from d when d is a constant: ROUND(1.2345, 2) is DECIMAL(.., 2).
      param = kRoundDigitsNotConstant;
      if (auto d = constant_value(*args[1])) {
        IntValue i = d->is_null() ? IntValue{} : value_to_int(*d, args[1]->type);
        param = i.is_unsigned && i.value < 0 ? 1000 : std::clamp<int64_t>(i.value, -1000, 1000);
      }
    }
    return call_named(std::string(fn->name), e, std::move(args), param);
  }

  // IF / IFNULL / COALESCE: branches evaluated only when chosen, as in MySQL.
  ir::ExprPtr lazy(ir::Op op, const ast::Expr& e, size_t first_result) {
    auto node = make(op, SqlType{});
    switch (bind_all_args(e, *node)) {
      case ArgsBound::Failed: return nullptr;
      case ArgsBound::Unknown: return unknown();
      case ArgsBound::Typed: break;
    }
    std::vector<SqlType> results;
    for (size_t i = first_result; i < node->args.size(); ++i) results.push_back(node->args[i]->type);
    std::string err;
    auto t = aggregate_types(results, err);
    if (!t) {
      error("E0304", e.span, err);
      return nullptr;
    }
    node->type = *t;
    if (op == ir::Op::Coalesce)
      node->type.nullable = std::all_of(node->args.begin(), node->args.end(), [](const ir::ExprPtr& a) { return a->type.nullable; });
    return node;
  }

  const BindScope& scope_;
  const SourceManager& sources_;
  DiagnosticSink& diags_;
  bool typed_;
  bool failed_ = false;
};

bool condition_compatible(const SqlType& t) {
  return t.cls == TypeClass::Int || t.cls == TypeClass::Decimal || t.cls == TypeClass::Double ||
         t.cls == TypeClass::Null;
}

}  // namespace

ir::ExprPtr bind_expression(const ast::Expr& expr, const BindScope& scope, const SourceManager& sources,
                            DiagnosticSink& diags) {
  Binder binder(scope, sources, diags);
  ir::ExprPtr e = binder.bind(expr);
  if (binder.failed() || !scope.columns) return nullptr;
  return e;
}

ir::ExprPtr bind_where(const ast::Expr& expr, const BindScope& scope, const SourceManager& sources,
                       DiagnosticSink& diags) {
  Binder binder(scope, sources, diags);
  ir::ExprPtr e = binder.bind(expr);
  if (binder.failed() || !e) return nullptr;
  bool known = !(e->type.cls == TypeClass::Null && e->op != ir::Op::Const);
  if (known && !condition_compatible(e->type)) {
    diags.error("E0303", expr.span,
                fmt::format("WHERE needs a condition, but this is {}", to_string(e->type)),
                e->type.cls == TypeClass::String ? fmt::format("compare it: {} <> ''", sources.text(expr.span))
                                                 : fmt::format("compare it: {} IS NOT NULL", sources.text(expr.span)));
    return nullptr;
  }
  if (!scope.columns) return nullptr;
  return e;
}

void report_unknown_column(const std::string& name, SourceSpan span, const TableSchema& table,
                           const std::string& table_name, DiagnosticSink& diags, const char* code) {
  std::vector<std::string> names;
  for (const auto& c : table.columns) names.push_back(c.name);
  std::string guess = closest_match(name, names);
  diags.error(code, span,
              table_name.empty() ? fmt::format("unknown column `{}`", name)
                                 : fmt::format("unknown column `{}` in {}", name, table_name),
              guess.empty() ? fmt::format("columns: {}", fmt::join(names, ", ")) : fmt::format("did you mean `{}`?", guess));
}

}  // namespace obsync
