// utf8mb4 character handling and MySQL's per-family case tables.
#include "stdlib/charset.hpp"

#include <unicode/ucnv.h>

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

namespace obsync {

namespace {

// MySQL's latin1 (cp1252) bytes 0x80..0x9F to Unicode (ctype-latin1.c, cs_to_uni).
constexpr char16_t kLatin1High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void latin1_to_utf8(std::string_view bytes, std::string& out) {
  out.clear();
  out.reserve(bytes.size() + bytes.size() / 4);
  for (unsigned char c : bytes) {
    if (c < 0x80) out.push_back(static_cast<char>(c));
    else if (c < 0xA0) utf8_encode(kLatin1High[c - 0x80], out);
    else utf8_encode(c, out);
  }
}

}  // namespace

bool charset_to_utf8(std::string_view bytes, std::string_view charset, std::string& out) {
  if (charset == "utf8mb4" || charset == "utf8mb3" || charset == "utf8" || charset == "ascii") {
    out.assign(bytes);
    return true;
  }
  if (charset == "latin1") {
    latin1_to_utf8(bytes, out);
    return true;
  }
  const char* icu_name = charset == "gbk" ? "GBK" : charset == "gb18030" ? "GB18030" : charset == "big5" ? "Big5"
                         : charset == "sjis" ? "Shift_JIS" : charset == "ucs2" || charset == "utf16" ? "UTF-16BE"
                         : charset == "utf16le" ? "UTF-16LE" : charset == "utf32" ? "UTF-32BE" : nullptr;
  if (icu_name != nullptr) {
    UErrorCode status = U_ZERO_ERROR;
    out.resize(bytes.size() * 4 + 4);
    int32_t n = ucnv_convert("UTF-8", icu_name, out.data(), static_cast<int32_t>(out.size()), bytes.data(),
                             static_cast<int32_t>(bytes.size()), &status);
    if (U_SUCCESS(status)) {
      out.resize(static_cast<size_t>(n));
      return true;
    }
  }
  latin1_to_utf8(bytes, out);
  return false;
}

}  // namespace obsync
