// JSON documents as MySQL 8 holds them: parser, canonical text, paths.
#include "stdlib/json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>

#include "stdlib/charset.hpp"
#include "stdlib/number.hpp"

namespace obsync {

// --- the value model -------------------------------------------------------------------------

JsonValue JsonValue::null() { return {}; }
JsonValue JsonValue::from_bool(bool b) { JsonValue v; v.type = JsonType::Boolean; v.boolean = b; return v; }
JsonValue JsonValue::from_int(int64_t x) { JsonValue v; v.type = JsonType::Int; v.i = x; return v; }
JsonValue JsonValue::from_uint(uint64_t x) { JsonValue v; v.type = JsonType::UInt; v.u = x; return v; }
JsonValue JsonValue::from_double(double x) { JsonValue v; v.type = JsonType::Double; v.d = x; return v; }
JsonValue JsonValue::from_decimal(Decimal x) { JsonValue v; v.type = JsonType::Decimal; v.dec = x; return v; }
JsonValue JsonValue::from_string(std::string s) { JsonValue v; v.type = JsonType::String; v.str = std::move(s); return v; }
JsonValue JsonValue::from_temporal(JsonType type, Temporal t) { JsonValue v; v.type = type; v.tm = t; return v; }
JsonValue JsonValue::from_opaque(uint8_t field_type, std::string bytes) {
  JsonValue v;
  v.type = JsonType::Opaque;
  v.opaque_field_type = field_type;
  v.str = std::move(bytes);
  return v;
}
JsonValue JsonValue::object() { JsonValue v; v.type = JsonType::Object; return v; }
JsonValue JsonValue::array() { JsonValue v; v.type = JsonType::Array; return v; }

bool json_key_less(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

namespace {

auto member_position(const std::vector<JsonMember>& members, std::string_view key) {
  return std::lower_bound(members.begin(), members.end(), key,
                          [](const JsonMember& m, std::string_view k) { return json_key_less(m.key, k); });
}

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
  if (type != JsonType::Object) return nullptr;
  auto it = member_position(members, key);
  return it != members.end() && it->key == key ? &it->value : nullptr;
}

void JsonValue::set(std::string key, JsonValue value) {
  auto it = member_position(members, key);
  if (it != members.end() && it->key == key) {
    members[static_cast<size_t>(it - members.begin())].value = std::move(value);
    return;
  }
  members.insert(it, JsonMember{std::move(key), std::move(value)});
}

// --- printing --------------------------------------------------------------------------------

namespace {

// MySQL's JSON double text: my_gcvt's digits, and ".0" when they show neither a point nor an
// exponent, so that a DOUBLE never prints like an integer.
std::string json_double_text(double d) {
  std::string s = double_to_string(d);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

void append_quoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    auto uc = static_cast<unsigned char>(c);
    if (uc > 0x1f && c != '"' && c != '\\') {
      out += c;
      continue;
    }
    out += '\\';
    switch (c) {
      case '\b': out += 'b'; break;
      case '\t': out += 't'; break;
      case '\n': out += 'n'; break;
      case '\f': out += 'f'; break;
      case '\r': out += 'r'; break;
      case '"':
      case '\\': out += c; break;
      default:
        out += "u00";
        out += kHex[uc >> 4];
        out += kHex[uc & 0xf];
    }
  }
  out += '"';
}

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(n >> k) & 63];
  }
  if (i < bytes.size()) {
    uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// The unquoted text of a scalar that prints as a string (strings, temporals, opaque values).
std::optional<std::string> string_like_text(const JsonValue& v) {
  switch (v.type) {
    case JsonType::String: return v.str;
    case JsonType::Date: return format_date(v.tm);
    case JsonType::Time: return format_time(v.tm, 6);
    case JsonType::DateTime:
    case JsonType::Timestamp: return format_datetime(v.tm, 6);
    case JsonType::Opaque: return "base64:type" + std::to_string(v.opaque_field_type) + ":" + base64(v.str);
    default: return std::nullopt;
  }
}

}  // namespace

