#include "tools/obsync/change_json.hpp"

#include <fmt/format.h>

#include "stdlib/charset.hpp"
#include "stdlib/collation.hpp"

namespace obsync::cli {

void append_json_string(std::string& out, std::string_view s, bool bytes_as_latin1) {
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      char32_t cp;
      int n = bytes_as_latin1 ? 0 : utf8_decode(s, i, cp);
      if (n > 0) {
        out.append(s.data() + i, static_cast<size_t>(n));
        i += static_cast<size_t>(n);
      } else {
        utf8_encode(c, out);
        i++;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out.push_back(static_cast<char>(c));
    }
    i++;
  }
  out.push_back('"');
}

namespace {
bool is_binary(const SqlType& t) { return t.cls == TypeClass::String && t.collation && t.collation->is_binary; }
bool needs_conversion(const SqlType& t) {
  return t.cls == TypeClass::String && t.collation && !t.collation->is_binary && t.collation->charset != "utf8mb4" &&
         t.collation->charset != "utf8mb3";
}
}  // namespace

void append_json_image(std::string& out, const std::vector<Value>& values, const std::vector<const SqlType*>& types) {
  out.push_back('[');
  for (size_t i = 0; i < values.size(); i++) {
    if (i) out.push_back(',');
    const Value& v = values[i];
    if (v.is_null()) {
      out += "null";  // NULL, or a column the (minimal) row image leaves out
      continue;
    }
    const SqlType& t = *types[i];
    if (needs_conversion(t)) {
      // Text in another charset reads as a utf8mb4 client sees it (SELECT through obsync's
      // connection), so every line is UTF-8.
      std::string utf8;
      charset_to_utf8(render_value(v, t), t.collation->charset, utf8);
      append_json_string(out, utf8, false);
    } else {
      append_json_string(out, render_value(v, t), is_binary(t));
    }
  }
  out.push_back(']');
}

void append_change_head(std::string& out, const ChangeLineHead& h) {
  out += "{\"file\":";
  append_json_string(out, h.file);
  out += fmt::format(",\"pos\":{},\"gtid\":", h.pos);
  if (h.gtid.empty()) out += "null";
  else append_json_string(out, h.gtid);
  out += fmt::format(",\"ts\":{},\"db\":", h.ts);
  append_json_string(out, h.db);
  out += ",\"table\":";
  append_json_string(out, h.table);
  out += ",\"op\":\"";
  out += h.op;
  out += '"';
  if (h.columns != nullptr) {
    out += ",\"columns\":[";
    for (size_t i = 0; i < h.columns->size(); i++) {
      if (i) out.push_back(',');
      append_json_string(out, (*h.columns)[i]);
    }
    out.push_back(']');
  }
}

}  // namespace obsync::cli
