// The schema file and MySQL column-type parsing.
#include "stdlib/ascii.hpp"
#include "compiler/sema/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "stdlib/collation.hpp"

namespace obsync {


const ColumnSchema* TableSchema::find_column(std::string_view name) const {
  for (const auto& c : columns)
    if (iequals(c.name, name)) return &c;
  return nullptr;
}

int TableSchema::column_index(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (iequals(columns[i].name, name)) return static_cast<int>(i);
  return -1;
}

std::vector<std::string> TableSchema::row_key() const {
  if (!primary_key.empty()) return primary_key;
  for (const auto& key : unique_keys) {
    bool all_not_null = std::all_of(key.begin(), key.end(), [&](const std::string& c) {
      const ColumnSchema* col = find_column(c);
      return col && !col->type.nullable;
    });
    if (all_not_null) return key;
  }
  return {};
}

const TableSchema* DatabaseSchema::find_table(std::string_view name) const {
  for (const auto& t : tables)
    if (iequals(t.name, name)) return &t;
  return nullptr;
}

const DatabaseSchema* Schema::find_database(std::string_view name) const {
  for (const auto& d : databases)
    if (iequals(d.name, name)) return &d;
  return nullptr;
}

// --- column types ------------------------------------------------------------------

namespace {

// A tiny tokenizer for type text: words, numbers, quoted strings, punctuation.
class TypeLexer {
 public:
  explicit TypeLexer(std::string_view s) : s_(s) {}
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool at_end() {
    skip_space();
    return pos_ >= s_.size();
  }
  char peek() {
    skip_space();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  bool accept(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  std::string word() {
    skip_space();
    size_t b = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
    std::string w(s_.substr(b, pos_ - b));
    for (char& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return w;
  }
  bool accept_word(std::string_view w) {
    size_t save = pos_;
    if (word() == w) return true;
    pos_ = save;
    return false;
  }
  std::optional<int> number() {
    skip_space();
    size_t b = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (b == pos_ || pos_ - b > 9) return std::nullopt;
    return std::stoi(std::string(s_.substr(b, pos_ - b)));
  }
  std::optional<std::string> quoted() {
    skip_space();
    if (pos_ >= s_.size() || s_[pos_] != '\'') return std::nullopt;
    std::string out;
    for (++pos_; pos_ < s_.size(); ++pos_) {
      if (s_[pos_] == '\'') {
        if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '\'') {
          out += '\'';
          ++pos_;
          continue;
        }
        ++pos_;
        return out;
      }
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out += s_[pos_];
    }
    return std::nullopt;
  }
  size_t pos() const { return pos_; }
  std::string_view rest() const { return s_.substr(pos_); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

struct TypeName {
  const char* name;
  ColumnType column;
  TypeClass cls;
};
constexpr TypeName kTypeNames[] = {
    {"TINYINT", ColumnType::TinyInt, TypeClass::Int}, {"BOOL", ColumnType::TinyInt, TypeClass::Int},
    {"BOOLEAN", ColumnType::TinyInt, TypeClass::Int}, {"SMALLINT", ColumnType::SmallInt, TypeClass::Int},
    {"MEDIUMINT", ColumnType::MediumInt, TypeClass::Int}, {"INT", ColumnType::Int, TypeClass::Int},
    {"INTEGER", ColumnType::Int, TypeClass::Int}, {"BIGINT", ColumnType::BigInt, TypeClass::Int},
    {"DECIMAL", ColumnType::Decimal, TypeClass::Decimal}, {"NUMERIC", ColumnType::Decimal, TypeClass::Decimal},
    {"DEC", ColumnType::Decimal, TypeClass::Decimal}, {"FIXED", ColumnType::Decimal, TypeClass::Decimal},
    {"FLOAT", ColumnType::Float, TypeClass::Double}, {"DOUBLE", ColumnType::Double, TypeClass::Double},
    {"REAL", ColumnType::Double, TypeClass::Double}, {"BIT", ColumnType::Bit, TypeClass::String},
    {"YEAR", ColumnType::Year, TypeClass::Int}, {"DATE", ColumnType::Date, TypeClass::Date},
    {"TIME", ColumnType::Time, TypeClass::Time}, {"DATETIME", ColumnType::DateTime, TypeClass::DateTime},
    {"TIMESTAMP", ColumnType::Timestamp, TypeClass::DateTime}, {"CHAR", ColumnType::Char, TypeClass::String},
    {"VARCHAR", ColumnType::VarChar, TypeClass::String}, {"BINARY", ColumnType::Binary, TypeClass::String},
    {"VARBINARY", ColumnType::VarBinary, TypeClass::String}, {"TINYTEXT", ColumnType::TinyText, TypeClass::String},
    {"TEXT", ColumnType::Text, TypeClass::String}, {"MEDIUMTEXT", ColumnType::MediumText, TypeClass::String},
    {"LONGTEXT", ColumnType::LongText, TypeClass::String}, {"TINYBLOB", ColumnType::TinyBlob, TypeClass::String},
    {"BLOB", ColumnType::Blob, TypeClass::String}, {"MEDIUMBLOB", ColumnType::MediumBlob, TypeClass::String},
    {"LONGBLOB", ColumnType::LongBlob, TypeClass::String}, {"ENUM", ColumnType::Enum, TypeClass::String},
    {"SET", ColumnType::Set, TypeClass::String}, {"JSON", ColumnType::Json, TypeClass::Json},
    {"GEOMETRY", ColumnType::Geometry, TypeClass::String}, {"POINT", ColumnType::Geometry, TypeClass::String},
    {"LINESTRING", ColumnType::Geometry, TypeClass::String}, {"POLYGON", ColumnType::Geometry, TypeClass::String},
    {"MULTIPOINT", ColumnType::Geometry, TypeClass::String},
    {"MULTILINESTRING", ColumnType::Geometry, TypeClass::String},
    {"MULTIPOLYGON", ColumnType::Geometry, TypeClass::String},
    {"GEOMETRYCOLLECTION", ColumnType::Geometry, TypeClass::String},
};

bool is_binary_column(ColumnType c) {
  switch (c) {
    case ColumnType::Binary: case ColumnType::VarBinary: case ColumnType::TinyBlob: case ColumnType::Blob:
    case ColumnType::MediumBlob: case ColumnType::LongBlob: case ColumnType::Geometry:
      return true;
    default:
      return false;
  }
}

uint32_t int_display_width(ColumnType c, bool is_unsigned) {
  switch (c) {
    case ColumnType::TinyInt: return is_unsigned ? 3 : 4;
    case ColumnType::SmallInt: return is_unsigned ? 5 : 6;
    case ColumnType::MediumInt: return is_unsigned ? 8 : 9;
    case ColumnType::Int: return is_unsigned ? 10 : 11;
    default: return 20;
  }
}

}  // namespace

std::optional<SqlType> parse_column_type(std::string_view text, std::string& error) {
  TypeLexer lx(text);
  std::string name = lx.word();
  if (name == "DOUBLE") lx.accept_word("PRECISION");
  if (name == "CHARACTER" || name == "NATIONAL") {
    std::string next = lx.word();
    name = next == "VARYING" ? "VARCHAR" : next;
  }
  const TypeName* found = nullptr;
  for (const auto& t : kTypeNames)
    if (name == t.name) found = &t;
  if (!found) {
    error = name.empty() ? fmt::format("expected a column type, found `{}`", text)
                         : fmt::format("unknown column type `{}`", name);
    return std::nullopt;
  }
  SqlType t;
  t.cls = found->cls;
  t.column = found->column;
  if (name == "BOOL" || name == "BOOLEAN") t.length = 1;
  std::optional<int> len, scale;
  if (t.column == ColumnType::Enum || t.column == ColumnType::Set) {
    if (!lx.accept('(')) {
      error = fmt::format("{} needs its list of values: {}('a','b')", name, name);
      return std::nullopt;
    }
    do {
      auto v = lx.quoted();
      if (!v) {
        error = fmt::format("{} values are quoted strings", name);
        return std::nullopt;
      }
      t.elements.push_back(*v);
    } while (lx.accept(','));
    if (!lx.accept(')')) {
      error = fmt::format("expected `)` after the {} values", name);
      return std::nullopt;
    }
  } else if (lx.accept('(')) {
    len = lx.number();
    if (!len) {
      error = fmt::format("expected a length in {}(...)", name);
      return std::nullopt;
    }
    if (lx.accept(',')) {
      scale = lx.number();
      if (!scale) {
        error = fmt::format("expected a scale in {}(p, s)", name);
        return std::nullopt;
      }
    }
    if (!lx.accept(')')) {
      error = fmt::format("expected `)` in {}(...)", name);
      return std::nullopt;
    }
  }
  // Modifiers, in any order.
  std::string collation, charset;
  while (!lx.at_end()) {
    if (lx.peek() == ',') break;
    std::string w = lx.word();
    if (w == "UNSIGNED") t.is_unsigned = true;
    else if (w == "SIGNED" || w == "ZEROFILL") {
    } else if (w == "NOT") {
      if (!lx.accept_word("NULL")) { error = "expected NULL after NOT"; return std::nullopt; }
      t.nullable = false;
    } else if (w == "NULL") {
      t.nullable = true;
    } else if (w == "COLLATE") {
      collation = lx.word();
      for (char& ch : collation) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    } else if (w == "CHARSET" || w == "CHARACTER") {
      if (w == "CHARACTER") lx.accept_word("SET");
      charset = lx.word();
    } else if (w == "PRIMARY") {
      lx.accept_word("KEY");
      t.nullable = false;
    } else if (w.empty()) {
      error = fmt::format("unexpected `{}` in the column type", lx.rest().substr(0, 10));
      return std::nullopt;
    } else {
      error = fmt::format("unexpected `{}` in the column type", w);
      return std::nullopt;
    }
  }
  switch (t.cls) {
    case TypeClass::Int:
      if (t.column == ColumnType::Year) {
        t.length = 4;
        t.is_unsigned = true;
      } else if (!t.length) {
        t.length = int_display_width(t.column, t.is_unsigned);
      }
      break;
    case TypeClass::Decimal: {
      int p = len.value_or(10), s = scale.value_or(0);
      if (p < 1 || p > 65) { error = fmt::format("DECIMAL precision {} is out of range (1 to 65)", p); return std::nullopt; }
      if (s > 30 || s > p) { error = fmt::format("DECIMAL scale {} is out of range (0 to 30, at most the precision)", s); return std::nullopt; }
      t.precision = static_cast<uint8_t>(p);
      t.scale = static_cast<uint8_t>(s);
      break;
    }
    case TypeClass::Double:
      t.scale = scale ? static_cast<uint8_t>(*scale) : SqlType::kNotFixedDec;
      if (t.column == ColumnType::Float && len && *len > 24) t.column = ColumnType::Double;  // FLOAT(p>24)
      break;
    case TypeClass::Time:
    case TypeClass::DateTime:
      if (len && *len > 6) { error = fmt::format("fractional seconds precision {} is out of range (0 to 6)", *len); return std::nullopt; }
      t.scale = static_cast<uint8_t>(len.value_or(0));
      break;
    case TypeClass::String: {
      if (t.column == ColumnType::Bit) {
        // BIT is a binary string that reads as an unsigned integer in numeric context.
        int width = len.value_or(1);
        if (width < 1 || width > 64) { error = "BIT width must be 1 to 64"; return std::nullopt; }
        t.precision = static_cast<uint8_t>(width);
        t.length = static_cast<uint32_t>((width + 7) / 8);
        t.collation = &binary_collation();
        break;
      }
      if (len) t.length = static_cast<uint32_t>(*len);
      else if (t.column == ColumnType::Char || t.column == ColumnType::Binary) t.length = 1;
      if (is_binary_column(t.column)) {
        t.collation = &binary_collation();
      } else {
        const Collation* c = nullptr;
        if (!collation.empty()) {
          c = find_collation(collation);
          if (!c) { error = fmt::format("unsupported collation `{}`", collation); return std::nullopt; }
        } else if (!charset.empty()) {
          std::string lower = charset;
          for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          if (lower == "binary") c = &binary_collation();
          else if (lower == "utf8mb4") c = &default_collation();
          else c = find_collation(lower + "_general_ci");
          if (!c) { error = fmt::format("unsupported character set `{}`", charset); return std::nullopt; }
        }
        t.collation = c ? c : &default_collation();
      }
      break;
    }
    default:
      break;
  }
  return t;
}

std::optional<std::vector<ColumnSchema>> parse_column_definitions(std::string_view text, std::string& error) {
  std::vector<ColumnSchema> out;
  size_t pos = 0;
  while (pos < text.size()) {
    // Split at the next comma outside parentheses and quotes.
    size_t end = pos;
    int depth = 0;
    bool in_quote = false;
    for (; end < text.size(); ++end) {
      char c = text[end];
      if (c == '\'') in_quote = !in_quote;
      else if (!in_quote && c == '(') ++depth;
      else if (!in_quote && c == ')') --depth;
      else if (!in_quote && depth == 0 && c == ',') break;
    }
    std::string_view def = text.substr(pos, end - pos);
    pos = end + 1;
    size_t b = def.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) {
      error = "empty column definition";
      return std::nullopt;
    }
    def = def.substr(b);
    ColumnSchema col;
    size_t name_end;
    if (def[0] == '`') {
      name_end = def.find('`', 1);
      if (name_end == std::string_view::npos) { error = "unterminated `name`"; return std::nullopt; }
      col.name = std::string(def.substr(1, name_end - 1));
      ++name_end;
    } else {
      name_end = def.find_first_of(" \t\r\n");
      if (name_end == std::string_view::npos) {
        error = fmt::format("column `{}` has no type", def);
        return std::nullopt;
      }
      col.name = std::string(def.substr(0, name_end));
    }
    std::string_view type_text = def.substr(name_end);
    std::string type_error;
    auto type = parse_column_type(type_text, type_error);
    if (!type) {
      error = fmt::format("column `{}`: {}", col.name, type_error);
      return std::nullopt;
    }
    size_t tb = type_text.find_first_not_of(" \t");
    col.type_text = std::string(type_text.substr(tb == std::string_view::npos ? 0 : tb));
    col.type = *type;
    for (const auto& existing : out)
      if (iequals(existing.name, col.name)) {
        error = fmt::format("column `{}` is defined twice", col.name);
        return std::nullopt;
      }
    out.push_back(std::move(col));
  }
  if (out.empty()) {
    error = "no column definitions";
    return std::nullopt;
  }
  return out;
}

// --- schema file ---------------------------------------------------------------------

std::optional<Schema> parse_schema_json(std::string_view text, std::string& error) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    error = fmt::format("not valid JSON: {}", e.what());
    return std::nullopt;
  }
  auto fail = [&](const std::string& where, const std::string& what) {
    error = fmt::format("{}: {}", where, what);
    return std::nullopt;
  };
  if (!doc.is_object()) return fail("/", "expected an object");
  if (doc.contains("format") && doc["format"] != "obsync-schema/1")
    return fail("/format", "unsupported schema format (expected \"obsync-schema/1\")");
  if (!doc.contains("databases") || !doc["databases"].is_array())
    return fail("/databases", "expected an array of databases");
  Schema schema;
  const auto& dbs = doc["databases"];
  for (size_t i = 0; i < dbs.size(); ++i) {
    std::string where = fmt::format("/databases/{}", i);
    const auto& db = dbs[i];
    if (!db.is_object() || !db.contains("name") || !db["name"].is_string())
      return fail(where, "expected an object with a \"name\"");
    DatabaseSchema d;
    d.name = db["name"];
    if (db.contains("tables")) {
      if (!db["tables"].is_array()) return fail(where + "/tables", "expected an array");
      for (size_t j = 0; j < db["tables"].size(); ++j) {
        std::string twhere = fmt::format("{}/tables/{}", where, j);
        const auto& tb = db["tables"][j];
        if (!tb.is_object() || !tb.contains("name") || !tb["name"].is_string())
          return fail(twhere, "expected an object with a \"name\"");
        TableSchema t;
        t.name = tb["name"];
        t.is_view = tb.value("kind", std::string("table")) == "view";
        if (!tb.contains("columns") || !tb["columns"].is_array())
          return fail(twhere + "/columns", "expected an array of columns");
        for (size_t k = 0; k < tb["columns"].size(); ++k) {
          std::string cwhere = fmt::format("{}/columns/{}", twhere, k);
          const auto& c = tb["columns"][k];
          if (!c.is_object() || !c.contains("name") || !c.contains("type") || !c["type"].is_string())
            return fail(cwhere, "expected an object with \"name\" and \"type\"");
          ColumnSchema col;
          col.name = c["name"];
          col.type_text = c["type"];
          std::string type_text = col.type_text;
          if (c.contains("collation") && c["collation"].is_string())
            type_text += " COLLATE " + c["collation"].get<std::string>();
          std::string type_error;
          auto type = parse_column_type(type_text, type_error);
          if (!type) return fail(cwhere + "/type", type_error);
          col.type = *type;
          col.type.nullable = c.value("nullable", true);
          t.columns.push_back(std::move(col));
        }
        if (tb.contains("primary_key")) t.primary_key = tb["primary_key"].get<std::vector<std::string>>();
        if (tb.contains("unique_keys"))
          t.unique_keys = tb["unique_keys"].get<std::vector<std::vector<std::string>>>();
        for (const auto& k : t.primary_key)
          if (!t.find_column(k)) return fail(twhere + "/primary_key", fmt::format("unknown column `{}`", k));
        d.tables.push_back(std::move(t));
      }
    }
    schema.databases.push_back(std::move(d));
  }
  return schema;
}

std::string schema_to_json(const Schema& schema) {
  nlohmann::ordered_json doc;
  doc["format"] = "obsync-schema/1";
  doc["databases"] = nlohmann::ordered_json::array();
  for (const auto& d : schema.databases) {
    nlohmann::ordered_json db;
    db["name"] = d.name;
    db["tables"] = nlohmann::ordered_json::array();
    for (const auto& t : d.tables) {
      nlohmann::ordered_json tb;
      tb["name"] = t.name;
      tb["kind"] = t.is_view ? "view" : "table";
      tb["columns"] = nlohmann::ordered_json::array();
      for (const auto& c : t.columns) {
        nlohmann::ordered_json col;
        col["name"] = c.name;
        col["type"] = c.type_text;
        col["nullable"] = c.type.nullable;
        if (c.type.collation && !c.type.collation->is_binary) col["collation"] = std::string(c.type.collation->name);
        tb["columns"].push_back(std::move(col));
      }
      tb["primary_key"] = t.primary_key;
      tb["unique_keys"] = t.unique_keys;
      db["tables"].push_back(std::move(tb));
    }
    doc["databases"].push_back(std::move(db));
  }
  return doc.dump(2) + "\n";
}

bool name_like(std::string_view name, std::string_view pattern) {
  // Iterative wildcard match with backtracking on the last %.
  size_t n = 0, p = 0, star = std::string_view::npos, mark = 0;
  auto same = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '\\' && p + 1 < pattern.size() && same(pattern[p + 1], name[n])) {
      p += 2;
      ++n;
    } else if (p < pattern.size() && (pattern[p] == '_' || (pattern[p] != '%' && pattern[p] != '\\' && same(pattern[p], name[n])))) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      mark = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

}  // namespace obsync