void append_json_text(std::string& out, const JsonValue& v) {
  switch (v.type) {
    case JsonType::Null: out += "null"; return;
    case JsonType::Boolean: out += v.boolean ? "true" : "false"; return;
    case JsonType::Int: out += std::to_string(v.i); return;
    case JsonType::UInt: out += std::to_string(v.u); return;
    case JsonType::Double: out += json_double_text(v.d); return;
    case JsonType::Decimal: out += v.dec.to_string(); return;
    case JsonType::Object: {
      out += '{';
      bool first = true;
      for (const JsonMember& m : v.members) {
        if (!first) out += ", ";
        first = false;
        append_quoted(out, m.key);
        out += ": ";
        append_json_text(out, m.value);
      }
      out += '}';
      return;
    }
    case JsonType::Array: {
      out += '[';
      for (size_t k = 0; k < v.elements.size(); ++k) {
        if (k) out += ", ";
        append_json_text(out, v.elements[k]);
      }
      out += ']';
      return;
    }
    default: append_quoted(out, *string_like_text(v)); return;
  }
}

std::string json_to_text(const JsonValue& v) {
  std::string out;
  append_json_text(out, v);
  return out;
}

std::string json_to_unquoted_text(const JsonValue& v) {
  if (auto s = string_like_text(v)) return *s;
  return json_to_text(v);
}

std::string json_quote(std::string_view s) {
  std::string out;
  append_quoted(out, s);
  return out;
}

std::string_view json_type_name(const JsonValue& v) {
  switch (v.type) {
    case JsonType::Null: return "NULL";
    case JsonType::Boolean: return "BOOLEAN";
    case JsonType::Int: return "INTEGER";
    case JsonType::UInt: return "UNSIGNED INTEGER";
    case JsonType::Double: return "DOUBLE";
    case JsonType::Decimal: return "DECIMAL";
    case JsonType::String: return "STRING";
    case JsonType::Object: return "OBJECT";
    case JsonType::Array: return "ARRAY";
    case JsonType::Date: return "DATE";
    case JsonType::Time: return "TIME";
    case JsonType::DateTime: return "DATETIME";
    case JsonType::Timestamp: return "DATETIME";
    case JsonType::Opaque:
      switch (v.opaque_field_type) {
        case 16: return "BIT";
        case 13: return "YEAR";
        case 255: return "GEOMETRY";
        case 15: case 249: case 250: case 251: case 252: case 253: case 254: return "BLOB";
        default: return "OPAQUE";
      }
  }
  return "NULL";
}

// --- parsing ---------------------------------------------------------------------------------

namespace {

constexpr int kMaxDepth = 100;  // MySQL's JSON_DOCUMENT_MAX_DEPTH

class Parser {
 public:
  Parser(std::string_view text, JsonNumbers numbers) : s_(text), numbers_(numbers) {}

  std::optional<JsonValue> document(JsonParseError* error) {
    skip_space();
    if (pos_ >= s_.size()) {
      fail("The document is empty.");
    } else {
      JsonValue v;
      if (value(v, 0)) {
        skip_space();
        if (pos_ >= s_.size()) return v;
        fail("The document root must not be followed by other values.");
      }
    }
    if (error) *error = error_;
    return std::nullopt;
  }

 private:
  std::string_view s_;
  JsonNumbers numbers_;
  size_t pos_ = 0;
  JsonParseError error_;

  bool fail(const char* message) {
    error_.message = message;
    error_.offset = pos_;
    return false;
  }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return fail("Invalid value.");
    pos_ += word.size();
    return true;
  }

