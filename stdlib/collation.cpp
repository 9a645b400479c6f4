// Collation registry and comparisons, each a port of the MySQL 8 strnncollsp it names.
#include "stdlib/collation.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace obsync {
namespace {
#include "stdlib/collation_data/general_ci.inc"
#include "stdlib/collation_data/latin1.inc"
#include "stdlib/collation_data/uca400.inc"
#include "stdlib/collation_data/uca520.inc"
#include "stdlib/collation_data/uca900.inc"

inline int sign(int v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Stable 64-bit hash over a stream of 32-bit units (weights or bytes); splitmix64 finish.
struct Hasher {
  uint64_t h = 0x6A09E667F3BCC908ULL;
  void add(uint32_t v) {
    h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    h *= 0xFF51AFD7ED558CCDULL;
  }
  uint64_t finish() const {
    uint64_t z = h;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
};

std::string_view strip_trailing_spaces(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && s[n - 1] == ' ') --n;
  return s.substr(0, n);
}

// --- binary, _bin -----------------------------------------------------------------------------

// my_strnncoll_binary: memcmp, then the shorter is smaller.
int compare_binary(std::string_view a, std::string_view b, const Collation&) {
  return sign(a.compare(b));
}

uint64_t hash_bytes(std::string_view s) {
  Hasher h;
  for (unsigned char c : s) h.add(c);
  h.add(0x100);  // terminator: "ab" + "" and "a" + "b" stay apart when hashes are combined
  return h.finish();
}

uint64_t hash_binary(std::string_view s, const Collation&) { return hash_bytes(s); }

// Shared tail of the PAD SPACE byte comparisons: the longer string's rest against spaces, each
// byte mapped through map (identity for _bin).
template <class Map>
int compare_padded(std::string_view a, std::string_view b, Map map) {
  size_t n = std::min(a.size(), b.size());
  const unsigned char* pa = bytes(a);
  const unsigned char* pb = bytes(b);
  for (size_t i = 0; i < n; ++i)
    if (map(pa[i]) != map(pb[i])) return map(pa[i]) < map(pb[i]) ? -1 : 1;
  int swap = 1;
  const unsigned char* rest = pa + n;
  size_t rest_len = a.size() - n;
  if (a.size() < b.size()) {
    swap = -1;
    rest = pb + n;
    rest_len = b.size() - n;
  }
  for (size_t i = 0; i < rest_len; ++i)
    if (map(rest[i]) != map(' ')) return map(rest[i]) < map(' ') ? -swap : swap;
  return 0;
}

// my_strnncollsp_mb_bin / my_strnncollsp_8bit_bin.
int compare_mb_bin(std::string_view a, std::string_view b, const Collation&) {
  return compare_padded(a, b, [](unsigned char c) { return c; });
}

uint64_t hash_mb_bin(std::string_view s, const Collation&) {
  return hash_bytes(strip_trailing_spaces(s));
}

// my_strnncollsp_simple with latin1_swedish_ci's sort_order.
int compare_latin1_swedish(std::string_view a, std::string_view b, const Collation&) {
  return compare_padded(a, b, [](unsigned char c) { return k_latin1_swedish_sort[c]; });
}

uint64_t hash_latin1_swedish(std::string_view s, const Collation&) {
  const uint8_t space = k_latin1_swedish_sort[' '];
  size_t n = s.size();
  while (n > 0 && k_latin1_swedish_sort[static_cast<unsigned char>(s[n - 1])] == space) --n;
  Hasher h;
  for (size_t i = 0; i < n; ++i) h.add(k_latin1_swedish_sort[static_cast<unsigned char>(s[i])]);
  h.add(0x100);
  return h.finish();
}

// --- utf8mb4_general_ci -----------------------------------------------------------------------

inline uint32_t general_weight(char32_t cp) {
  if (cp > 0xFFFF) return 0xFFFD;  // my_tosort_unicode: outside the BMP everything is U+FFFD
  return static_cast<uint32_t>(static_cast<int32_t>(cp) +
                               k_general_ci_delta_blocks[k_general_ci_delta_index[cp >> 8]][cp & 0xFF]);
}

// bincmp_utf8mb4: after a bad sequence the rest is compared as bytes, without padding.
int bincmp_rest(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
  if (c) return sign(c);
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

// my_strnncollsp_utf8mb4.
int compare_general_ci(std::string_view a, std::string_view b, const Collation&) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    char32_t ca = 0, cb = 0;
    int la = utf8_decode(a, i, ca);
    int lb = utf8_decode(b, j, cb);
    if (la == 0 || lb == 0) return bincmp_rest(a.substr(i), b.substr(j));
    uint32_t wa = general_weight(ca), wb = general_weight(cb);
    if (wa != wb) return wa < wb ? -1 : 1;
    i += static_cast<size_t>(la);
    j += static_cast<size_t>(lb);
  }
  // The rest of the longer string against spaces, bytewise: in UTF-8 every multibyte byte is
  // greater than a space.
  return compare_padded(a.substr(i), b.substr(j), [](unsigned char c) { return c; });
}

uint64_t hash_general_ci(std::string_view s, const Collation&) {
  s = strip_trailing_spaces(s);  // only U+0020 weighs 0x0020
  Hasher h;
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    int len = utf8_decode(s, i, cp);
    if (len == 0) {  // compared bytewise from here on
      h.add(0x10000);
      for (; i < s.size(); ++i) h.add(static_cast<unsigned char>(s[i]));
      break;
    }
    h.add(general_weight(cp));
    i += static_cast<size_t>(len);
  }
  h.add(0x20000);
  return h.finish();
}

