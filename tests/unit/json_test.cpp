// JSON documents: MySQL 8's parsing, canonical text and path semantics (answers from the MySQL 8
// source, sql-common/json_dom.cc and json_path.cc, and its documentation).
#include <catch2/catch.hpp>

#include "stdlib/json.hpp"

using namespace obsync;

namespace {

// Parses as MySQL reads JSON text and prints the canonical form; "!error" when invalid.
std::string normalize(std::string_view text) {
  auto doc = parse_json(text);
  return doc ? json_to_text(*doc) : "!error";
}

std::string extract(std::string_view text, std::string_view path_text) {
  auto doc = parse_json(text);
  auto path = parse_json_path(path_text);
  REQUIRE(doc);
  REQUIRE(path);
  auto hits = json_seek(*doc, *path);
  if (hits.empty()) return "NULL";
  if (!path->can_match_many()) return json_to_text(*hits[0]);
  JsonValue a = JsonValue::array();
  for (const JsonValue* h : hits) a.elements.push_back(*h);
  return json_to_text(a);
}

}  // namespace

TEST_CASE("canonical text: separators, key order, duplicates") {
  CHECK(normalize(R"({"a":[1,2]})") == R"({"a": [1, 2]})");
  CHECK(normalize(R"({"b": 1, "a": 2})") == R"({"a": 2, "b": 1})");
  // Keys sort by length first, then bytewise.
  CHECK(normalize(R"({"bb": 1, "c": 2, "a": 3, "B": 4})") == R"({"B": 4, "a": 3, "c": 2, "bb": 1})");
  // MySQL 8.0.3+: the last duplicate key wins.
  CHECK(normalize(R"({"a": 1, "a": 2})") == R"({"a": 2})");
  CHECK(normalize(" [ ] ") == "[]");
  CHECK(normalize("{}") == "{}");
  CHECK(normalize(R"([true, false, null, {"x": []}])") == R"([true, false, null, {"x": []}])");
}

TEST_CASE("canonical text: numbers") {
  CHECK(normalize("1") == "1");
  CHECK(normalize("-0") == "0");
  CHECK(normalize("1.50") == "1.5");  // JSON text numbers with a fraction are DOUBLE
  CHECK(normalize("1.0") == "1.0");   // an integral DOUBLE keeps ".0"
  CHECK(normalize("1e2") == "100.0");
  CHECK(normalize("-0.0") == "-0.0");
  CHECK(normalize("1e300") == "1e300");
  CHECK(normalize("0.1") == "0.1");
  CHECK(normalize("18446744073709551615") == "18446744073709551615");
  CHECK(normalize("18446744073709551616") == "1.8446744073709552e19");
  CHECK(normalize("-9223372036854775808") == "-9223372036854775808");
  CHECK(normalize("-9223372036854775809") == "-9.223372036854776e18");
  CHECK(json_type_name(*parse_json("4294967295")) == "INTEGER");
  CHECK(json_type_name(*parse_json("4294967296")) == "UNSIGNED INTEGER");
  CHECK(json_type_name(*parse_json("1.5")) == "DOUBLE");
  CHECK(normalize("1e400") == "!error");
  CHECK(normalize("01") == "!error");
  CHECK(normalize("1.") == "!error");
  CHECK(normalize(".5") == "!error");
  CHECK(normalize("+1") == "!error");
}

TEST_CASE("canonical text: strings and escapes") {
  CHECK(normalize(R"("\u00e9")") == "\"\xC3\xA9\"");
  CHECK(normalize(R"("a\/b")") == R"("a/b")");
  CHECK(normalize(R"("tab\there")") == R"("tab\there")");
  CHECK(normalize(R"("\u0001")") == R"("\u0001")");
  CHECK(normalize(R"("\ud83d\ude00")") == "\"\xF0\x9F\x98\x80\"");
  CHECK(normalize(R"("\ud83d")") == "!error");
  CHECK(normalize(R"("\x")") == "!error");
  CHECK(normalize("\"a\tb\"") == "!error");  // raw control characters are not allowed
  CHECK(json_quote("a\"b\\c\n") == R"("a\"b\\c\n")");
}

