// LIKE: one matcher, the shape of MySQL's my_wildcmp_uca_impl, over per-collation character readers.
#include "stdlib/like.hpp"

#include "stdlib/charset.hpp"

namespace obsync {
namespace {

constexpr uint32_t kMany = '%';
constexpr uint32_t kOne = '_';

// Reads one character at pos: returns its byte length, or 0 at the end or on a bad sequence.
struct ByteReader {  // binary, latin1: a byte is a character (my_wildcmp_bin / my_wildcmp_8bit)
  const Collation& c;
  int read(std::string_view s, size_t pos, uint32_t& ch) const {
    if (pos >= s.size()) return 0;
    ch = static_cast<unsigned char>(s[pos]);
    return 1;
  }
  bool equal(uint32_t a, uint32_t b) const { return like_char_equal(a, b, c); }
};

struct MbBinReader {  // utf8mb4_bin, utf8mb4_0900_bin: a bad byte is a character of its own
  int read(std::string_view s, size_t pos, uint32_t& ch) const {
    if (pos >= s.size()) return 0;
    char32_t cp = 0;
    int len = utf8_decode(s, pos, cp);
    if (len == 0) {
      ch = 0x80000000u | static_cast<unsigned char>(s[pos]);
      return 1;
    }
    ch = cp;
    return len;
  }
  bool equal(uint32_t a, uint32_t b) const { return a == b; }
};

struct Utf8Reader {  // general_ci and the UCA collations: a bad sequence ends in no match
  const Collation& c;
  int read(std::string_view s, size_t pos, uint32_t& ch) const {
    char32_t cp = 0;
    int len = pos < s.size() ? utf8_decode(s, pos, cp) : 0;
    ch = cp;
    return len;
  }
  bool equal(uint32_t a, uint32_t b) const { return like_char_equal(a, b, c); }
};

// 0 match, 1 no match, -1 no match and no longer text can match (lets '%' stop early).
template <class Reader>
int wildcmp(const Reader& r, std::string_view str, size_t si, std::string_view wild, size_t wi,
            uint32_t escape) {
  while (wi < wild.size()) {
    uint32_t w = 0, s = 0;
    for (;;) {  // literal characters and '_' up to the next '%'
      int len = r.read(wild, wi, w);
      if (len == 0) return 1;
      wi += static_cast<size_t>(len);
      if (w == kMany) break;
      bool escaped = false;
      if (w == escape && wi < wild.size()) {  // a lone escape at the end is itself
        if ((len = r.read(wild, wi, w)) == 0) return 1;
        wi += static_cast<size_t>(len);
        escaped = true;
      }
      if ((len = r.read(str, si, s)) == 0) return 1;
      si += static_cast<size_t>(len);
      if ((escaped || w != kOne) && !r.equal(s, w)) return 1;
      if (wi == wild.size()) return si != str.size() ? 1 : 0;
    }
    for (;;) {  // '%': swallow further '%' and '_' (each '_' takes one character)
      if (wi == wild.size()) return 0;
      int len = r.read(wild, wi, w);
      if (len == 0) return 1;
      wi += static_cast<size_t>(len);
      if (w == kMany) continue;
      if (w == kOne) {
        if ((len = r.read(str, si, s)) == 0) return 1;
        si += static_cast<size_t>(len);
        continue;
      }
      break;
    }
    if (si == str.size()) return -1;
    if (w == escape && wi < wild.size()) {
      int len = r.read(wild, wi, w);
      if (len == 0) return 1;
      wi += static_cast<size_t>(len);
    }
    for (;;) {  // try each position where the character after '%' matches
      int len = 0;
      while (si < str.size()) {
        if ((len = r.read(str, si, s)) == 0) return 1;
        if (r.equal(s, w)) break;
        si += static_cast<size_t>(len);
      }
      if (si == str.size()) return -1;
      si += static_cast<size_t>(len);
      int result = wildcmp(r, str, si, wild, wi, escape);
      if (result <= 0) return result;
    }
  }
  return si != str.size() ? 1 : 0;
}

}  // namespace

bool like_match(std::string_view text, std::string_view pattern, uint32_t escape_char,
                const Collation& collation) {
  switch (collation.algo) {
    case CollationAlgo::Latin1Swedish:
      return wildcmp(ByteReader{collation}, text, 0, pattern, 0, escape_char) == 0;
    case CollationAlgo::Binary:
    case CollationAlgo::MbBin:
      if (collation.is_binary || collation.charset == "latin1")
        return wildcmp(ByteReader{collation}, text, 0, pattern, 0, escape_char) == 0;
      return wildcmp(MbBinReader{}, text, 0, pattern, 0, escape_char) == 0;
    default:
      return wildcmp(Utf8Reader{collation}, text, 0, pattern, 0, escape_char) == 0;
  }
}

}  // namespace obsync