  bool value(JsonValue& out, int depth) {
    if (pos_ >= s_.size()) return fail("Invalid value.");
    switch (s_[pos_]) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': out.type = JsonType::String; return string(out.str);
      case 't': out = JsonValue::from_bool(true); return literal("true");
      case 'f': out = JsonValue::from_bool(false); return literal("false");
      case 'n': out = JsonValue::null(); return literal("null");
      default: return number(out);
    }
  }

  bool enter(int depth) {
    if (depth <= kMaxDepth) return true;
    error_.too_deep = true;
    return fail("The JSON document exceeds the maximum depth of 100.");
  }

  bool object(JsonValue& out, int depth) {
    if (!enter(depth)) return false;
    out = JsonValue::object();
    ++pos_;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    std::vector<JsonMember> members;
    for (;;) {
      if (pos_ >= s_.size() || s_[pos_] != '"') return fail("Missing a name for object member.");
      JsonMember m;
      if (!string(m.key)) return false;
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != ':') return fail("Missing a colon after a name of object member.");
      ++pos_;
      skip_space();
      if (!value(m.value, depth)) return false;
      members.push_back(std::move(m));
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        skip_space();
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        break;
      }
      return fail("Missing a comma or '}' after an object member.");
    }
    // Sort once; of duplicate keys the last one wins (MySQL 8.0.3 and later).
    std::stable_sort(members.begin(), members.end(),
                     [](const JsonMember& a, const JsonMember& b) { return json_key_less(a.key, b.key); });
    for (size_t k = 0; k < members.size(); ++k) {
      if (k + 1 < members.size() && members[k + 1].key == members[k].key) continue;
      out.members.push_back(std::move(members[k]));
    }
    return true;
  }

  bool array(JsonValue& out, int depth) {
    if (!enter(depth)) return false;
    out = JsonValue::array();
    ++pos_;
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      JsonValue element;
      if (!value(element, depth)) return false;
      out.elements.push_back(std::move(element));
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        skip_space();
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return fail("Missing a comma or ']' after an array element.");
    }
  }

  bool hex4(uint32_t& cp) {
    cp = 0;
    for (int k = 0; k < 4; ++k, ++pos_) {
      if (pos_ >= s_.size()) return fail("Incorrect hex digit after \\u escape in string.");
      char c = s_[pos_];
      uint32_t d;
      if (c >= '0' && c <= '9') d = uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f') d = uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') d = uint32_t(c - 'A' + 10);
      else return fail("Incorrect hex digit after \\u escape in string.");
      cp = cp * 16 + d;
    }
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // the opening quote
    for (;;) {
      if (pos_ >= s_.size()) return fail("Missing a closing quotation mark in string.");
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return fail(c == '\0' ? "Missing a closing quotation mark in string." : "Invalid encoding in string.");
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      size_t escape_at = pos_;
      ++pos_;
      if (pos_ >= s_.size()) {
        pos_ = escape_at;
        return fail("Invalid escape character in string.");
      }
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (pos_ + 1 >= s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u')
              return fail("The surrogate pair in string is invalid.");
            pos_ += 2;
            if (!hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return fail("The surrogate pair in string is invalid.");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail("The surrogate pair in string is invalid.");
          }
          utf8_encode(static_cast<char32_t>(cp), out);
          break;
        }
        default:
          pos_ = escape_at;
          return fail("Invalid escape character in string.");
      }
    }
  }

  bool number(JsonValue& out) {
    size_t start = pos_;
    bool minus = false;
    if (s_[pos_] == '-') {
      minus = true;
      ++pos_;
    }
    auto digit = [&](size_t p) { return p < s_.size() && s_[p] >= '0' && s_[p] <= '9'; };
    if (!digit(pos_)) {
      pos_ = start;
      return fail("Invalid value.");
    }
    if (s_[pos_] == '0') {
      ++pos_;
    } else {
      while (digit(pos_)) ++pos_;
    }
    bool integral = true;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      integral = false;
      ++pos_;
      if (!digit(pos_)) return fail("Miss fraction part in number.");
      while (digit(pos_)) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digit(pos_)) return fail("Miss exponent in number.");
      while (digit(pos_)) ++pos_;
    }
    std::string_view text = s_.substr(start, pos_ - start);
    if (integral) {
      std::string_view mag = minus ? text.substr(1) : text;
      uint64_t u = 0;
      auto r = std::from_chars(mag.data(), mag.data() + mag.size(), u);
      if (r.ec == std::errc()) {
        constexpr uint64_t kMinMagnitude = uint64_t(1) << 63;
        if (!minus) {
          // rapidjson reports values above UINT32_MAX as Uint64, which MySQL keeps unsigned.
          out = u > 0xFFFFFFFFull ? JsonValue::from_uint(u) : JsonValue::from_int(static_cast<int64_t>(u));
          return true;
        }
        if (u <= kMinMagnitude) {
          out = JsonValue::from_int(static_cast<int64_t>(uint64_t(0) - u));
          return true;
        }
      }
    }
    std::string buf(text);
    double d = std::strtod(buf.c_str(), nullptr);
    if (!std::isfinite(d)) {
      pos_ = start;
      return fail("Number too big to be stored in double.");
    }
    out = JsonValue::from_double(d);
    if (numbers_ == JsonNumbers::Stored && !integral && json_double_text(d) != text) {
      Decimal::ParseResult p = Decimal::parse(text);
      if (p.consumed == text.size() && !p.overflow && !p.truncated) out = JsonValue::from_decimal(p.value);
    }
    return true;
  }
};

}  // namespace

