// MySQL's numeric conversions: longest-prefix string parsing, my_gcvt double text, rint to integers.
#include "stdlib/number.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace obsync {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Trailing spaces after the number are accepted: MySQL raises at most a Note for them.
bool only_spaces(std::string_view s, size_t from) {
  for (size_t i = from; i < s.size(); ++i)
    if (!is_space(s[i])) return false;
  return true;
}

// my_gcvt's layout for `digits` (significant, no trailing zeros) times 10^(decpt - len).
// It keeps the plain form for 1e-15 <= |x| < 1e15 and for non-integers below 1e16 that need
// all 17 digits (MAX_DECPT_FOR_F_FORMAT = DBL_DIG = 15); the exponent form has no '+' and no
// leading zeros ("1e15", "1.5e-16").
std::string gcvt_layout(bool negative, std::string_view digits, int decpt) {
  int len = int(digits.size());
  constexpr int kMaxDecptForF = 15;
  std::string out;
  if (negative) out += '-';
  if (decpt >= -kMaxDecptForF + 1 && (decpt <= kMaxDecptForF || len > decpt)) {
    if (decpt <= 0) {
      out += "0.";
      out.append(size_t(-decpt), '0');
      out.append(digits);
    } else if (decpt < len) {
      out.append(digits.substr(0, size_t(decpt)));
      out += '.';
      out.append(digits.substr(size_t(decpt)));
    } else {
      out.append(digits);
      out.append(size_t(decpt - len), '0');
    }
    return out;
  }
  out += digits[0];
  if (len > 1) {
    out += '.';
    out.append(digits.substr(1));
  }
  out += 'e';
  out += std::to_string(decpt - 1);
  return out;
}

// Splits printf/to_chars scientific text ("-1.2345e+17") into sign, digits and decpt.
std::string gcvt_from_scientific(std::string_view sci) {
  bool negative = !sci.empty() && sci[0] == '-';
  if (negative) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (is_digit(c)) digits += c;
  int exponent = 0;
  std::string_view exp = sci.substr(e + 1);
  if (!exp.empty() && exp[0] == '+') exp.remove_prefix(1);
  std::from_chars(exp.data(), exp.data() + exp.size(), exponent);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  return gcvt_layout(negative, digits, exponent + 1);
}

}  // namespace

StringToDouble string_to_double(std::string_view s) {
  StringToDouble out;
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  std::string text = negative ? "-" : "";
  size_t digits = 0;
  int64_t first_nonzero = -1, int_digits = 0;  // to tell overflow from underflow
  for (; i < s.size() && is_digit(s[i]); ++i, ++digits, ++int_digits) {
    if (first_nonzero < 0 && s[i] != '0') first_nonzero = int_digits;
    text += s[i];
  }
  int64_t frac_index = 0;
  if (i < s.size() && s[i] == '.') {
    text += '.';
    for (++i; i < s.size() && is_digit(s[i]); ++i, ++digits, ++frac_index) {
      if (first_nonzero < 0 && s[i] != '0') first_nonzero = int_digits + frac_index;
      text += s[i];
    }
  }
  if (digits == 0) return out;  // "", "abc", ".", "-": no number, 0
  int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    bool exp_negative = false;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) exp_negative = s[j++] == '-';
    if (j < s.size() && is_digit(s[j])) {
      for (; j < s.size() && is_digit(s[j]); ++j)
        if (exponent < 100000000) exponent = exponent * 10 + (s[j] - '0');
      if (exp_negative) exponent = -exponent;
      text += 'e';
      text += std::to_string(exponent);
      i = j;
    }
  }
  out.complete = only_spaces(s, i);
  double v = 0;
  auto res = std::from_chars(text.data(), text.data() + text.size(), v);
  if (res.ec == std::errc::result_out_of_range) {
    // my_strtod saturates to DBL_MAX on overflow and gives 0 on underflow.
    bool overflow = first_nonzero >= 0 && int_digits - first_nonzero + exponent > 0;
    v = overflow ? std::numeric_limits<double>::max() : 0.0;
    if (negative) v = -v;
  }
  out.value = v;
  return out;
}

StringToInt string_to_int(std::string_view s) {
  StringToInt out;
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i >= s.size() || !is_digit(s[i])) return out;
  // my_strtoll10 reads only the integer prefix: '12.7' -> 12, '1e3' -> 1.
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t mag = 0;
  bool too_big = false;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    unsigned d = unsigned(s[i] - '0');
    if (mag > (kMax - d) / 10) too_big = true;
    if (!too_big) mag = mag * 10 + d;
  }
  out.complete = only_spaces(s, i);
  constexpr uint64_t kMinMagnitude = uint64_t(1) << 63;
  if (negative) {
    if (too_big || mag > kMinMagnitude) {
      out.value = std::numeric_limits<int64_t>::min();
      out.overflow = true;
    } else {
      out.value = int64_t(uint64_t(0) - mag);
    }
    return out;
  }
  if (too_big) {
    mag = kMax;
    out.overflow = true;
  }
  out.is_unsigned = mag > uint64_t(std::numeric_limits<int64_t>::max());
  out.value = int64_t(mag);  // the unsigned bit pattern; CAST AS SIGNED shows it as negative
  return out;
}

Decimal string_to_decimal(std::string_view s, bool* complete) {
  Decimal::ParseResult p = Decimal::parse(s);
  if (complete) *complete = p.consumed > 0 && !p.overflow && only_spaces(s, p.consumed);
  return p.value;
}

std::string double_to_string(double v) {
  if (std::isnan(v) || std::isinf(v)) return "0";  // my_gcvt's DTOA_OVERFLOW answer
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  return gcvt_from_scientific(std::string_view(buf, size_t(res.ptr - buf)));
}

std::string float_to_string(float v) {
  if (std::isnan(v) || std::isinf(v)) return "0";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Field_float asks dtoa for at most FLT_DIG (6) digits, correctly rounded (ties to even).
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%.5e", double(v));
  return gcvt_from_scientific(std::string_view(buf, size_t(n)));
}

int64_t double_to_int64(double v, bool* overflow) {
  bool over = false;
  int64_t r = 0;
  // MySQL rounds DOUBLE to integers with rint(): ties go to even (CAST(2.5e0 AS SIGNED) = 2).
  double x = std::rint(v);
  if (std::isnan(x)) {
    over = true;
  } else if (x >= 9223372036854775808.0) {
    r = std::numeric_limits<int64_t>::max();
    over = true;
  } else if (x < -9223372036854775808.0) {
    r = std::numeric_limits<int64_t>::min();
    over = true;
  } else {
    r = int64_t(x);
  }
  if (overflow) *overflow = over;
  return r;
}

uint64_t double_to_uint64(double v, bool* overflow) {
  bool over = false;
  uint64_t r = 0;
  double x = std::rint(v);
  if (std::isnan(x) || x < 0) {
    over = true;
  } else if (x >= 18446744073709551616.0) {
    r = std::numeric_limits<uint64_t>::max();
    over = true;
  } else {
    r = uint64_t(x);
  }
  if (overflow) *overflow = over;
  return r;
}

}  // namespace obsync
