// Collations: how strings compare, by name (utf8mb4_bin, utf8mb4_general_ci, utf8mb4_0900_ai_ci, binary…).
#pragma once
#include <string_view>

namespace obsync {

struct Collation {
  std::string_view name;     // "utf8mb4_general_ci"
  std::string_view charset;  // "utf8mb4", "binary"
  bool pad_space;            // PAD SPACE: trailing spaces ignored in comparison
  bool is_binary;            // the binary pseudo-collation (byte strings)
  // Three-way comparison under this collation.
  int (*compare)(std::string_view a, std::string_view b, const Collation& self);
};

// nullptr when the collation is not supported.
const Collation* find_collation(std::string_view name);
const Collation& binary_collation();
const Collation& default_collation();  // utf8mb4_0900_ai_ci, as in MySQL 8 / OceanBase 4

}  // namespace obsync
