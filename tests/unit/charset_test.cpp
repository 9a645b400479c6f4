// utf8mb4 decoding, character counting and case mapping as MySQL 8 does them.
#include <catch2/catch.hpp>

#include "stdlib/charset.hpp"

using namespace obsync;

namespace {
std::string upper(std::string_view s, CaseTable t) {
  std::string out;
  to_upper(s, t, out);
  return out;
}
std::string lower(std::string_view s, CaseTable t) {
  std::string out;
  to_lower(s, t, out);
  return out;
}
int decode_len(std::string_view s) {
  char32_t cp = 0;
  return utf8_decode(s, 0, cp);
}
}  // namespace

TEST_CASE("utf8_decode accepts what my_mb_wc_utf8mb4 accepts") {
  char32_t cp = 0;
  CHECK(utf8_decode("\xF0\x9F\x98\x80", 0, cp) == 4);
  CHECK(cp == 0x1F600);
  CHECK(utf8_decode("\xC3\xA9", 0, cp) == 2);
  CHECK(cp == 0xE9);
  CHECK(decode_len("\xC0\x80") == 0);          // overlong
  CHECK(decode_len("\xE0\x80\x80") == 0);      // overlong
  CHECK(decode_len("\xED\xA0\x80") == 0);      // surrogate
  CHECK(decode_len("\xF4\x90\x80\x80") == 0);  // above U+10FFFF
  CHECK(decode_len("\xF0\x9F\x98") == 0);      // truncated
  CHECK(decode_len("\x80") == 0);
  CHECK(decode_len("\xFF") == 0);
  CHECK(utf8_is_valid("h\xC3\xA9llo"));
  CHECK_FALSE(utf8_is_valid("h\xC3llo"));
}

TEST_CASE("char length and offsets count a bad byte as one character") {
  CHECK(utf8_char_length("") == 0);
  CHECK(utf8_char_length("h\xC3\xA9llo") == 5);
  CHECK(utf8_char_length("\xF0\x9F\x98\x80!") == 2);
  CHECK(utf8_char_length("a\xFF\xFE" "b") == 4);
  CHECK(utf8_char_length("\xE4\xB8") == 2);  // truncated: two bad bytes
  CHECK(utf8_char_offset("h\xC3\xA9llo", 2) == 3);
  CHECK(utf8_char_offset("h\xC3\xA9llo", 0) == 0);
  CHECK(utf8_char_offset("abc", 10) == 3);
  CHECK(utf8_char_offset("a\xFF" "b", 2) == 2);
  std::string enc;
  utf8_encode(0x1F600, enc);
  utf8_encode(0xE9, enc);
  CHECK(enc == "\xF0\x9F\x98\x80\xC3\xA9");
}

TEST_CASE("case mapping per MySQL case table") {
  CHECK(upper("stra\xC3\x9F" "e", CaseTable::Default) == "STRA\xC3\x9F" "E");  // ß has no simple upper
  CHECK(upper("\xC3\xA9t\xC3\xA9", CaseTable::Unicode900) == "\xC3\x89T\xC3\x89");
  CHECK(lower("\xC4\xB0", CaseTable::Unicode900) == "i");  // İ -> i (simple mapping)
  // Deseret (supplementary) maps only with the 520 and 900 tables; default is BMP only.
  CHECK(lower("\xF0\x90\x90\x80", CaseTable::Default) == "\xF0\x90\x90\x80");
  CHECK(lower("\xF0\x90\x90\x80", CaseTable::Unicode520) == "\xF0\x90\x90\xA8");
  CHECK(lower("\xF0\x90\x90\x80", CaseTable::Unicode900) == "\xF0\x90\x90\xA8");
  // Georgian Mtavruli is Unicode 11: MySQL's Unicode 9 table leaves Mkhedruli alone.
  CHECK(upper("\xE1\x83\x90", CaseTable::Unicode900) == "\xE1\x83\x90");
  // my_unicase_default: U+0180 has no upper case there, it has in Unicode 5.2.
  CHECK(to_upper(0x180, CaseTable::Default) == 0x180);
  CHECK(to_upper(0x180, CaseTable::Unicode520) == 0x243);
  CHECK(upper("abc\xFF" "def", CaseTable::Default) == "ABC");  // stops at a bad byte
  CHECK(upper("a\xE4", CaseTable::Latin1) == "A\xC4");
  CHECK(upper("a\xE4", CaseTable::None) == "a\xE4");
  CHECK(to_lower('A', CaseTable::Default) == 'a');
}