TEST_CASE("parse errors carry rapidjson's message and offset") {
  JsonParseError e;
  CHECK_FALSE(parse_json(R"({"a": 1)", &e));
  CHECK(e.message == "Missing a comma or '}' after an object member.");
  CHECK(e.offset == 7);
  CHECK_FALSE(parse_json("", &e));
  CHECK(e.message == "The document is empty.");
  CHECK_FALSE(parse_json("[1] 2", &e));
  CHECK(e.message == "The document root must not be followed by other values.");
  CHECK_FALSE(parse_json("{1: 2}", &e));
  CHECK(e.message == "Missing a name for object member.");
  std::string deep(101, '[');
  deep += std::string(101, ']');
  CHECK_FALSE(parse_json(deep, &e));
  CHECK(e.too_deep);
  CHECK(parse_json(std::string(100, '[') + std::string(100, ']')));
}

TEST_CASE("stored text reads back with its decimals") {
  JsonValue d = read_stored_json("[1.50, 1.5, 2, 1.0]");
  REQUIRE(d.elements.size() == 4);
  CHECK(d.elements[0].type == JsonType::Decimal);
  CHECK(d.elements[1].type == JsonType::Double);
  CHECK(d.elements[2].type == JsonType::Int);
  CHECK(d.elements[3].type == JsonType::Double);
  CHECK(json_to_text(d) == "[1.50, 1.5, 2, 1.0]");
}

TEST_CASE("unquoted text") {
  CHECK(json_to_unquoted_text(*parse_json(R"("a\tb")")) == "a\tb");
  CHECK(json_to_unquoted_text(*parse_json("[1, \"x\"]")) == R"([1, "x"])");
  CHECK(json_to_unquoted_text(*parse_json("null")) == "null");
  Temporal t;
  t.year = 2020, t.month = 1, t.day = 2, t.hour = 3;
  CHECK(json_to_unquoted_text(JsonValue::from_temporal(JsonType::DateTime, t)) == "2020-01-02 03:00:00.000000");
  CHECK(json_to_text(JsonValue::from_temporal(JsonType::Date, t)) == R"("2020-01-02")");
  CHECK(json_to_text(JsonValue::from_opaque(15, "A")) == R"("base64:type15:QQ==")");
}

TEST_CASE("path syntax") {
  size_t pos = 0;
  CHECK(parse_json_path("$"));
  CHECK(parse_json_path(" $ .a [ 1 ] "));
  CHECK(parse_json_path(R"($."a b".c[*].*)"));
  CHECK(parse_json_path("$**.a"));
  CHECK(parse_json_path("$[last-1]"));
  CHECK(parse_json_path("$[1 to last]"));
  CHECK(parse_json_path("$.\xC3\xA9t\xC3\xA9"));  // unquoted non-ASCII identifiers
  CHECK_FALSE(parse_json_path("a", &pos));
  CHECK(pos == 1);
  CHECK_FALSE(parse_json_path("$.", &pos));
  CHECK_FALSE(parse_json_path("$**"));        // may not end with **
  CHECK_FALSE(parse_json_path("$***.a"));
  CHECK_FALSE(parse_json_path("$.1a"));       // not an identifier
  CHECK_FALSE(parse_json_path("$.a b"));
  CHECK_FALSE(parse_json_path("$[-1]"));
  CHECK_FALSE(parse_json_path("$[3 to 1]"));  // can never match
  CHECK_FALSE(parse_json_path("$[1"));
  CHECK_FALSE(parse_json_path(""));
}

