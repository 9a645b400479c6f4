// ASCII case helpers for names and keywords (SQL identifiers compare case-insensitively).
#pragma once
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace obsync {

inline char ascii_upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }
inline char ascii_lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

inline std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_upper(c);
  return out;
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// Equal ignoring ASCII case, without allocating.
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

}  // namespace obsync
