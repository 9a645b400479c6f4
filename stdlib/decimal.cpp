// Exact DECIMAL arithmetic: base-10^9 magnitudes with MySQL 8's result scales and rounding.
#include "stdlib/decimal.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <limits>

namespace obsync {

namespace {

constexpr uint32_t kBase = 1000000000;
constexpr int kDigitsPerLimb = 9;
constexpr uint32_t kPow10[10] = {1,      10,      100,      1000,      10000,
                                 100000, 1000000, 10000000, 100000000, 1000000000};

// Intermediate magnitudes are wider than a stored Decimal: a 65x65-digit product has 130 digits
// and a dividend is scaled by up to ~110 digits before the long division.
constexpr int kWideLimbs = 32;

struct Wide {
  std::array<uint32_t, kWideLimbs> l{};
  int n = 0;  // limbs in use; l[n-1] != 0 unless n == 0

  bool is_zero() const { return n == 0; }
  void trim() {
    while (n > 0 && l[n - 1] == 0) --n;
  }
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int compare(const Wide& a, const Wide& b) {
  if (a.n != b.n) return a.n < b.n ? -1 : 1;
  for (int i = a.n - 1; i >= 0; --i)
    if (a.l[i] != b.l[i]) return a.l[i] < b.l[i] ? -1 : 1;
  return 0;
}

Wide add(const Wide& a, const Wide& b) {
  Wide r;
  uint32_t carry = 0;
  int n = std::max(a.n, b.n);
  for (int i = 0; i < n; ++i) {
    uint32_t s = (i < a.n ? a.l[i] : 0) + (i < b.n ? b.l[i] : 0) + carry;
    carry = s >= kBase;
    r.l[i] = carry ? s - kBase : s;
  }
  r.n = n;
  if (carry && n < kWideLimbs) r.l[r.n++] = 1;
  return r;
}

Wide sub(const Wide& a, const Wide& b) {  // requires a >= b
  Wide r;
  int64_t borrow = 0;
  for (int i = 0; i < a.n; ++i) {
    int64_t d = int64_t(a.l[i]) - (i < b.n ? b.l[i] : 0) - borrow;
    borrow = d < 0;
    r.l[i] = uint32_t(borrow ? d + kBase : d);
  }
  r.n = a.n;
  r.trim();
  return r;
}

void mul_small(Wide& a, uint32_t m) {  // m <= kBase
  uint64_t carry = 0;
  for (int i = 0; i < a.n; ++i) {
    uint64_t p = uint64_t(a.l[i]) * m + carry;
    a.l[i] = uint32_t(p % kBase);
    carry = p / kBase;
  }
  while (carry && a.n < kWideLimbs) {
    a.l[a.n++] = uint32_t(carry % kBase);
    carry /= kBase;
  }
  a.trim();
}

void add_small(Wide& a, uint32_t v) {
  for (int i = 0; v != 0; ++i) {
    if (i == a.n) {
      if (a.n == kWideLimbs) return;
      a.l[a.n++] = 0;
    }
    uint32_t s = a.l[i] + v;
    v = s >= kBase;
    a.l[i] = v ? s - kBase : s;
  }
}

uint32_t div_small(Wide& a, uint32_t d) {  // returns the remainder
  uint64_t rem = 0;
  for (int i = a.n - 1; i >= 0; --i) {
    uint64_t cur = rem * kBase + a.l[i];
    a.l[i] = uint32_t(cur / d);
    rem = cur % d;
  }
  a.trim();
  return uint32_t(rem);
}

Wide mul(const Wide& a, const Wide& b) {
  Wide r;
  if (a.is_zero() || b.is_zero()) return r;
  std::array<uint64_t, 2 * kWideLimbs> acc{};
  for (int i = 0; i < a.n; ++i) {
    uint64_t carry = 0;
    for (int j = 0; j < b.n && i + j < 2 * kWideLimbs; ++j) {
      uint64_t cur = acc[i + j] + uint64_t(a.l[i]) * b.l[j] + carry;
      acc[i + j] = cur % kBase;
      carry = cur / kBase;
    }
    for (int k = i + b.n; carry && k < 2 * kWideLimbs; ++k) {
      uint64_t cur = acc[k] + carry;
      acc[k] = cur % kBase;
      carry = cur / kBase;
    }
  }
  r.n = std::min(a.n + b.n, kWideLimbs);  // callers keep products far below the capacity
  for (int i = 0; i < r.n; ++i) r.l[i] = uint32_t(acc[i]);
  r.trim();
  return r;
}

Wide pow10(int k) {
  Wide r;
  int limb = k / kDigitsPerLimb;
  if (limb >= kWideLimbs) limb = kWideLimbs - 1;
  r.l[limb] = kPow10[k % kDigitsPerLimb];
  r.n = limb + 1;
  return r;
}

void mul_pow10(Wide& a, int k) {
  if (a.is_zero() || k <= 0) return;
  int shift = k / kDigitsPerLimb;
  if (shift) {
    int n = std::min(a.n + shift, kWideLimbs);
    for (int i = n - 1; i >= 0; --i) a.l[i] = i >= shift ? a.l[i - shift] : 0;
    a.n = n;
  }
  if (k % kDigitsPerLimb) mul_small(a, kPow10[k % kDigitsPerLimb]);
}

// Knuth's algorithm D in base 10^9: q = a / b, r = a % b (b != 0).
void divmod(const Wide& a, const Wide& b, Wide* q, Wide* r) {
  Wide quot, rem;
  if (compare(a, b) < 0) {
    if (q) *q = quot;
    if (r) *r = a;
    return;
  }
  if (b.n == 1) {
    quot = a;
    uint32_t m = div_small(quot, b.l[0]);
    if (m) {
      rem.l[0] = m;
      rem.n = 1;
    }
    if (q) *q = quot;
    if (r) *r = rem;
    return;
  }
  // Normalize so the divisor's top limb is at least kBase/2; the guess is then off by at most 2.
  uint32_t norm = uint32_t(kBase / (uint64_t(b.l[b.n - 1]) + 1));
  Wide u = a, v = b;
  u.l[u.n] = 0;  // one extra limb for the normalization carry (capacity leaves room)
  mul_small(u, norm);
  mul_small(v, norm);
  int n = v.n, m = a.n - b.n;
  std::array<uint32_t, kWideLimbs + 1> un{};
  for (int i = 0; i < u.n; ++i) un[i] = u.l[i];
  const uint64_t vtop = v.l[n - 1], vnext = v.l[n - 2];
  for (int j = m; j >= 0; --j) {
    uint64_t num = uint64_t(un[j + n]) * kBase + un[j + n - 1];
    uint64_t qhat = num / vtop, rhat = num % vtop;
    // Knuth's test, skipped once rhat reaches the base (the product check could overflow).
    while (qhat >= kBase || (rhat < kBase && qhat * vnext > rhat * kBase + un[j + n - 2])) {
      --qhat;
      rhat += vtop;
    }
    // Multiply and subtract qhat * v from un[j .. j+n].
    int64_t borrow = 0;
    uint64_t carry = 0;
    for (int i = 0; i < n; ++i) {
      uint64_t p = qhat * v.l[i] + carry;
      carry = p / kBase;
      int64_t t = int64_t(un[i + j]) - int64_t(p % kBase) - borrow;
      borrow = t < 0;
      un[i + j] = uint32_t(borrow ? t + kBase : t);
    }
    int64_t t = int64_t(un[j + n]) - int64_t(carry) - borrow;
    borrow = t < 0;
    un[j + n] = uint32_t(borrow ? t + kBase : t);
    if (borrow) {  // qhat was one too large: add v back
      --qhat;
      uint32_t c = 0;
      for (int i = 0; i < n; ++i) {
        uint32_t s = un[i + j] + v.l[i] + c;
        c = s >= kBase;
        un[i + j] = c ? s - kBase : s;
      }
      un[j + n] = (un[j + n] + c) % kBase;
    }
    quot.l[j] = uint32_t(qhat);
  }
  quot.n = m + 1;
  quot.trim();
  if (q) *q = quot;
  if (r) {
    for (int i = 0; i < n; ++i) rem.l[i] = un[i];
    rem.n = n;
    rem.trim();
    div_small(rem, norm);
    *r = rem;
  }
}

int num_digits(const Wide& a) {
  if (a.is_zero()) return 0;
  int d = (a.n - 1) * kDigitsPerLimb;
  for (uint32_t top = a.l[a.n - 1]; top; top /= 10) ++d;
  return d;
}

Wide from_digits(std::string_view digits) {  // decimal digit characters, most significant first
  Wide r;
  for (size_t end = digits.size(); end > 0 && r.n < kWideLimbs;) {
    size_t begin = end >= kDigitsPerLimb ? end - kDigitsPerLimb : 0;
    uint32_t v = 0;
    for (size_t i = begin; i < end; ++i) v = v * 10 + uint32_t(digits[i] - '0');
    r.l[r.n++] = v;
    end = begin;
  }
  r.trim();
  return r;
}

std::string to_digits(const Wide& a) {
  if (a.is_zero()) return "0";
  std::string s = std::to_string(a.l[a.n - 1]);
  char buf[16];
  for (int i = a.n - 2; i >= 0; --i) {
    std::snprintf(buf, sizeof buf, "%09u", a.l[i]);
    s += buf;
  }
  return s;
}

// Drops the `drop` least significant digits of `x`, rounding by `mode`; `negative` is the sign of
// the value so that Ceiling/Floor round toward the right infinity.
Wide drop_digits(const Wide& x, int drop, Decimal::Rounding mode, bool negative) {
  if (drop <= 0) return x;
  Wide q, r;
  bool half = false;
  if (drop > num_digits(x)) {
    r = x;  // everything is dropped and the first dropped digit is a leading zero
  } else {
    divmod(x, pow10(drop), &q, &r);
    Wide h = pow10(drop - 1);
    mul_small(h, 5);
    half = compare(r, h) >= 0;
  }
  bool inc = false;
  switch (mode) {
    case Decimal::Rounding::HalfUp: inc = half; break;
    case Decimal::Rounding::Truncate: break;
    case Decimal::Rounding::Ceiling: inc = !r.is_zero() && !negative; break;
    case Decimal::Rounding::Floor: inc = !r.is_zero() && negative; break;
  }
  if (inc) add_small(q, 1);
  return q;
}

// MySQL keeps decimals in 9-digit words aligned at the decimal point (DIG_PER_DEC1).
int words(int digits) { return (digits + kDigitsPerLimb - 1) / kDigitsPerLimb; }
int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

struct DecimalImpl {
  static Wide wide(const Decimal& d) {
    Wide w;
    for (int i = 0; i < Decimal::kLimbs; ++i) w.l[i] = d.limbs_[i];
    w.n = Decimal::kLimbs;
    w.trim();
    return w;
  }