// --- UCA 4.0.0 / 5.2.0 (uca_scanner_any) ------------------------------------------------------

struct OldUcaTable {
  const uint16_t* index;  // k_ucaXXX_index, one entry per 256 code points
  size_t pages;
  const uint32_t (*blocks)[256];
  const uint16_t* pool;
  char32_t maxchar;  // above it every character weighs 0xFFFD
  uint16_t space_weight;
};

template <class Index, size_t Pages>
const uint16_t* widen_index(const Index (&index)[Pages]) {
  // The generated index is uint8_t or uint16_t depending on block count; normalise to uint16_t.
  static std::array<uint16_t, Pages> wide = [&] {
    std::array<uint16_t, Pages> w{};
    for (size_t i = 0; i < Pages; ++i) w[i] = index[i];
    return w;
  }();
  return wide.data();
}

const OldUcaTable& uca400() {
  static const OldUcaTable t{widen_index(k_uca400_index), std::size(k_uca400_index),
                             k_uca400_blocks, k_uca400_pool, 0xFFFF, 0x0209};
  return t;
}
const OldUcaTable& uca520() {
  static const OldUcaTable t{widen_index(k_uca520_index), std::size(k_uca520_index),
                             k_uca520_blocks, k_uca520_pool, 0x10FFFF, 0x020A};
  return t;
}

constexpr uint32_t kImplicit = 0xFFFFFFFF;

inline uint32_t old_uca_entry(const OldUcaTable& t, char32_t cp) {
  size_t page = cp >> 8;
  if (page >= t.pages) return kImplicit;
  return t.blocks[t.index[page]][cp & 0xFF];
}

// Primary weights of a string as uca_scanner_any yields them: ignorables skipped, the scan ends at
// the end of the string or at the first bad byte sequence.
class OldUcaScanner {
 public:
  OldUcaScanner(const OldUcaTable& t, std::string_view s) : t_(t), s_(s) {}
  int next() {
    while (left_ == 0) {
      char32_t cp = 0;
      int len = utf8_decode(s_, pos_, cp);
      if (len == 0) return -1;
      pos_ += static_cast<size_t>(len);
      if (cp > t_.maxchar) return 0xFFFD;
      uint32_t e = old_uca_entry(t_, cp);
      if (e == kImplicit) {
        uint32_t base = (cp >= 0x3400 && cp <= 0x4DB5)   ? 0xFB80
                        : (cp >= 0x4E00 && cp <= 0x9FA5) ? 0xFB40
                                                         : 0xFBC0;
        implicit_[0] = static_cast<uint16_t>((cp & 0x7FFF) | 0x8000);
        w_ = implicit_;
        left_ = 1;
        return static_cast<int>(base + (cp >> 15));
      }
      w_ = t_.pool + (e >> 5);
      left_ = e & 31;
    }
    --left_;
    return *w_++;
  }

