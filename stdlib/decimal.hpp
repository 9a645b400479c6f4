// Exact DECIMAL arithmetic with MySQL's precision, scale and rounding rules (up to 65 digits).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace obsync {

class Decimal {
 public:
  static constexpr int kMaxPrecision = 65;
  static constexpr int kMaxScale = 30;
  static constexpr int kDivPrecisionIncrement = 4;  // MySQL's default div_precision_increment

  Decimal() = default;  // 0 with scale 0
  static Decimal from_int(int64_t v);
  static Decimal from_uint(uint64_t v);
  // A double as MySQL converts it to DECIMAL (shortest round-trip digits); nullopt for inf/nan.
  static std::optional<Decimal> from_double(double v);

  // Parses a decimal number ("-12.340", "1e3", "  .5"). `consumed` says how many bytes formed
  // the number (MySQL reads the longest numeric prefix; the caller decides whether to warn).
  struct ParseResult;
  static ParseResult parse(std::string_view text);

  bool is_negative() const { return negative_; }
  bool is_zero() const;
  int scale() const { return scale_; }
  int precision() const;  // digits in the integer part + scale (at least 1)
  int integer_digits() const;

  // MySQL text form with exactly scale() digits after the point: "-0.50", "12".
  std::string to_string() const;
  double to_double() const;
  // Rounds half away from zero to an integer; nullopt when out of range.
  std::optional<int64_t> to_int64() const;
  std::optional<uint64_t> to_uint64() const;

  enum class Rounding { HalfUp, Truncate, Ceiling, Floor };
  Decimal round(int scale, Rounding mode = Rounding::HalfUp) const;  // scale may be negative
  Decimal with_scale(int scale) const;  // round half up or pad with zeros to exactly `scale`

  // Results carry MySQL's scales: + - : max(s1,s2); * : s1+s2 (capped at 30);
  // / : s1 + div_precision_increment (capped at 30). nullopt on division by zero.
  // Overflow beyond 65 digits is reported through `overflow`.
  // `keep_words`: return the quotient as MySQL's decimal_div leaves it (whole 9-digit words,
  // truncated, at most 30 digits kept), not yet rounded to the result scale: 1/3 is
  // 0.333333333 inside an expression (CAST(1/3 AS DECIMAL(65,30))) and prints as 0.3333.
  Decimal add(const Decimal& o) const;
  Decimal sub(const Decimal& o) const;
  Decimal mul(const Decimal& o) const;
  std::optional<Decimal> div(const Decimal& o, int increment = kDivPrecisionIncrement,
                             bool keep_words = false) const;
  std::optional<Decimal> mod(const Decimal& o) const;
  Decimal negate() const;
  Decimal abs() const;
  bool overflow() const { return overflow_; }

  int compare(const Decimal& o) const;  // -1, 0, 1; ignores scale (1.0 == 1)
  bool operator==(const Decimal& o) const { return compare(o) == 0; }

 private:
  // Magnitude as base-10^9 limbs, least significant first; value = limbs / 10^scale_.
  static constexpr int kLimbs = 12;  // 108 digits: room for a 65x65-digit product before rounding
  std::array<uint32_t, kLimbs> limbs_{};
  int16_t scale_ = 0;
  bool negative_ = false;
  bool overflow_ = false;

  friend struct DecimalImpl;  // decimal.cpp's wide-integer helpers build results directly
};

struct Decimal::ParseResult {
  Decimal value;
  size_t consumed = 0;     // 0: no number at the start of the text
  bool overflow = false;   // more than 65 integer digits: value is the largest DECIMAL
  bool truncated = false;  // more than 30 fractional digits were rounded away
};

}  // namespace obsync
