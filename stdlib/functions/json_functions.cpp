// Json built-in functions (registered in json_functions()): JSON_EXTRACT (and so `->`),
// JSON_UNQUOTE (`->>`), JSON_TYPE, JSON_VALID, JSON_QUOTE, JSON_ARRAY, JSON_OBJECT, JSON_LENGTH,
// JSON_KEYS, JSON_DEPTH, JSON_CONTAINS_PATH, with MySQL 8's errors.
#include <fmt/format.h>

#include <algorithm>

#include "stdlib/convert.hpp"
#include "stdlib/function_registry.hpp"
#include "stdlib/json.hpp"

namespace obsync {
namespace {

SqlType json_text_type() {
  SqlType t = SqlType::string(find_collation("utf8mb4_bin"));
  t.derivation = SqlType::kCoercible;
  return t;
}

bool resolve_json(std::span<const SqlType>, BoundCall& out, std::string&) {
  out.result = SqlType::json();
  return true;
}
bool resolve_text(std::span<const SqlType>, BoundCall& out, std::string&) {
  out.result = json_text_type();
  return true;
}
bool resolve_int(std::span<const SqlType>, BoundCall& out, std::string&) {
  out.result = SqlType::bigint();
  return true;
}
bool resolve_object(std::span<const SqlType> args, BoundCall& out, std::string& error) {
  if (args.size() % 2 != 0) {
    error = "Incorrect parameter count in the call to native function 'JSON_OBJECT'";
    return false;
  }
  out.result = SqlType::json();
  out.result.nullable = false;
  return true;
}

bool is_text(const Value& v, const SqlType& t) { return v.cls == TypeClass::String && t.column != ColumnType::Bit; }

// A JSON document argument (MySQL's get_json_wrapper): a JSON value, or a string holding JSON
// text. nullopt with an error in ctx otherwise. `index` is 0-based.
std::optional<JsonValue> document_arg(const Value& v, const SqlType& t, size_t index, std::string_view func,
                                      EvalContext& ctx) {
  if (v.cls == TypeClass::Json) return read_stored_json(v.str);
  if (!is_text(v, t)) {
    ctx.fail(3146, fmt::format("Invalid data type for JSON data in argument {} to function {}; a JSON string or "
                               "JSON type is required.",
                               index + 1, func));
    return std::nullopt;
  }
  if (t.is_binary_string()) {
    ctx.fail(3144, "Cannot create a JSON value from a string with CHARACTER SET 'binary'.");
    return std::nullopt;
  }
  JsonParseError error;
  auto doc = parse_json(v.str, &error);
  if (!doc) {
    if (error.too_deep) ctx.fail(3157, error.message);
    else
      ctx.fail(3141, fmt::format("Invalid JSON text in argument {} to function {}: \"{}\" at position {}.", index + 1,
                                 func, error.message, error.offset));
  }
  return doc;
}

std::optional<JsonPath> path_arg(const Value& v, const SqlType& t, EvalContext& ctx) {
  std::string text = value_to_string(v, t);
  size_t position = 0;
  auto path = parse_json_path(text, &position);
  if (!path)
    ctx.fail(3143, fmt::format("Invalid JSON path expression. The error is around character position {}.", position));
  return path;
}

Value eval_extract(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  if (a[0].is_null()) return Value::null();
  auto doc = document_arg(a[0], c.args[0], 0, "json_extract", ctx);
  if (!doc) return Value::null();
  bool many = a.size() > 2;
  std::vector<const JsonValue*> hits;
  for (size_t k = 1; k < a.size(); ++k) {
    if (a[k].is_null()) return Value::null();
    auto path = path_arg(a[k], c.args[k], ctx);
    if (!path) return Value::null();
    many = many || path->can_match_many();
    auto found = json_seek(*doc, *path);
    hits.insert(hits.end(), found.begin(), found.end());
  }
  if (hits.empty()) return Value::null();
  if (!many) return json_value(*hits[0]);
  JsonValue result = JsonValue::array();
  for (const JsonValue* h : hits) result.elements.push_back(*h);
  return json_value(result);
}

Value eval_unquote(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  if (a[0].cls == TypeClass::Json) return Value::from_string(json_to_unquoted_text(read_stored_json(a[0].str)));
  if (!is_text(a[0], c.args[0])) {
    ctx.fail(3064, "Incorrect type for argument 1 in function json_unquote.");
    return Value::null();
  }
  const std::string& s = a[0].str;
  // Only a string that starts and ends with a double quote is unquoted; anything else is
  // returned as it is.
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return Value::from_string(s);
  auto doc = document_arg(a[0], c.args[0], 0, "json_unquote", ctx);
  if (!doc) return Value::null();
  return Value::from_string(doc->str);
}

Value eval_type(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  auto doc = document_arg(a[0], c.args[0], 0, "json_type", ctx);
  if (!doc) return Value::null();
  return Value::from_string(std::string(json_type_name(*doc)));
}

Value eval_valid(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  if (a[0].cls == TypeClass::Json) return Value::from_int(1);
  if (!is_text(a[0], c.args[0]) || c.args[0].is_binary_string()) return Value::from_int(0);
  return Value::from_int(parse_json(a[0].str).has_value());
}

Value eval_quote(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  if (!is_text(a[0], c.args[0]) && a[0].cls != TypeClass::Json) {
    ctx.fail(3064, "Incorrect type for argument 1 in function json_quote.");
    return Value::null();
  }
  return Value::from_string(json_quote(a[0].str));
}

Value eval_array(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  JsonValue result = JsonValue::array();
  for (size_t k = 0; k < a.size(); ++k) result.elements.push_back(json_from_sql(a[k], c.args[k]));
  return json_value(result);
}

Value eval_object(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  JsonValue result = JsonValue::object();
  for (size_t k = 0; k + 1 < a.size(); k += 2) {
    if (a[k].is_null()) {
      ctx.fail(3158, "JSON documents may not contain NULL member names.");
      return Value::null();
    }
    std::string key = a[k].cls == TypeClass::Json ? json_to_unquoted_text(read_stored_json(a[k].str))
                                                  : value_to_string(a[k], c.args[k]);
    result.set(std::move(key), json_from_sql(a[k + 1], c.args[k + 1]));
  }
  return json_value(result);
}

// The single value a path without wildcards selects (JSON_LENGTH, JSON_KEYS): nullptr when none;
// error 3149 for paths with wildcards.
bool single_path_target(std::span<const Value> a, const BoundCall& c, const JsonValue& doc, EvalContext& ctx,
                        const JsonValue*& target) {
  target = &doc;
  if (a.size() < 2) return true;
  auto path = path_arg(a[1], c.args[1], ctx);
  if (!path) return false;
  if (path->can_match_many()) {
    ctx.fail(3149, "In this situation, path expressions may not contain the * and ** tokens or an array range.");
    return false;
  }
  auto hits = json_seek(doc, *path);
  target = hits.empty() ? nullptr : hits[0];
  return true;
}

Value eval_length(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  auto doc = document_arg(a[0], c.args[0], 0, "json_length", ctx);
  const JsonValue* target = nullptr;
  if (!doc || !single_path_target(a, c, *doc, ctx, target) || !target) return Value::null();
  if (target->type == JsonType::Array) return Value::from_int(static_cast<int64_t>(target->elements.size()));
  if (target->type == JsonType::Object) return Value::from_int(static_cast<int64_t>(target->members.size()));
  return Value::from_int(1);
}

Value eval_keys(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  auto doc = document_arg(a[0], c.args[0], 0, "json_keys", ctx);
  const JsonValue* target = nullptr;
  if (!doc || !single_path_target(a, c, *doc, ctx, target) || !target || target->type != JsonType::Object)
    return Value::null();
  JsonValue keys = JsonValue::array();
  for (const JsonMember& m : target->members) keys.elements.push_back(JsonValue::from_string(m.key));
  return json_value(keys);
}

int64_t depth(const JsonValue& v) {
  int64_t deepest = 0;
  for (const JsonValue& e : v.elements) deepest = std::max(deepest, depth(e));
  for (const JsonMember& m : v.members) deepest = std::max(deepest, depth(m.value));
  return 1 + deepest;
}

Value eval_depth(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  auto doc = document_arg(a[0], c.args[0], 0, "json_depth", ctx);
  if (!doc) return Value::null();
  return Value::from_int(depth(*doc));
}

Value eval_contains_path(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  for (const Value& v : a)
    if (v.is_null()) return Value::null();
  auto doc = document_arg(a[0], c.args[0], 0, "json_contains_path", ctx);
  if (!doc) return Value::null();
  std::string mode = value_to_string(a[1], c.args[1]);
  std::transform(mode.begin(), mode.end(), mode.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
  if (mode != "one" && mode != "all") {
    ctx.fail(3150, "The oneOrAll argument to json_contains_path may take these values: 'one' or 'all'.");
    return Value::null();
  }
  bool all = mode == "all";
  bool result = all;
  for (size_t k = 2; k < a.size(); ++k) {
    auto path = path_arg(a[k], c.args[k], ctx);
    if (!path) return Value::null();
    bool found = !json_seek(*doc, *path).empty();
    if (all && !found) result = false;
    if (!all && found) result = true;
  }
  return Value::from_int(result);
}

constexpr FunctionDef kJson[] = {
    {"JSON_EXTRACT", 2, -1, NullPolicy::Custom, true, resolve_json, eval_extract, "JSON_EXTRACT(doc, path[, path]...)"},
    {"JSON_UNQUOTE", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_text, eval_unquote, "JSON_UNQUOTE(json_val)"},
    {"JSON_TYPE", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_text, eval_type, "JSON_TYPE(json_val)"},
    {"JSON_VALID", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_int, eval_valid, "JSON_VALID(val)"},
    {"JSON_QUOTE", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_text, eval_quote, "JSON_QUOTE(string)"},
    {"JSON_ARRAY", 0, -1, NullPolicy::Custom, true, resolve_json, eval_array, "JSON_ARRAY([val[, val]...])"},
    {"JSON_OBJECT", 0, -1, NullPolicy::Custom, true, resolve_object, eval_object, "JSON_OBJECT([key, val[, key, val]...])"},
    {"JSON_LENGTH", 1, 2, NullPolicy::NullIfAnyNull, true, resolve_int, eval_length, "JSON_LENGTH(json_doc[, path])"},
    {"JSON_KEYS", 1, 2, NullPolicy::NullIfAnyNull, true, resolve_json, eval_keys, "JSON_KEYS(json_doc[, path])"},
    {"JSON_DEPTH", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_int, eval_depth, "JSON_DEPTH(json_doc)"},
    {"JSON_CONTAINS_PATH", 3, -1, NullPolicy::Custom, true, resolve_int, eval_contains_path,
     "JSON_CONTAINS_PATH(json_doc, 'one'|'all', path[, path]...)"},
};

}  // namespace

std::span<const FunctionDef> json_functions() { return kJson; }

}  // namespace obsync
