// The canonical layout: lines built from the AST, each anchored at the source offset of what
// it prints; then every comment is placed by its source offset (an own-line comment before the
// element it precedes, a trailing comment after the element it follows).
#include "compiler/fmt/formatter.hpp"
#include "stdlib/ascii.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace obsync {
namespace {


// Columns a line takes in a terminal: one a code point, two for East Asian wide characters
// (so that `=` and comments line up after Chinese names too).
size_t display_width(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80 ? 1 : b >> 5 == 6 ? 2 : b >> 4 == 14 ? 3 : b >> 3 == 30 ? 4 : 1;
    uint32_t cp = len == 1 ? b : b & (0xFF >> (len + 1));
    for (size_t k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
    n += wide ? 2 : 1;
    i += len;
  }
  return n;
}

// Keywords of grammar/ObSync.g4 that are not in its nonReservedKeyword rule: an identifier
// spelled like one of these needs back quotes. (fmt_test checks this list against the grammar.)
const std::set<std::string>& reserved_words() {
  static const std::set<std::string> kWords = {
      "INCLUDE", "SOURCE", "SINK",    "PROJECT",  "SYNC",     "TO",      "FROM",   "WHERE",
      "EXCEPT",  "BY",     "AS",      "AND",      "OR",       "XOR",     "NOT",    "IS",
      "NULL",    "TRUE",   "FALSE",   "DISTINCT", "BETWEEN",  "IN",      "LIKE",   "ESCAPE",
      "REGEXP",  "RLIKE",  "DIV",     "MOD",      "CASE",     "WHEN",    "THEN",   "ELSE",
      "END",     "CAST",   "CONVERT", "USING",    "INTERVAL", "COLLATE", "BINARY", "FOR"};
  return kWords;
}

bool is_plain_identifier(std::string_view s) {
  if (s.empty()) return false;
  auto head = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  auto tail = [&](char c) {
    return head(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
  };
  if (!head(s[0]) || !std::all_of(s.begin() + 1, s.end(), tail)) return false;
  return reserved_words().count(upper(s)) == 0;
}

// Words the checker reads case-insensitively and that read as keywords: written in upper case
// when they are one of the known words, else left as written for the checker to report.
std::string known_upper(std::string_view word, std::initializer_list<const char*> known) {
  for (const char* k : known)
    if (iequals(word, k)) return k;
  return format_identifier(word);
}
std::string format_word(std::string_view name) {  // FORMAT names are written in lower case
  for (const char* k :
       {"default", "canal", "dataworks", "shareplex", "default_extend_column_type", "debezium"})
    if (iequals(name, k)) return k;
  return format_identifier(name);
}
std::string partition_word(std::string_view name) { return known_upper(name, {"HASH", "ONE"}); }
std::string types_word(std::string_view name) {
  return known_upper(name, {"SCHEMA", "FULL", "INCREMENTAL"});
}
std::string kind_word(std::string_view name) {
  return known_upper(name, {"OCEANBASE", "MYSQL", "MARIADB", "KAFKA"});
}

const char* unit_name(IntervalUnit u) {
  // clang-format off
  static const std::array<const char*, 20> kNames = {
      "MICROSECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR",
      "SECOND_MICROSECOND", "MINUTE_MICROSECOND", "MINUTE_SECOND", "HOUR_MICROSECOND",
      "HOUR_SECOND", "HOUR_MINUTE", "DAY_MICROSECOND", "DAY_SECOND", "DAY_MINUTE", "DAY_HOUR",
      "YEAR_MONTH"};
  // clang-format on
  return kNames[static_cast<size_t>(u)];
}

// ---- expressions ---------------------------------------------------------------------------
// Binding strength by the grammar's levels (MySQL's): expr (OR XOR AND NOT, IS TRUE) <
// bool_pri (IS NULL, IS DISTINCT FROM, comparisons) < predicate (IN BETWEEN LIKE REGEXP) <
// bit_expr (| & << >> + - * / ^) < simple_expr (unary, !, BINARY, COLLATE) < primary.
enum Prec : int {
  kOr = 2,
  kXor = 4,
  kAnd = 6,
  kNot = 8,
  kIsTruth = 10,
  kBoolPrimary = 20,  // IS NULL, IS DISTINCT FROM, = <=> <> < <= > >=
  kPredicate = 30,    // IN, BETWEEN, LIKE, REGEXP
  kBitExpr = 40,      // the loosest bit_expr operator is |
  kBitOr = 45,
  kBitAnd = 50,
  kShift = 55,
  kAdd = 60,
  kMul = 65,
  kBitXor = 70,
  kSimple = 75,       // simple_expr: unary - + ~, !, BINARY, COLLATE
  kCollate = 90,
  kPrimary = 100,
};
constexpr int kCompare = kBoolPrimary;

int binary_prec(const std::string& op) {
  std::string o = upper(op);
  if (o == "OR" || o == "||") return kOr;
  if (o == "XOR") return kXor;
  if (o == "AND" || o == "&&") return kAnd;
  if (o == "|") return kBitOr;
  if (o == "&") return kBitAnd;
  if (o == "<<" || o == ">>") return kShift;
  if (o == "+" || o == "-") return kAdd;
  if (o == "*" || o == "/" || o == "DIV" || o == "%" || o == "MOD") return kMul;
  if (o == "^") return kBitXor;
  return kCompare;  // = <=> <> != < <= > >=
}

int prec(const ast::Expr& e) {
  using K = ast::ExprKind;
  switch (e.kind) {
    case K::Unary:
      return e.op == "NOT" ? kNot : kSimple;
    case K::Binary:
      return binary_prec(e.op);
    case K::Is:
      return upper(e.op) == "NULL" ? kBoolPrimary : kIsTruth;
    case K::IsDistinct:
      return kBoolPrimary;
    case K::Between:
    case K::In:
    case K::Like:
    case K::Regexp:
      return kPredicate;
    case K::Collate:
      return kCollate;
    default:
      return kPrimary;
  }
}

std::string literal_text(ast::LiteralKind kind, const std::string& text) {
  using L = ast::LiteralKind;
  switch (kind) {
    case L::Null:
      return "NULL";
    case L::Bool:
      return upper(text);
    case L::Integer:
    case L::Decimal:
    case L::Real:
      return text;
    case L::String:
      return format_string(text);
    case L::Hex:
      return text.empty() ? "X''" : "0x" + text;
    case L::Bit:
      return text.empty() ? "B''" : "0b" + text;
    case L::Date:
      return "DATE " + format_string(text);
    case L::Time:
      return "TIME " + format_string(text);
    case L::Timestamp:
      return "TIMESTAMP " + format_string(text);
  }
  return text;
}

std::string cast_type_text(const ast::CastType& t) {
  using C = ast::CastKind;
  auto len = [&] { return t.length ? "(" + std::to_string(*t.length) + ")" : std::string(); };
  switch (t.kind) {
    case C::Binary:
      return "BINARY" + len();
    case C::Char:
      return "CHAR" + len() +
             (t.charset.empty() ? "" : " CHARACTER SET " + format_identifier(t.charset));
    case C::Date:
      return "DATE";
    case C::DateTime:
      return "DATETIME" + len();
    case C::Time:
      return "TIME" + len();
    case C::Decimal:
      if (!t.length) return "DECIMAL";
      return "DECIMAL(" + std::to_string(*t.length) +
             (t.scale ? ", " + std::to_string(*t.scale) : "") + ")";
    case C::Signed:
      return "SIGNED";
    case C::Unsigned:
      return "UNSIGNED";
    case C::Double:
      return "DOUBLE";
    case C::Float:
      return "FLOAT" + len();
    case C::Json:
      return "JSON";
    case C::Year:
      return "YEAR";
  }
  return "SIGNED";
}

std::string collation_text(const std::string& name) {
  if (iequals(name, "binary")) return "BINARY";
  if (is_plain_identifier(name)) return name;
  return format_string(name);
}

// Printing an operand followed by more of its parent: `follow` is the binding strength of the
// operator that comes next (kNone when a keyword or punctuation that no operator takes follows).
constexpr int kNone = -1;
constexpr int kClosed = 1000;

// The grammar is stratified as MySQL's is: an operand printed at its level never takes an
// operator that follows it, so `follow` only matters for compatibility of the call sites.
int open_threshold(const ast::Expr&) { return kClosed; }

std::string expr_text(const ast::Expr& e, int follow);

// `e` where the context binds with strength `min` and `follow` comes next: parenthesized when
// it binds more loosely, or when its last operand would take what follows.
std::string operand(const ast::Expr* e, int min, int follow = kNone) {
  if (!e) return "NULL";
  if (prec(*e) < min || (follow != kNone && open_threshold(*e) <= follow))
    return "(" + expr_text(*e, kNone) + ")";
  return expr_text(*e, follow);
}

std::string call_text(const ast::Expr& e) {
  std::string name = upper(e.text);
  if (name == "TRIM" && !e.op.empty()) {  // TRIM([LEADING|TRAILING|BOTH] [remstr] FROM str)
    std::string side = upper(e.op);
    std::string out = "TRIM(";
    bool has_remstr = e.args.size() > 1;
    if (side != "BOTH" || !has_remstr) out += side + " ";
    if (has_remstr) out += operand(e.args[1].get(), kBitOr) + " ";
    return out + "FROM " + operand(e.args[0].get(), 0) + ")";
  }
  if (name == "POSITION" && !e.op.empty() && e.args.size() == 2)
    return "POSITION(" + operand(e.args[0].get(), kBitOr) + " IN " +
           operand(e.args[1].get(), kBitOr) + ")";
  // Names with a syntax of their own keep to the plain call form: CONVERT is back-quoted (its
  // second argument could read as a type), and arguments that hold FROM or IN are parenthesized.
  bool special = name == "TRIM" || name == "POSITION" || name == "SUBSTRING" || name == "SUBSTR";
  std::string out;
  if (name == "CONVERT")
    out = "`" + e.text + "`";
  else if (name == "MOD" && iequals(e.text, "mod"))
    out = e.text;
  else
    out = format_identifier(e.text);
  out += "(";
  for (size_t i = 0; i < e.args.size(); ++i) {
    if (i) out += ", ";
    out += operand(e.args[i].get(), special ? kBitOr : 0);
  }
  return out + ")";
}

std::string expr_text(const ast::Expr& e, int follow) {
  using K = ast::ExprKind;
  auto arg = [&](size_t i, int min, int next = kNone) {
    return operand(i < e.args.size() ? e.args[i].get() : nullptr, min, next);
  };
  std::string neg = e.negated ? "NOT " : "";
  switch (e.kind) {
    case K::Literal:
      return literal_text(e.literal_kind, e.text);
    case K::Column:
      return format_identifier(e.text);
    case K::OldColumn:
      return "OLD." + format_identifier(e.text);
    case K::Unary: {
      if (e.op == "NOT") return "NOT " + arg(0, kNot, follow);
      if (e.op == "BINARY") return "BINARY " + arg(0, kSimple, follow);
      std::string inner = arg(0, kSimple, follow);
      // `- -x`, not `--x`, which reads like a comment.
      if (!inner.empty() && inner[0] == '-' && e.op == "-") inner = " " + inner;
      return e.op + inner;
    }
    case K::Binary: {
      int p = binary_prec(e.op);
      std::string op = upper(e.op);
      if (op == "!=") op = "<>";
      if (p == kCompare) return arg(0, kBoolPrimary) + " " + op + " " + arg(1, kPredicate);
      return arg(0, p) + " " + op + " " + arg(1, p + 1);
    }
    case K::Is:
      if (upper(e.op) == "NULL") return arg(0, kBoolPrimary) + " IS " + neg + "NULL";
      return arg(0, kBoolPrimary) + " IS " + neg + upper(e.op);
    case K::IsDistinct:
      return arg(0, kBoolPrimary) + " IS " + neg + "DISTINCT FROM " + arg(1, kPredicate);
    case K::Between:
      return arg(0, kBitExpr) + " " + neg + "BETWEEN " + arg(1, kBitExpr) + " AND " + arg(2, kPredicate);
    case K::In: {
      std::string out = arg(0, kBitExpr) + " " + neg + "IN (";
      for (size_t i = 1; i < e.args.size(); ++i) out += (i > 1 ? ", " : "") + arg(i, 0);
      return out + ")";
    }
    case K::Like: {
      std::string out = arg(0, kBitExpr) + " " + neg + "LIKE " + arg(1, kSimple);
      if (e.args.size() > 2) out += " ESCAPE " + arg(2, kSimple);
      return out;
    }
    case K::Regexp:
      return arg(0, kBitExpr) + " " + neg + "REGEXP " + arg(1, kBitExpr);
    case K::Case: {
      std::string out = "CASE";
      size_t i = 0;
      if (e.has_operand) out += " " + arg(i++, 0);
      size_t whens_end = e.args.size() - (e.has_else ? 1 : 0);
      for (; i + 2 <= whens_end; i += 2) out += " WHEN " + arg(i, 0) + " THEN " + arg(i + 1, 0);
      if (e.has_else) out += " ELSE " + arg(e.args.size() - 1, 0);
      return out + " END";
    }
    case K::Cast:
      if (e.convert_syntax) return "CONVERT(" + arg(0, 0) + ", " + cast_type_text(e.cast) + ")";
      return "CAST(" + arg(0, 0) + " AS " + cast_type_text(e.cast) + ")";
    case K::Call:
      return call_text(e);
    case K::Interval:
      return "INTERVAL " + arg(0, 0) + " " + unit_name(e.unit);
    case K::JsonPath:
      return format_identifier(e.text) + e.op + format_string(e.json_path);
    case K::Collate:
      return arg(0, kCollate) + " COLLATE " + collation_text(e.text);  // tighter than prefix operators
  }
  return {};
}

// ---- layout --------------------------------------------------------------------------------
struct Line {
  Line(int indent_, std::string text_, uint32_t anchor_, bool closing_ = false)
      : indent(indent_), text(std::move(text_)), anchor(anchor_), closing(closing_) {}
  int indent = 0;
  std::string text;
  uint32_t anchor = 0;   // source offset of the element the line prints
  bool closing = false;  // a `)` that ends a list: comments before it are indented as the list
  std::vector<const ast::Comment*> before;    // own-line comments, in source order
  std::vector<const ast::Comment*> trailing;  // comments after the text on the same line
};
using Lines = std::vector<Line>;

struct ListItem {
  std::string text;
  uint32_t anchor;
  const ast::Expr* case_expr = nullptr;  // a COLUMNS item that is a CASE ...
  std::string after_case;                // ... and what follows it (` AS alias`)
};

bool is_line_comment(const ast::Comment& c) {
  return c.text.rfind("--", 0) == 0 || c.text.rfind("#", 0) == 0;
}

class Formatter {
 public:
  Formatter(const SourceManager& sources, const ParsedScript& parsed, const FormatOptions& options)
      : parsed_(parsed), options_(options), src_(sources.file(parsed.script.file).text) {}

  std::string run() {
    std::vector<Lines> statements;
    for (const auto& st : parsed_.script.statements) statements.push_back(statement(st));
    std::vector<const ast::Comment*> at_end = place_comments(statements);
    return render(statements, at_end);
  }

 private:
  // A comment's position for placement: where it ends if it stands on its own line (it
  // belongs to what follows), where it begins otherwise (it belongs to what precedes).
  static uint32_t key(const ast::Comment& c) { return c.own_line ? c.span.end : c.span.begin; }
  // Whether a comment would be placed inside an element spanning (lo, hi] if it were broken
  // over lines: such an element is broken so that the comment stays where it was.
  bool comments_within(uint32_t lo, uint32_t hi) const {
    return std::any_of(parsed_.comments.begin(), parsed_.comments.end(),
                       [&](const ast::Comment& c) { return key(c) > lo && key(c) <= hi; });
  }
  bool fits(int indent, const std::string& text) const {
    return static_cast<size_t>(indent) + display_width(text) <= options_.width;
  }
  char source_char(uint32_t offset) const { return offset < src_.size() ? src_[offset] : '\0'; }

  // A name that is an identifier or a string in the grammar: kept as the kind it was written.
  std::string ident_or_string(const ast::Name& n) const {
    return source_char(n.span.begin) == '\'' ? format_string(n.text) : format_identifier(n.text);
  }

  // `head (a, b)` on one line, or one item a line when it is too long or has comments inside.
  void list(Lines& out, int indent, const std::string& head, const std::vector<ListItem>& items,
            uint32_t anchor, uint32_t close_anchor, const std::string& suffix = "") {
    std::string flat = head + "(";
    for (size_t i = 0; i < items.size(); ++i) flat += (i ? ", " : "") + items[i].text;
    flat += ")" + suffix;
    if (fits(indent, flat) && !comments_within(anchor, close_anchor)) {
      out.push_back({indent, flat, anchor});
      return;
    }
    out.push_back({indent, head + "(", anchor});
    // Names only (no comments among them): as many a line as fit; else one item a line.
    bool names_only = !comments_within(anchor, close_anchor) &&
                      std::none_of(items.begin(), items.end(), [](const ListItem& i) {
                        return i.text.find(' ') != std::string::npos;
                      });
    for (size_t i = 0; i < items.size(); ++i) {
      std::string comma = i + 1 < items.size() ? "," : "";
      std::string item = items[i].text + comma;
      if (names_only && out.back().anchor != anchor &&
          fits(indent + 2, out.back().text + " " + item))
        out.back().text += " " + item;
      else if (!items[i].case_expr || !case_lines(out, indent + 2, *items[i].case_expr,
                                                  items[i].anchor, items[i].after_case + comma))
        out.push_back({indent + 2, item, items[i].anchor});
    }
    out.push_back({indent, ")" + suffix, close_anchor, true});
  }

  // A CASE too long for its line (or with comments inside) as one WHEN a line; `rest` follows
  // END. False when it stays on one line.
  bool case_lines(Lines& out, int indent, const ast::Expr& e, uint32_t anchor,
                  const std::string& rest) {
    uint32_t end_kw = e.span.end >= 3 ? e.span.end - 3 : e.span.end;
    if (fits(indent, operand(&e, 0) + rest) && !comments_within(anchor, end_kw)) return false;
    size_t i = 0;
    out.push_back(
        {indent, "CASE" + (e.has_operand ? " " + operand(e.args[i++].get(), 0) : ""), anchor});
    size_t whens_end = e.args.size() - (e.has_else ? 1 : 0);
    for (; i + 2 <= whens_end; i += 2)
      out.push_back(
          {indent + 2,
           "WHEN " + operand(e.args[i].get(), 0) + " THEN " + operand(e.args[i + 1].get(), 0),
           e.args[i]->span.begin});
    if (e.has_else)
      out.push_back(
          {indent + 2, "ELSE " + operand(e.args.back().get(), 0), e.args.back()->span.begin});
    out.push_back({indent, "END" + rest, end_kw});
    return true;
  }

  Lines statement(const ast::Statement& st) {
    Lines out;
    switch (st.kind) {
      case ast::StatementKind::Include:
        out.push_back({0, "INCLUDE " + format_string(st.include.path.text), st.span.begin});
        break;
      case ast::StatementKind::Source:
      case ast::StatementKind::Sink:
        connection(out, st);
        break;
      case ast::StatementKind::Project:
        project(out, st);
        break;
      case ast::StatementKind::Sync:
        sync(out, st);
        break;
    }
    out.back().text += ";";
    return out;
  }

  // ---- SOURCE / SINK: one property a line, `=` aligned -----------------------------------------
  void connection(Lines& out, const ast::Statement& st) {
    const auto& c = st.connection;
    std::string head = std::string(st.kind == ast::StatementKind::Source ? "SOURCE " : "SINK ") +
                       format_identifier(c.name.text) + " " + kind_word(c.kind.text) + " (";
    uint32_t close = st.span.end > 0 ? st.span.end - 1 : 0;  // the `;`, right after `)`
    if (c.properties.empty() && !comments_within(st.span.begin, close)) {
      out.push_back({0, head + ")", st.span.begin});
      return;
    }
    out.push_back({0, head, st.span.begin});
    properties(out, 2, c.properties);
    out.push_back({0, ")", close, true});
  }

  std::string property_value(const ast::PropertyValue& v) const {
    using VK = ast::PropertyValue::Kind;
    switch (v.kind) {
      case VK::Literal:
        return literal_text(v.literal_kind, v.text);
      case VK::Word:
        return format_identifier(v.text);
      case VK::Env:
        return "env(" + format_string(v.text) + ")";
      case VK::File:
        return "file(" + format_string(v.text) + ")";
      case VK::Map: {
        std::string s = "(";
        for (size_t i = 0; i < v.entries.size(); ++i)
          s += (i ? ", " : "") + ident_or_string(v.entries[i].key) + " = " +
               property_value(v.entries[i].value);
        return s + ")";
      }
    }
    return {};
  }

  void properties(Lines& out, int indent, const std::vector<ast::Property>& props) {
    size_t key_width = 0;
    for (const auto& p : props)
      key_width = std::max(key_width, display_width(ident_or_string(p.key)));
    for (size_t i = 0; i < props.size(); ++i) {
      const auto& p = props[i];
      std::string key = ident_or_string(p.key);
      std::string prefix = key + std::string(key_width - display_width(key), ' ') + " = ";
      std::string comma = i + 1 < props.size() ? "," : "";
      uint32_t anchor = p.key.span.begin;
      if (p.value.kind == ast::PropertyValue::Kind::Map) {
        uint32_t close = p.value.span.end > 0 ? p.value.span.end - 1 : 0;
        std::string flat = prefix + property_value(p.value) + comma;
        if (!fits(indent, flat) || comments_within(anchor, close)) {
          out.push_back({indent, prefix + "(", anchor});
          properties(out, indent + 2, p.value.entries);
          out.push_back({indent, ")" + comma, close, true});
          continue;
        }
      }
      out.push_back({indent, prefix + property_value(p.value) + comma, anchor});
    }
  }

  // ---- PROJECT: one option a line, in the order of docs/language.md ----------------------------
  void project(Lines& out, const ast::Statement& st) {
    const auto& p = st.project;
    out.push_back({0, "PROJECT " + ident_or_string(p.name), st.span.begin});
    // Which written option each span is: its first word.
    auto span_of = [&](const char* word) -> std::optional<SourceSpan> {
      for (const auto& s : p.option_spans) {
        size_t i = s.begin;
        std::string w;
        while (i < src_.size() && std::isalpha(static_cast<unsigned char>(src_[i]))) w += src_[i++];
        if (iequals(w, word)) return s;
      }
      return std::nullopt;
    };
    auto option = [&](const char* word, const std::string& text) {
      auto s = span_of(word);
      out.push_back({2, text, s ? s->begin : st.span.begin});
    };
    if (p.tags) {
      auto s = span_of("TAGS");
      std::vector<ListItem> items;
      for (const auto& t : *p.tags)
        items.push_back({format_string(t.text), t.span.begin, nullptr, {}});
      uint32_t begin = s ? s->begin : st.span.begin;
      list(out, 2, "TAGS ", items, begin, s && s->end ? s->end - 1 : begin);
    }
    if (p.business_id) option("BUSINESS", "BUSINESS ID " + format_string(p.business_id->text));
    if (p.from_source && p.to_sink)
      option("FROM", "FROM " + format_identifier(p.from_source->text) + " TO " +
                         format_identifier(p.to_sink->text));
    if (p.types) {
      std::string s;
      for (const auto& t : *p.types) s += (s.empty() ? "" : ", ") + types_word(t.text);
      option("TYPES", "TYPES (" + s + ")");
    }
    if (p.start_at)
      option("START", "START AT " + (p.start_at->quoted ? format_string(p.start_at->text) : "NOW"));
    if (p.format) option("FORMAT", "FORMAT " + format_word(p.format->text));
    if (p.partition) option("PARTITION", "PARTITION BY " + partition_word(p.partition->text));
    if (p.transaction_sequence)
      option("TRANSACTION",
             std::string("TRANSACTION SEQUENCE ") + (*p.transaction_sequence ? "ON" : "OFF"));
    if (p.delivery)
      option("DELIVERY", p.delivery == ast::DeliveryMode::ExactlyOnce ? "DELIVERY EXACTLY ONCE"
                                                                      : "DELIVERY AT LEAST ONCE");
    if (p.ddl) option("DDL", std::string("DDL ") + (*p.ddl ? "ON" : "OFF"));
  }

  // ---- SYNC: the header, then one clause a line in canonical order ------------------------------
  std::string table_ref(const ast::TableRef& t) const {
    std::string db = format_identifier(t.database.text) + ".";
    switch (t.kind) {
      case ast::TableRefKind::All:
        return db + "*";
      case ast::TableRefKind::Pattern:
        return db + format_string(t.table.text);
      case ast::TableRefKind::Exact:
        break;
    }
    return db + format_identifier(t.table.text);
  }

  std::string topic_name(const ast::Name& n) const {
    if (source_char(n.span.begin) == '\'') return format_string(n.text);
    std::string out;  // dotted identifiers: the text joins the parts with '.'
    size_t start = 0;
    while (true) {
      size_t dot = n.text.find('.', start);
      out += format_identifier(
          n.text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      out += ".";
      start = dot + 1;
    }
    return out;
  }

  std::string target(const ast::SyncTarget& t) const {
    switch (t.kind) {
      case ast::TargetKind::ExistingTopic:
        return "EXISTING TOPIC " + topic_name(t.name);
      case ast::TargetKind::Template:
        return "TOPICS " + format_string(t.name.text);
      case ast::TargetKind::Topic:
        break;
    }
    std::string out = "TOPIC " + topic_name(t.name);
    if (!t.options.empty()) {
      out += " (";
      for (size_t i = 0; i < t.options.size(); ++i) {
        const auto& o = t.options[i];
        // The digits as written: the AST keeps -1 for a number too large to hold.
        std::string_view written(src_.data() + o.span.begin, o.span.end - o.span.begin);
        size_t digits = written.find_last_not_of("0123456789");
        std::string number = digits == std::string_view::npos
                                 ? std::string(written)
                                 : std::string(written.substr(digits + 1));
        if (number.empty()) number = std::to_string(o.value);
        out +=
            (i ? ", " : "") + known_upper(o.name.text, {"PARTITIONS", "REPLICAS"}) + " " + number;
      }
      out += ")";
    }
    return out;
  }

  void sync(Lines& out, const ast::Statement& st) {
    const auto& s = st.sync;
    std::string tgt = "TO " + target(s.target);
    std::string head = "SYNC ";
    for (size_t i = 0; i < s.tables.size(); ++i) head += (i ? ", " : "") + table_ref(s.tables[i]);
    if (fits(0, head + " " + tgt) && !comments_within(st.span.begin, s.target.span.begin)) {
      out.push_back({0, head + " " + tgt, st.span.begin});
    } else {  // one table a line, the target below them
      for (size_t i = 0; i < s.tables.size(); ++i)
        out.push_back(
            {i ? 5 : 0,
             (i ? "" : "SYNC ") + table_ref(s.tables[i]) + (i + 1 < s.tables.size() ? "," : ""),
             i ? s.tables[i].span.begin : st.span.begin});
      out.push_back({2, tgt, s.target.span.begin});
    }
    if (s.where) where(out, *s.where, s.where_span);
    if (s.columns) {
      std::vector<ListItem> items;
      for (const auto& c : *s.columns) {
        bool is_case = c.expr && c.expr->kind == ast::ExprKind::Case;
        std::string alias = c.alias ? " AS " + format_identifier(c.alias->text) : "";
        items.push_back({(c.expr ? operand(c.expr.get(), 0) : "") + alias, c.span.begin,
                         is_case ? c.expr.get() : nullptr, alias});
      }
      list(out, 2, "COLUMNS ", items, s.columns_span.begin, s.columns_span.end - 1);
    } else if (s.columns_except) {
      list(out, 2, "COLUMNS EXCEPT ", names(*s.columns_except), s.columns_span.begin,
           s.columns_span.end - 1);
    }
    if (s.shard_by)
      list(out, 2, "SHARD BY ", names(*s.shard_by), s.shard_span.begin, s.shard_span.end - 1);
    if (s.format) out.push_back({2, "FORMAT " + format_word(s.format->text), s.format->span.begin});
    if (s.partition)
      out.push_back(
          {2, "PARTITION BY " + partition_word(s.partition->text), s.partition->span.begin});
  }

  static std::vector<ListItem> names(const std::vector<ast::Name>& ns) {
    std::vector<ListItem> items;
    for (const auto& n : ns)
      items.push_back({format_identifier(n.text), n.span.begin, nullptr, {}});
    return items;
  }

  // WHERE on one line, or a top-level AND / OR / XOR chain one operand a line.
  void where(Lines& out, const ast::Expr& e, SourceSpan span) {
    std::string flat = "WHERE " + operand(&e, 0);
    std::vector<const ast::Expr*> chain;
    if (e.kind == ast::ExprKind::Binary && (e.op == "AND" || e.op == "OR" || e.op == "XOR")) {
      const ast::Expr* node = &e;
      while (node->kind == ast::ExprKind::Binary && node->op == e.op && node->args.size() == 2) {
        chain.push_back(node->args[1].get());
        node = node->args[0].get();
      }
      chain.push_back(node);
      std::reverse(chain.begin(), chain.end());
    }
    if (chain.empty() ||
        (fits(2, flat) && !comments_within(span.begin, chain.back()->span.begin))) {
      out.push_back({2, flat, span.begin});
      return;
    }
    int p = binary_prec(e.op);
    out.push_back({2, "WHERE " + operand(chain[0], p, p), span.begin});
    // The operators right-aligned under WHERE, so that the operands line up.
    int indent = 2 + 6 - static_cast<int>(e.op.size() + 1);
    for (size_t i = 1; i < chain.size(); ++i)
      out.push_back({indent,
                     e.op + " " + operand(chain[i], p + 1, i + 1 < chain.size() ? p : kNone),
                     chain[i]->span.begin});
  }

  // ---- comments -------------------------------------------------------------------------------
  // Own-line comments go before the line of the element that follows them in the source;
  // trailing comments after the line of the element that precedes them. Returns the comments
  // after the last element.
  std::vector<const ast::Comment*> place_comments(std::vector<Lines>& statements) {
    std::vector<Line*> lines;
    for (auto& st : statements)
      for (auto& l : st) lines.push_back(&l);
    std::vector<const ast::Comment*> at_end;
    for (const auto& c : parsed_.comments) {
      if (!c.own_line) {
        size_t best = lines.size();
        for (size_t i = 0; i < lines.size(); ++i)
          if (lines[i]->anchor < c.span.begin &&
              (best == lines.size() || lines[i]->anchor >= lines[best]->anchor))
            best = i;
        if (best < lines.size()) {
          auto& trailing = lines[best]->trailing;
          if (trailing.empty() || !is_line_comment(*trailing.back())) {
            trailing.push_back(&c);
          } else if (best + 1 < lines.size()) {  // a line ends at the first line comment
            lines[best + 1]->before.push_back(&c);
          } else {
            at_end.push_back(&c);
          }
          continue;
        }
      }
      size_t best = lines.size();
      for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i]->anchor >= c.span.end &&
            (best == lines.size() || lines[i]->anchor < lines[best]->anchor))
          best = i;
      if (best < lines.size())
        lines[best]->before.push_back(&c);
      else
        at_end.push_back(&c);
    }
    return at_end;
  }

  // Whether the white space before / after `offset` holds an empty line.
  bool blank_before(uint32_t offset) const {
    int newlines = 0;
    for (size_t i = std::min<size_t>(offset, src_.size()); i > 0; --i) {
      char ch = src_[i - 1];
      if (ch == '\n')
        ++newlines;
      else if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\f')
        break;
    }
    return newlines >= 2;
  }
  bool blank_after(uint32_t offset) const {
    int newlines = 0;
    for (size_t i = offset; i < src_.size(); ++i) {
      char ch = src_[i];
      if (ch == '\n')
        ++newlines;
      else if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\f')
        break;
    }
    return newlines >= 2;
  }

  // ---- output ---------------------------------------------------------------------------------
  struct Row {
    std::string text;      // with its indentation; empty for a blank line
    std::string trailing;  // comments after it
  };

  static std::string comment_text(const ast::Comment& c) {
    std::string t = c.text;
    if (is_line_comment(c))
      while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.pop_back();
    return t;
  }

  std::string render(const std::vector<Lines>& statements,
                     const std::vector<const ast::Comment*>& at_end) {
    std::vector<Row> rows;
    auto blank = [&] {
      if (!rows.empty() && !rows.back().text.empty()) rows.push_back({});
    };
    for (size_t si = 0; si < statements.size(); ++si) {
      const Lines& lines = statements[si];
      const Line& first = lines.front();
      uint32_t first_offset =
          first.before.empty() ? first.anchor : first.before.front()->span.begin;
      if (si > 0 &&
          (blank_before(first_offset) || lines.size() > 1 || statements[si - 1].size() > 1))
        blank();
      for (size_t li = 0; li < lines.size(); ++li) {
        const Line& line = lines[li];
        std::string indent(static_cast<size_t>(line.indent), ' ');
        std::string comment_indent = line.closing ? indent + "  " : indent;
        for (size_t ci = 0; ci < line.before.size(); ++ci) {
          if (ci > 0 && li == 0 && blank_after(line.before[ci - 1]->span.end)) blank();
          rows.push_back({comment_indent + comment_text(*line.before[ci]), {}});
        }
        if (li == 0 && !line.before.empty() && blank_after(line.before.back()->span.end)) blank();
        std::string trailing;
        for (const auto* c : line.trailing)
          trailing += (trailing.empty() ? "" : " ") + comment_text(*c);
        rows.push_back({indent + line.text, trailing});
      }
    }
    for (size_t ci = 0; ci < at_end.size(); ++ci) {
      uint32_t begin = at_end[ci]->span.begin;
      if (ci == 0 ? blank_before(begin) : blank_after(at_end[ci - 1]->span.end)) blank();
      rows.push_back({comment_text(*at_end[ci]), {}});
    }
    // Trailing comments on consecutive lines start in one column, two spaces after the longest.
    for (size_t i = 0; i < rows.size();) {
      if (rows[i].trailing.empty()) {
        ++i;
        continue;
      }
      size_t j = i, column = 0;
      while (j < rows.size() && !rows[j].trailing.empty())
        column = std::max(column, display_width(rows[j++].text));
      for (; i < j; ++i) {
        rows[i].text +=
            std::string(column + 2 - display_width(rows[i].text), ' ') + rows[i].trailing;
        rows[i].trailing.clear();
      }
    }
    std::string out;
    for (const auto& r : rows) out += r.text + "\n";
    return out;
  }

  const ParsedScript& parsed_;
  FormatOptions options_;
  const std::string& src_;
};

// ---- meaning ------------------------------------------------------------------------------
struct Comparer {
  std::string* why;
  bool fail(const std::string& what) {
    if (why) *why = what;
    return false;
  }
  bool name(const ast::Name& a, const ast::Name& b, const char* what, bool fold = false) {
    if (fold ? iequals(a.text, b.text) : a.text == b.text) return true;
    return fail(std::string(what) + ": `" + a.text + "` vs `" + b.text + "`");
  }
  template <typename T, typename F>
  bool optional(const std::optional<T>& a, const std::optional<T>& b, const char* what, F same) {
    if (a.has_value() != b.has_value()) return fail(std::string(what) + " present in one only");
    return !a || same(*a, *b);
  }
  bool names(const std::vector<ast::Name>& a, const std::vector<ast::Name>& b, const char* what,
             bool fold = false) {
    if (a.size() != b.size()) return fail(std::string(what) + ": different counts");
    for (size_t i = 0; i < a.size(); ++i)
      if (!name(a[i], b[i], what, fold)) return false;
    return true;
  }
  bool expr(const ast::Expr* a, const ast::Expr* b, const char* what) {
    if (!a || !b) return a == b ? true : fail(std::string(what) + " present in one only");
    if (ast::equal(*a, *b)) return true;
    return fail(std::string(what) + ": `" + format_expression(*a) + "` vs `" +
                format_expression(*b) + "`");
  }
  bool properties(const std::vector<ast::Property>& a, const std::vector<ast::Property>& b) {
    if (a.size() != b.size()) return fail("property counts differ");
    for (size_t i = 0; i < a.size(); ++i) {
      const auto &x = a[i].value, &y = b[i].value;
      if (!name(a[i].key, b[i].key, "property key")) return false;
      if (x.kind != y.kind || x.text != y.text ||
          (x.kind == ast::PropertyValue::Kind::Literal && x.literal_kind != y.literal_kind))
        return fail("property `" + a[i].key.text + "`: values differ");
      if (!properties(x.entries, y.entries)) return false;
    }
    return true;
  }
  bool statement(const ast::Statement& a, const ast::Statement& b) {
    if (a.kind != b.kind) return fail("statement kinds differ");
    switch (a.kind) {
      case ast::StatementKind::Include:
        return name(a.include.path, b.include.path, "INCLUDE path");
      case ast::StatementKind::Source:
      case ast::StatementKind::Sink:
        return name(a.connection.name, b.connection.name, "connection name") &&
               name(a.connection.kind, b.connection.kind, "connection kind", true) &&
               properties(a.connection.properties, b.connection.properties);
      case ast::StatementKind::Project:
        return project(a.project, b.project);
      case ast::StatementKind::Sync:
        return sync(a.sync, b.sync);
    }
    return true;
  }
  bool project(const ast::ProjectDecl& a, const ast::ProjectDecl& b) {
    auto nm = [&](const char* what, bool fold = false) {
      return [this, what, fold](const ast::Name& x, const ast::Name& y) {
        return name(x, y, what, fold);
      };
    };
    auto list = [&](const char* what, bool fold = false) {
      return [this, what, fold](const std::vector<ast::Name>& x, const std::vector<ast::Name>& y) {
        return names(x, y, what, fold);
      };
    };
    auto eq = [&](const char* what) {
      return [this, what](auto x, auto y) { return x == y || fail(what); };
    };
    if (!name(a.name, b.name, "project name")) return false;
    if (a.start_at && b.start_at && a.start_at->quoted != b.start_at->quoted)
      return fail("START AT differs");
    return optional(a.tags, b.tags, "TAGS", list("TAGS")) &&
           optional(a.business_id, b.business_id, "BUSINESS ID", nm("BUSINESS ID")) &&
           optional(a.from_source, b.from_source, "FROM", nm("FROM")) &&
           optional(a.to_sink, b.to_sink, "TO", nm("TO")) &&
           optional(a.types, b.types, "TYPES", list("TYPES", true)) &&
           optional(a.start_at, b.start_at, "START AT", nm("START AT")) &&
           optional(a.format, b.format, "FORMAT", nm("FORMAT", true)) &&
           optional(a.partition, b.partition, "PARTITION BY", nm("PARTITION BY", true)) &&
           optional(a.transaction_sequence, b.transaction_sequence, "TRANSACTION SEQUENCE",
                    eq("TRANSACTION SEQUENCE")) &&
           optional(a.delivery, b.delivery, "DELIVERY", eq("DELIVERY")) &&
           optional(a.ddl, b.ddl, "DDL", eq("DDL"));
  }
  bool sync(const ast::SyncStmt& a, const ast::SyncStmt& b) {
    if (a.tables.size() != b.tables.size()) return fail("table counts differ");
    for (size_t i = 0; i < a.tables.size(); ++i) {
      if (a.tables[i].kind != b.tables[i].kind) return fail("table reference kinds differ");
      if (!name(a.tables[i].database, b.tables[i].database, "database") ||
          !name(a.tables[i].table, b.tables[i].table, "table"))
        return false;
    }
    const auto &ta = a.target, &tb = b.target;
    if (ta.kind != tb.kind) return fail("target kinds differ");
    if (!name(ta.name, tb.name, "topic")) return false;
    if (ta.options.size() != tb.options.size()) return fail("topic option counts differ");
    for (size_t i = 0; i < ta.options.size(); ++i)
      if (!name(ta.options[i].name, tb.options[i].name, "topic option", true) ||
          ta.options[i].value != tb.options[i].value)
        return fail("topic options differ");
    if (!expr(a.where.get(), b.where.get(), "WHERE")) return false;
    if (a.columns.has_value() != b.columns.has_value()) return fail("COLUMNS present in one only");
    if (a.columns) {
      if (a.columns->size() != b.columns->size()) return fail("COLUMNS counts differ");
      for (size_t i = 0; i < a.columns->size(); ++i) {
        const auto &x = (*a.columns)[i], &y = (*b.columns)[i];
        if (!expr(x.expr.get(), y.expr.get(), "COLUMNS item")) return false;
        auto same_alias = [&](const ast::Name& p, const ast::Name& q) {
          return name(p, q, "alias");
        };
        if (!optional(x.alias, y.alias, "alias", same_alias)) return false;
      }
    }
    auto list = [&](const char* what) {
      return [this, what](const std::vector<ast::Name>& x, const std::vector<ast::Name>& y) {
        return names(x, y, what);
      };
    };
    auto nm = [&](const char* what) {
      return
          [this, what](const ast::Name& x, const ast::Name& y) { return name(x, y, what, true); };
    };
    return optional(a.columns_except, b.columns_except, "COLUMNS EXCEPT", list("COLUMNS EXCEPT")) &&
           optional(a.shard_by, b.shard_by, "SHARD BY", list("SHARD BY")) &&
           optional(a.format, b.format, "FORMAT", nm("FORMAT")) &&
           optional(a.partition, b.partition, "PARTITION BY", nm("PARTITION BY"));
  }
};

}  // namespace

