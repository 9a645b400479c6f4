// utf8mb4 as MySQL reads it: decoding (invalid bytes included), character counts and case mapping.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace obsync {

// Which MySQL case table a collation uses for UPPER()/LOWER().
enum class CaseTable : uint8_t {
  None,        // binary strings: no case
  Default,     // my_unicase_default: BMP only (utf8mb4_general_ci, utf8mb4_bin, utf8mb4_unicode_ci)
  Unicode520,  // my_unicase_unicode520 (utf8mb4_unicode_520_ci)
  Unicode900,  // my_unicase_unicode900, Unicode 9.0 simple mappings (utf8mb4_0900_*)
  Latin1,      // latin1 bytes (latin1_swedish_ci, latin1_bin)
};

// Decodes the character at s[pos] as MySQL's my_mb_wc_utf8mb4: returns its byte length (1..4)
// and sets cp, or 0 for an invalid or truncated sequence (overlong, surrogate, > U+10FFFF).
inline int utf8_decode(std::string_view s, size_t pos, char32_t& cp) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + pos;
  size_t left = s.size() - pos;
  if (left == 0) return 0;
  unsigned c = p[0];
  if (c < 0x80) { cp = c; return 1; }
  if (c < 0xC2) return 0;
  if (c < 0xE0) {
    if (left < 2 || (p[1] ^ 0x80) >= 0x40) return 0;
    cp = ((c & 0x1F) << 6) | (p[1] ^ 0x80);
    return 2;
  }
  if (c < 0xF0) {
    if (left < 3 || (p[1] ^ 0x80) >= 0x40 || (p[2] ^ 0x80) >= 0x40) return 0;
    char32_t w = ((c & 0x0F) << 12) | ((p[1] ^ 0x80) << 6) | (p[2] ^ 0x80);
    if (w < 0x800 || (w >= 0xD800 && w <= 0xDFFF)) return 0;
    cp = w;
    return 3;
  }
  if (c < 0xF5) {
    if (left < 4 || (p[1] ^ 0x80) >= 0x40 || (p[2] ^ 0x80) >= 0x40 || (p[3] ^ 0x80) >= 0x40)
      return 0;
    char32_t w = ((c & 0x07) << 18) | ((p[1] ^ 0x80) << 12) | ((p[2] ^ 0x80) << 6) | (p[3] ^ 0x80);
    if (w < 0x10000 || w > 0x10FFFF) return 0;
    cp = w;
    return 4;
  }
  return 0;
}

// Appends cp as utf8mb4 (cp must be a scalar value).
void utf8_encode(char32_t cp, std::string& out);

// True when every byte belongs to a well-formed utf8mb4 character.
bool utf8_is_valid(std::string_view s);

// Text in a MySQL character set as UTF-8, as a utf8mb4 client connection receives it: utf8mb4,
// utf8mb3 and ascii pass through; latin1 is MySQL's latin1 (Windows-1252 with 0x81, 0x8D, 0x8F,
// 0x90 and 0x9D as C1 controls); gbk, gb18030, big5, sjis, ucs2, utf16, utf16le and utf32 go
// through ICU. False (out holds the bytes read as latin1) for a charset it does not know or
// bytes invalid in it; binary strings are not text and are not passed here.
bool charset_to_utf8(std::string_view bytes, std::string_view charset, std::string& out);

// CHAR_LENGTH(): as my_numchars_mb, an invalid byte counts as one character.
size_t utf8_char_length(std::string_view s);

// Byte offset of the n-th character (0-based) counted as utf8_char_length does; s.size() when
// the string has n characters or fewer.
size_t utf8_char_offset(std::string_view s, size_t n);

// Simple (one to one) case mapping of one code point under a case table.
char32_t to_upper(char32_t cp, CaseTable table);
char32_t to_lower(char32_t cp, CaseTable table);

// UPPER()/LOWER() of a string, appended to out. As MySQL's my_caseup_utf8mb4, conversion stops at
// the first invalid byte sequence (the rest is dropped). Latin1 maps bytes; None copies.
void to_upper(std::string_view s, CaseTable table, std::string& out);
void to_lower(std::string_view s, CaseTable table, std::string& out);

}  // namespace obsync