TEST_CASE("path evaluation as JSON_EXTRACT sees it") {
  CHECK(extract(R"({"a": [1, 2]})", "$.a[1]") == "2");
  CHECK(extract(R"({"a": [1, 2]})", "$.a[2]") == "NULL");
  CHECK(extract(R"({"a": [1, 2]})", "$.a[last]") == "2");
  CHECK(extract(R"({"a": [1, 2]})", "$.a[last-1]") == "1");
  CHECK(extract(R"({"a": [1, 2]})", "$.a[last-2]") == "NULL");
  CHECK(extract("[1, 2, 3, 4]", "$[1 to 2]") == "[2, 3]");
  CHECK(extract("[1, 2, 3, 4]", "$[last-1 to last]") == "[3, 4]");
  CHECK(extract("[1, 2, 3]", "$[*]") == "[1, 2, 3]");
  CHECK(extract(R"({"b": 1, "a": 2, "cc": 3})", "$.*") == "[2, 1, 3]");
  CHECK(extract(R"({"a": {"b": 1}, "c": [{"b": 2}]})", "$**.b") == "[1, 2]");
  CHECK(extract(R"({"a b": 1})", R"($."a b")") == "1");
  // Auto-wrapping: [0] and [last] select a non-array value itself.
  CHECK(extract(R"({"a": 1})", "$[0]") == R"({"a": 1})");
  CHECK(extract(R"({"a": 1})", "$.a[0]") == "1");
  CHECK(extract(R"({"a": 1})", "$.a[1]") == "NULL");
  CHECK(extract("[]", "$[*]") == "NULL");
  // Daisy-chained ellipses give each value once.
  CHECK(extract(R"({"a": {"a": {"a": 1}}})", "$**.a**.a") == R"([{"a": 1}, 1])");
}

TEST_CASE("objects keep MySQL's order when built") {
  JsonValue o = JsonValue::object();
  o.set("bb", JsonValue::from_int(1));
  o.set("a", JsonValue::from_int(2));
  o.set("bb", JsonValue::from_int(3));
  CHECK(json_to_text(o) == R"({"a": 2, "bb": 3})");
  REQUIRE(o.find("bb"));
  CHECK(o.find("bb")->i == 3);
  CHECK(o.find("zz") == nullptr);
}

TEST_CASE("comparison as MySQL compares JSON values") {
  auto cmp = [](std::string_view a, std::string_view b) { return json_compare(*parse_json(a), *parse_json(b)); };
  CHECK(cmp("1", "1.0") == 0);  // numbers compare by value across INTEGER and DOUBLE
  CHECK(cmp("18446744073709551615", "1.8446744073709552e19") < 0);
  CHECK(cmp("\"10\"", "10") > 0);  // a STRING ranks above numbers
  CHECK(cmp("null", "0") < 0);
  CHECK(cmp("true", "\"z\"") > 0);
  CHECK(cmp("[1, 2]", "[1, 2.0]") == 0);
  CHECK(cmp("[1, 2]", "[1, 3]") < 0);
  CHECK(cmp("[1]", "[1, 0]") < 0);
  CHECK(cmp(R"({"a": 1})", R"({"a": 1.0})") == 0);
  CHECK(cmp("\"a\"", "\"b\"") < 0);
  CHECK(json_compare(JsonValue::from_decimal(Decimal::parse("1.50").value), *parse_json("1.5")) == 0);
}

TEST_CASE("JSON values as numbers") {
  bool is_unsigned = false;
  CHECK(json_to_double(*parse_json("true")) == 1);
  CHECK(json_to_double(*parse_json("\"12abc\"")) == 12);
  CHECK(json_to_double(*parse_json("[1]")) == 0);
  CHECK(json_to_int(*parse_json("2.5"), &is_unsigned) == 2);  // rint: ties to even
  CHECK(json_to_int(*parse_json("18446744073709551615"), &is_unsigned) == -1);
  CHECK(is_unsigned);
  CHECK(json_to_decimal(read_stored_json("1.50")).to_string() == "1.50");
}