  // Builds a result. Like MySQL's my_decimal (9 words of 9 digits), a result may exceed 65
  // digits (65 nines + 1 is 1 followed by 65 zeros); fraction words that do not fit are
  // truncated, and an integer part beyond 81 digits saturates to 99…9 with `overflow` set.
  static Decimal make(Wide w, int scale, bool negative, bool overflow = false) {
    constexpr int kMySqlWords = 9;
    int int_words = words(std::max(0, num_digits(w) - scale));
    if (!overflow && int_words <= kMySqlWords && int_words + words(scale) > kMySqlWords) {
      int keep = (kMySqlWords - int_words) * kDigitsPerLimb;
      w = drop_digits(w, scale - keep, Decimal::Rounding::Truncate, negative);
      scale = keep;
    }
    Decimal d;
    d.scale_ = int16_t(scale);
    if (overflow || int_words > kMySqlWords) {
      Wide max = pow10(Decimal::kMaxPrecision);
      max = sub(max, pow10(0));
      for (int i = 0; i < Decimal::kLimbs; ++i) d.limbs_[i] = max.l[i];
      d.negative_ = negative;
      d.overflow_ = true;
      return d;
    }
    for (int i = 0; i < Decimal::kLimbs && i < w.n; ++i) d.limbs_[i] = w.l[i];
    d.negative_ = negative && !w.is_zero();
    return d;
  }