std::optional<JsonValue> parse_json(std::string_view text, JsonParseError* error, JsonNumbers numbers) {
  return Parser(text, numbers).document(error);
}

// --- paths -----------------------------------------------------------------------------------

bool JsonPath::can_match_many() const {
  return std::any_of(legs.begin(), legs.end(), [](const JsonPathLeg& l) {
    return l.kind == JsonPathLeg::Kind::MemberWildcard || l.kind == JsonPathLeg::Kind::ArrayWildcard ||
           l.kind == JsonPathLeg::Kind::Ellipsis || l.kind == JsonPathLeg::Kind::ArrayRange;
  });
}

namespace {

bool path_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// An ECMAScript identifier, approximated as MySQL approximates it: letters (any non-ASCII code
// point but combining marks counts as one), '$', '_', and after the first also digits.
bool is_identifier(std::string_view name) {
  if (name.empty()) return false;
  size_t pos = 0;
  bool first = true;
  while (pos < name.size()) {
    char32_t cp = 0;
    int len = utf8_decode(name, pos, cp);
    if (len <= 0) return false;
    pos += static_cast<size_t>(len);
    bool combining = cp >= 0x300 && cp <= 0x36F;
    bool letter = (cp < 0x80 && std::isalpha(static_cast<int>(cp))) || (cp >= 0x80 && !combining);
    if (letter || cp == '$' || cp == '_') {
      first = false;
      continue;
    }
    if (first) return false;
    if (combining || (cp >= '0' && cp <= '9') || cp == 0x203F || cp == 0x2040 || cp == 0x2054 || cp == 0xFE33 ||
        cp == 0xFE34 || (cp >= 0xFE4D && cp <= 0xFE4F) || cp == 0xFF3F || cp == 0x200C || cp == 0x200D)
      continue;
    return false;
  }
  return true;
}

class PathParser {
 public:
  explicit PathParser(std::string_view text) : s_(text) {}