std::string format_identifier(std::string_view name) {
  if (is_plain_identifier(name)) return std::string(name);
  std::string out = "`";
  for (char c : name) out += c == '`' ? "``" : std::string(1, c);
  return out + "`";
}

std::string format_string(std::string_view text) {
  std::string out = "'";
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '\'':
        out += "''";
        break;
      case '\\':
        // `\%` and `\_` read back as themselves (MySQL keeps the backslash for LIKE).
        out += (i + 1 < text.size() && (text[i + 1] == '%' || text[i + 1] == '_')) ? "\\" : "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\x1a':
        out += "\\Z";
        break;
      default:
        out += c;
    }
  }
  return out + "'";
}

std::string format_expression(const ast::Expr& expr) { return expr_text(expr, kNone); }

std::string format_script(const SourceManager& sources, const ParsedScript& parsed,
                          const FormatOptions& options) {
  return Formatter(sources, parsed, options).run();
}

bool same_meaning(const ast::Script& a, const ast::Script& b, std::string* why) {
  Comparer cmp{why};
  if (a.statements.size() != b.statements.size()) return cmp.fail("statement counts differ");
  for (size_t i = 0; i < a.statements.size(); ++i)
    if (!cmp.statement(a.statements[i], b.statements[i])) {
      if (why) *why = "statement " + std::to_string(i + 1) + ": " + *why;
      return false;
    }
  return true;
}

}  // namespace obsync
