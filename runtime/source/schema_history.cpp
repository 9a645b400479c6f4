// Table definitions by binlog position: the catalog reader, a MySQL DDL interpreter and the versions.
#include "runtime/source/schema_history.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runtime/source/sql_connection.hpp"
#include "stdlib/ascii.hpp"
#include "stdlib/collation.hpp"

namespace obsync::source {

namespace {

// OceanBase MySQL mode's and MariaDB's collation for utf8mb4 and for columns without one.
constexpr std::string_view kDefaultCollation = "utf8mb4_general_ci";

constexpr std::string_view kSystemDatabases[] = {"mysql",  "sys",       "information_schema", "performance_schema",
                                                 "oceanbase", "__recyclebin"};

bool is_system_database(std::string_view db) {
  for (std::string_view s : kSystemDatabases)
    if (iequals(db, s)) return true;
  return false;
}

// Names compare case-insensitively (OceanBase's lower_case_table_names=1); '\x1f' cannot be
// typed in an identifier by accident, so db and table never run together.
std::string table_key(std::string_view db, std::string_view table) { return lower(db) + '\x1f' + lower(table); }

std::string normalize_collation(std::string_view name) {
  std::string c = lower(name);
  if (c.rfind("utf8_", 0) == 0) c = "utf8mb3_" + c.substr(5);  // MySQL's alias
  return c;
}

std::string normalize_charset(std::string_view name) {
  std::string c = lower(name);
  return c == "utf8" ? "utf8mb3" : c;
}

// The collation a character set gets when none is named (MariaDB and OceanBase: utf8mb4 →
// utf8mb4_general_ci; MySQL 8 would say utf8mb4_0900_ai_ci).
std::string charset_default_collation(std::string_view charset) {
  std::string cs = normalize_charset(charset);
  if (cs == "binary") return "binary";
  if (cs == "latin1") return "latin1_swedish_ci";
  if (cs == "gbk" || cs == "gb2312" || cs == "gb18030" || cs == "big5") return cs + "_chinese_ci";
  return cs + "_general_ci";
}

std::string collation_charset(std::string_view collation) {
  if (const Collation* c = find_collation(collation)) return std::string(c->charset);
  return normalize_charset(collation.substr(0, collation.find('_')));
}

// Bytes per character at most, for TEXT(n) and CONVERT TO CHARACTER SET.
unsigned charset_max_bytes(std::string_view charset) {
  std::string cs = normalize_charset(charset);
  if (cs == "utf8mb4" || cs == "gb18030" || cs == "utf16" || cs == "utf16le" || cs == "utf32") return 4;
  if (cs == "utf8mb3" || cs == "ujis" || cs == "eucjpms") return 3;
  if (cs == "ucs2" || cs == "gbk" || cs == "gb2312" || cs == "big5" || cs == "sjis" || cs == "cp932" ||
      cs == "euckr")
    return 2;
  return 1;
}

// The SqlType of a column from its COLUMN_TYPE, collation and nullability: the one place both the
// catalog and the DDL interpreter go through, so both give identical types.
SqlType column_type(const std::string& type_text, std::string_view collation, bool nullable) {
  std::string suffix;
  if (!nullable) suffix = " NOT NULL";
  std::string error;
  auto t = parse_column_type(type_text + (collation.empty() ? "" : " COLLATE " + std::string(collation)) + suffix, error);
  // A character set obsync cannot decode (gbk, …): its values travel as bytes, not misread text.
  if (!t) t = parse_column_type(type_text + " COLLATE binary" + suffix, error);
  // A type obsync does not know (MariaDB's INET6, UUID, …): bytes too; the binlog's own type
  // code still says how to read the value.
  if (!t) t = parse_column_type("longblob" + suffix, error);
  return *t;
}

// --- tokens ----------------------------------------------------------------------------

enum class Tok : uint8_t { End, Word, Ident, String, Number, Punct };

struct Token {
  Tok kind = Tok::End;
  std::string text;  // Ident and String: unquoted, unescaped
};

bool is_word_byte(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

// MySQL's lexical structure as far as DDL needs it. Comments vanish, except /*! … */ and
// /*M! … */ whose content the server executes (mysqldump and the binlog write table options
// and partitioning in them). Never fails: an unterminated quote takes the rest of the text.
std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  bool in_executable = false;
  size_t i = 0;
  const size_t n = s.size();
  auto to_line_end = [&] {
    while (i < n && s[i] != '\n') ++i;
  };
  while (i < n) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (in_executable && c == '*' && i + 1 < n && s[i + 1] == '/') {
      in_executable = false;
      i += 2;
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      size_t j = i + 2;
      bool executable = false;
      if (j < n && s[j] == '!') {
        executable = true;
        ++j;
      } else if (j + 1 < n && s[j] == 'M' && s[j + 1] == '!') {
        executable = true;
        j += 2;
      }
      if (executable && !in_executable) {
        while (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;  // the version
        in_executable = true;
        i = j;
        continue;
      }
      size_t end = s.find("*/", j);
      i = end == std::string_view::npos ? n : end + 2;
      continue;
    }
    if (c == '#') {
      to_line_end();
      continue;
    }
    // "--" starts a comment only when followed by a space or a control character.
    if (c == '-' && i + 1 < n && s[i + 1] == '-' &&
        (i + 2 >= n || static_cast<unsigned char>(s[i + 2]) <= ' ')) {
      to_line_end();
      continue;
    }
    if (c == '`') {
      std::string text;
      for (++i; i < n; ++i) {
        if (s[i] == '`') {
          if (i + 1 < n && s[i + 1] == '`') {
            text += '`';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        text += s[i];
      }
      out.push_back({Tok::Ident, std::move(text)});
      continue;
    }
    if (c == '\'' || c == '"') {
      std::string text;
      for (++i; i < n; ++i) {
        if (s[i] == c) {
          if (i + 1 < n && s[i + 1] == c) {
            text += c;
            ++i;
            continue;
          }
          ++i;
          break;
        }
        if (s[i] == '\\' && i + 1 < n) {
          char e = s[++i];
          switch (e) {
            case 'n': text += '\n'; break;
            case 't': text += '\t'; break;
            case 'r': text += '\r'; break;
            case '0': text += '\0'; break;
            case 'b': text += '\b'; break;
            case 'Z': text += '\x1a'; break;
            default: text += e;
          }
          continue;
        }
        text += s[i];
      }
      out.push_back({Tok::String, std::move(text)});
      continue;
    }
    if (is_word_byte(c)) {
      size_t b = i;
      bool digits = true;
      while (i < n && is_word_byte(s[i])) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) digits = false;
        ++i;
      }
      if (digits && i < n && s[i] == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
        ++i;
        while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        // 1.5e3, 2.5E-3: the exponent belongs to the number (1e3 alone is one word already).
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
          size_t j = i + 1;
          if (j < n && (s[j] == '+' || s[j] == '-')) ++j;
          if (j < n && std::isdigit(static_cast<unsigned char>(s[j]))) {
            i = j;
            while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
          }
        }
      }
      out.push_back({digits ? Tok::Number : Tok::Word, std::string(s.substr(b, i - b))});
      continue;
    }
    out.push_back({Tok::Punct, std::string(1, c)});
    ++i;
  }
  out.push_back({Tok::End, {}});
  return out;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {
    if (t_.empty() || t_.back().kind != Tok::End) t_.push_back({Tok::End, {}});
  }

  const Token& peek(size_t k = 0) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
  bool at_end() const { return peek().kind == Tok::End || is_punct(';'); }
  bool is_kw(std::string_view kw, size_t k = 0) const {
    const Token& x = peek(k);
    return x.kind == Tok::Word && iequals(x.text, kw);
  }
  bool accept_kw(std::string_view kw) {
    if (!is_kw(kw)) return false;
    ++i_;
    return true;
  }
  bool accept_kws(std::string_view a, std::string_view b) {
    if (!is_kw(a) || !is_kw(b, 1)) return false;
    i_ += 2;
    return true;
  }
  bool is_punct(char c, size_t k = 0) const {
    const Token& x = peek(k);
    return x.kind == Tok::Punct && x.text[0] == c;
  }
  bool accept_punct(char c) {
    if (!is_punct(c)) return false;
    ++i_;
    return true;
  }
  const Token& next() {
    const Token& x = peek();
    if (x.kind != Tok::End) ++i_;
    return x;
  }
  bool is_name(size_t k = 0) const { return peek(k).kind == Tok::Word || peek(k).kind == Tok::Ident; }
  // An identifier, bare or back-quoted.
  std::optional<std::string> name() {
    if (!is_name()) return std::nullopt;
    return next().text;
  }
  bool accept_if_not_exists() {
    if (!is_kw("IF") || !is_kw("NOT", 1) || !is_kw("EXISTS", 2)) return false;
    i_ += 3;
    return true;
  }
  // A character set or collation name, which may also be a string.
  std::optional<std::string> charset_name() {
    if (peek().kind == Tok::String) return next().text;
    return name();
  }
  // `db`.`table` or `table`.
  bool qualified_name(std::string& db, std::string& table) {
    auto first = name();
    if (!first) return false;
    if (accept_punct('.')) {
      auto second = name();
      if (!second) return false;
      db = *first;
      table = *second;
    } else {
      db.clear();
      table = *first;
    }
    return true;
  }
  // At '(': past its matching ')'.
  void skip_group() {
    if (!accept_punct('(')) return;
    int depth = 1;
    while (depth > 0 && peek().kind != Tok::End) {
      if (is_punct('(')) ++depth;
      if (is_punct(')')) --depth;
      ++i_;
    }
  }
  // To the ',' or ')' that ends the current list item (not consumed).
  void skip_item() {
    while (!at_end() && !is_punct(',') && !is_punct(')')) {
      if (is_punct('(')) skip_group();
      else ++i_;
    }
  }
  // A DEFAULT value: a literal (maybe signed, with a charset introducer), a function call, or
  // a parenthesised expression.
  void skip_value() {
    if (accept_punct('-') || accept_punct('+')) {
    }
    if (is_punct('(')) {
      skip_group();
      return;
    }
    if (accept_kws("NEXT", "VALUE")) {
      accept_kw("FOR");
      std::string db, table;
      qualified_name(db, table);
      return;
    }
    const Token& v = next();
    if (v.kind == Tok::Word && is_punct('(')) skip_group();
    while (peek().kind == Tok::String) next();  // 'a' 'b', _utf8mb4'x', X'ff'
  }
  // The rest of the statement from the current token, shortened, for messages.
  std::string excerpt() const {
    std::string out;
    for (size_t j = i_; j < t_.size() && t_[j].kind != Tok::End && out.size() < 40; ++j) {
      if (!out.empty() && t_[j].kind != Tok::Punct && t_[j - 1].kind != Tok::Punct) out += ' ';
      out += t_[j].kind == Tok::String ? "'" + t_[j].text + "'" : t_[j].text;
    }
    return out.empty() ? "end of statement" : out;
  }