  std::optional<JsonPath> parse(size_t* error_position) {
    if (parse_all()) return std::move(path_);
    if (error_position) *error_position = pos_;
    return std::nullopt;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  JsonPath path_;

  bool done() const { return pos_ >= s_.size(); }
  void skip_space() {
    while (!done() && path_space(s_[pos_])) ++pos_;
  }

  bool parse_all() {
    skip_space();
    if (done() || s_[pos_++] != '$') return false;
    skip_space();
    while (!done()) {
      bool ok = false;
      switch (s_[pos_]) {
        case '[': ok = array_leg(); break;
        case '.': ok = member_leg(); break;
        case '*': ok = ellipsis_leg(); break;
        default: break;
      }
      if (!ok) return false;
      skip_space();
    }
    return path_.legs.empty() || path_.legs.back().kind != JsonPathLeg::Kind::Ellipsis;
  }

  bool ellipsis_leg() {
    ++pos_;
    if (done() || s_[pos_++] != '*') return false;
    if (done() || s_[pos_] == '*') return false;  // not last, and no '***'
    path_.legs.push_back({JsonPathLeg::Kind::Ellipsis, {}, 0, 0, false, false});
    return true;
  }

  bool index(uint32_t& value, bool& from_end) {
    from_end = false;
    if (s_.substr(pos_, 4) == "last") {
      pos_ += 4;
      from_end = true;
      skip_space();
      if (!done() && s_[pos_] == '-') {
        ++pos_;
        skip_space();
      } else {
        value = 0;
        return true;
      }
    }
    if (done() || s_[pos_] < '0' || s_[pos_] > '9') return false;
    uint64_t v = 0;
    while (!done() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      v = v * 10 + uint64_t(s_[pos_] - '0');
      if (v > 0xFFFFFFFFull) return false;
      ++pos_;
    }
    value = static_cast<uint32_t>(v);
    return true;
  }

  bool array_leg() {
    ++pos_;
    skip_space();
    if (done()) return false;
    JsonPathLeg leg;
    if (s_[pos_] == '*') {
      ++pos_;
      leg.kind = JsonPathLeg::Kind::ArrayWildcard;
    } else {
      if (!index(leg.first, leg.first_from_end)) return false;
      skip_space();
      if (done()) return false;
      if (s_.size() - pos_ > 3 && path_space(s_[pos_ - 1]) && s_[pos_] == 't' && s_[pos_ + 1] == 'o' &&
          path_space(s_[pos_ + 2])) {
        pos_ += 3;
        skip_space();
        if (!index(leg.last, leg.last_from_end)) return false;
        // A range that can never match anything is an error.
        if (leg.first_from_end == leg.last_from_end &&
            ((leg.first_from_end && leg.first < leg.last) || (!leg.first_from_end && leg.last < leg.first)))
          return false;
        leg.kind = JsonPathLeg::Kind::ArrayRange;
      } else {
        leg.kind = JsonPathLeg::Kind::ArrayCell;
      }
    }
    skip_space();
    if (done() || s_[pos_++] != ']') return false;
    path_.legs.push_back(std::move(leg));
    return true;
  }

  bool member_leg() {
    ++pos_;
    skip_space();
    if (done()) return false;
    if (s_[pos_] == '*') {
      ++pos_;
      path_.legs.push_back({JsonPathLeg::Kind::MemberWildcard, {}, 0, 0, false, false});
      return true;
    }
    size_t start = pos_;
    bool quoted = s_[pos_] == '"';
    if (quoted) {
      ++pos_;
      for (bool closed = false; !done() && !closed;) {
        char c = s_[pos_++];
        if (c == '\\') ++pos_;
        else if (c == '"') closed = true;
      }
      pos_ = std::min(pos_, s_.size());
    } else {
      while (!done() && !path_space(s_[pos_]) && s_[pos_] != '[' && s_[pos_] != '.' && s_[pos_] != '*') ++pos_;
    }
    std::string_view raw = s_.substr(start, pos_ - start);
    // The name goes through the JSON string parser for its escapes (unquoted ones too).
    std::string text = quoted ? std::string(raw) : "\"" + std::string(raw) + "\"";
    auto name = parse_json(text);
    if (!name || name->type != JsonType::String) return false;
    if (!quoted && !is_identifier(name->str)) return false;
    JsonPathLeg leg;
    leg.kind = JsonPathLeg::Kind::Member;
    leg.member = std::move(name->str);
    path_.legs.push_back(std::move(leg));
    return true;
  }
};

// MySQL's Json_array_index: a position clamped to the array, and whether it was inside.
struct ArrayIndex {
  size_t position;
  bool within;
};
ArrayIndex array_index(uint32_t index, bool from_end, size_t size) {
  if (from_end) return {index < size ? size - index - 1 : 0, index < size};
  return {std::min<size_t>(index, size), index < size};
}

struct Range {
  size_t begin, end;
};
Range array_range(const JsonPathLeg& leg, size_t size) {
  if (leg.kind == JsonPathLeg::Kind::ArrayWildcard) return {0, size};
  size_t begin = array_index(leg.first, leg.first_from_end, size).position;
  ArrayIndex last = array_index(leg.last, leg.last_from_end, size);
  return {begin, last.within ? last.position + 1 : last.position};
}

bool is_autowrap(const JsonPathLeg& leg) {
  if (leg.kind == JsonPathLeg::Kind::ArrayCell) return array_index(leg.first, leg.first_from_end, 1).within;
  if (leg.kind == JsonPathLeg::Kind::ArrayRange) {
    Range r = array_range(leg, 1);
    return r.begin < r.end;
  }
  return false;
}

class Seeker {
 public:
  Seeker(const JsonPath& path, bool auto_wrap, bool dedupe) : path_(path), auto_wrap_(auto_wrap), dedupe_(dedupe) {}