  static Wide rescaled(const Decimal& d, int scale) {
    Wide w = wide(d);
    mul_pow10(w, scale - d.scale_);
    return w;
  }

  // Position of the most significant digit relative to the point: 123.4 -> 3, 0.0012 -> -2.
  static int msd_position(const Wide& w, int scale) { return num_digits(w) - scale; }

  // The first non-zero 9-digit word of the value, with words aligned at the decimal point.
  static uint32_t first_word(const Wide& w, int scale) {
    int pos = msd_position(w, scale);
    int j = floor_div(pos - 1, kDigitsPerLimb);  // word index; negative for fraction words
    int shift = -kDigitsPerLimb * j - scale;     // value * 10^shift, truncated
    Wide x = w;
    if (shift >= 0) {
      mul_pow10(x, shift);
    } else {
      Wide q;
      divmod(x, pow10(-shift), &q, nullptr);
      x = q;
    }
    return x.is_zero() ? 0 : x.l[0];
  }
};

Decimal Decimal::from_int(int64_t v) {
  Decimal d = from_uint(v < 0 ? uint64_t(0) - uint64_t(v) : uint64_t(v));
  d.negative_ = v < 0;
  return d;
}

Decimal Decimal::from_uint(uint64_t v) {
  Decimal d;
  for (int i = 0; v != 0; ++i) {
    d.limbs_[i] = uint32_t(v % kBase);
    v /= kBase;
  }
  return d;
}

std::optional<Decimal> Decimal::from_double(double v) {
  if (!(v == v) || v == std::numeric_limits<double>::infinity() ||
      v == -std::numeric_limits<double>::infinity())
    return std::nullopt;
  // MySQL prints the double with the shortest round-trip digits (my_gcvt) and parses that text.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  ParseResult p = parse(std::string_view(buf, size_t(res.ptr - buf)));
  p.value.overflow_ = p.overflow;
  return p.value;
}

Decimal::ParseResult Decimal::parse(std::string_view text) {
  ParseResult out;
  size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  size_t int_begin = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  std::string_view int_part = text.substr(int_begin, i - int_begin);
  std::string_view frac_part;
  if (i < text.size() && text[i] == '.') {
    size_t frac_begin = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    frac_part = text.substr(frac_begin, i - frac_begin);
  }
  if (int_part.empty() && frac_part.empty()) return out;  // no digits: not a number
  out.consumed = i;
  // An exponent counts only when digits follow it ("1e" reads as 1).
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    bool exp_negative = false;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) exp_negative = text[j++] == '-';
    if (j < text.size() && text[j] >= '0' && text[j] <= '9') {
      for (; j < text.size() && text[j] >= '0' && text[j] <= '9'; ++j)
        if (exponent < 1000000) exponent = exponent * 10 + (text[j] - '0');
      if (exp_negative) exponent = -exponent;
      out.consumed = i = j;
    }
  }

