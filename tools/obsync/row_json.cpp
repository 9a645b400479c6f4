// Parsing a JSON row into typed values.
#include "tools/obsync/row_json.hpp"
#include "stdlib/ascii.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "stdlib/convert.hpp"
#include "stdlib/json.hpp"

namespace obsync::cli {

namespace {


// A JSON scalar as the literal it would be in an INSERT statement.
bool literal_of(const nlohmann::json& j, Value& v, SqlType& t, std::string& error) {
  if (j.is_string()) {
    v = Value::from_string(j.get<std::string>());
    t = SqlType::string(nullptr);
    return true;
  }
  if (j.is_boolean()) {
    v = Value::from_int(j.get<bool>() ? 1 : 0);
    t = SqlType::bigint();
    return true;
  }
  if (j.is_number()) {
    std::string text = j.dump();
    LiteralClass kind = j.is_number_float()
                            ? (text.find_first_of("eE") != std::string::npos ? LiteralClass::Real : LiteralClass::Decimal)
                            : LiteralClass::Integer;
    auto lit = numeric_literal(text[0] == '-' ? text : text, kind);
    if (!lit) {
      error = fmt::format("invalid number {}", text);
      return false;
    }
    v = lit->first;
    t = lit->second;
    return true;
  }
  error = "expected a string, a number, a boolean or null";
  return false;
}

}  // namespace

bool parse_row_json(std::string_view text, const std::vector<ColumnSchema>& columns, std::vector<Value>& row,
                    std::string& error) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    error = fmt::format("not valid JSON: {}", e.what());
    return false;
  }
  if (!doc.is_object()) {
    error = "expected a JSON object: {\"column\": value, ...}";
    return false;
  }
  row.assign(columns.size(), Value::null());
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    int index = -1;
    for (size_t i = 0; i < columns.size(); ++i)
      if (lower(columns[i].name) == lower(it.key())) index = static_cast<int>(i);
    if (index < 0) {
      error = fmt::format("`{}` is not one of the columns", it.key());
      return false;
    }
    const ColumnSchema& col = columns[static_cast<size_t>(index)];
    const nlohmann::json& j = it.value();
    if (j.is_null()) continue;
    if (col.type.cls == TypeClass::Json) {
      // MySQL parses what is inserted into a JSON column and stores the document, which prints
      // normalized (sorted keys, ", " and ": ", 1.50 as the DOUBLE 1.5).
      std::string text = j.is_string() ? j.get<std::string>() : j.dump();
      JsonParseError parse_error;
      auto doc = parse_json(text, &parse_error);
      if (!doc) {
        error = fmt::format("column `{}`: Invalid JSON text: \"{}\" at position {}", col.name, parse_error.message,
                            parse_error.offset);
        return false;
      }
      row[static_cast<size_t>(index)] = json_value(*doc);
      continue;
    }
    Value v;
    SqlType t;
    if (!literal_of(j, v, t, error)) {
      error = fmt::format("column `{}`: {}", col.name, error);
      return false;
    }
    if (col.type.column == ColumnType::Bit && v.cls != TypeClass::String) {
      IntValue i = value_to_int(v, t);
      std::string bytes;
      for (uint32_t k = col.type.length; k-- > 0;) bytes += static_cast<char>((static_cast<uint64_t>(i.value) >> (8 * k)) & 0xFF);
      row[static_cast<size_t>(index)] = Value::from_string(bytes);
      continue;
    }
    if (col.type.column == ColumnType::Enum && v.cls == TypeClass::Int) {
      size_t k = static_cast<size_t>(v.i);
      if (k >= 1 && k <= col.type.elements.size()) v = Value::from_string(col.type.elements[k - 1]);
      else v = Value::from_string("");
      t = SqlType::string(nullptr);
    }
    EvalContext ctx;
    Value converted = convert_value(v, t, col.type, ctx);
    if (ctx.failed) {
      error = fmt::format("column `{}`: {}", col.name, ctx.error);
      return false;
    }
    if (converted.is_null()) {
      error = fmt::format("column `{}`: {} is not a valid {}", col.name, j.dump(), col.type_text);
      return false;
    }
    row[static_cast<size_t>(index)] = std::move(converted);
  }
  return true;
}

}  // namespace obsync::cli
