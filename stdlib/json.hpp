// JSON documents as MySQL 8 holds them: the value model, MySQL's parser and canonical text form,
// and path expressions ($.a[1], $**.b, $[last]).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stdlib/decimal.hpp"
#include "stdlib/function_registry.hpp"
#include "stdlib/temporal.hpp"
#include "stdlib/types.hpp"
#include "stdlib/value.hpp"

namespace obsync {

// MySQL's JSON value types (enum_json_type). Int/UInt/Double come from JSON text; Decimal and
// the temporal types only from SQL values (CAST(1.50 AS JSON), JSON_OBJECT('d', NOW())) or from
// binary JSON, where they are opaque values of field type NEWDECIMAL / DATE / TIME / DATETIME /
// TIMESTAMP. Other opaque values keep their field type and bytes.
enum class JsonType : uint8_t {
  Null, Boolean, Int, UInt, Double, Decimal, String, Object, Array,
  Date, Time, DateTime, Timestamp, Opaque,
};

struct JsonMember;

// One JSON value, owning its children. Objects keep their members sorted as MySQL stores them
// (key length first, then bytes) with unique keys, so printing and `.*` follow MySQL's order.
struct JsonValue {
  JsonType type = JsonType::Null;
  bool boolean = false;
  int64_t i = 0;               // Int
  uint64_t u = 0;              // UInt
  double d = 0;                // Double
  Decimal dec;                 // Decimal
  Temporal tm;                 // Date, Time, DateTime, Timestamp
  std::string str;             // String (utf8mb4 bytes), Opaque (raw bytes)
  uint8_t opaque_field_type = 0;  // Opaque: MySQL field type number (MYSQL_TYPE_BLOB = 252, …)
  std::vector<JsonMember> members;  // Object
  std::vector<JsonValue> elements;  // Array

  static JsonValue null();
  static JsonValue from_bool(bool b);
  static JsonValue from_int(int64_t v);
  static JsonValue from_uint(uint64_t v);
  static JsonValue from_double(double v);
  static JsonValue from_decimal(Decimal v);
  static JsonValue from_string(std::string s);
  static JsonValue from_temporal(JsonType type, Temporal t);  // Date, Time, DateTime, Timestamp
  static JsonValue from_opaque(uint8_t field_type, std::string bytes);
  static JsonValue object();
  static JsonValue array();

