// LIKE pattern matching as MySQL 8 does it: % and _ over characters, an escape, the collation's
// per-character equality, and no padding (trailing spaces matter even under PAD SPACE collations).
#pragma once
#include <cstdint>
#include <string_view>

#include "stdlib/collation.hpp"

namespace obsync {

constexpr uint32_t kLikeNoEscape = 0xFFFFFFFF;  // ESCAPE '' : no escape character
constexpr uint32_t kLikeDefaultEscape = '\\';

// text LIKE pattern under the collation. escape_char is a code point for character collations
// and a byte value for binary and latin1 ones. As in MySQL, reading a bad utf8mb4 sequence from
// either string ends in no match (under the _bin collations each bad byte is a character).
bool like_match(std::string_view text, std::string_view pattern, uint32_t escape_char,
                const Collation& collation);

}  // namespace obsync