  void find(const JsonValue& v, size_t leg) {
    if (leg == path_.legs.size()) {
      if (!dedupe_ || seen_.insert(&v).second) hits.push_back(&v);
      return;
    }
    const JsonPathLeg& l = path_.legs[leg];
    switch (l.kind) {
      case JsonPathLeg::Kind::ArrayCell:
        if (v.type == JsonType::Array) {
          ArrayIndex idx = array_index(l.first, l.first_from_end, v.elements.size());
          if (idx.within) find(v.elements[idx.position], leg + 1);
        } else if (auto_wrap_ && is_autowrap(l)) {
          find(v, leg + 1);
        }
        return;
      case JsonPathLeg::Kind::ArrayRange:
      case JsonPathLeg::Kind::ArrayWildcard:
        if (v.type == JsonType::Array) {
          Range r = array_range(l, v.elements.size());
          for (size_t k = r.begin; k < r.end; ++k) find(v.elements[k], leg + 1);
        } else if (auto_wrap_ && is_autowrap(l)) {
          find(v, leg + 1);
        }
        return;
      case JsonPathLeg::Kind::Ellipsis:
        find(v, leg + 1);
        if (v.type == JsonType::Array)
          for (const JsonValue& child : v.elements) find(child, leg);
        else if (v.type == JsonType::Object)
          for (const JsonMember& m : v.members) find(m.value, leg);
        return;
      case JsonPathLeg::Kind::Member:
        if (const JsonValue* child = v.find(l.member)) find(*child, leg + 1);
        return;
      case JsonPathLeg::Kind::MemberWildcard:
        if (v.type == JsonType::Object)
          for (const JsonMember& m : v.members) find(m.value, leg + 1);
        return;
    }
  }

  std::vector<const JsonValue*> hits;