  bool is_container() const { return type == JsonType::Object || type == JsonType::Array; }
  // Object member lookup; nullptr when absent (or not an object).
  const JsonValue* find(std::string_view key) const;
  // Adds or replaces (the last duplicate wins, as in MySQL 8) keeping the sorted order.
  void set(std::string key, JsonValue value);
};

struct JsonMember {
  std::string key;
  JsonValue value;
};

// MySQL's order of object keys: shorter first, then bytewise.
bool json_key_less(std::string_view a, std::string_view b);

// --- text ------------------------------------------------------------------------------------

struct JsonParseError {
  std::string message;  // rapidjson's message, as MySQL quotes it: "Missing a comma or '}' after an object member."
  size_t offset = 0;    // byte position in the text
  bool too_deep = false;  // nesting beyond 100 levels: MySQL's error 3157, not a syntax error
};

// How numbers are read. Mysql: as MySQL reads JSON text (rapidjson): integers up to UINT32_MAX
// are INTEGER, larger ones UNSIGNED INTEGER, negative ones down to INT64_MIN INTEGER, anything
// else (fraction, exponent, out of range) DOUBLE. Stored: reading back text this module printed
// (a JSON Value's canonical text), where a number whose digits a DOUBLE would not print that way
// ("1.50") was a DECIMAL and keeps its digits.
enum class JsonNumbers : uint8_t { Mysql, Stored };

// Parses one JSON document (RFC 8259 as rapidjson reads it: no comments, no trailing commas,
// whitespace is space, tab, CR, LF; nesting up to 100). nullopt with `error` on invalid text.
std::optional<JsonValue> parse_json(std::string_view text, JsonParseError* error = nullptr,
                                    JsonNumbers numbers = JsonNumbers::Mysql);

// MySQL's text form (Json_wrapper::to_string): `{"a": 1, "b": [true, null]}`, strings quoted with
// only the required escapes, doubles as MySQL prints them plus ".0" when integral ("1.0",
// "1e300"), decimals with their scale, temporals quoted with 6 fractional digits for times.
std::string json_to_text(const JsonValue& v);
void append_json_text(std::string& out, const JsonValue& v);
// JSON_UNQUOTE / ->> form: strings, temporals and opaque values without quotes or escapes;
// everything else as json_to_text.
std::string json_to_unquoted_text(const JsonValue& v);
// `s` as a JSON string literal with MySQL's escapes (\" \\ \b \f \n \r \t, \u00XX for other
// control characters; nothing else is escaped).
std::string json_quote(std::string_view s);
// JSON_TYPE's answer: "OBJECT", "ARRAY", "INTEGER", "UNSIGNED INTEGER", "DOUBLE", "DECIMAL",
// "STRING", "BOOLEAN", "NULL", "DATE", "TIME", "DATETIME", "BLOB", "OPAQUE"…
std::string_view json_type_name(const JsonValue& v);

// --- paths -----------------------------------------------------------------------------------

struct JsonPathLeg {
  enum class Kind : uint8_t { Member, MemberWildcard, ArrayCell, ArrayRange, ArrayWildcard, Ellipsis };
  Kind kind = Kind::Member;
  std::string member;        // Member: the unescaped key
  uint32_t first = 0;        // ArrayCell, ArrayRange: index (from the end when first_from_end)
  uint32_t last = 0;         // ArrayRange: end index, inclusive
  bool first_from_end = false;  // [last], [last-2]
  bool last_from_end = false;
};

struct JsonPath {
  std::vector<JsonPathLeg> legs;
  // Wildcards, ellipses and ranges make JSON_EXTRACT answer with an array.
  bool can_match_many() const;
};

// Parses a path as MySQL does ('$', '.key', '."quoted key"', '.*', '[n]', '[last-n]',
// '[m to n]', '[*]', '**'); nullopt with the byte position of the error (MySQL's error 3143
// "Invalid JSON path expression. The error is around character position N.").
std::optional<JsonPath> parse_json_path(std::string_view text, size_t* error_position = nullptr);

// Every value the path selects in `doc`, in MySQL's order, without duplicates. With auto_wrap
// (JSON_EXTRACT's mode), [0] and [last] on a non-array select the value itself.
std::vector<const JsonValue*> json_seek(const JsonValue& doc, const JsonPath& path, bool auto_wrap = true);

// --- numbers and comparison ------------------------------------------------------------------

// A JSON value as a number, as MySQL coerces it (Json_wrapper::coerce_real / coerce_int /
// coerce_decimal): numbers as they are (DOUBLE to integer with rint), booleans 1 / 0, strings by
// their numeric prefix, temporals by their numeric form (20200102), null / arrays / objects 0.
double json_to_double(const JsonValue& v);
Decimal json_to_decimal(const JsonValue& v);
int64_t json_to_int(const JsonValue& v, bool* is_unsigned);  // *is_unsigned: read the bits as uint64

// Three-way comparison as MySQL compares JSON values (Json_wrapper::compare): values of different
// types order by type (NULL < numbers < STRING < OBJECT < ARRAY < BOOLEAN < DATE < TIME <
// DATETIME < OPAQUE); numbers compare by value across INTEGER / DOUBLE / DECIMAL, strings
// bytewise, arrays element by element, objects by size, then keys and values.
int json_compare(const JsonValue& a, const JsonValue& b);

// --- SQL values ------------------------------------------------------------------------------
// A SQL JSON value (TypeClass::Json) holds its document's canonical text (json_to_text), which
// is what the client prints; functions read it back with read_stored_json.

// The document of a JSON SQL value. Text this module printed always parses; anything else gives
// JSON null.
JsonValue read_stored_json(std::string_view canonical_text);
Value json_value(const JsonValue& doc);  // Value::from_json(json_to_text(doc))

// A non-NULL SQL value as a JSON scalar, the way JSON_ARRAY() and JSON_OBJECT() take their
// arguments: strings stay strings (not parsed), JSON values are their document, numbers and
// temporals keep their type, binary strings become opaque values.
JsonValue json_from_sql(const Value& v, const SqlType& t);

// CAST(v AS JSON) for a non-NULL v: strings are parsed as JSON text (error 3141 when invalid,
// 3144 for binary strings), other values as json_from_sql.
Value cast_to_json(const Value& v, const SqlType& from, EvalContext& ctx);

}  // namespace obsync
