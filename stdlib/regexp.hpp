// REGEXP as MySQL 8 evaluates it: ICU regular expressions over UTF-16, case-insensitive under
// case-insensitive collations, with MySQL's default stack and time limits.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "stdlib/collation.hpp"

namespace obsync {

struct RegexpError {
  int code = 0;         // MySQL's error number (3685 ER_REGEXP_ILLEGAL_ARGUMENT, …)
  std::string message;  // MySQL's message
};

// Whether `pattern` matches anywhere in `subject` (both in the collation's character set);
// nullopt with `error` for a bad pattern or an exceeded match limit.
std::optional<bool> regexp_like(std::string_view subject, std::string_view pattern, const Collation& collation,
                                RegexpError& error);

}  // namespace obsync
