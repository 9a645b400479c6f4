// Collation registry (placeholder comparison until the collation tables land).
#include "stdlib/collation.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace obsync {

static int compare_bytes(std::string_view a, std::string_view b, const Collation&) {
  int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

static const std::array kCollations = {
    Collation{"binary", "binary", false, true, compare_bytes},
    Collation{"utf8mb4_0900_ai_ci", "utf8mb4", false, false, compare_bytes},
    Collation{"utf8mb4_bin", "utf8mb4", true, false, compare_bytes},
    Collation{"utf8mb4_general_ci", "utf8mb4", true, false, compare_bytes},
};

const Collation* find_collation(std::string_view name) {
  for (const auto& c : kCollations)
    if (c.name.size() == name.size() &&
        std::equal(name.begin(), name.end(), c.name.begin(),
                   [](char x, char y) { return std::tolower(x) == std::tolower(y); }))
      return &c;
  return nullptr;
}
const Collation& binary_collation() { return kCollations[0]; }
const Collation& default_collation() { return kCollations[1]; }

}  // namespace obsync