 private:
  const OldUcaTable& t_;
  std::string_view s_;
  size_t pos_ = 0;
  const uint16_t* w_ = nullptr;
  uint32_t left_ = 0;
  uint16_t implicit_[1] = {0};
};

// my_strnncollsp_uca: when one string ends, the other's remaining weights compare to a space's.
int compare_old_uca(const OldUcaTable& t, std::string_view a, std::string_view b) {
  OldUcaScanner sa(t, a), sb(t, b);
  int wa, wb;
  do {
    wa = sa.next();
    wb = sb.next();
  } while (wa == wb && wa > 0);
  if (wa > 0 && wb < 0) {
    for (; wa > 0; wa = sa.next())
      if (wa != t.space_weight) return wa < t.space_weight ? -1 : 1;
    return 0;
  }
  if (wa < 0 && wb > 0) {
    for (; wb > 0; wb = sb.next())
      if (wb != t.space_weight) return t.space_weight < wb ? -1 : 1;
    return 0;
  }
  return sign(wa - wb);
}

uint64_t hash_old_uca(const OldUcaTable& t, std::string_view s) {
  OldUcaScanner sc(t, s);
  Hasher h;
  uint32_t pending_spaces = 0;  // trailing space weights do not count
  for (int w; (w = sc.next()) > 0;) {
    if (w == t.space_weight) {
      ++pending_spaces;
      continue;
    }
    for (; pending_spaces; --pending_spaces) h.add(t.space_weight);
    h.add(static_cast<uint32_t>(w));
  }
  h.add(0x20000);
  return h.finish();
}

int compare_uca400(std::string_view a, std::string_view b, const Collation&) {
  return compare_old_uca(uca400(), a, b);
}
int compare_uca520(std::string_view a, std::string_view b, const Collation&) {
  return compare_old_uca(uca520(), a, b);
}
uint64_t hash_uca400(std::string_view s, const Collation&) { return hash_old_uca(uca400(), s); }
uint64_t hash_uca520(std::string_view s, const Collation&) { return hash_old_uca(uca520(), s); }

// --- UCA 9.0.0 (uca_scanner_900) --------------------------------------------------------------

inline uint32_t uca900_entry(char32_t cp) {
  return k_uca900_blocks[k_uca900_index[cp >> 8]][cp & 0xFF];
}

inline bool is_hangul_syllable(char32_t cp) { return cp >= 0xAC00 && cp <= 0xD7A3; }

// Weights of one level of a string, as uca_scanner_900::next_raw yields them: a code point whose
// first collation element is zero at this level is skipped whole, zero weights inside an expansion
// are skipped; the scan ends at the end of the string or at the first bad byte sequence.
class Uca900Scanner {
 public:
  Uca900Scanner(std::string_view s, int level) : s_(s), level_(level) {}
  int next() {
    while (left_ > 0) {
      --left_;
      uint16_t w = (*ce_++)[level_];
      if (w) return w;
    }
    for (;;) {
      char32_t cp = 0;
      int len = utf8_decode(s_, pos_, cp);
      if (len == 0) return -1;
      pos_ += static_cast<size_t>(len);
      uint32_t e = uca900_entry(cp);
      if (e != 0) {
        ce_ = k_uca900_ces + (e >> 5);
        left_ = e & 31;
        uint16_t first = (*ce_)[level_];
        if (first == 0) continue;
        ++ce_;
        --left_;
        return first;
      }
      load_implicit(cp);
      ce_ = implicit_;
      --left_;
      return (*ce_++)[level_];
    }
  }

