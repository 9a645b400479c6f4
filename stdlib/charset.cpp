// utf8mb4 character handling and MySQL's per-family case tables.
#include "stdlib/charset.hpp"

namespace obsync {
namespace {
#include "stdlib/collation_data/case_tables.inc"
#include "stdlib/collation_data/latin1.inc"

// Case tables hold deltas (target - cp) in 256-entry blocks; block 0 is all zero.
template <size_t Pages, class Index, size_t Blocks>
inline char32_t apply_delta(char32_t cp, const Index (&index)[Pages],
                            const int32_t (&blocks)[Blocks][256]) {
  if ((cp >> 8) >= Pages) return cp;
  return static_cast<char32_t>(static_cast<int32_t>(cp) + blocks[index[cp >> 8]][cp & 0xFF]);
}

template <class Map>
void convert(std::string_view s, CaseTable table, std::string& out, Map map) {
  out.reserve(out.size() + s.size());
  if (table == CaseTable::None) {
    out.append(s);
    return;
  }
  if (table == CaseTable::Latin1) {
    for (unsigned char c : s) out.push_back(static_cast<char>(map(c)));
    return;
  }
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    int len = utf8_decode(s, i, cp);
    if (len == 0) break;  // my_caseup_utf8mb4 stops at the first bad sequence
    utf8_encode(map(cp), out);
    i += static_cast<size_t>(len);
  }
}
}  // namespace

void utf8_encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool utf8_is_valid(std::string_view s) {
  char32_t cp = 0;
  for (size_t i = 0; i < s.size();) {
    int len = utf8_decode(s, i, cp);
    if (len == 0) return false;
    i += static_cast<size_t>(len);
  }
  return true;
}

size_t utf8_char_length(std::string_view s) {
  size_t n = 0;
  char32_t cp = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    int len = utf8_decode(s, i, cp);
    i += len > 0 ? static_cast<size_t>(len) : 1;
  }
  return n;
}

size_t utf8_char_offset(std::string_view s, size_t n) {
  size_t i = 0;
  char32_t cp = 0;
  for (; n > 0 && i < s.size(); --n) {
    int len = utf8_decode(s, i, cp);
    i += len > 0 ? static_cast<size_t>(len) : 1;
  }
  return i;
}

char32_t to_upper(char32_t cp, CaseTable table) {
  switch (table) {
    case CaseTable::Default: return apply_delta(cp, k_case_general_upper_index, k_case_general_upper_blocks);
    case CaseTable::Unicode520: return apply_delta(cp, k_case_520_upper_index, k_case_520_upper_blocks);
    case CaseTable::Unicode900: return apply_delta(cp, k_case_900_upper_index, k_case_900_upper_blocks);
    case CaseTable::Latin1: return cp < 256 ? k_latin1_upper[cp] : cp;
    case CaseTable::None: break;
  }
  return cp;
}

char32_t to_lower(char32_t cp, CaseTable table) {
  switch (table) {
    case CaseTable::Default: return apply_delta(cp, k_case_general_lower_index, k_case_general_lower_blocks);
    case CaseTable::Unicode520: return apply_delta(cp, k_case_520_lower_index, k_case_520_lower_blocks);
    case CaseTable::Unicode900: return apply_delta(cp, k_case_900_lower_index, k_case_900_lower_blocks);
    case CaseTable::Latin1: return cp < 256 ? k_latin1_lower[cp] : cp;
    case CaseTable::None: break;
  }
  return cp;
}

void to_upper(std::string_view s, CaseTable table, std::string& out) {
  convert(s, table, out, [table](char32_t cp) { return to_upper(cp, table); });
}

void to_lower(std::string_view s, CaseTable table, std::string& out) {
  convert(s, table, out, [table](char32_t cp) { return to_lower(cp, table); });
}

}  // namespace obsync
