// The formatter's properties: output parses to the same AST, formatting twice changes nothing,
// every comment is kept; over the examples, the golden scripts, tricky inputs and random
// expressions.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "compiler/fmt/formatter.hpp"
#include "compiler/parse/parser.hpp"

using namespace obsync;
namespace fs = std::filesystem;

namespace {

struct Parsed {
  SourceManager sources;
  ParsedScript parsed;
  DiagnosticSink diags;
};

std::unique_ptr<Parsed> parse(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  uint32_t file = p->sources.add("test.sync", text);
  p->parsed = parse_script(p->sources, file, p->diags);
  return p;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string errors_of(const Parsed& p) {
  std::string out;
  for (const auto& d : p.diags.diagnostics()) out += render_human(d, p.sources) + "\n";
  return out;
}

// The comments' texts, trimmed, in order: formatting keeps every one of them.
std::multiset<std::string> comment_texts(const ParsedScript& p) {
  std::multiset<std::string> out;
  for (const auto& c : p.comments) {
    std::string t = c.text;
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
    out.insert(t);
  }
  return out;
}

// Formats `text` and checks the properties; returns the formatted text.
std::string check_round_trip(const std::string& text, const std::string& what = "input") {
  INFO(what);
  auto first = parse(text);
  INFO(errors_of(*first));
  REQUIRE_FALSE(first->diags.has_errors());
  std::string once = format_script(first->sources, first->parsed);
  INFO("formatted:\n" << once);
  auto second = parse(once);
  INFO(errors_of(*second));
  REQUIRE_FALSE(second->diags.has_errors());
  std::string why;
  CHECK(same_meaning(first->parsed.script, second->parsed.script, &why));
  INFO(why);
  CHECK(comment_texts(first->parsed) == comment_texts(second->parsed));
  std::string twice = format_script(second->sources, second->parsed);
  CHECK(twice == once);
  return once;
}

std::vector<fs::path> scripts_under(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".sync") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("fmt: every example and golden script keeps its meaning and is a fixed point") {
  size_t formatted = 0;
  for (const char* dir : {"examples", "tests/golden"}) {
    for (const auto& path : scripts_under(fs::path(OBSYNC_SOURCE_DIR) / dir)) {
      std::string text = read(path);
      auto p = parse(text);
      if (p->diags.has_errors()) continue;  // cases of syntax errors: fmt refuses them
      check_round_trip(text, path.string());
      ++formatted;
    }
  }
  CHECK(formatted >= 3);
}

TEST_CASE("fmt: the examples are formatted") {
  for (const auto& path : scripts_under(fs::path(OBSYNC_SOURCE_DIR) / "examples")) {
    std::string text = read(path);
    auto p = parse(text);
    REQUIRE_FALSE(p->diags.has_errors());
    INFO(path.string());
    CHECK(format_script(p->sources, p->parsed) == text);
  }
}

TEST_CASE("fmt: canonical layout") {
  std::string out = check_round_trip(
      "sync shop.orders to topic orders (partitions 6, replicas 3) format CANAL shard by "
      "(customer_id) "
      "columns (id, amount a) where status != 'x' && amount >= 100;\n"
      "project p ddl on delivery exactly once tags ('a') partition by one types (full, schema);\n"
      "source ob oceanbase (host='h',port=2883,password=env('P'),props=('a.b'='1'));\n");
  CHECK(out ==
        "SYNC shop.orders TO TOPIC orders (PARTITIONS 6, REPLICAS 3)\n"
        "  WHERE status <> 'x' AND amount >= 100\n"
        "  COLUMNS (id, amount AS a)\n"
        "  SHARD BY (customer_id)\n"
        "  FORMAT canal;\n"
        "\n"
        "PROJECT p\n"
        "  TAGS ('a')\n"
        "  TYPES (FULL, SCHEMA)\n"
        "  PARTITION BY ONE\n"
        "  DELIVERY EXACTLY ONCE\n"
        "  DDL ON;\n"
        "\n"
        "SOURCE ob OCEANBASE (\n"
        "  host     = 'h',\n"
        "  port     = 2883,\n"
        "  password = env('P'),\n"
        "  props    = ('a.b' = '1')\n"
        ");\n");
}

TEST_CASE("fmt: long lists and conditions are broken one item a line") {
  std::string cols;
  for (int i = 0; i < 20; ++i)
    cols += (i ? ", " : "") + std::string("column_number_") + std::to_string(i);
  std::string out = check_round_trip(
      "SYNC d.t TO TOPIC t COLUMNS (" + cols +
      ") WHERE a = 1 AND b = 2 AND "
      "c_is_a_rather_long_column_name = 'and a rather long string value too' OR d;");
  // Names fill the lines; OR is the top of this condition: its operands stand one a line.
  CHECK(out ==
        "SYNC d.t TO TOPIC t\n"
        "  WHERE a = 1 AND b = 2 AND c_is_a_rather_long_column_name = 'and a rather long string "
        "value too'\n"
        "     OR d\n"
        "  COLUMNS (\n"
        "    column_number_0, column_number_1, column_number_2, column_number_3, column_number_4,\n"
        "    column_number_5, column_number_6, column_number_7, column_number_8, column_number_9,\n"
        "    column_number_10, column_number_11, column_number_12, column_number_13, "
        "column_number_14,\n"
        "    column_number_15, column_number_16, column_number_17, column_number_18, "
        "column_number_19\n"
        "  );\n");
  std::string exprs =
      check_round_trip("SYNC d.t TO TOPIC t COLUMNS (" + cols + ", UPPER(column_number_1) AS u);");
  CHECK(exprs.find("  COLUMNS (\n    column_number_0,\n    column_number_1,\n") !=
        std::string::npos);
}

TEST_CASE("fmt: a long CASE in COLUMNS stands one WHEN a line") {
  std::string out = check_round_trip(
      "SYNC a.b TO TOPIC t COLUMNS (id, CASE WHEN status IN ('paid', 'shipped', 'delivered') THEN "
      "'active' "
      "WHEN status = 'cancelled' THEN 'gone' ELSE 'other' END AS state, CASE k WHEN 1 THEN 'a' -- "
      "one\n"
      " WHEN 2 THEN 'b' END k2);");
  CHECK(out ==
        "SYNC a.b TO TOPIC t\n"
        "  COLUMNS (\n"
        "    id,\n"
        "    CASE\n"
        "      WHEN status IN ('paid', 'shipped', 'delivered') THEN 'active'\n"
        "      WHEN status = 'cancelled' THEN 'gone'\n"
        "      ELSE 'other'\n"
        "    END AS state,\n"
        "    CASE k\n"
        "      WHEN 1 THEN 'a'  -- one\n"
        "      WHEN 2 THEN 'b'\n"
        "    END AS k2\n"
        "  );\n");
}

TEST_CASE("fmt: comments stay where they were") {
  std::string out = check_round_trip(
      "# header\n"
      "\n"
      "/* before the source */\n"
      "SOURCE ob OCEANBASE ( -- opening\n"
      "  -- about host\n"
      "  host = 'h', /* inline */ port = 1, -- port\n"
      "  user = 'u'\n"
      "  -- before the end\n"
      ");   -- after\n"
      "PROJECT p -- the name\n"
      "  FORMAT canal -- format\n"
      "  TAGS ('x') -- tags\n"
      "  ;\n"
      "SYNC a.b TO TOPIC t\n"
      "  WHERE x = 1 -- first\n"
      "    -- own line\n"
      "    AND y = 2 -- second\n"
      "  COLUMNS (x, -- the key\n"
      "           y);\n"
      "-- trailing remarks\n");
  CHECK(out ==
        "# header\n"
        "\n"
        "/* before the source */\n"
        "SOURCE ob OCEANBASE (  -- opening\n"
        "  -- about host\n"
        "  host = 'h',  /* inline */\n"
        "  port = 1,    -- port\n"
        "  user = 'u'\n"
        "  -- before the end\n"
        ");  -- after\n"
        "\n"
        "PROJECT p        -- the name\n"
        "  TAGS ('x')     -- tags\n"
        "  FORMAT canal;  -- format\n"
        "\n"
        "SYNC a.b TO TOPIC t\n"
        "  WHERE x = 1  -- first\n"
        "    -- own line\n"
        "    AND y = 2  -- second\n"
        "  COLUMNS (\n"
        "    x,  -- the key\n"
        "    y\n"
        "  );\n"
        "-- trailing remarks\n");
}

TEST_CASE("fmt: tricky inputs keep their meaning") {
  const char* inputs[] = {
      // parentheses that matter and ones that do not
      "SYNC a.b TO TOPIC t WHERE (a OR b) AND NOT (c OR d) AND ((e));",
      "SYNC a.b TO TOPIC t WHERE a - (b - c) = (a - b) - c AND a / (b * c) > 2 AND -(a + b) < ~c;",
      "SYNC a.b TO TOPIC t WHERE (a LIKE 'x%') AND (b BETWEEN 1 AND 2) AND c NOT LIKE 'a\\_b' "
      "ESCAPE '\\\\';",
      "SYNC a.b TO TOPIC t WHERE NOT a IS NULL AND (NOT a) IS NULL AND !(a = b) AND (a XOR b) OR c "
      "XOR d;",
      "SYNC a.b TO TOPIC t WHERE a IN (1, (2), 3 + 4, (x OR y)) AND b NOT IN ('a') AND c REGEXP "
      "'^x' AND c NOT RLIKE 'y';",
      "SYNC a.b TO TOPIC t WHERE a <=> NULL AND a IS NOT DISTINCT FROM OLD.a AND a IS TRUE AND b "
      "IS NOT UNKNOWN;",
      "SYNC a.b TO TOPIC t WHERE a & 1 | b ^ 2 << 3 >> 1 AND a DIV 2 MOD 3 % 4 = 0;",
      // CASE, CAST, CONVERT, INTERVAL, special calls
      "SYNC a.b TO TOPIC t COLUMNS (CASE WHEN a > 1 THEN 'x' WHEN a < 0 THEN NULL ELSE 'y' END AS "
      "k, "
      "CASE a WHEN 1 THEN 2 END AS k2, CAST(a AS DECIMAL(10,2)) AS c1, CAST(a AS CHAR(4) CHARACTER "
      "SET utf8mb4) c2, "
      "CONVERT(a, SIGNED INTEGER) AS c3, CAST(a AS DATETIME(3)) AS c4, CAST(b AS JSON) AS c5);",
      "SYNC a.b TO TOPIC t WHERE d + INTERVAL 1 DAY > commit_ts() AND DATE_SUB(d, INTERVAL -3 "
      "HOUR_MINUTE) < NOW2() "
      "AND d - INTERVAL (1 + 1) YEAR_MONTH = d;",
      "SYNC a.b TO TOPIC t COLUMNS (SUBSTRING(a FROM 2 FOR 3) AS s, TRIM(LEADING 'x' FROM b) AS "
      "t1, "
      "TRIM('y' FROM b) AS t2, TRIM(b) AS t3, POSITION('a' IN b) AS p, LEFT(a, 2) AS l, IF(a, 1, "
      "2) AS i, "
      "MOD(a, 2) AS m, `CONVERT`(a, b) AS cv);",
      "SYNC a.b TO TOPIC t WHERE j->'$.a' = j->>'$.b' AND a COLLATE utf8mb4_bin = 'x' COLLATE "
      "'utf8mb4_general_ci' "
      "AND BINARY a = b AND a COLLATE binary > '';",
      // strings with quotes and backslashes, literals
      "SYNC a.b TO TOPIC t WHERE a = 'it''s' AND b = 'it\\'s' AND c = 'a\\\\b' AND d = "
      "'tab\\there\\nline' "
      "AND e = '' AND f LIKE '100\\%' AND g = 'x' 'y';",
      "SYNC a.b TO TOPIC t WHERE a = 0x1F AND b = X'0a' AND c = 0b101 AND d = b'1' AND e = 1.5e-3 "
      "AND f = .5 "
      "AND g = DATE '2026-01-31' AND h = TIMESTAMP '2026-01-31 10:00:00.123' AND i = TIME '10:00' "
      "AND j = TRUE;",
      // back-quoted identifiers, reserved words, Chinese names
      "SYNC `db`.`order` TO TOPIC `my-topic`.v1 WHERE `where` = 1 AND `a``b` = 2 AND `date` = 3 "
      "AND `名字` = 'x' "
      "COLUMNS (`select`, `from` AS `to`) SHARD BY (`from`);",
      "PROJECT `订单同步` TAGS ('生产') BUSINESS ID '订单';",
      "PROJECT '订单同步' START AT '2026-01-01 00:00:00' TYPES (incremental) FROM `src` TO kafka;",
      "PROJECT p START AT NOW TRANSACTION SEQUENCE OFF DELIVERY AT LEAST ONCE DDL OFF;",
      "SYNC db.'ord%', db.* TO TOPICS 'x_${table}' COLUMNS EXCEPT (a, b) PARTITION BY hash;",
      "SYNC db.t TO EXISTING TOPIC 'orders-v1' FORMAT Debezium;",
      "SINK k KAFKA ();",
      "SOURCE s MYSQL (`user name` = 'u', 'quoted key' = 'v', n = NULL, b = TRUE, w = SASL_SSL, f "
      "= file('/a''b'),"
      " m = (x = (y = 1, z = 2), 'w' = env('E')));",
      "INCLUDE 'a''b.sync';",
      // comments everywhere
      "/* a */ SYNC /* b */ a.b /* c */ TO /* d */ TOPIC t /* e */ WHERE /* f */ x /* g */ = 1 /* "
      "h */ ; /* i */",
      "SYNC a.b TO TOPIC t -- one\n"
      "  WHERE x = 1 -- two\n"
      "  -- three\n"
      ";\n-- four\n",
      "SYNC a.b, -- one\n"
      "  c.d -- two\n"
      "  TO TOPIC t;\n",
      "SOURCE s MYSQL (\n  m = ( -- open\n    a = 1, -- a\n    b = 2\n  ) -- close\n);\n",
      "-- only a comment\n",
      "",
      "SYNC a.b TO TOPIC t; SYNC c.d TO TOPIC u;\n\n\nSYNC e.f TO TOPIC v;",
  };
  for (const char* in : inputs) check_round_trip(in, in);
}

TEST_CASE("fmt: strings and identifiers are written so that they read back the same") {
  CHECK(format_string("it's") == "'it''s'");
  CHECK(format_string("a\\b") == "'a\\\\b'");
  CHECK(format_string("100\\%") == "'100\\%'");
  CHECK(format_string("line\nnext\t") == "'line\\nnext\\t'");
  CHECK(format_identifier("orders") == "orders");
  CHECK(format_identifier("order") == "order");  // not a keyword here
  CHECK(format_identifier("from") == "`from`");
  CHECK(format_identifier("date") == "date");  // a non-reserved keyword
  CHECK(format_identifier("my-topic") == "`my-topic`");
  CHECK(format_identifier("a`b") == "`a``b`");
  CHECK(format_identifier("名字") == "`名字`");
  CHECK(format_identifier("1abc") == "`1abc`");
  for (std::string s : {std::string("it's"), std::string("\\"), std::string("\\%\\_\\\\%"),
                        std::string("a\0b", 3), std::string("\x1a\b\r"), std::string("''\\'\\")}) {
    CHECK(unescape_string_literal(format_string(s)) == s);
  }
}

TEST_CASE("fmt: the reserved words are the grammar's keywords that are not nonReservedKeyword") {
  std::string g = read(fs::path(OBSYNC_SOURCE_DIR) / "grammar" / "ObSync.g4");
  std::set<std::string> keywords;
  std::regex rule(R"(^([A-Z_]+)\s*:\s*((?:[A-Z] ?|'_' ?)+);)", std::regex::multiline);
  for (auto it = std::sregex_iterator(g.begin(), g.end(), rule); it != std::sregex_iterator(); ++it)
    keywords.insert((*it)[1]);
  REQUIRE(keywords.size() > 100);
  size_t nr_begin = g.find("nonReservedKeyword\n");
  REQUIRE(nr_begin != std::string::npos);
  std::string nr = g.substr(nr_begin, g.find(';', nr_begin) - nr_begin);
  for (const auto& token : keywords) {
    std::string word = token;
    if (word.size() > 3 && word.substr(word.size() - 3) == "_KW") word.resize(word.size() - 3);
    if (word.back() == '_') word.pop_back();
    bool reserved = !std::regex_search(nr, std::regex("[ |:]" + token + "( |$|\\n)"));
    INFO(token);
    CHECK((format_identifier(word) != word) == reserved);
  }
}

// ---- random expressions ---------------------------------------------------------------------
namespace {

class ExprGen {
 public:
  explicit ExprGen(uint32_t seed) : rng_(seed) {}

  ast::ExprPtr gen(int depth) {
    using K = ast::ExprKind;
    int choice = depth <= 0 ? pick(4) : pick(22);
    switch (choice) {
      case 0:
        return literal();
      case 1:
        return column(K::Column);
      case 2:
        return column(K::OldColumn);
      case 3: {
        auto e = make(K::JsonPath);
        e->text = name();
        e->op = pick(2) ? "->" : "->>";
        e->json_path = "$.a";
        return e;
      }
      case 4:
      case 5: {
        static const char* ops[] = {"NOT", "!", "-", "+", "~", "BINARY"};
        auto e = make(K::Unary);
        e->op = ops[pick(6)];
        e->args.push_back(gen(depth - 1));
        return e;
      }
      case 6:
      case 7:
      case 8:
      case 9: {
        static const char* ops[] = {
            "+", "-",   "*",  "/",  "DIV", "%",  "MOD", "^",  "&",   "|",  "<<", ">>",
            "=", "<=>", "<>", "!=", "<",   "<=", ">",   ">=", "AND", "OR", "XOR"};
        auto e = make(K::Binary);
        e->op = ops[pick(23)];
        e->args.push_back(gen(depth - 1));
        e->args.push_back(gen(depth - 1));
        return e;
      }
      case 10: {
        static const char* ops[] = {"NULL", "TRUE", "FALSE", "UNKNOWN"};
        auto e = make(K::Is);
        e->op = ops[pick(4)];
        e->negated = pick(2);
        e->args.push_back(gen(depth - 1));
        return e;
      }
      case 11:
        return nary(K::IsDistinct, 2, depth);
      case 12:
        return nary(K::Between, 3, depth);
      case 13:
        return nary(K::In, 2 + pick(3), depth);
      case 14:
        return nary(K::Like, 2 + pick(2), depth);
      case 15:
        return nary(K::Regexp, 2, depth);
      case 16: {
        auto e = make(K::Case);
        e->has_operand = pick(2);
        e->has_else = pick(2);
        size_t n = (e->has_operand ? 1 : 0) + 2 * (1 + pick(2)) + (e->has_else ? 1 : 0);
        for (size_t i = 0; i < n; ++i) e->args.push_back(gen(depth - 1));
        return e;
      }
      case 17: {
        auto e = make(K::Cast);
        e->convert_syntax = pick(2);
        e->cast.kind = static_cast<ast::CastKind>(pick(12));
        if (e->cast.kind == ast::CastKind::Decimal && pick(2)) {
          e->cast.length = 10;
          if (pick(2)) e->cast.scale = 2;
        }
        if (e->cast.kind == ast::CastKind::Char && pick(2)) e->cast.charset = "utf8mb4";
        e->args.push_back(gen(depth - 1));
        return e;
      }
      case 18:
      case 19: {
        static const char* names[] = {"f",       "CONCAT", "lower", "IF",        "LEFT",
                                      "MOD",     "DATE",   "TRIM",  "SUBSTRING", "POSITION",
                                      "CONVERT", "select", "op"};
        auto e = make(K::Call);
        e->text = names[pick(13)];
        int n = pick(4);
        for (int i = 0; i < n; ++i) e->args.push_back(gen(depth - 1));
        if (e->text == "TRIM" && n >= 1 && n <= 2 && pick(2)) e->op = pick(2) ? "LEADING" : "BOTH";
        if (e->text == "POSITION" && n == 2 && pick(2)) e->op = "IN";
        return e;
      }
      case 20: {
        auto e = make(K::Interval);
        e->unit = static_cast<IntervalUnit>(pick(20));
        e->args.push_back(gen(depth - 1));
        return e;
      }
      default: {
        auto e = make(K::Collate);
        e->text = pick(2) ? "utf8mb4_bin" : "binary";
        e->args.push_back(gen(depth - 1));
        return e;
      }
    }
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  static ast::ExprPtr make(ast::ExprKind k) { return std::make_unique<ast::Expr>(k, SourceSpan{}); }
  std::string name() {
    static const char* names[] = {"a",    "b",      "amount", "date", "order",
                                  "from", "my col", "x`y",    "名字", "left"};
    return names[pick(10)];
  }
  ast::ExprPtr column(ast::ExprKind k) {
    auto e = make(k);
    e->text = name();
    return e;
  }
  ast::ExprPtr literal() {
    using L = ast::LiteralKind;
    auto e = make(ast::ExprKind::Literal);
    switch (pick(8)) {
      case 0:
        e->literal_kind = L::Integer;
        e->text = std::to_string(pick(100));
        break;
      case 1:
        e->literal_kind = L::Decimal;
        e->text = "1.5";
        break;
      case 2:
        e->literal_kind = L::Null;
        e->text = "NULL";
        break;
      case 3:
        e->literal_kind = L::Bool;
        e->text = pick(2) ? "TRUE" : "FALSE";
        break;
      case 4:
        e->literal_kind = L::Hex;
        e->text = "1F";
        break;
      case 5:
        e->literal_kind = L::Date;
        e->text = "2026-01-31";
        break;
      default: {
        static const char* texts[] = {"", "x", "it's", "a\\b", "50\\%", "line\nnext", "''", "\\"};
        e->literal_kind = L::String;
        e->text = texts[pick(8)];
      }
    }
    return e;
  }
  ast::ExprPtr nary(ast::ExprKind k, int n, int depth) {
    auto e = make(k);
    e->negated = pick(2);
    for (int i = 0; i < n; ++i) e->args.push_back(gen(depth - 1));
    return e;
  }

  std::mt19937 rng_;
};

}  // namespace

TEST_CASE("fmt: random expressions print with the parentheses their meaning needs") {
  ExprGen gen(20260131);
  int mismatches = 0;
  for (int i = 0; i < 4000 && mismatches < 5; ++i) {
    ast::ExprPtr e = gen.gen(1 + i % 5);
    std::string text = format_expression(*e);
    SourceManager sources;
    uint32_t file = sources.add("expr", text);
    DiagnosticSink diags;
    ast::ExprPtr back = parse_expression(sources, file, diags);
    std::string errors;
    for (const auto& d : diags.diagnostics()) errors += render_human(d, sources) + "\n";
    INFO(text << "\n" << errors);
    bool same = back && ast::equal(*e, *back);
    if (!same) {
      ++mismatches;
      INFO("read back: " << (back ? format_expression(*back) : std::string("(error)")));
      CHECK(same);
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("fmt: a block comment ends at the first */ — one that never ends is an error") {
  auto ok = parse("/* a */ SYNC a.b TO TOPIC t; /* b **/ /***/\n");
  CHECK_FALSE(ok->diags.has_errors());
  CHECK(ok->parsed.comments.size() == 3);
  auto bad = parse("SYNC a.b TO TOPIC t; /* never * ends");
  REQUIRE(bad->diags.has_errors());
  CHECK(bad->diags.diagnostics()[0].code == "E0003");
}

// Comments dropped at random between tokens: each run keeps them all, means the same and is a
// fixed point.
TEST_CASE("fmt: comments anywhere between tokens") {
  const std::string base =
      "SOURCE ob OCEANBASE (host = 'h', port = 2883, props = ('a.b' = '1', c = 2)); "
      "PROJECT p TAGS ('x', 'y') FORMAT canal FROM ob TO k DELIVERY EXACTLY ONCE; "
      "SYNC shop.orders, shop.refunds TO TOPIC orders (PARTITIONS 6) WHERE a = 1 AND b LIKE 'x%' "
      "OR NOT c "
      "COLUMNS (id, UPPER(name) AS n, CASE WHEN a THEN 1 END AS k) SHARD BY (id) PARTITION BY ONE; "
      "SYNC shop.* TO TOPICS 't_${table}' COLUMNS EXCEPT (secret, token);";
  std::vector<size_t> gaps;  // white space outside strings
  bool in_string = false;
  for (size_t i = 0; i < base.size(); ++i) {
    if (base[i] == '\'') in_string = !in_string;
    if (!in_string && base[i] == ' ') gaps.push_back(i);
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::vector<size_t> chosen;
    std::sample(gaps.begin(), gaps.end(), std::back_inserter(chosen), 1 + round % 6, rng);
    std::string text = base;
    for (size_t k = chosen.size(); k-- > 0;) {
      std::string c = (rng() % 3 == 0) ? " /* c" + std::to_string(k) + " */ "
                      : (rng() % 2)    ? " -- c" + std::to_string(k) + "\n"
                                       : "\n-- c" + std::to_string(k) + "\n";
      text.insert(chosen[k], c);
    }
    check_round_trip(text, text);
  }
}