 private:
  const JsonPath& path_;
  bool auto_wrap_;
  bool dedupe_;
  std::set<const JsonValue*> seen_;
};

}  // namespace

std::optional<JsonPath> parse_json_path(std::string_view text, size_t* error_position) {
  return PathParser(text).parse(error_position);
}

std::vector<const JsonValue*> json_seek(const JsonValue& doc, const JsonPath& path, bool auto_wrap) {
  // Duplicates arise only from an ellipsis followed by another ellipsis or an auto-wrapping leg.
  bool dedupe = false;
  auto it = std::find_if(path.legs.begin(), path.legs.end(),
                         [](const JsonPathLeg& l) { return l.kind == JsonPathLeg::Kind::Ellipsis; });
  if (it != path.legs.end())
    dedupe = std::any_of(it + 1, path.legs.end(), [&](const JsonPathLeg& l) {
      return l.kind == JsonPathLeg::Kind::Ellipsis || (auto_wrap && is_autowrap(l));
    });
  Seeker seeker(path, auto_wrap, dedupe);
  seeker.find(doc, 0);
  return std::move(seeker.hits);
}

// --- numbers and comparison ------------------------------------------------------------------

namespace {

// Temporals as numbers: 20200102, 20200102030405.000006, -100000 for '-10:00:00'.
double temporal_number(const JsonValue& v) {
  const Temporal& t = v.tm;
  double date = t.year * 10000.0 + t.month * 100.0 + t.day;
  double time = t.hour * 10000.0 + t.minute * 100.0 + t.second + t.micro / 1e6;
  switch (v.type) {
    case JsonType::Date: return date;
    case JsonType::Time: return t.negative ? -time : time;
    default: return date * 1e6 + time;
  }
}

}  // namespace

double json_to_double(const JsonValue& v) {
  switch (v.type) {
    case JsonType::Int: return static_cast<double>(v.i);
    case JsonType::UInt: return static_cast<double>(v.u);
    case JsonType::Double: return v.d;
    case JsonType::Decimal: return v.dec.to_double();
    case JsonType::String: return string_to_double(v.str).value;
    case JsonType::Boolean: return v.boolean ? 1 : 0;
    case JsonType::Date:
    case JsonType::Time:
    case JsonType::DateTime:
    case JsonType::Timestamp: return temporal_number(v);
    default: return 0;
  }
}

Decimal json_to_decimal(const JsonValue& v) {
  switch (v.type) {
    case JsonType::Int: return Decimal::from_int(v.i);
    case JsonType::UInt: return Decimal::from_uint(v.u);
    case JsonType::Decimal: return v.dec;
    case JsonType::String: return string_to_decimal(v.str);
    default: return Decimal::from_double(json_to_double(v)).value_or(Decimal());
  }
}

int64_t json_to_int(const JsonValue& v, bool* is_unsigned) {
  *is_unsigned = false;
  bool overflow = false;
  switch (v.type) {
    case JsonType::Int: return v.i;
    case JsonType::UInt: *is_unsigned = true; return static_cast<int64_t>(v.u);
    case JsonType::Decimal: {
      if (auto i = v.dec.to_int64()) return *i;
      *is_unsigned = !v.dec.is_negative();
      if (*is_unsigned) return static_cast<int64_t>(v.dec.to_uint64().value_or(UINT64_MAX));
      return INT64_MIN;
    }
    case JsonType::String: {
      StringToInt r = string_to_int(v.str);
      *is_unsigned = r.is_unsigned;
      return r.value;
    }
    default: return double_to_int64(json_to_double(v), &overflow);  // rint, as Field_double
  }
}

namespace {

// MySQL's precedence of JSON types in comparisons (lowest first); numbers share one rank.
int type_rank(const JsonValue& v) {
  switch (v.type) {
    case JsonType::Null: return 0;
    case JsonType::Int: case JsonType::UInt: case JsonType::Double: case JsonType::Decimal: return 1;
    case JsonType::String: return 2;
    case JsonType::Object: return 3;
    case JsonType::Array: return 4;
    case JsonType::Boolean: return 5;
    case JsonType::Date: return 6;
    case JsonType::Time: return 7;
    case JsonType::DateTime: case JsonType::Timestamp: return 8;
    case JsonType::Opaque: return v.opaque_field_type == 16 ? 10 : json_type_name(v) == "BLOB" ? 11 : 9;
  }
  return 0;
}

template <typename T>
int three_way(T a, T b) { return a < b ? -1 : a > b ? 1 : 0; }

int compare_numbers(const JsonValue& a, const JsonValue& b) {
  if (a.type == JsonType::Decimal || b.type == JsonType::Decimal) {
    if (a.type != JsonType::Double && b.type != JsonType::Double) return json_to_decimal(a).compare(json_to_decimal(b));
    return three_way(json_to_double(a), json_to_double(b));
  }
  // long double holds every int64, uint64 and double exactly on the platforms obsync targets.
  auto wide = [](const JsonValue& v) -> long double {
    return v.type == JsonType::Int ? static_cast<long double>(v.i)
           : v.type == JsonType::UInt ? static_cast<long double>(v.u) : static_cast<long double>(v.d);
  };
  return three_way(wide(a), wide(b));
}

int compare_temporals(const JsonValue& a, const JsonValue& b) {
  auto key = [](const JsonValue& v) {
    const Temporal& t = v.tm;
    long double k = ((((t.year * 13.0L + t.month) * 32 + t.day) * 24 + t.hour) * 60 + t.minute) * 60 + t.second;
    k = k * 1e6L + t.micro;
    return t.negative ? -k : k;
  };
  return three_way(key(a), key(b));
}

}  // namespace

int json_compare(const JsonValue& a, const JsonValue& b) {
  int ra = type_rank(a), rb = type_rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.type) {
    case JsonType::Null: return 0;
    case JsonType::Int: case JsonType::UInt: case JsonType::Double: case JsonType::Decimal:
      return compare_numbers(a, b);
    case JsonType::String: return three_way(a.str.compare(b.str), 0);
    case JsonType::Boolean: return three_way(a.boolean, b.boolean);
    case JsonType::Array: {
      size_t n = std::min(a.elements.size(), b.elements.size());
      for (size_t k = 0; k < n; ++k)
        if (int c = json_compare(a.elements[k], b.elements[k])) return c;
      return three_way(a.elements.size(), b.elements.size());
    }
    case JsonType::Object: {
      if (a.members.size() != b.members.size()) return three_way(a.members.size(), b.members.size());
      for (size_t k = 0; k < a.members.size(); ++k) {
        const JsonMember& ma = a.members[k];
        const JsonMember& mb = b.members[k];
        if (ma.key != mb.key) return json_key_less(ma.key, mb.key) ? -1 : 1;
        if (int c = json_compare(ma.value, mb.value)) return c;
      }
      return 0;
    }
    case JsonType::Date: case JsonType::Time: case JsonType::DateTime: case JsonType::Timestamp:
      return compare_temporals(a, b);
    case JsonType::Opaque:
      if (a.opaque_field_type != b.opaque_field_type) return three_way(a.opaque_field_type, b.opaque_field_type);
      return three_way(a.str.compare(b.str), 0);
  }
  return 0;
}

