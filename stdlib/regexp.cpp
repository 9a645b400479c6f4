// REGEXP through ICU's uregex, as MySQL 8's Regexp_engine (sql/regexp/regexp_engine.cc) does.
#include "stdlib/regexp.hpp"

#include <unicode/uregex.h>
#include <unicode/ustring.h>

#include <memory>
#include <unordered_map>

namespace obsync {
namespace {

// MySQL 8's defaults for regexp_stack_limit (bytes) and regexp_time_limit (match steps).
constexpr int32_t kStackLimit = 8000000;
constexpr int32_t kTimeLimit = 32;

bool case_insensitive(const Collation& c) {
  return !c.is_binary && !c.name.ends_with("_bin") && !c.name.ends_with("_cs");
}

// The text as UTF-16; utf8 sequences that do not decode become '?', as MySQL's conversion does.
// Binary and latin1 strings map each byte to one character.
std::u16string to_utf16(std::string_view s, const Collation& c) {
  std::u16string out;
  if (c.is_binary || c.charset == "latin1") {
    out.reserve(s.size());
    for (unsigned char b : s) out.push_back(static_cast<char16_t>(b));
    return out;
  }
  out.resize(s.size() + 1);
  int32_t length = 0;
  int32_t substitutions = 0;
  UErrorCode status = U_ZERO_ERROR;
  u_strFromUTF8WithSub(reinterpret_cast<UChar*>(out.data()), static_cast<int32_t>(out.size()), &length, s.data(),
                       static_cast<int32_t>(s.size()), u'?', &substitutions, &status);
  out.resize(U_SUCCESS(status) ? static_cast<size_t>(length) : 0);
  return out;
}

struct RegexCloser {
  void operator()(URegularExpression* re) const { uregex_close(re); }
};
using RegexPtr = std::unique_ptr<URegularExpression, RegexCloser>;

// The message MySQL gives for ICU's error (sql/regexp/errors.cc), by its error number.
RegexpError icu_error(UErrorCode status) {
  switch (status) {
    case U_REGEX_TIME_OUT: return {3699, "Timeout exceeded in regular expression match."};
    case U_REGEX_STACK_OVERFLOW: return {3698, "Overflow in the regular expression backtrack stack."};
    case U_REGEX_MISMATCHED_PAREN: return {3691, "Mismatched parenthesis in regular expression."};
    case U_REGEX_MISSING_CLOSE_BRACKET: return {3696, "The regular expression contains an unclosed bracket expression."};
    case U_REGEX_BAD_INTERVAL: return {3692, "Incorrect description of a {min,max} interval."};
    case U_REGEX_MAX_LT_MIN: return {3693, "The maximum is less than the minimum in a {min,max} interval."};
    case U_REGEX_RULE_SYNTAX: return {3688, "Syntax error in regular expression."};
    case U_REGEX_BAD_ESCAPE_SEQUENCE: return {3689, "Unrecognized escape sequence in regular expression."};
    default: return {3685, "Illegal argument to a regular expression."};
  }
}

// Compiled patterns, reused across rows (the pattern is nearly always a constant).
URegularExpression* compiled(std::string_view pattern, const Collation& c, RegexpError& error) {
  thread_local std::unordered_map<std::string, RegexPtr> cache;
  bool icase = case_insensitive(c);
  std::string key;
  key.reserve(pattern.size() + 1);
  key.push_back(icase ? 'i' : (c.is_binary || c.charset == "latin1") ? 'b' : 'c');
  key.append(pattern);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second.get();
  std::u16string text = to_utf16(pattern, c);
  UParseError parse{};
  UErrorCode status = U_ZERO_ERROR;
  RegexPtr re(uregex_open(reinterpret_cast<const UChar*>(text.data()), static_cast<int32_t>(text.size()),
                          icase ? UREGEX_CASE_INSENSITIVE : 0, &parse, &status));
  if (U_SUCCESS(status)) uregex_setStackLimit(re.get(), kStackLimit, &status);
  if (U_SUCCESS(status)) uregex_setTimeLimit(re.get(), kTimeLimit, &status);
  if (U_FAILURE(status)) {
    error = icu_error(status);
    return nullptr;
  }
  if (cache.size() > 256) cache.clear();
  return cache.emplace(std::move(key), std::move(re)).first->second.get();
}

}  // namespace

std::optional<bool> regexp_like(std::string_view subject, std::string_view pattern, const Collation& collation,
                                RegexpError& error) {
  URegularExpression* re = compiled(pattern, collation, error);
  if (!re) return std::nullopt;
  std::u16string text = to_utf16(subject, collation);
  UErrorCode status = U_ZERO_ERROR;
  uregex_setText(re, reinterpret_cast<const UChar*>(text.data()), static_cast<int32_t>(text.size()), &status);
  bool found = U_SUCCESS(status) && uregex_find(re, 0, &status);
  // The matcher must not keep pointing at `text` after it is freed.
  UErrorCode reset = U_ZERO_ERROR;
  uregex_setText(re, u"", 0, &reset);
  if (U_FAILURE(status)) {
    error = icu_error(status);
    return std::nullopt;
  }
  return found;
}

}  // namespace obsync