 private:
  void load_implicit(char32_t cp) {
    if (is_hangul_syllable(cp)) {  // decomposed into conjoining jamo, each with its own weights
      uint32_t index = cp - 0xAC00;
      char32_t jamo[3] = {0x1100 + index / (21 * 28), 0x1161 + (index % (21 * 28)) / 28,
                          0x11A7 + index % 28};
      left_ = index % 28 ? 3 : 2;
      for (uint32_t i = 0; i < left_; ++i) {
        const uint16_t* ce = k_uca900_ces[uca900_entry(jamo[i]) >> 5];
        std::copy(ce, ce + 3, implicit_[i]);
      }
      return;
    }
    uint32_t base, low;
    if (cp >= 0x17000 && cp <= 0x18AFF) {  // Tangut: @implicitweights of UCA 9.0.0
      base = 0xFB00;
      low = (cp - 0x17000) | 0x8000;
    } else {
      low = (cp & 0x7FFF) | 0x8000;
      base = cp >> 15;
      if ((cp >= 0x3400 && cp <= 0x4DB5) || (cp >= 0x20000 && cp <= 0x2A6D6) ||
          (cp >= 0x2A700 && cp <= 0x2B734) || (cp >= 0x2B740 && cp <= 0x2B81D) ||
          (cp >= 0x2B820 && cp <= 0x2CEA1))
        base += 0xFB80;
      else if ((cp >= 0x4E00 && cp <= 0x9FD5) || (cp >= 0xFA0E && cp <= 0xFA29))
        base += 0xFB40;
      else
        base += 0xFBC0;
    }
    implicit_[0][0] = static_cast<uint16_t>(base);
    implicit_[0][1] = 0x0020;
    implicit_[0][2] = 0x0002;
    implicit_[1][0] = static_cast<uint16_t>(low);
    implicit_[1][1] = 0;
    implicit_[1][2] = 0;
    left_ = 2;
  }

  std::string_view s_;
  int level_;
  size_t pos_ = 0;
  const uint16_t (*ce_)[3] = nullptr;
  uint32_t left_ = 0;
  uint16_t implicit_[3][3] = {};
};

// my_strnncoll_uca_900 (NO PAD): level by level; a string that runs out first is smaller.
int compare_uca900(std::string_view a, std::string_view b, const Collation& c) {
  for (int level = 0; level < c.levels; ++level) {
    Uca900Scanner sa(a, level), sb(b, level);
    for (;;) {
      int wa = sa.next(), wb = sb.next();
      if (wa != wb) return wa < wb ? -1 : 1;
      if (wa < 0) break;
    }
  }
  return 0;
}

uint64_t hash_uca900(std::string_view s, const Collation& c) {
  Hasher h;
  for (int level = 0; level < c.levels; ++level) {
    Uca900Scanner sc(s, level);
    for (int w; (w = sc.next()) >= 0;) h.add(static_cast<uint32_t>(w));
    h.add(0x20000);
  }
  return h.finish();
}

// --- the registry -----------------------------------------------------------------------------

constexpr Collation make(std::string_view name, std::string_view charset, uint16_t id,
                         CollationAlgo algo, CaseTable case_table, uint8_t levels = 1) {
  using A = CollationAlgo;
  bool pad = algo == A::MbBin || algo == A::GeneralCi || algo == A::Uca400 ||
             algo == A::Uca520 || algo == A::Latin1Swedish;
  auto* cmp = algo == A::Binary         ? compare_binary
              : algo == A::MbBin        ? compare_mb_bin
              : algo == A::GeneralCi    ? compare_general_ci
              : algo == A::Uca400       ? compare_uca400
              : algo == A::Uca520       ? compare_uca520
              : algo == A::Uca900       ? compare_uca900
                                        : compare_latin1_swedish;
  auto* hash = algo == A::Binary        ? hash_binary
               : algo == A::MbBin       ? hash_mb_bin
               : algo == A::GeneralCi   ? hash_general_ci
               : algo == A::Uca400      ? hash_uca400
               : algo == A::Uca520      ? hash_uca520
               : algo == A::Uca900      ? hash_uca900
                                        : hash_latin1_swedish;
  return Collation{name, charset, pad, name == "binary", cmp, hash, id, algo, case_table, levels};
}