 private:
  std::vector<Token> t_;
  size_t i_ = 0;
};

std::optional<uint32_t> to_number(const Token& t) {
  if (t.kind != Tok::Number) return std::nullopt;
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
  if (ec != std::errc() || p != t.text.data() + t.text.size()) return std::nullopt;
  return v;
}

// --- column definitions ------------------------------------------------------------------

// One column definition as written; the type text is built from it once the column's
// collation is known (it can come from table options written after the columns).
struct ColumnDef {
  std::string name;
  std::string type;  // lower-case canonical base name: "int", "varchar", "text", …
  std::optional<uint32_t> length, scale;
  std::vector<std::string> elements;
  bool is_unsigned = false, zerofill = false, binary = false, national = false, is_bool = false;
  std::string charset, collation;
  bool not_null = false, primary = false, unique = false;

  bool inherits_collation() const { return charset.empty() && collation.empty() && !national; }
};

bool is_text_family(std::string_view t) {
  return t == "char" || t == "varchar" || t == "tinytext" || t == "text" || t == "mediumtext" || t == "longtext" ||
         t == "enum" || t == "set";
}

bool is_integer_type(std::string_view t) {
  return t == "tinyint" || t == "smallint" || t == "mediumint" || t == "int" || t == "bigint";
}

// The base type for a type keyword (and those after it: DOUBLE PRECISION, NATIONAL CHAR VARYING).
bool parse_type_name(Parser& p, ColumnDef& d) {
  if (p.peek().kind != Tok::Word) return false;
  std::string w = upper(p.next().text);
  struct Alias {
    const char* word;
    const char* type;
  };
  static constexpr Alias kAliases[] = {
      {"INT", "int"}, {"INTEGER", "int"}, {"INT4", "int"}, {"TINYINT", "tinyint"}, {"INT1", "tinyint"},
      {"SMALLINT", "smallint"}, {"INT2", "smallint"}, {"MEDIUMINT", "mediumint"}, {"INT3", "mediumint"},
      {"MIDDLEINT", "mediumint"}, {"BIGINT", "bigint"}, {"INT8", "bigint"}, {"DECIMAL", "decimal"},
      {"DEC", "decimal"}, {"NUMERIC", "decimal"}, {"FIXED", "decimal"}, {"FLOAT", "float"}, {"FLOAT4", "float"},
      {"DOUBLE", "double"}, {"REAL", "double"}, {"FLOAT8", "double"}, {"BIT", "bit"}, {"YEAR", "year"},
      {"DATE", "date"}, {"TIME", "time"}, {"DATETIME", "datetime"}, {"TIMESTAMP", "timestamp"},
      {"VARCHAR", "varchar"}, {"VARCHARACTER", "varchar"}, {"BINARY", "binary"}, {"VARBINARY", "varbinary"},
      {"TINYTEXT", "tinytext"}, {"TEXT", "text"}, {"MEDIUMTEXT", "mediumtext"}, {"LONGTEXT", "longtext"},
      {"TINYBLOB", "tinyblob"}, {"BLOB", "blob"}, {"MEDIUMBLOB", "mediumblob"}, {"LONGBLOB", "longblob"},
      {"ENUM", "enum"}, {"SET", "set"}, {"JSON", "json"}, {"GEOMETRY", "geometry"}, {"POINT", "point"},
      {"LINESTRING", "linestring"}, {"POLYGON", "polygon"}, {"MULTIPOINT", "multipoint"},
      {"MULTILINESTRING", "multilinestring"}, {"MULTIPOLYGON", "multipolygon"},
      {"GEOMETRYCOLLECTION", "geometrycollection"}, {"GEOMCOLLECTION", "geometrycollection"},
  };
  if (w == "BOOL" || w == "BOOLEAN") {
    d.type = "tinyint";
    d.is_bool = true;
    return true;
  }
  if (w == "SERIAL") {  // BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE
    d.type = "bigint";
    d.is_unsigned = d.not_null = d.unique = true;
    return true;
  }
  if (w == "NATIONAL") {
    d.national = true;
    if (p.accept_kw("VARCHAR")) {
      d.type = "varchar";
      return true;
    }
    if (!p.accept_kw("CHAR") && !p.accept_kw("CHARACTER")) return false;
    w = "CHAR";
  }
  if (w == "NCHAR") {
    d.national = true;
    w = "CHAR";
  }
  if (w == "NVARCHAR") {
    d.national = true;
    d.type = "varchar";
    return true;
  }
  if (w == "CHAR" || w == "CHARACTER") {
    d.type = p.accept_kw("VARYING") ? "varchar" : "char";
    return true;
  }
  if (w == "LONG") {
    if (p.accept_kw("VARBINARY")) d.type = "mediumblob";
    else {
      if (!p.accept_kw("VARCHAR")) p.accept_kw("VARCHARACTER");
      d.type = "mediumtext";
    }
    return true;
  }
  for (const auto& a : kAliases)
    if (w == a.word) {
      d.type = a.type;
      if (w == "DOUBLE") p.accept_kw("PRECISION");
      return true;
    }
  return false;
}

// name type [attributes]; stops before the ',' or ')' that ends it.
bool parse_column_def(Parser& p, ColumnDef& d, std::string& error) {
  auto name = p.name();
  if (!name) {
    error = fmt::format("expected a column name at `{}`", p.excerpt());
    return false;
  }
  d.name = *name;
  if (!parse_type_name(p, d)) {
    error = fmt::format("column `{}`: unknown type at `{}`", d.name, p.excerpt());
    return false;
  }
  if (d.type == "enum" || d.type == "set") {
    if (!p.accept_punct('(')) {
      error = fmt::format("column `{}`: {} without values", d.name, d.type);
      return false;
    }
    do {
      if (p.peek().kind != Tok::String) {
        error = fmt::format("column `{}`: {} values are strings", d.name, d.type);
        return false;
      }
      d.elements.push_back(p.next().text);
    } while (p.accept_punct(','));
    if (!p.accept_punct(')')) {
      error = fmt::format("column `{}`: expected `)` after the {} values", d.name, d.type);
      return false;
    }
  } else if (p.accept_punct('(')) {
    d.length = to_number(p.next());
    if (d.length && p.accept_punct(',')) d.scale = to_number(p.next());
    if (!d.length || !p.accept_punct(')')) {
      error = fmt::format("column `{}`: bad length", d.name);
      return false;
    }
  }
  while (!p.at_end() && !p.is_punct(',') && !p.is_punct(')') && !p.is_kw("FIRST") && !p.is_kw("AFTER")) {
    if (p.accept_kw("UNSIGNED")) d.is_unsigned = true;
    else if (p.accept_kw("SIGNED")) {
    } else if (p.accept_kw("ZEROFILL")) d.zerofill = d.is_unsigned = true;
    else if (p.accept_kw("BINARY")) d.binary = true;
    else if (p.accept_kw("ASCII")) d.charset = "latin1";
    else if (p.accept_kw("UNICODE")) d.charset = "ucs2";
    else if (p.accept_kws("CHARACTER", "SET") || p.accept_kw("CHARSET")) {
      auto cs = p.charset_name();
      if (!cs) break;
      d.charset = normalize_charset(*cs);
    } else if (p.accept_kw("COLLATE")) {
      auto c = p.charset_name();
      if (!c) break;
      d.collation = normalize_collation(*c);
    } else if (p.accept_kws("NOT", "NULL")) d.not_null = true;
    else if (p.accept_kw("NULL")) d.not_null = false;
    else if (p.accept_kw("DEFAULT")) p.skip_value();
    else if (p.accept_kws("ON", "UPDATE")) p.skip_value();
    else if (p.accept_kw("AUTO_INCREMENT")) {
    } else if (p.accept_kw("UNIQUE")) {
      d.unique = true;
      p.accept_kw("KEY");
    } else if (p.accept_kw("PRIMARY") || p.accept_kw("KEY")) {  // a bare KEY here means PRIMARY KEY
      d.primary = true;
      p.accept_kw("KEY");
    } else if (p.accept_kw("COMMENT")) p.next();
    else if (p.accept_kw("COLUMN_FORMAT") || p.accept_kw("STORAGE") || p.accept_kw("SRID")) p.next();
    else if (p.accept_kw("GENERATED")) {
      p.accept_kw("ALWAYS");
    } else if (p.accept_kw("AS")) p.skip_group();
    else if (p.accept_kw("VIRTUAL") || p.accept_kw("STORED") || p.accept_kw("PERSISTENT") ||
             p.accept_kw("VISIBLE") || p.accept_kw("INVISIBLE") || p.accept_kw("ENFORCED")) {
    } else if (p.accept_kw("REFERENCES")) {
      std::string db, table;
      p.qualified_name(db, table);
      p.skip_group();
      while (true) {
        if (p.accept_kw("MATCH")) p.next();
        else if (p.accept_kws("ON", "DELETE") || p.accept_kws("ON", "UPDATE")) {
          if (p.accept_kw("SET") || p.accept_kw("NO")) p.next();  // SET NULL, SET DEFAULT, NO ACTION
          else p.next();
        } else break;
      }
    } else if (p.accept_kw("CONSTRAINT")) {
      if (!p.is_kw("CHECK")) p.name();
    } else if (p.accept_kw("CHECK")) {
      p.skip_group();
      if (p.accept_kw("NOT")) p.accept_kw("ENFORCED");
    } else if (p.accept_kw("COMPRESSED")) {
      if (p.accept_punct('=')) p.next();
    } else if (p.accept_kws("WITH", "SYSTEM") || p.accept_kws("WITHOUT", "SYSTEM")) {
      p.accept_kw("VERSIONING");
    } else if (p.accept_kw("ENGINE_ATTRIBUTE") || p.accept_kw("SECONDARY_ENGINE_ATTRIBUTE")) {
      p.accept_punct('=');
      p.next();
    } else {
      error = fmt::format("column `{}`: unexpected `{}`", d.name, p.excerpt());
      return false;
    }
  }
  return true;
}

std::string quote_element(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// The smallest TEXT (or BLOB) type that holds `bytes`, as MySQL picks one for TEXT(n) / BLOB(n).
std::string sized_lob(bool text, uint64_t bytes) {
  const char* prefix = bytes < 256 ? "tiny" : bytes < 65536 ? "" : bytes < (1u << 24) ? "medium" : "long";
  return fmt::format("{}{}", prefix, text ? "text" : "blob");
}

// The column as MySQL's catalog would show it: COLUMN_TYPE-like text, collation, nullability.
// `inherited` is the table's (else the database's) default collation.
ColumnSchema build_column(const ColumnDef& d, std::string_view inherited) {
  std::string type = d.type;
  std::string collation;
  if (is_text_family(type)) {
    if (!d.collation.empty()) collation = d.collation;
    else if (!d.charset.empty())
      collation = d.binary ? d.charset + "_bin" : charset_default_collation(d.charset);
    else if (d.national)
      collation = d.binary ? "utf8mb3_bin" : "utf8mb3_general_ci";
    else if (d.binary)
      collation = collation_charset(inherited) + "_bin";
    else
      collation = std::string(inherited);
    if (collation == "binary_bin") collation = "binary";
    // CHARACTER SET binary turns character types into their byte types.
    if (collation == "binary" && type != "enum" && type != "set") {
      static const std::pair<std::string_view, std::string_view> kToBinary[] = {
          {"char", "binary"}, {"varchar", "varbinary"}, {"tinytext", "tinyblob"},
          {"text", "blob"},   {"mediumtext", "mediumblob"}, {"longtext", "longblob"}};
      for (const auto& [from, to] : kToBinary)
        if (type == from) type = to;
      collation.clear();
    }
  }
  std::string text;
  if (is_integer_type(type)) {
    uint32_t width = d.length ? *d.length
                     : d.is_bool ? 1
                     : type == "tinyint"   ? (d.is_unsigned ? 3 : 4)
                     : type == "smallint"  ? (d.is_unsigned ? 5 : 6)
                     : type == "mediumint" ? (d.is_unsigned ? 8 : 9)
                     : type == "int"       ? (d.is_unsigned ? 10 : 11)
                                           : 20;
    text = fmt::format("{}({})", type, width);
  } else if (type == "decimal") {
    text = fmt::format("decimal({},{})", d.length.value_or(10), d.scale.value_or(0));
  } else if (type == "float" || type == "double") {
    if (type == "float" && d.length && !d.scale && *d.length > 24) type = "double";
    text = d.scale ? fmt::format("{}({},{})", type, *d.length, *d.scale) : type;
  } else if (type == "bit") {
    text = fmt::format("bit({})", d.length.value_or(1));
  } else if (type == "year") {
    text = "year(4)";
  } else if (type == "time" || type == "datetime" || type == "timestamp") {
    text = d.length && *d.length > 0 ? fmt::format("{}({})", type, *d.length) : type;
  } else if (type == "char" || type == "binary" || type == "varchar" || type == "varbinary") {
    text = fmt::format("{}({})", type, d.length.value_or(1));
  } else if (type == "text" || type == "blob") {
    bool is_text = type == "text";
    if (d.length) text = sized_lob(is_text, uint64_t{*d.length} * (is_text ? charset_max_bytes(collation_charset(collation)) : 1));
    else text = type;
  } else if (type == "enum" || type == "set") {
    text = type + "(";
    for (size_t i = 0; i < d.elements.size(); ++i) text += (i ? "," : "") + quote_element(d.elements[i]);
    text += ")";
  } else {
    text = type;
  }
  if (d.is_unsigned && (is_integer_type(type) || type == "decimal" || type == "float" || type == "double"))
    text += " unsigned";
  if (d.zerofill && (is_integer_type(type) || type == "decimal" || type == "float" || type == "double"))
    text += " zerofill";
  ColumnSchema col;
  col.name = d.name;
  col.type_text = text;
  col.type = column_type(text, collation, !(d.not_null || d.primary));
  return col;
}

// --- table state -------------------------------------------------------------------------

// One version of a table: what TableSchema says, plus what the DDL interpreter needs.
struct TableState {
  TableSchema schema;
  std::string collation;                  // the table's default; empty: the database's
  std::vector<std::string> unique_names;  // parallel to schema.unique_keys
  std::vector<std::string> index_names;   // the other indexes: DROP INDEX and key naming need them
};

bool has_index(const TableState& st, std::string_view name) {
  if (iequals(name, "PRIMARY")) return !st.schema.primary_key.empty();
  for (const auto& n : st.unique_names)
    if (iequals(n, name)) return true;
  for (const auto& n : st.index_names)
    if (iequals(n, name)) return true;
  return false;
}

// MySQL names an unnamed key after its first column, adding _2, _3… on a clash.
std::string new_index_name(const TableState& st, std::string_view first_column) {
  std::string base(first_column);
  if (!has_index(st, base) && !iequals(base, "PRIMARY")) return base;
  for (int i = 2;; ++i) {
    std::string n = fmt::format("{}_{}", base, i);
    if (!has_index(st, n)) return n;
  }
}

// Key columns spelled as the table spells them; false when one is missing.
bool resolve_key_columns(const TableState& st, std::vector<std::string>& columns, std::string& error) {
  for (auto& c : columns) {
    const ColumnSchema* col = st.schema.find_column(c);
    if (!col) {
      error = fmt::format("key column `{}` does not exist", c);
      return false;
    }
    c = col->name;
  }
  return true;
}

// The invariants MySQL keeps: primary key columns are NOT NULL; unique keys of NOT NULL columns
// come first (the one MySQL would promote to an implicit primary key leads).
void normalize(TableState& st) {
  for (const auto& k : st.schema.primary_key)
    for (auto& c : st.schema.columns)
      if (iequals(c.name, k)) c.type.nullable = false;
  std::vector<size_t> order(st.schema.unique_keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto not_null = [&](size_t i) {
    return std::all_of(st.schema.unique_keys[i].begin(), st.schema.unique_keys[i].end(), [&](const std::string& c) {
      const ColumnSchema* col = st.schema.find_column(c);
      return col && !col->type.nullable;
    });
  };
  std::stable_partition(order.begin(), order.end(), not_null);
  std::vector<std::vector<std::string>> keys;
  std::vector<std::string> names;
  for (size_t i : order) {
    keys.push_back(std::move(st.schema.unique_keys[i]));
    names.push_back(i < st.unique_names.size() ? std::move(st.unique_names[i]) : std::string());
  }
  st.schema.unique_keys = std::move(keys);
  st.unique_names = std::move(names);
}

void add_unique(TableState& st, std::string name, std::vector<std::string> columns) {
  if (name.empty()) name = new_index_name(st, columns.front());
  st.schema.unique_keys.push_back(std::move(columns));
  st.unique_names.push_back(std::move(name));
}

// Removes an index by name; true when it was a primary or unique key.
bool remove_index(TableState& st, std::string_view name) {
  if (iequals(name, "PRIMARY")) {
    bool had = !st.schema.primary_key.empty();
    st.schema.primary_key.clear();
    return had;
  }
  for (size_t i = 0; i < st.unique_names.size(); ++i)
    if (iequals(st.unique_names[i], name)) {
      st.unique_names.erase(st.unique_names.begin() + static_cast<std::ptrdiff_t>(i));
      st.schema.unique_keys.erase(st.schema.unique_keys.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }
  std::erase_if(st.index_names, [&](const std::string& n) { return iequals(n, name); });
  return false;
}

// A dropped column leaves every key it was part of; a key left empty goes.
void drop_column_from_keys(TableState& st, std::string_view column) {
  auto strip = [&](std::vector<std::string>& key) {
    std::erase_if(key, [&](const std::string& c) { return iequals(c, column); });
  };
  strip(st.schema.primary_key);
  for (size_t i = st.schema.unique_keys.size(); i-- > 0;) {
    strip(st.schema.unique_keys[i]);
    if (st.schema.unique_keys[i].empty()) {
      st.schema.unique_keys.erase(st.schema.unique_keys.begin() + static_cast<std::ptrdiff_t>(i));
      if (i < st.unique_names.size()) st.unique_names.erase(st.unique_names.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
}

void rename_column_in_keys(TableState& st, std::string_view from, const std::string& to) {
  auto rename = [&](std::vector<std::string>& key) {
    for (auto& c : key)
      if (iequals(c, from)) c = to;
  };
  rename(st.schema.primary_key);
  for (auto& k : st.schema.unique_keys) rename(k);
}

struct Placement {
  enum class Kind : uint8_t { Keep, First, After } kind = Kind::Keep;
  std::string after;
};

void parse_placement(Parser& p, Placement& where) {
  if (p.accept_kw("FIRST")) where.kind = Placement::Kind::First;
  else if (p.accept_kw("AFTER")) {
    where.kind = Placement::Kind::After;
    where.after = p.name().value_or("");
  }
}

// Puts `col` where `where` says; `at` is its index now (-1: not in the table yet: at the end).
bool place_column(TableState& st, ColumnSchema col, int at, const Placement& where, std::string& error) {
  auto& cols = st.schema.columns;
  if (at >= 0 && where.kind == Placement::Kind::Keep) {
    cols[static_cast<size_t>(at)] = std::move(col);
    return true;
  }
  if (at >= 0) cols.erase(cols.begin() + at);
  size_t pos = cols.size();
  if (where.kind == Placement::Kind::First) pos = 0;
  else if (where.kind == Placement::Kind::After) {
    int i = st.schema.column_index(where.after);
    if (i < 0) {
      error = fmt::format("AFTER `{}`: no such column", where.after);
      return false;
    }
    pos = static_cast<size_t>(i) + 1;
  } else if (at >= 0) {
    pos = static_cast<size_t>(at);
  }
  cols.insert(cols.begin() + static_cast<std::ptrdiff_t>(pos), std::move(col));
  return true;
}

// (a, b(10) DESC, (expr)): column names; `functional` when a part is an expression.
bool parse_key_parts(Parser& p, std::vector<std::string>& columns, bool& functional, std::string& error) {
  if (!p.accept_punct('(')) {
    error = fmt::format("expected the key's columns at `{}`", p.excerpt());
    return false;
  }
  do {
    if (p.is_punct('(')) {
      functional = true;
      p.skip_group();
    } else {
      auto c = p.name();
      if (!c) {
        error = fmt::format("expected a key column at `{}`", p.excerpt());
        return false;
      }
      columns.push_back(*c);
      if (p.is_punct('(')) p.skip_group();  // prefix length
    }
    if (!p.accept_kw("ASC")) p.accept_kw("DESC");
  } while (p.accept_punct(','));
  if (!p.accept_punct(')')) {
    error = fmt::format("expected `)` after the key's columns at `{}`", p.excerpt());
    return false;
  }
  return true;
}

// Columns whose collation comes from the table: set again once the statement's table options
// are known.
using PendingInherits = std::vector<ColumnDef>;

struct TableEdit {
  TableState& st;
  std::string inherited;  // provisional; fixed up by finish()
  PendingInherits pending;
  std::vector<std::string> notes;
};

bool add_column_def(TableEdit& e, const ColumnDef& d, int at, const Placement& where, std::string& error) {
  ColumnSchema col = build_column(d, e.inherited);
  if (at < 0 && e.st.schema.find_column(d.name)) {
    error = fmt::format("column `{}` exists already", d.name);
    return false;
  }
  if (!place_column(e.st, std::move(col), at, where, error)) return false;
  if (d.inherits_collation()) e.pending.push_back(d);
  if (d.primary) e.st.schema.primary_key = {d.name};
  if (d.unique) add_unique(e.st, {}, {d.name});
  return true;
}

// Re-derives the inherited collations from the table's final default.
void finish(TableEdit& e, std::string_view inherited) {
  for (const auto& d : e.pending) {
    int i = e.st.schema.column_index(d.name);
    if (i < 0) continue;
    auto& col = e.st.schema.columns[static_cast<size_t>(i)];
    bool nullable = col.type.nullable;
    ColumnSchema rebuilt = build_column(d, inherited);
    col.type_text = rebuilt.type_text;
    col.type = rebuilt.type;
    col.type.nullable = nullable;
  }
  e.pending.clear();
  normalize(e.st);
}

// One item of a CREATE TABLE list (or ALTER TABLE … ADD): a column or a key.
bool parse_create_item(Parser& p, TableEdit& e, std::string& error) {
  std::string constraint;
  if (p.accept_kw("CONSTRAINT")) {
    if (!p.is_kw("PRIMARY") && !p.is_kw("UNIQUE") && !p.is_kw("FOREIGN") && !p.is_kw("CHECK"))
      constraint = p.name().value_or("");
  }
  auto index_name = [&]() -> std::string {
    p.accept_if_not_exists();
    if (p.is_punct('(') || p.is_kw("USING") || !p.is_name()) return {};
    return *p.name();
  };
  if (p.accept_kws("PRIMARY", "KEY")) {
    if (p.accept_kw("USING")) p.next();
    std::vector<std::string> cols;
    bool functional = false;
    if (!parse_key_parts(p, cols, functional, error) || !resolve_key_columns(e.st, cols, error)) return false;
    e.st.schema.primary_key = cols;
    e.notes.push_back(fmt::format("primary key ({})", fmt::join(cols, ", ")));
    p.skip_item();
    return true;
  }
  if (p.accept_kw("UNIQUE")) {
    if (!p.accept_kw("INDEX")) p.accept_kw("KEY");
    std::string name = index_name();
    if (name.empty()) name = constraint;
    if (p.accept_kw("USING")) p.next();
    std::vector<std::string> cols;
    bool functional = false;
    if (!parse_key_parts(p, cols, functional, error)) return false;
    if (functional || cols.empty()) {
      // An expression key identifies no column values: kept only as a name.
      e.st.index_names.push_back(name.empty() ? new_index_name(e.st, "functional_index") : name);
    } else {
      if (!resolve_key_columns(e.st, cols, error)) return false;
      e.notes.push_back(fmt::format("unique key ({})", fmt::join(cols, ", ")));
      add_unique(e.st, name, cols);
    }
    p.skip_item();
    return true;
  }
  bool fulltext = p.accept_kw("FULLTEXT") || p.accept_kw("SPATIAL");
  if (fulltext || p.is_kw("INDEX") || p.is_kw("KEY")) {
    if (!p.accept_kw("INDEX")) p.accept_kw("KEY");
    std::string name = index_name();
    if (p.accept_kw("USING")) p.next();
    if (name.empty() && p.is_punct('(') && p.is_name(1)) name = new_index_name(e.st, p.peek(1).text);
    if (!name.empty()) e.st.index_names.push_back(name);
    p.skip_item();
    return true;
  }
  if (p.is_kw("FOREIGN") || p.is_kw("CHECK") || (p.is_kw("PERIOD") && p.is_kw("FOR", 1))) {
    p.skip_item();
    return true;
  }
  if (!constraint.empty()) {
    error = fmt::format("unexpected `{}` after CONSTRAINT", p.excerpt());
    return false;
  }
  ColumnDef d;
  if (!parse_column_def(p, d, error)) return false;
  if (!add_column_def(e, d, -1, {}, error)) return false;
  e.notes.push_back(fmt::format("added column {}", d.name));
  return true;
}

// [DEFAULT] CHARACTER SET [=] x / CHARSET [=] x / COLLATE [=] x at the parser: updates the
// charset or collation; false when something else is there.
bool parse_charset_option(Parser& p, std::string& charset, std::string& collation) {
  size_t skip = p.is_kw("DEFAULT") ? 1 : 0;
  bool is_charset = (p.is_kw("CHARACTER", skip) && p.is_kw("SET", skip + 1)) || p.is_kw("CHARSET", skip);
  bool is_collate = p.is_kw("COLLATE", skip);
  if (!is_charset && !is_collate) return false;
  if (skip) p.next();  // DEFAULT
  if (is_collate || p.accept_kw("CHARSET")) {
    if (is_collate) p.next();
  } else {
    p.next();  // CHARACTER
    p.next();  // SET
  }
  p.accept_punct('=');
  auto v = p.charset_name();
  if (!v) return false;
  if (is_charset) charset = iequals(*v, "DEFAULT") ? "" : normalize_charset(*v);
  else collation = normalize_collation(*v);
  return true;
}

std::string resolve_collation(const std::string& charset, const std::string& collation) {
  if (!collation.empty()) return collation;
  if (!charset.empty()) return charset_default_collation(charset);
  return {};
}

// --- catalog -------------------------------------------------------------------------------

struct DatabaseInfo {
  std::string name;
  std::string collation;  // default collation; empty when unknown
};

struct CatalogSnapshot {
  std::vector<DatabaseInfo> databases;
  std::vector<std::pair<std::string, TableState>> tables;  // (db, table)
};

std::string catalog_filter(SqlConnection& sql, const std::vector<std::string>& databases, std::string_view table,
                           const char* schema_column, const char* table_column) {
  std::string out;
  if (databases.empty()) {
    std::vector<std::string> names;
    for (std::string_view s : kSystemDatabases) names.push_back(sql.quote(s));
    out = fmt::format("LOWER({}) NOT IN ({})", schema_column, fmt::join(names, ", "));
  } else {
    std::vector<std::string> names;
    for (const auto& d : databases) names.push_back(sql.quote(lower(d)));
    out = fmt::format("LOWER({}) IN ({})", schema_column, fmt::join(names, ", "));
  }
  if (!table.empty()) out += fmt::format(" AND LOWER({}) = {}", table_column, sql.quote(lower(table)));
  return out;
}

// One query per catalog table, whatever the number of tables.
CatalogSnapshot read_catalog_snapshot(SqlConnection& sql, const std::vector<std::string>& databases,
                                      std::string_view only_table = {}) {
  CatalogSnapshot out;
  for (const auto& r : sql.query(fmt::format(
           "SELECT SCHEMA_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE {} ORDER BY SCHEMA_NAME",
           catalog_filter(sql, databases, {}, "SCHEMA_NAME", "")))) {
    if (r.size() < 2 || !r[0]) continue;
    out.databases.push_back({*r[0], r[1] ? normalize_collation(*r[1]) : std::string()});
  }
  std::map<std::string, size_t> index;  // table_key → out.tables
  for (const auto& r : sql.query(fmt::format(
           "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, TABLE_COLLATION FROM information_schema.TABLES WHERE {} "
           "ORDER BY TABLE_SCHEMA, TABLE_NAME",
           catalog_filter(sql, databases, only_table, "TABLE_SCHEMA", "TABLE_NAME")))) {
    if (r.size() < 4 || !r[0] || !r[1] || !r[2]) continue;
    bool view = *r[2] == "VIEW";
    // Sequences, system views and temporary tables have no rows in the binlog.
    if (!view && *r[2] != "BASE TABLE" && *r[2] != "SYSTEM VERSIONED") continue;
    TableState st;
    st.schema.name = *r[1];
    st.schema.is_view = view;
    if (r[3]) st.collation = normalize_collation(*r[3]);
    index[table_key(*r[0], *r[1])] = out.tables.size();
    out.tables.emplace_back(*r[0], std::move(st));
  }
  for (const auto& r : sql.query(fmt::format(
           "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, COLLATION_NAME, IS_NULLABLE "
           "FROM information_schema.COLUMNS WHERE {} ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION",
           catalog_filter(sql, databases, only_table, "TABLE_SCHEMA", "TABLE_NAME")))) {
    if (r.size() < 6 || !r[0] || !r[1] || !r[2] || !r[3]) continue;
    auto it = index.find(table_key(*r[0], *r[1]));
    if (it == index.end()) continue;
    ColumnSchema col;
    col.name = *r[2];
    col.type_text = lower(*r[3]);
    col.type = column_type(col.type_text, r[4] ? normalize_collation(*r[4]) : std::string(), r[5] && *r[5] != "NO");
    out.tables[it->second].second.schema.columns.push_back(std::move(col));
  }
  // No ORDER BY: the server lists a table's indexes in its own key order (primary, unique NOT
  // NULL, other unique, the rest), which is the order row_key() should see.
  struct Part {
    uint32_t seq;
    std::optional<std::string> column;
  };
  struct Index {
    std::string name;
    bool unique;
    std::vector<Part> parts;
  };
  std::map<size_t, std::vector<Index>> indexes;
  for (const auto& r : sql.query(fmt::format(
           "SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME "
           "FROM information_schema.STATISTICS WHERE {}",
           catalog_filter(sql, databases, only_table, "TABLE_SCHEMA", "TABLE_NAME")))) {
    if (r.size() < 6 || !r[0] || !r[1] || !r[2] || !r[4]) continue;
    auto it = index.find(table_key(*r[0], *r[1]));
    if (it == index.end()) continue;
    auto& list = indexes[it->second];
    auto found = std::find_if(list.begin(), list.end(), [&](const Index& x) { return x.name == *r[2]; });
    if (found == list.end()) {
      list.push_back({*r[2], r[3] && *r[3] == "0", {}});
      found = list.end() - 1;
    }
    uint32_t seq = 0;
    std::from_chars(r[4]->data(), r[4]->data() + r[4]->size(), seq);
    found->parts.push_back({seq, r[5]});
  }
  for (auto& [i, list] : indexes) {
    TableState& st = out.tables[i].second;
    for (auto& x : list) {
      std::sort(x.parts.begin(), x.parts.end(), [](const Part& a, const Part& b) { return a.seq < b.seq; });
      bool functional = std::any_of(x.parts.begin(), x.parts.end(), [](const Part& p) { return !p.column; });
      std::vector<std::string> cols;
      for (const auto& part : x.parts)
        if (part.column) cols.push_back(*part.column);
      if (x.unique && x.name == "PRIMARY" && !functional) st.schema.primary_key = cols;
      else if (x.unique && !functional) {
        st.schema.unique_keys.push_back(cols);
        st.unique_names.push_back(x.name);
      } else {
        st.index_names.push_back(x.name);
      }
    }
  }
  return out;
}

// --- JSON ----------------------------------------------------------------------------------

using ojson = nlohmann::ordered_json;

ojson table_to_json(const TableState& st) {
  ojson t;
  t["name"] = st.schema.name;
  t["kind"] = st.schema.is_view ? "view" : "table";
  if (!st.collation.empty()) t["collation"] = st.collation;
  t["columns"] = ojson::array();
  for (const auto& c : st.schema.columns) {
    ojson col;
    col["name"] = c.name;
    col["type"] = c.type_text;
    col["nullable"] = c.type.nullable;
    if (c.type.collation && c.type.cls == TypeClass::String) col["collation"] = std::string(c.type.collation->name);
    t["columns"].push_back(std::move(col));
  }
  t["primary_key"] = st.schema.primary_key;
  t["unique_keys"] = ojson::array();
  for (size_t i = 0; i < st.schema.unique_keys.size(); ++i)
    t["unique_keys"].push_back({{"name", i < st.unique_names.size() ? st.unique_names[i] : ""},
                                {"columns", st.schema.unique_keys[i]}});
  t["indexes"] = st.index_names;
  return t;
}

TableState table_from_json(const nlohmann::json& t) {
  TableState st;
  st.schema.name = t.at("name").get<std::string>();
  st.schema.is_view = t.value("kind", std::string("table")) == "view";
  st.collation = t.value("collation", std::string());
  for (const auto& c : t.at("columns")) {
    ColumnSchema col;
    col.name = c.at("name").get<std::string>();
    col.type_text = c.at("type").get<std::string>();
    col.type = column_type(col.type_text, c.value("collation", std::string()), c.value("nullable", true));
    st.schema.columns.push_back(std::move(col));
  }
  if (t.contains("primary_key")) st.schema.primary_key = t["primary_key"].get<std::vector<std::string>>();
  if (t.contains("unique_keys"))
    for (const auto& k : t["unique_keys"]) {
      st.schema.unique_keys.push_back(k.at("columns").get<std::vector<std::string>>());
      st.unique_names.push_back(k.value("name", std::string()));
    }
  if (t.contains("indexes")) st.index_names = t["indexes"].get<std::vector<std::string>>();
  return st;
}

}  // namespace

// --- versions ------------------------------------------------------------------------------

namespace {

struct HistoryData {
  struct Version {
    BinlogPosition at;
    std::shared_ptr<const TableState> state;  // null: dropped
    // From the catalog or a checkpoint: the best knowledge for positions before it too.
    bool baseline = false;
  };
  struct Table {
    std::string db;
    std::vector<Version> versions;  // ordered by position
  };
  std::map<std::string, Table> tables;            // table_key
  std::map<std::string, DatabaseInfo> databases;  // lower(db)

  const Version* version_at(const Table& t, const BinlogPosition* at) const {
    if (t.versions.empty()) return nullptr;
    if (!at) return &t.versions.back();
    auto it = std::upper_bound(t.versions.begin(), t.versions.end(), *at,
                               [](const BinlogPosition& p, const Version& v) { return compare_positions(p, v.at) < 0; });
    if (it == t.versions.begin()) return t.versions.front().baseline ? &t.versions.front() : nullptr;
    return &*(it - 1);
  }
  const TableState* state(std::string_view db, std::string_view table, const BinlogPosition* at = nullptr) const {
    auto it = tables.find(table_key(db, table));
    if (it == tables.end()) return nullptr;
    const Version* v = version_at(it->second, at);
    return v ? v->state.get() : nullptr;
  }
  // Adds a version; an older one at the same position stays (pointers to it stay valid).
  void put(std::string_view db, std::string_view table, std::shared_ptr<const TableState> st,
           const BinlogPosition& at, bool baseline = false) {
    Table& t = tables[table_key(db, table)];
    if (t.db.empty() || st) t.db = std::string(db);
    auto it = std::upper_bound(t.versions.begin(), t.versions.end(), at,
                               [](const BinlogPosition& p, const Version& v) { return compare_positions(p, v.at) < 0; });
    t.versions.insert(it, Version{at, std::move(st), baseline});
  }
  void put(std::string_view db, TableState st, const BinlogPosition& at) {
    std::string name = st.schema.name;
    put(db, name, std::make_shared<const TableState>(std::move(st)), at);
  }
  void drop(std::string_view db, std::string_view table, const BinlogPosition& at) {
    if (state(db, table)) put(db, table, nullptr, at);
  }
  std::string database_collation(std::string_view db) const {
    auto it = databases.find(lower(db));
    if (it != databases.end() && !it->second.collation.empty()) return it->second.collation;
    return std::string(kDefaultCollation);
  }
  std::string inherited_collation(std::string_view db, const TableState& st) const {
    return st.collation.empty() ? database_collation(db) : st.collation;
  }
  void load(const CatalogSnapshot& snapshot, const BinlogPosition& at) {
    for (const auto& d : snapshot.databases) databases[lower(d.name)] = d;
    for (const auto& [db, st] : snapshot.tables) {
      TableState copy = st;
      normalize(copy);
      std::string name = copy.schema.name;
      put(db, name, std::make_shared<const TableState>(std::move(copy)), at, true);
    }
  }
};

}  // namespace

struct SchemaHistory::Impl : HistoryData {};

SchemaHistory::SchemaHistory() : impl_(std::make_unique<Impl>()) {}
SchemaHistory::~SchemaHistory() = default;
SchemaHistory::SchemaHistory(SchemaHistory&&) noexcept = default;
SchemaHistory& SchemaHistory::operator=(SchemaHistory&&) noexcept = default;

void SchemaHistory::load_catalog(SqlConnection& sql, const BinlogPosition& at) {
  CatalogSnapshot snapshot = read_catalog_snapshot(sql, {});
  impl_->tables.clear();
  impl_->databases.clear();
  impl_->load(snapshot, at);
}

void SchemaHistory::set_table(std::string_view db, std::string_view table, TableSchema schema,
                              const BinlogPosition& at) {
  TableState st;
  st.schema = std::move(schema);
  st.schema.name = std::string(table);
  for (size_t i = 0; i < st.schema.unique_keys.size(); ++i)
    if (!st.schema.unique_keys[i].empty()) st.unique_names.push_back(new_index_name(st, st.schema.unique_keys[i].front()));
    else st.unique_names.push_back({});
  impl_->put(db, table, std::make_shared<const TableState>(std::move(st)), at);
}

const TableSchema* SchemaHistory::find(std::string_view db, std::string_view table) const {
  const TableState* st = impl_->state(db, table);
  return st ? &st->schema : nullptr;
}

const TableSchema* SchemaHistory::find_at(std::string_view db, std::string_view table,
                                          const BinlogPosition& at) const {
  const TableState* st = impl_->state(db, table, &at);
  return st ? &st->schema : nullptr;
}

void SchemaHistory::forget_before(const BinlogPosition& checkpoint) {
  for (auto it = impl_->tables.begin(); it != impl_->tables.end();) {
    auto& versions = it->second.versions;
    // The last version at or before the checkpoint is still needed; those before it are not.
    size_t keep = 0;
    for (size_t i = 0; i < versions.size(); ++i)
      if (compare_positions(versions[i].at, checkpoint) <= 0) keep = i;
    versions.erase(versions.begin(), versions.begin() + static_cast<std::ptrdiff_t>(keep));
    if (versions.size() == 1 && !versions.front().state) it = impl_->tables.erase(it);
    else ++it;
  }
}

std::string SchemaHistory::to_json(const BinlogPosition& at) const {
  ojson doc;
  doc["format"] = "obsync-schema-history/1";
  doc["position"] = {{"file", at.file}, {"offset", at.offset}, {"gtid_set", at.gtid_set}, {"mariadb_gtid", at.mariadb_gtid}};
  std::map<std::string, ojson> dbs;  // lower(db), sorted for a stable text
  auto db_entry = [&](const std::string& name) -> ojson& {
    ojson& d = dbs[lower(name)];
    if (d.is_null()) {
      d["name"] = name;
      auto info = impl_->databases.find(lower(name));
      if (info != impl_->databases.end() && !info->second.collation.empty()) d["collation"] = info->second.collation;
      d["tables"] = ojson::array();
    }
    return d;
  };
  for (const auto& [key, info] : impl_->databases) db_entry(info.name);
  for (const auto& [key, t] : impl_->tables) {
    const auto* v = impl_->version_at(t, &at);
    if (v && v->state) db_entry(t.db)["tables"].push_back(table_to_json(*v->state));
  }
  doc["databases"] = ojson::array();
  for (auto& [key, d] : dbs) doc["databases"].push_back(std::move(d));
  return doc.dump(2) + "\n";
}

std::optional<SchemaHistory> SchemaHistory::from_json(std::string_view text, std::string& error) {
  try {
    auto doc = nlohmann::json::parse(text);
    if (!doc.is_object() || doc.value("format", std::string()) != "obsync-schema-history/1") {
      error = "not a schema history (expected \"format\": \"obsync-schema-history/1\")";
      return std::nullopt;
    }
    const auto& p = doc.at("position");
    BinlogPosition at;
    at.file = p.at("file").get<std::string>();
    at.offset = p.at("offset").get<uint64_t>();
    at.gtid_set = p.value("gtid_set", std::string());
    at.mariadb_gtid = p.value("mariadb_gtid", false);
    SchemaHistory h;
    CatalogSnapshot snapshot;
    for (const auto& d : doc.at("databases")) {
      std::string name = d.at("name").get<std::string>();
      snapshot.databases.push_back({name, d.value("collation", std::string())});
      for (const auto& t : d.at("tables")) snapshot.tables.emplace_back(name, table_from_json(t));
    }
    h.impl_->load(snapshot, at);
    return h;
  } catch (const nlohmann::json::exception& e) {
    error = fmt::format("schema history: {}", e.what());
    return std::nullopt;
  }
}

Schema SchemaHistory::current_schema() const {
  Schema out;
  std::map<std::string, DatabaseSchema> dbs;
  for (const auto& [key, info] : impl_->databases) dbs[key].name = info.name;
  for (const auto& [key, t] : impl_->tables) {
    const auto* v = impl_->version_at(t, nullptr);
    if (!v || !v->state) continue;
    DatabaseSchema& d = dbs[lower(t.db)];
    if (d.name.empty()) d.name = t.db;
    d.tables.push_back(v->state->schema);
  }
  for (auto& [key, d] : dbs) out.databases.push_back(std::move(d));
  return out;
}

size_t SchemaHistory::version_count() const {
  size_t n = 0;
  for (const auto& [key, t] : impl_->tables) n += t.versions.size();
  return n;
}

Schema read_catalog(SqlConnection& sql, const std::vector<std::string>& databases) {
  CatalogSnapshot snapshot = read_catalog_snapshot(sql, databases);
  Schema out;
  std::map<std::string, size_t> index;
  for (const auto& d : snapshot.databases) {
    index[lower(d.name)] = out.databases.size();
    out.databases.push_back({d.name, {}});
  }
  for (auto& [db, st] : snapshot.tables) {
    auto it = index.find(lower(db));
    if (it == index.end()) {
      it = index.emplace(lower(db), out.databases.size()).first;
      out.databases.push_back({db, {}});
    }
    normalize(st);
    out.databases[it->second].tables.push_back(std::move(st.schema));
  }
  return out;
}

// --- DDL -----------------------------------------------------------------------------------

namespace {

// One statement's interpretation against the history.
class DdlApplier {
 public:
  using Impl = HistoryData;
  DdlApplier(Impl& h, std::string_view default_db, const BinlogPosition& at, SqlConnection* catalog)
      : h_(h), default_db_(default_db), at_(at), catalog_(catalog), p_({}) {}

  DdlOutcome run(std::string_view sql) {
    p_ = Parser(tokenize(sql));
    try {
      if (p_.accept_kw("CREATE")) create();
      else if (p_.accept_kw("ALTER")) alter();
      else if (p_.accept_kw("DROP")) drop();
      else if (p_.accept_kw("RENAME")) rename();
      else if (p_.accept_kw("TRUNCATE")) truncate();
    } catch (const std::logic_error& e) {  // a parser slip must not stop the reader
      unparsed(e.what());
    }
    return std::move(out_);
  }

 private:
  using Kind = DdlOutcome::Kind;

  // db.table with the default database; false (and nothing to do) for untracked databases.
  bool resolve(std::string& db) {
    if (db.empty()) db = default_db_;
    return !db.empty() && !is_system_database(db);
  }
  void touch(const std::string& db, const std::string& table) {
    for (const auto& t : out_.tables)
      if (iequals(t.first, db) && iequals(t.second, table)) return;
    out_.tables.emplace_back(db, table);
  }
  void done(Kind kind, std::string message) {
    out_.kind = kind;
    out_.message = std::move(message);
  }
  // A DDL on tracked tables that cannot be interpreted: the catalog's current definition is the
  // best knowledge left (right when the reader is not behind; TABLE_MAP checks catch the rest).
  void unparsed(const std::string& why) {
    out_.kind = Kind::Unparsed;
    std::string names;
    for (const auto& [db, table] : out_.tables) names += fmt::format("{}{}.{}", names.empty() ? "" : ", ", db, table);
    std::string what = fmt::format("{}{}cannot interpret: {}", names, names.empty() ? "" : ": ", why);
    if (catalog_ && !out_.tables.empty()) {
      for (const auto& [db, table] : out_.tables) refresh(db, table);
      out_.message = what + "; refreshed from the catalog";
    } else {
      out_.message = what + (out_.tables.empty() ? "" : "; definition unchanged");
    }
  }
  void refresh(const std::string& db, const std::string& table) {
    CatalogSnapshot snap = read_catalog_snapshot(*catalog_, {db}, table);
    for (const auto& d : snap.databases)
      if (iequals(d.name, db)) h_.databases[lower(db)] = d;
    if (snap.tables.empty()) {
      h_.drop(db, table, at_);
      return;
    }
    TableState st = snap.tables.front().second;
    normalize(st);
    h_.put(snap.tables.front().first, std::move(st), at_);
  }

  void create() {
    bool or_replace = p_.accept_kws("OR", "REPLACE");
    bool view_prefix = false;
    while (true) {  // CREATE [ALGORITHM = x] [DEFINER = u@h] [SQL SECURITY x] VIEW
      if (p_.accept_kw("ALGORITHM")) {
        p_.accept_punct('=');
        p_.next();
      } else if (p_.accept_kw("DEFINER")) {
        p_.accept_punct('=');
        p_.next();
        if (p_.is_punct('(')) p_.skip_group();  // CURRENT_USER()
        if (p_.accept_punct('@')) p_.next();
      } else if (p_.accept_kws("SQL", "SECURITY")) {
        p_.next();
      } else {
        break;
      }
      view_prefix = true;
    }
    if (p_.accept_kw("VIEW")) return create_view(or_replace);
    if (view_prefix) return;  // a trigger or routine with a DEFINER
    if (p_.accept_kw("TEMPORARY")) {
      // Row-format binlogs carry no rows of temporary tables.
      if (p_.is_kw("TABLE")) done(Kind::None, "CREATE TEMPORARY TABLE: not tracked");
      return;
    }
    if (p_.accept_kw("TABLE")) return create_table(or_replace);
    if (p_.accept_kw("DATABASE") || p_.accept_kw("SCHEMA")) return create_database(or_replace);
    if (p_.accept_kw("UNIQUE")) {
      if (p_.accept_kw("INDEX")) create_index(true);
      return;
    }
    if (p_.accept_kw("FULLTEXT") || p_.accept_kw("SPATIAL")) {
      if (p_.accept_kw("INDEX")) create_index(false);
      return;
    }
    if (p_.accept_kw("INDEX")) create_index(false);
  }

  void create_database(bool or_replace) {
    bool if_not_exists = p_.accept_if_not_exists();
    auto name = p_.name();
    if (!name || is_system_database(*name)) return;
    std::string charset, collation;
    while (!p_.at_end()) {
      if (!parse_charset_option(p_, charset, collation)) p_.next();  // COMMENT, ENCRYPTION…
    }
    std::string key = lower(*name);
    bool exists = h_.databases.count(key) > 0;
    if (or_replace) drop_database_tables(*name);
    if (!(if_not_exists && exists)) h_.databases[key] = {*name, resolve_collation(charset, collation)};
    if (or_replace && !out_.tables.empty()) {
      done(Kind::DropDatabase, fmt::format("CREATE OR REPLACE DATABASE {}: dropped {} tables", *name, out_.tables.size()));
      return;
    }
    done(Kind::None, fmt::format("CREATE DATABASE {}: default collation {}", *name, h_.database_collation(*name)));
  }

  void alter_database() {
    std::optional<std::string> name;
    if (!p_.is_kw("DEFAULT") && !p_.is_kw("CHARACTER") && !p_.is_kw("CHARSET") && !p_.is_kw("COLLATE")) name = p_.name();
    std::string db = name.value_or(default_db_);
    if (db.empty() || is_system_database(db)) return;
    std::string charset, collation;
    while (!p_.at_end())
      if (!parse_charset_option(p_, charset, collation)) p_.next();
    std::string c = resolve_collation(charset, collation);
    if (!c.empty()) {
      auto& info = h_.databases[lower(db)];
      if (info.name.empty()) info.name = db;
      info.collation = c;
    }
    done(Kind::None, fmt::format("ALTER DATABASE {}: default collation {}", db, h_.database_collation(db)));
  }

  void create_table(bool or_replace) {
    bool if_not_exists = p_.accept_if_not_exists();
    std::string db, table;
    if (!p_.qualified_name(db, table)) return unparsed("CREATE TABLE without a table name");
    if (!resolve(db)) return;
    touch(db, table);
    std::string what = fmt::format("CREATE TABLE {}.{}", db, table);
    if (if_not_exists && h_.state(db, table)) return done(Kind::Create, what + ": exists, unchanged");
    // CREATE TABLE t LIKE s, CREATE TABLE t (LIKE s)
    bool paren_like = p_.is_punct('(') && p_.is_kw("LIKE", 1);
    if (paren_like || p_.is_kw("LIKE")) {
      if (paren_like) p_.next();
      p_.next();
      std::string sdb, stable;
      if (!p_.qualified_name(sdb, stable)) return unparsed("LIKE without a table name");
      if (sdb.empty()) sdb = default_db_;
      const TableState* src = h_.state(sdb, stable);
      if (!src) return unparsed(fmt::format("LIKE {}.{}: unknown table", sdb, stable));
      TableState st = *src;
      st.schema.name = table;
      st.schema.is_view = false;
      h_.put(db, std::move(st), at_);
      return done(Kind::Create, fmt::format("{}: like {}.{}", what, sdb, stable));
    }
    if (!p_.is_punct('(') || p_.is_kw("SELECT", 1) || p_.is_punct('(', 1))
      return unparsed(fmt::format("{}: columns from a query", what));
    p_.next();
    TableState st;
    st.schema.name = table;
    std::string provisional = h_.database_collation(db);
    TableEdit e{st, provisional, {}, {}};
    std::string error;
    do {
      if (!parse_create_item(p_, e, error)) return unparsed(fmt::format("{}: {}", what, error));
    } while (p_.accept_punct(','));
    if (!p_.accept_punct(')')) return unparsed(fmt::format("{}: unexpected `{}`", what, p_.excerpt()));
    std::string charset, collation;
    while (!p_.at_end()) {
      if (p_.is_kw("SELECT") || p_.is_kw("AS") || p_.is_kw("WITH") || p_.is_kw("VALUES") ||
          (p_.is_punct('(') && p_.is_kw("SELECT", 1)))
        return unparsed(fmt::format("{}: columns from a query", what));
      if (p_.is_kw("PARTITION")) break;
      if (parse_charset_option(p_, charset, collation)) continue;
      if (p_.is_punct('(')) p_.skip_group();
      else p_.next();
    }
    // The table keeps the default it was created with, whatever the database's becomes later.
    st.collation = resolve_collation(charset, collation);
    if (st.collation.empty()) st.collation = provisional;
    finish(e, st.collation);
    if (st.schema.columns.empty()) return unparsed(fmt::format("{}: no columns", what));
    bool replaced = or_replace && h_.state(db, table);
    std::string summary = fmt::format("{}: {} columns{}", what, st.schema.columns.size(), replaced ? ", replaced" : "");
    if (!st.schema.primary_key.empty()) summary += fmt::format(", primary key ({})", fmt::join(st.schema.primary_key, ", "));
    h_.put(db, std::move(st), at_);
    done(Kind::Create, summary);
  }

  void create_view(bool or_replace) {
    bool if_not_exists = p_.accept_if_not_exists();
    std::string db, table;
    if (!p_.qualified_name(db, table) || !resolve(db)) return;
    touch(db, table);
    std::string what = fmt::format("{} VIEW {}.{}", or_replace ? "CREATE OR REPLACE" : "CREATE", db, table);
    if (if_not_exists && h_.state(db, table)) return done(Kind::Create, what + ": exists, unchanged");
    if (catalog_) {
      refresh(db, table);
      return done(Kind::Create, what + ": columns from the catalog");
    }
    // A view's columns come from its query, which obsync does not evaluate; no rows of a view
    // are ever in the binlog, so its name is what matters.
    TableState st;
    st.schema.name = table;
    st.schema.is_view = true;
    h_.put(db, std::move(st), at_);
    done(Kind::Create, what);
  }

  void create_index(bool unique) {
    p_.accept_if_not_exists();
    auto name = p_.name();
    if (p_.accept_kw("USING")) p_.next();
    if (!name || !p_.accept_kw("ON")) return unparsed("CREATE INDEX: expected `name ON table`");
    std::string db, table;
    if (!p_.qualified_name(db, table)) return unparsed("CREATE INDEX without a table name");
    if (!resolve(db)) return;
    touch(db, table);
    std::string what = fmt::format("CREATE INDEX {} ON {}.{}", *name, db, table);
    const TableState* cur = h_.state(db, table);
    if (!cur) return unparsed(what + ": unknown table");
    TableState st = *cur;
    if (p_.accept_kw("USING")) p_.next();
    std::vector<std::string> cols;
    bool functional = false;
    std::string error;
    if (!parse_key_parts(p_, cols, functional, error)) return unparsed(fmt::format("{}: {}", what, error));
    if (unique && !functional) {
      if (!resolve_key_columns(st, cols, error)) return unparsed(fmt::format("{}: {}", what, error));
      add_unique(st, *name, cols);
    } else {
      st.index_names.push_back(*name);
    }
    normalize(st);
    h_.put(db, std::move(st), at_);
    done(Kind::Alter, unique ? what + fmt::format(": unique key ({})", fmt::join(cols, ", ")) : what);
  }

  void alter() {
    p_.accept_kw("ONLINE");
    p_.accept_kw("IGNORE");
    if (p_.accept_kw("TABLE")) return alter_table();
    if (p_.accept_kw("DATABASE") || p_.accept_kw("SCHEMA")) return alter_database();
    while (true) {
      if (p_.accept_kw("ALGORITHM") || p_.accept_kw("DEFINER")) {
        p_.accept_punct('=');
        p_.next();
        if (p_.is_punct('(')) p_.skip_group();
        if (p_.accept_punct('@')) p_.next();
      } else if (p_.accept_kws("SQL", "SECURITY")) {
        p_.next();
      } else {
        break;
      }
    }
    if (p_.accept_kw("VIEW")) return create_view(true);
  }

  void alter_table() {
    p_.accept_kws("IF", "EXISTS");
    std::string db, table;
    if (!p_.qualified_name(db, table)) return unparsed("ALTER TABLE without a table name");
    if (!resolve(db)) return;
    touch(db, table);
    std::string what = fmt::format("ALTER TABLE {}.{}", db, table);
    if (p_.accept_kw("WAIT")) p_.next();
    p_.accept_kw("NOWAIT");
    const TableState* cur = h_.state(db, table);
    if (!cur) return unparsed(what + ": unknown table");
    TableState st = *cur;
    std::string inherited = h_.inherited_collation(db, st);
    TableEdit e{st, inherited, {}, {}};
    std::optional<std::pair<std::string, std::string>> rename_to;
    std::string error;
    // Specifications are separated by commas; table options may also follow each other.
    while (!p_.at_end()) {
      bool ok = alter_spec(e, rename_to, error);
      if (ok && p_.accept_punct(',') && (p_.at_end() || p_.is_punct(','))) {
        ok = false;
        error = "empty specification";
      }
      if (!ok) {
        if (rename_to) touch(rename_to->first, rename_to->second);
        return unparsed(fmt::format("{}: {}", what, error));
      }
    }
    finish(e, h_.inherited_collation(db, st));
    std::string message = what + ": " + (e.notes.empty() ? "no column or key change" : fmt::format("{}", fmt::join(e.notes, ", ")));
    if (rename_to) {
      auto [ndb, ntable] = *rename_to;
      if (!resolve(ndb)) {
        h_.drop(db, table, at_);
        return done(Kind::Drop, fmt::format("{}: moved out of the tracked databases", what));
      }
      st.schema.name = ntable;
      touch(ndb, ntable);
      out_.renamed.push_back({{db, table}, {ndb, ntable}});
      h_.drop(db, table, at_);
      h_.put(ndb, std::move(st), at_);
      return done(e.notes.size() == 1 ? Kind::Rename : Kind::Alter, message);
    }
    h_.put(db, std::move(st), at_);
    done(Kind::Alter, message);
  }

  // One ALTER TABLE specification; false with `error` for one obsync cannot interpret.
  bool alter_spec(TableEdit& e, std::optional<std::pair<std::string, std::string>>& rename_to, std::string& error) {
    TableState& st = e.st;
    if (p_.accept_kw("ADD")) {
      bool column = p_.accept_kw("COLUMN");
      bool if_not_exists = p_.accept_if_not_exists();
      if (p_.is_kw("PARTITION") && !column) {
        p_.next();
        p_.skip_item();
        return true;
      }
      if (p_.accept_punct('(')) {
        do {
          if (!parse_create_item(p_, e, error)) return false;
        } while (p_.accept_punct(','));
        if (!p_.accept_punct(')')) {
          error = fmt::format("unexpected `{}`", p_.excerpt());
          return false;
        }
        return true;
      }
      if (!column && (p_.is_kw("PRIMARY") || p_.is_kw("UNIQUE") || p_.is_kw("INDEX") || p_.is_kw("KEY") ||
                      p_.is_kw("FULLTEXT") || p_.is_kw("SPATIAL") || p_.is_kw("CONSTRAINT") ||
                      p_.is_kw("FOREIGN") || p_.is_kw("CHECK") || p_.is_kw("PERIOD")))
        return parse_create_item(p_, e, error);
      ColumnDef d;
      Placement where;
      if (!parse_column_def(p_, d, error)) return false;
      parse_placement(p_, where);
      if (if_not_exists && st.schema.find_column(d.name)) return true;
      if (!add_column_def(e, d, -1, where, error)) return false;
      e.notes.push_back(fmt::format("added column {}", d.name));
      return true;
    }
    if (p_.accept_kw("DROP")) {
      if (p_.accept_kws("PRIMARY", "KEY")) {
        remove_index(st, "PRIMARY");
        e.notes.push_back("dropped the primary key");
        return true;
      }
      if (p_.accept_kw("INDEX") || p_.accept_kw("KEY") || p_.accept_kw("CONSTRAINT")) {
        p_.accept_kws("IF", "EXISTS");
        auto name = p_.name();
        if (!name) {
          error = "DROP INDEX without a name";
          return false;
        }
        if (remove_index(st, *name)) e.notes.push_back(fmt::format("dropped key {}", *name));
        return true;
      }
      if (p_.is_kw("FOREIGN") || p_.is_kw("CHECK") || p_.is_kw("PARTITION") || p_.is_kw("SYSTEM") ||
          p_.is_kw("PERIOD")) {
        p_.skip_item();
        return true;
      }
      p_.accept_kw("COLUMN");
      bool if_exists = p_.accept_kws("IF", "EXISTS");
      auto name = p_.name();
      if (!name) {
        error = fmt::format("DROP: unexpected `{}`", p_.excerpt());
        return false;
      }
      if (!p_.accept_kw("RESTRICT")) p_.accept_kw("CASCADE");
      int i = st.schema.column_index(*name);
      if (i < 0) {
        error = fmt::format("DROP COLUMN {}: no such column", *name);
        return if_exists;
      }
      std::string actual = st.schema.columns[static_cast<size_t>(i)].name;
      st.schema.columns.erase(st.schema.columns.begin() + i);
      drop_column_from_keys(st, actual);
      e.notes.push_back(fmt::format("dropped column {}", actual));
      return true;
    }
    bool modify = p_.is_kw("MODIFY");
    if (modify || p_.is_kw("CHANGE")) {
      p_.next();
      p_.accept_kw("COLUMN");
      bool if_exists = p_.accept_kws("IF", "EXISTS");
      std::string old_name;
      if (!modify) {
        auto n = p_.name();
        if (!n) {
          error = "CHANGE without a column name";
          return false;
        }
        old_name = *n;
      }
      ColumnDef d;
      Placement where;
      if (!parse_column_def(p_, d, error)) return false;
      parse_placement(p_, where);
      if (modify) old_name = d.name;
      int i = st.schema.column_index(old_name);
      if (i < 0) {
        if (if_exists) {
          return true;
        }
        error = fmt::format("{} {}: no such column", modify ? "MODIFY" : "CHANGE", old_name);
        return false;
      }
      std::string actual = st.schema.columns[static_cast<size_t>(i)].name;
      if (!iequals(actual, d.name) && st.schema.find_column(d.name)) {
        error = fmt::format("CHANGE {} {}: column {} exists", actual, d.name, d.name);
        return false;
      }
      std::erase_if(e.pending, [&](const ColumnDef& x) { return iequals(x.name, actual); });
      rename_column_in_keys(st, actual, d.name);
      if (!add_column_def(e, d, i, where, error)) return false;
      e.notes.push_back(actual == d.name ? fmt::format("modified column {}", d.name)
                                         : fmt::format("changed column {} to {}", actual, d.name));
      return true;
    }
    if (p_.accept_kw("RENAME")) {
      if (p_.accept_kw("COLUMN")) {
        auto from = p_.name();
        if (!from || !p_.accept_kw("TO")) {
          error = "RENAME COLUMN: expected `a TO b`";
          return false;
        }
        auto to = p_.name();
        int i = from ? st.schema.column_index(*from) : -1;
        if (!to || i < 0 || (st.schema.find_column(*to) && !iequals(*from, *to))) {
          error = fmt::format("RENAME COLUMN {}: no such column or target exists", from.value_or("?"));
          return false;
        }
        auto& col = st.schema.columns[static_cast<size_t>(i)];
        std::string actual = col.name;
        col.name = *to;
        for (auto& d : e.pending)
          if (iequals(d.name, actual)) d.name = *to;
        rename_column_in_keys(st, actual, *to);
        e.notes.push_back(fmt::format("renamed column {} to {}", actual, *to));
        return true;
      }
      if (p_.accept_kw("INDEX") || p_.accept_kw("KEY")) {
        auto from = p_.name();
        p_.accept_kw("TO");
        auto to = p_.name();
        if (!from || !to) {
          error = "RENAME INDEX: expected `a TO b`";
          return false;
        }
        for (auto& n : st.unique_names)
          if (iequals(n, *from)) n = *to;
        for (auto& n : st.index_names)
          if (iequals(n, *from)) n = *to;
        return true;
      }
      if (!p_.accept_kw("TO") && !p_.accept_kw("AS")) p_.accept_punct('=');
      std::string ndb, ntable;
      if (!p_.qualified_name(ndb, ntable)) {
        error = "RENAME without a new name";
        return false;
      }
      rename_to = std::make_pair(ndb, ntable);
      e.notes.push_back(fmt::format("renamed to {}", ntable));
      return true;
    }
    if (p_.accept_kw("ALTER")) {  // ALTER [COLUMN] c SET DEFAULT …, ALTER INDEX i VISIBLE, …
      p_.skip_item();
      return true;
    }
    if (p_.accept_kw("CONVERT")) {
      p_.accept_kw("TO");
      std::string charset, collation;
      if (!parse_charset_option(p_, charset, collation)) {
        error = fmt::format("CONVERT: unexpected `{}`", p_.excerpt());
        return false;
      }
      parse_charset_option(p_, charset, collation);
      std::string target = resolve_collation(charset.empty() ? "" : charset, collation);
      if (target.empty() || target == "binary") {
        error = "CONVERT TO CHARACTER SET binary (or DEFAULT)";
        return false;
      }
      convert_columns(st, target);
      st.collation = target;
      e.inherited = st.collation;
      e.notes.push_back(fmt::format("converted to {}", target));
      return true;
    }
    {
      std::string charset, collation;
      if (parse_charset_option(p_, charset, collation)) {
        std::string c = resolve_collation(charset, collation);
        if (!c.empty()) st.collation = c;
        return true;
      }
    }
    if (p_.is_kw("PARTITION") && p_.is_kw("BY", 1)) {
      while (!p_.at_end()) p_.next();  // partitioning ends the statement
      return true;
    }
    static constexpr std::string_view kIgnored[] = {
        "ENGINE", "AUTO_INCREMENT", "AVG_ROW_LENGTH", "CHECKSUM", "COMMENT", "COMPRESSION", "CONNECTION",
        "DATA", "INDEX", "DELAY_KEY_WRITE", "ENCRYPTION", "INSERT_METHOD", "KEY_BLOCK_SIZE", "MAX_ROWS",
        "MIN_ROWS", "PACK_KEYS", "PASSWORD", "ROW_FORMAT", "STATS_AUTO_RECALC", "STATS_PERSISTENT",
        "STATS_SAMPLE_PAGES", "TABLESPACE", "UNION", "ALGORITHM", "LOCK", "FORCE", "ORDER", "ENABLE",
        "DISABLE", "DISCARD", "IMPORT", "REMOVE", "TRUNCATE", "COALESCE", "REORGANIZE", "EXCHANGE",
        "ANALYZE", "CHECK", "OPTIMIZE", "REBUILD", "REPAIR", "PARTITION", "PARTITIONS", "WITH", "WITHOUT",
        "PAGE_CHECKSUM", "TRANSACTIONAL", "ENCRYPTED", "ENCRYPTION_KEY_ID", "PAGE_COMPRESSED",
        "PAGE_COMPRESSION_LEVEL", "IETF_QUOTES", "SECONDARY_ENGINE", "SECONDARY_LOAD", "SECONDARY_UNLOAD",
        "STORAGE", "AUTOEXTEND_SIZE", "SEQUENCE", "VALIDATION", "UPGRADE", "ENGINE_ATTRIBUTE",
        // OceanBase table options
        "BLOCK_SIZE", "REPLICA_NUM", "TABLEGROUP", "PCTFREE", "PROGRESSIVE_MERGE_NUM", "USE_BLOOM_FILTER",
        "TABLET_SIZE", "PRIMARY_ZONE", "LOCALITY", "DUPLICATE_SCOPE", "TABLE_MODE", "COMPRESS",
        "NOCOMPRESS", "MAX_USED_PART_ID", "READ", "EXPIRE_INFO", "KV_ATTRIBUTES", "AUTO_INCREMENT_MODE",
        "ENABLE_MACRO_BLOCK_BLOOM_FILTER", "MICRO_INDEX_CLUSTERED", "MERGE_ENGINE", "DEFAULT_LOB_INROW_THRESHOLD",
        "LOB_INROW_THRESHOLD"};
    for (std::string_view w : kIgnored)
      if (p_.accept_kw(w)) {
        p_.skip_item();
        return true;
      }
    // Any other `option = value` is a table option (OceanBase has many).
    if (p_.peek().kind == Tok::Word && p_.is_punct('=', 1)) {
      p_.skip_item();
      return true;
    }
    error = fmt::format("unexpected `{}`", p_.excerpt());
    return false;
  }

  // CONVERT TO CHARACTER SET: every character column takes the collation; TEXT types grow when
  // the new character set needs more bytes per character, as MySQL keeps their capacity.
  static void convert_columns(TableState& st, const std::string& collation) {
    unsigned new_bytes = charset_max_bytes(collation_charset(collation));
    for (auto& col : st.schema.columns) {
      if (col.type.cls != TypeClass::String || !col.type.collation || col.type.collation->is_binary) continue;
      static constexpr std::pair<std::string_view, uint64_t> kTexts[] = {
          {"tinytext", 255}, {"text", 65535}, {"mediumtext", 16777215}, {"longtext", 4294967295u}};
      for (const auto& [name, bytes] : kTexts)
        if (col.type_text == name) {
          unsigned old_bytes = charset_max_bytes(col.type.collation->charset);
          if (new_bytes > old_bytes) col.type_text = sized_lob(true, bytes / old_bytes * new_bytes);
          break;
        }
      col.type = column_type(col.type_text, collation, col.type.nullable);
    }
  }

  void drop() {
    if (p_.accept_kw("TEMPORARY")) {
      if (p_.is_kw("TABLE") || p_.is_kw("TABLES")) done(Kind::None, "DROP TEMPORARY TABLE: not tracked");
      return;
    }
    bool view = p_.is_kw("VIEW");
    if (p_.accept_kw("TABLE") || p_.accept_kw("TABLES") || p_.accept_kw("VIEW")) {
      p_.accept_kws("IF", "EXISTS");
      std::vector<std::string> names;
      do {
        std::string db, table;
        if (!p_.qualified_name(db, table)) break;
        if (!resolve(db)) continue;
        touch(db, table);
        names.push_back(fmt::format("{}.{}", db, table));
        h_.drop(db, table, at_);
      } while (p_.accept_punct(','));
      if (out_.tables.empty()) return;
      return done(Kind::Drop, fmt::format("DROP {} {}", view ? "VIEW" : "TABLE", fmt::join(names, ", ")));
    }
    if (p_.accept_kw("DATABASE") || p_.accept_kw("SCHEMA")) {
      p_.accept_kws("IF", "EXISTS");
      auto name = p_.name();
      if (!name || is_system_database(*name)) return;
      drop_database_tables(*name);
      h_.databases.erase(lower(*name));
      return done(Kind::DropDatabase, fmt::format("DROP DATABASE {}: dropped {} tables", *name, out_.tables.size()));
    }
    if (p_.accept_kw("INDEX")) {
      p_.accept_kws("IF", "EXISTS");
      auto name = p_.name();
      std::string db, table;
      if (!name || !p_.accept_kw("ON") || !p_.qualified_name(db, table))
        return unparsed("DROP INDEX: expected `name ON table`");
      if (!resolve(db)) return;
      touch(db, table);
      std::string what = fmt::format("DROP INDEX {} ON {}.{}", *name, db, table);
      const TableState* cur = h_.state(db, table);
      if (!cur) return unparsed(what + ": unknown table");
      TableState st = *cur;
      remove_index(st, *name);
      normalize(st);
      h_.put(db, std::move(st), at_);
      done(Kind::Alter, what);
    }
  }

  void drop_database_tables(const std::string& db) {
    std::vector<std::string> names;
    for (const auto& [key, t] : h_.tables) {
      if (!iequals(t.db, db)) continue;
      const auto* v = h_.version_at(t, nullptr);
      if (v && v->state) names.push_back(v->state->schema.name);
    }
    for (const auto& n : names) {
      touch(db, n);
      h_.drop(db, n, at_);
    }
  }

  void rename() {
    if (!p_.accept_kw("TABLE") && !p_.accept_kw("TABLES")) return;
    p_.accept_kws("IF", "EXISTS");
    std::vector<std::string> notes;
    std::vector<std::string> unknown;
    do {
      std::string db, table, ndb, ntable;
      if (!p_.qualified_name(db, table)) return unparsed("RENAME TABLE: expected a table name");
      if (p_.accept_kw("WAIT")) p_.next();
      p_.accept_kw("NOWAIT");
      if (!p_.accept_kw("TO") || !p_.qualified_name(ndb, ntable))
        return unparsed("RENAME TABLE: expected `a TO b`");
      bool from_tracked = resolve(db), to_tracked = resolve(ndb);
      if (!from_tracked && !to_tracked) continue;
      if (from_tracked) touch(db, table);
      if (to_tracked) touch(ndb, ntable);
      out_.renamed.push_back({{db, table}, {ndb, ntable}});
      notes.push_back(fmt::format("{}.{} to {}.{}", db, table, ndb, ntable));
      const TableState* cur = from_tracked ? h_.state(db, table) : nullptr;
      if (!cur) {
        if (to_tracked) unknown.push_back(fmt::format("{}.{}", db, table));
        continue;
      }
      TableState st = *cur;
      st.schema.name = ntable;
      h_.drop(db, table, at_);
      if (to_tracked) h_.put(ndb, std::move(st), at_);
    } while (p_.accept_punct(','));
    if (out_.tables.empty()) return;
    if (!unknown.empty()) return unparsed(fmt::format("RENAME TABLE: unknown {}", fmt::join(unknown, ", ")));
    done(Kind::Rename, fmt::format("RENAME TABLE {}", fmt::join(notes, ", ")));
  }

  void truncate() {
    p_.accept_kw("TABLE");
    std::string db, table;
    if (!p_.qualified_name(db, table) || !resolve(db)) return;
    touch(db, table);
    done(Kind::Truncate, fmt::format("TRUNCATE TABLE {}.{}", db, table));
  }

  Impl& h_;
  std::string default_db_;
  const BinlogPosition& at_;
  SqlConnection* catalog_;
  Parser p_;
  DdlOutcome out_;
};

}  // namespace

DdlOutcome SchemaHistory::apply_ddl(std::string_view default_db, std::string_view sql, const BinlogPosition& at,
                                    SqlConnection* catalog) {
  DdlApplier applier(*impl_, default_db, at, catalog);
  return applier.run(sql);
}

}  // namespace obsync::source