  // All digits with the point after `point` of them; leading zeros do not count.
  std::string digits;
  digits.reserve(int_part.size() + frac_part.size());
  digits.append(int_part);
  digits.append(frac_part);
  int64_t point = int64_t(int_part.size()) + exponent;
  int64_t scale = std::max<int64_t>(0, int64_t(frac_part.size()) - exponent);
  size_t lead = digits.find_first_not_of('0');
  if (lead == std::string::npos) {
    out.value = DecimalImpl::make(Wide{}, int(std::min<int64_t>(scale, kMaxScale)), false);
    out.truncated = scale > kMaxScale;
    return out;
  }
  digits.erase(0, lead);
  point -= int64_t(lead);
  int64_t int_digits = std::max<int64_t>(point, 0);
  if (int_digits > kMaxPrecision) {
    out.overflow = true;
    out.value = DecimalImpl::make(Wide{}, 0, negative, true);
    return out;
  }
  int64_t target = std::min<int64_t>({scale, kMaxScale, kMaxPrecision - int_digits});
  bool round_up = false;
  if (target < scale) {
    out.truncated = true;
    int64_t keep = point + target;  // digits kept; the next one decides the rounding
    if (keep < 0) {
      digits.clear();
    } else {
      round_up = size_t(keep) < digits.size() && digits[size_t(keep)] >= '5';
      digits.resize(size_t(keep));
    }
    scale = target;
  } else if (int64_t(digits.size()) < point + scale) {
    digits.append(size_t(point + scale) - digits.size(), '0');  // "12e3": pad to the point
  }
  Wide w = from_digits(digits);
  if (round_up) add_small(w, 1);
  // A literal has at most 65 digits (results may grow beyond, see make()).
  out.value = DecimalImpl::make(w, int(scale), negative, num_digits(w) - int(scale) > kMaxPrecision);
  out.overflow = out.value.overflow_;
  return out;
}

bool Decimal::is_zero() const {
  for (uint32_t l : limbs_)
    if (l) return false;
  return true;
}

int Decimal::integer_digits() const {
  return std::max(0, num_digits(DecimalImpl::wide(*this)) - scale_);
}

int Decimal::precision() const { return std::max(1, integer_digits() + scale_); }

std::string Decimal::to_string() const {
  Wide w = DecimalImpl::wide(*this);
  std::string digits = to_digits(w);
  if (int(digits.size()) <= scale_) digits.insert(0, size_t(scale_ + 1) - digits.size(), '0');
  std::string out;
  if (negative_ && !w.is_zero()) out += '-';
  out.append(digits, 0, digits.size() - size_t(scale_));
  if (scale_ > 0) {
    out += '.';
    out.append(digits, digits.size() - size_t(scale_), std::string::npos);
  }
  return out;
}

double Decimal::to_double() const {
  // MySQL converts through the text form with a correctly rounded strtod.
  std::string s = to_string();
  double v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::optional<int64_t> Decimal::to_int64() const {
  Decimal r = round(0);
  Wide w = DecimalImpl::wide(r);
  if (w.n > 3) return std::nullopt;
  unsigned __int128 v = 0;
  for (int i = w.n - 1; i >= 0; --i) v = v * kBase + w.l[i];
  if (!r.negative_ && v <= uint64_t(std::numeric_limits<int64_t>::max())) return int64_t(v);
  if (r.negative_ && v <= uint64_t(1) << 63) return int64_t(uint64_t(0) - uint64_t(v));
  return std::nullopt;
}

std::optional<uint64_t> Decimal::to_uint64() const {
  Decimal r = round(0);
  if (r.negative_) return std::nullopt;  // -0.4 rounds to 0, which is not negative
  Wide w = DecimalImpl::wide(r);
  if (w.n > 3) return std::nullopt;
  unsigned __int128 v = 0;
  for (int i = w.n - 1; i >= 0; --i) v = v * kBase + w.l[i];
  if (v > std::numeric_limits<uint64_t>::max()) return std::nullopt;
  return uint64_t(v);
}

Decimal Decimal::round(int scale, Rounding mode) const {
  // Below -(65+2) every value rounds to 0 or to a power of ten too large to keep.
  scale = std::clamp(scale, -(kMaxPrecision + 2), int(kMaxScale));
  Wide w = DecimalImpl::wide(*this);
  if (scale >= scale_) {
    mul_pow10(w, scale - scale_);
    return DecimalImpl::make(w, scale, negative_);
  }
  Wide q = drop_digits(w, scale_ - scale, mode, negative_);
  if (scale < 0) {
    mul_pow10(q, -scale);  // ROUND(1234.5, -2) = 1200 with scale 0
    return DecimalImpl::make(q, 0, negative_);
  }
  return DecimalImpl::make(q, scale, negative_);
}

Decimal Decimal::with_scale(int scale) const { return round(scale, Rounding::HalfUp); }

Decimal Decimal::add(const Decimal& o) const {
  int scale = std::max(scale_, o.scale_);
  Wide a = DecimalImpl::rescaled(*this, scale), b = DecimalImpl::rescaled(o, scale);
  if (negative_ == o.negative_) return DecimalImpl::make(::obsync::add(a, b), scale, negative_);
  if (::obsync::compare(a, b) >= 0) return DecimalImpl::make(::obsync::sub(a, b), scale, negative_);
  return DecimalImpl::make(::obsync::sub(b, a), scale, o.negative_);
}

Decimal Decimal::sub(const Decimal& o) const { return add(o.negate()); }

Decimal Decimal::mul(const Decimal& o) const {
  Wide p = ::obsync::mul(DecimalImpl::wide(*this), DecimalImpl::wide(o));
  int scale = scale_ + o.scale_;
  bool negative = negative_ != o.negative_;
  if (scale > kMaxScale) {
    // MySQL rounds the product half up to the capped scale when it produces the value.
    p = drop_digits(p, scale - kMaxScale, Rounding::HalfUp, negative);
    scale = kMaxScale;
  }
  return DecimalImpl::make(p, scale, negative);
}

std::optional<Decimal> Decimal::div(const Decimal& o, int increment, bool keep_words) const {
  Wide a = DecimalImpl::wide(*this), b = DecimalImpl::wide(o);
  if (b.is_zero()) return std::nullopt;
  bool negative = negative_ != o.negative_;
  int result_scale = std::min(scale_ + std::max(increment, 0), int(kMaxScale));
  if (a.is_zero()) return DecimalImpl::make(Wide{}, result_scale, false);

  // MySQL's do_div_mod computes a quotient truncated after whole 9-digit words and only then
  // rounds it half up to the result scale, so 2.00000/3 is 0.666666666, not 0.666666667.
  int s1 = scale_, s2 = o.scale_;
  int frac1 = words(s1) * kDigitsPerLimb, frac2 = words(s2) * kDigitsPerLimb;
  int incr = std::max(0, increment - (frac1 - s1) - (frac2 - s2));
  int frac_words = words(frac1 + frac2 + incr);
  int dintg = DecimalImpl::msd_position(a, s1) - DecimalImpl::msd_position(b, s2) +
              (DecimalImpl::first_word(a, s1) >= DecimalImpl::first_word(b, s2));
  int int_words = dintg < 0 ? 0 : words(dintg);
  constexpr int kMySqlWords = 9;  // DECIMAL_BUFF_LENGTH: 81 digits of room
  if (int_words > kMySqlWords) return DecimalImpl::make(Wide{}, result_scale, negative, true);
  frac_words = std::min(frac_words, kMySqlWords - int_words);
  int computed = frac_words * kDigitsPerLimb;

  // q = floor(a/b * 10^computed) = floor(A * 10^(s2 + computed - s1) / B)
  int shift = s2 + computed - s1;
  if (shift >= 0) {
    mul_pow10(a, shift);
  } else {
    mul_pow10(b, -shift);
  }
  Wide q;
  divmod(a, b, &q, nullptr);
  if (keep_words && computed > result_scale) result_scale = std::min(computed, int(kMaxScale));
  if (computed > result_scale) {
    q = drop_digits(q, computed - result_scale, Rounding::HalfUp, negative);
  } else {
    mul_pow10(q, result_scale - computed);
  }
  return DecimalImpl::make(q, result_scale, negative);
}

std::optional<Decimal> Decimal::mod(const Decimal& o) const {
  if (o.is_zero()) return std::nullopt;
  int scale = std::max(scale_, o.scale_);
  Wide r;
  divmod(DecimalImpl::rescaled(*this, scale), DecimalImpl::rescaled(o, scale), nullptr, &r);
  return DecimalImpl::make(r, scale, negative_);  // the remainder takes the dividend's sign
}

Decimal Decimal::negate() const {
  Decimal d = *this;
  d.negative_ = !negative_ && !is_zero();
  return d;
}

Decimal Decimal::abs() const {
  Decimal d = *this;
  d.negative_ = false;
  return d;
}

int Decimal::compare(const Decimal& o) const {
  bool zero_a = is_zero(), zero_b = o.is_zero();
  bool neg_a = negative_ && !zero_a, neg_b = o.negative_ && !zero_b;
  if (neg_a != neg_b) return neg_a ? -1 : 1;
  int scale = std::max(scale_, o.scale_);
  int c = ::obsync::compare(DecimalImpl::rescaled(*this, scale), DecimalImpl::rescaled(o, scale));
  return neg_a ? -c : c;
}

}  // namespace obsync