// --- SQL values ------------------------------------------------------------------------------

JsonValue read_stored_json(std::string_view canonical_text) {
  auto doc = parse_json(canonical_text, nullptr, JsonNumbers::Stored);
  return doc ? std::move(*doc) : JsonValue::null();
}

Value json_value(const JsonValue& doc) { return Value::from_json(json_to_text(doc)); }

JsonValue json_from_sql(const Value& v, const SqlType& t) {
  switch (v.cls) {
    case TypeClass::Null: return JsonValue::null();
    case TypeClass::Int:
      if (v.is_unsigned) return JsonValue::from_uint(v.u);
      return JsonValue::from_int(v.i);
    case TypeClass::Decimal:
      return JsonValue::from_decimal(t.cls == TypeClass::Decimal ? v.dec.with_scale(t.scale) : v.dec);
    case TypeClass::Double: return JsonValue::from_double(v.d);
    case TypeClass::String:
      if (t.column == ColumnType::Bit) return JsonValue::from_opaque(16, v.str);  // MYSQL_TYPE_BIT
      if (t.is_binary_string()) {
        // MySQL keeps the field type: BLOB columns 252, BINARY 254, VARBINARY and literals 15.
        uint8_t field_type = 15;
        switch (t.column) {
          case ColumnType::TinyBlob: case ColumnType::Blob: case ColumnType::MediumBlob:
          case ColumnType::LongBlob: field_type = 252; break;
          case ColumnType::Binary: field_type = 254; break;
          default: break;
        }
        return JsonValue::from_opaque(field_type, v.str);
      }
      return JsonValue::from_string(v.str);
    case TypeClass::Date: return JsonValue::from_temporal(JsonType::Date, v.tm);
    case TypeClass::Time: return JsonValue::from_temporal(JsonType::Time, v.tm);
    case TypeClass::DateTime:
      return JsonValue::from_temporal(t.column == ColumnType::Timestamp ? JsonType::Timestamp : JsonType::DateTime, v.tm);
    case TypeClass::Json: return read_stored_json(v.str);
  }
  return JsonValue::null();
}

Value cast_to_json(const Value& v, const SqlType& from, EvalContext& ctx) {
  if (v.cls == TypeClass::Json) return v;
  if (v.cls == TypeClass::String && from.column != ColumnType::Bit) {
    if (from.is_binary_string()) {
      ctx.fail(3144, "Cannot create a JSON value from a string with CHARACTER SET 'binary'.");
      return Value::null();
    }
    JsonParseError error;
    auto doc = parse_json(v.str, &error);
    if (!doc) {
      if (error.too_deep) ctx.fail(3157, error.message);
      else
        ctx.fail(3141, "Invalid JSON text in argument 1 to function cast_as_json: \"" + error.message +
                           "\" at position " + std::to_string(error.offset) + ".");
      return Value::null();
    }
    return json_value(*doc);
  }
  return json_value(json_from_sql(v, from));
}

}  // namespace obsync
