// Collations: how strings compare, by name (utf8mb4_bin, utf8mb4_general_ci, utf8mb4_0900_ai_ci, binary…).
#pragma once
#include <cstdint>
#include <string_view>

#include "stdlib/charset.hpp"

namespace obsync {

// The comparison family; each is one MySQL strnncollsp implementation.
enum class CollationAlgo : uint8_t {
  Binary,         // the binary pseudo-collation and utf8mb4_0900_bin: memcmp, then length
  MbBin,          // utf8mb4_bin / utf8mb3_bin / latin1_bin: bytes, trailing spaces ignored
  GeneralCi,      // utf8mb4_general_ci: one 16-bit weight per BMP code point
  Uca400,         // utf8mb4_unicode_ci: UCA 4.0.0 primary weights, PAD SPACE
  Uca520,         // utf8mb4_unicode_520_ci: UCA 5.2.0 primary weights, PAD SPACE
  Uca900,         // utf8mb4_0900_ai_ci / _as_ci / _as_cs: DUCET 9.0.0, NO PAD
  Latin1Swedish,  // latin1_swedish_ci: byte sort table, PAD SPACE
};

struct Collation {
  std::string_view name;     // "utf8mb4_general_ci"
  std::string_view charset;  // "utf8mb4", "utf8mb3", "latin1", "binary"
  bool pad_space;            // PAD SPACE: trailing spaces ignored in comparison
  bool is_binary;            // the binary pseudo-collation (byte strings)
  // Three-way comparison under this collation: -1, 0 or 1.
  int (*compare)(std::string_view a, std::string_view b, const Collation& self);
  // Hash consistent with compare: compare(a, b) == 0 implies hash(a) == hash(b). Stable across
  // runs and builds (it may be used to place rows, e.g. SHARD BY).
  uint64_t (*hash)(std::string_view s, const Collation& self);
  uint16_t id;           // MySQL's collation id (as in binlog column metadata)
  CollationAlgo algo;
  CaseTable case_table;  // table used by UPPER()/LOWER()
  uint8_t levels;        // Uca900: levels compared (1 ai_ci, 2 as_ci, 3 as_cs); else 1
};

// nullptr when the collation is not supported. Case-insensitive; "utf8_…" means "utf8mb3_…".
const Collation* find_collation(std::string_view name);
// nullptr when the id is not supported.
const Collation* find_collation_by_id(uint16_t id);
const Collation& binary_collation();
// utf8mb4_general_ci: the collation of string literals and of columns without one. OceanBase
// MySQL mode (and its Binlog Service) default to it, unlike MySQL 8's utf8mb4_0900_ai_ci.
const Collation& default_collation();

// Whether two single characters are equal under the collation as LIKE compares them (MySQL's
// per-character my_uca_charcmp / my_tosort_unicode), which differs from string equality: under
// utf8mb4_0900_ai_ci 'ß' is not one character equal to "ss".
bool like_char_equal(char32_t a, char32_t b, const Collation& c);

}  // namespace obsync
