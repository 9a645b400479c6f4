// String-literal unescaping shared by the transformer and the formatter.
#include "compiler/parse/parser.hpp"

namespace obsync {

std::string unescape_string_literal(std::string_view quoted) {
  if (quoted.size() < 2) return {};
  std::string_view s = quoted.substr(1, quoted.size() - 2);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
      out += '\'';
      ++i;
    } else if (c == '\\' && i + 1 < s.size()) {
      char n = s[++i];
      switch (n) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case '0': out += '\0'; break;
        case 'Z': out += '\x1a'; break;
        case '%': out += "\\%"; break;  // MySQL keeps the backslash for LIKE patterns
        case '_': out += "\\_"; break;
        default: out += n; break;
      }
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace obsync