using A = CollationAlgo;
using C = CaseTable;
const std::array kCollations = {
    make("binary", "binary", 63, A::Binary, C::None),
    make("utf8mb4_0900_ai_ci", "utf8mb4", 255, A::Uca900, C::Unicode900, 1),
    make("utf8mb4_0900_as_ci", "utf8mb4", 305, A::Uca900, C::Unicode900, 2),
    make("utf8mb4_0900_as_cs", "utf8mb4", 278, A::Uca900, C::Unicode900, 3),
    make("utf8mb4_0900_bin", "utf8mb4", 309, A::Binary, C::Unicode900),
    make("utf8mb4_bin", "utf8mb4", 46, A::MbBin, C::Default),
    make("utf8mb4_general_ci", "utf8mb4", 45, A::GeneralCi, C::Default),
    make("utf8mb4_unicode_ci", "utf8mb4", 224, A::Uca400, C::Default),
    make("utf8mb4_unicode_520_ci", "utf8mb4", 246, A::Uca520, C::Unicode520),
    // utf8mb3 holds only BMP characters; its values compare as utf8mb4 ones do.
    make("utf8mb3_bin", "utf8mb3", 83, A::MbBin, C::Default),
    make("utf8mb3_general_ci", "utf8mb3", 33, A::GeneralCi, C::Default),
    make("utf8mb3_unicode_ci", "utf8mb3", 192, A::Uca400, C::Default),
    make("utf8mb3_unicode_520_ci", "utf8mb3", 214, A::Uca520, C::Unicode520),
    make("latin1_bin", "latin1", 47, A::MbBin, C::Latin1),
    make("latin1_swedish_ci", "latin1", 8, A::Latin1Swedish, C::Latin1),
};

bool iequals(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}
}  // namespace

const Collation* find_collation(std::string_view name) {
  char buf[64];
  if (name.size() > 5 && name.size() + 3 < sizeof(buf) && iequals(name.substr(0, 5), "utf8_")) {
    std::memcpy(buf, "utf8mb3_", 8);  // "utf8" is MySQL's alias of utf8mb3
    std::memcpy(buf + 8, name.data() + 5, name.size() - 5);
    name = std::string_view(buf, name.size() + 3);
  }
  for (const auto& c : kCollations)
    if (iequals(c.name, name)) return &c;
  return nullptr;
}

const Collation* find_collation_by_id(uint16_t id) {
  for (const auto& c : kCollations)
    if (c.id == id) return &c;
  return nullptr;
}

const Collation& binary_collation() { return kCollations[0]; }
const Collation& default_collation() {
  static const Collation& general = *find_collation("utf8mb4_general_ci");
  return general;
}

bool like_char_equal(char32_t a, char32_t b, const Collation& c) {
  if (a == b) return true;
  switch (c.algo) {
    case A::Binary:
    case A::MbBin:
      return false;
    case A::Latin1Swedish:
      return a < 256 && b < 256 && k_latin1_swedish_sort[a] == k_latin1_swedish_sort[b];
    case A::GeneralCi:
      return general_weight(a) == general_weight(b);
    case A::Uca400:
    case A::Uca520: {
      // my_uca_charcmp: characters without table weights (implicit, or beyond maxchar) only
      // equal themselves; others when their weight arrays are identical.
      const OldUcaTable& t = c.algo == A::Uca400 ? uca400() : uca520();
      if (a > t.maxchar || b > t.maxchar) return false;
      uint32_t ea = old_uca_entry(t, a), eb = old_uca_entry(t, b);
      if (ea == kImplicit || eb == kImplicit) return false;
      uint32_t na = ea & 31, nb = eb & 31;
      return na == nb && std::equal(t.pool + (ea >> 5), t.pool + (ea >> 5) + na, t.pool + (eb >> 5));
    }
    case A::Uca900: {
      // my_uca_charcmp_900: per level, the non-zero weights of both characters must match.
      uint32_t ea = uca900_entry(a), eb = uca900_entry(b);
      if (ea == 0 || eb == 0) return false;  // implicit weights are unique per code point
      const uint16_t(*ca)[3] = k_uca900_ces + (ea >> 5);
      const uint16_t(*cb)[3] = k_uca900_ces + (eb >> 5);
      uint32_t na = ea & 31, nb = eb & 31;
      for (int level = 0; level < c.levels; ++level) {
        uint32_t i = 0, j = 0;
        for (;;) {
          while (i < na && ca[i][level] == 0) ++i;
          while (j < nb && cb[j][level] == 0) ++j;
          if (i == na || j == nb) break;
          if (ca[i][level] != cb[j][level]) return false;
          ++i;
          ++j;
        }
        if (i != na || j != nb) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace obsync
