// MySQL DATE/TIME/DATETIME semantics: ports of my_time.cc / sql_time.cc / item_timefunc.cc rules.
#include "stdlib/temporal.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace obsync {
namespace {

// MySQL's largest day number (TO_DAYS('9999-12-31')) and TIME bound (838:59:59).
constexpr int64_t max_day_number = 3652424;
constexpr uint32_t time_max_hour = 838;
constexpr int64_t micros_per_day = 86400LL * 1000000;
constexpr std::array<int, 12> month_days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
constexpr std::array<const char*, 12> month_names = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 7> day_names = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                  "Friday", "Saturday", "Sunday"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
// latin1 ispunct: MySQL accepts any of these as a date/time delimiter.
bool is_punct(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 33 && u <= 47) || (u >= 58 && u <= 64) || (u >= 91 && u <= 96) ||
         (u >= 123 && u <= 126);
}

// Year 0 is not a leap year for MySQL (calc_days_in_year).
bool is_leap(int64_t year) {
  return (year & 3) == 0 && (year % 100 != 0 || (year % 400 == 0 && year != 0));
}
int days_in_year(int64_t year) { return is_leap(year) ? 366 : 365; }

// calc_daynr: tolerant of month/day 0 exactly as MySQL is.
int64_t calc_daynr(int64_t year, int64_t month, int64_t day) {
  if (year == 0 && month == 0) return 0;
  int64_t y = year;
  int64_t delsum = 365 * y + 31 * (month - 1) + day;
  if (month <= 2)
    y--;
  else
    delsum -= (month * 4 + 23) / 10;
  int64_t temp = ((y / 100 + 1) * 3) / 4;
  return delsum + y / 4 - temp;
}

// get_date_from_daynr; day numbers outside year 1..9999 give the zero date (as FROM_DAYS does).
void date_from_daynr(int64_t daynr, int32_t& y, uint8_t& m, uint8_t& d) {
  if (daynr < 366 || daynr > max_day_number) {
    y = 0, m = 0, d = 0;
    return;
  }
  int64_t year = daynr * 100 / 36525;
  int64_t temp = (((year - 1) / 100 + 1) * 3) / 4;
  int64_t day_of_year = daynr - year * 365 - (year - 1) / 4 + temp;
  int64_t diy;
  while (day_of_year > (diy = days_in_year(year))) {
    day_of_year -= diy;
    year++;
  }
  int leap_day = 0;
  if (diy == 366 && day_of_year > 31 + 28) {
    day_of_year--;
    if (day_of_year == 31 + 28) leap_day = 1;
  }
  int month = 1;
  for (int i = 0; day_of_year > month_days[i]; ++i, ++month) day_of_year -= month_days[i];
  y = static_cast<int32_t>(year);
  m = static_cast<uint8_t>(month);
  d = static_cast<uint8_t>(day_of_year + leap_day);
}

// calc_weekday: 0 = Monday (or Sunday when sunday_first).
int calc_weekday(int64_t daynr, bool sunday_first) {
  return static_cast<int>((daynr + 5 + (sunday_first ? 1 : 0)) % 7);
}

constexpr unsigned week_monday_first = 1, week_year = 2, week_first_weekday = 4;

// calc_week from sql_time.cc, the source of %U %u %V %v %X %x.
int calc_week(const Temporal& t, unsigned behaviour, int64_t& year) {
  int64_t daynr = calc_daynr(t.year, t.month, t.day);
  int64_t first_daynr = calc_daynr(t.year, 1, 1);
  bool monday_first = behaviour & week_monday_first;
  bool is_week_year = behaviour & week_year;
  bool first_weekday = behaviour & week_first_weekday;
  int64_t wd = calc_weekday(first_daynr, !monday_first);
  year = t.year;
  if (t.month == 1 && t.day <= 7 - wd) {
    if (!is_week_year && ((first_weekday && wd != 0) || (!first_weekday && wd >= 4))) return 0;
    is_week_year = true;
    year--;
    int64_t days = days_in_year(year);
    first_daynr -= days;
    wd = (wd + 53 * 7 - days) % 7;
  }
  int64_t days;
  if ((first_weekday && wd != 0) || (!first_weekday && wd >= 4))
    days = daynr - (first_daynr + (7 - wd));
  else
    days = daynr - (first_daynr - wd);
  if (is_week_year && days >= 52 * 7) {
    wd = (wd + days_in_year(year)) % 7;
    if ((!first_weekday && wd < 4) || (first_weekday && wd == 0)) {
      year++;
      return 1;
    }
  }
  return static_cast<int>(days / 7 + 1);
}

// Range check shared by every datetime reader (check_datetime_range); calendar validity is
// separate.
bool datetime_fields_in_range(const Temporal& t) {
  return t.year <= 9999 && t.month <= 12 && t.day <= 31 && t.hour <= 23 && t.minute <= 59 &&
         t.second <= 59 && t.micro <= 999999;
}

// check_date without NO_ZERO_DATE/NO_ZERO_IN_DATE (MySQL columns keep such values): only a
// day past the end of its month is rejected.
bool calendar_ok(const Temporal& t) {
  if (t.month == 0 || t.day == 0) return true;
  return t.day <= days_in_month(t.year, t.month);
}

// Half-up rounding of a 0..999999 fraction to fsp digits; may return 1000000 (the caller carries).
uint32_t round_micro(uint32_t micro, int fsp) {
  if (fsp >= 6) return micro;
  if (fsp < 0) fsp = 0;
  static constexpr uint32_t pow10[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
  uint32_t unit = pow10[fsp];
  return (micro + unit / 2) / unit * unit;
}

// Adds whole microseconds to a datetime through day numbers; false if outside 0001..9999.
bool datetime_add_micros(Temporal& t, int64_t delta) {
  int64_t micros = t.micro + delta;
  int64_t tod = ((t.hour * 60LL + t.minute) * 60 + t.second) * 1000000 + micros;
  int64_t day_shift = tod / micros_per_day;
  tod %= micros_per_day;
  if (tod < 0) {
    tod += micros_per_day;
    day_shift--;
  }
  if (day_shift != 0) {
    if (t.month == 0 || t.day == 0) return false;
    int64_t daynr = calc_daynr(t.year, t.month, t.day) + day_shift;
    if (daynr < 366 || daynr > max_day_number) return false;
    date_from_daynr(daynr, t.year, t.month, t.day);
  }
  t.micro = static_cast<uint32_t>(tod % 1000000);
  int64_t secs = tod / 1000000;
  t.second = static_cast<uint8_t>(secs % 60);
  t.minute = static_cast<uint8_t>(secs / 60 % 60);
  t.hour = static_cast<uint32_t>(secs / 3600);
  return true;
}

// adjust_time_range: MySQL 8 caps TIME at 838:59:59 exactly (a fraction there is out of range).
void clamp_time(Temporal& t) {
  if (t.hour > time_max_hour ||
      (t.hour == time_max_hour && t.minute == 59 && t.second == 59 && t.micro != 0)) {
    t.hour = time_max_hour, t.minute = 59, t.second = 59, t.micro = 0;
  }
}

Temporal time_from_micros(int64_t us) {
  Temporal t;
  t.negative = us < 0;
  if (us < 0) us = -us;
  t.micro = static_cast<uint32_t>(us % 1000000);
  int64_t secs = us / 1000000;
  t.second = static_cast<uint8_t>(secs % 60);
  t.minute = static_cast<uint8_t>(secs / 60 % 60);
  t.hour = static_cast<uint32_t>(secs / 3600);
  return t;
}

// The fraction as MySQL 8 reads it: six digits, then the seventh rounds half-up; `frac_round`
// reports that carry (micro may become 1000000).
struct Fraction {
  uint32_t micro = 0;
  bool round_up = false;
};

// Scans digits after a '.', leaving `pos` past all of them. Past six digits one digit decides
// rounding: the seventh for datetimes, but the last one for str_to_time, which reads
// str[-1] after skipping them all (MySQL 8 quirk: '.12345649' rounds up).
Fraction scan_fraction(std::string_view s, size_t& pos, bool last_digit_rounds = false) {
  Fraction f;
  int n = 0;
  for (; pos < s.size() && is_digit(s[pos]); ++pos, ++n) {
    if (n < 6)
      f.micro = f.micro * 10 + static_cast<uint32_t>(s[pos] - '0');
    else if (n == 6 || last_digit_rounds)
      f.round_up = s[pos] >= '5';
  }
  for (; n < 6; ++n) f.micro *= 10;
  return f;
}

struct ParsedDatetime {
  Temporal value;
  int fields = 0;  // <= 3: a date, otherwise a datetime
  bool round_up = false;
  int frac_digits = 0;   // fraction digits read (at most 6)
  int displacement = 0;  // seconds east of UTC from a '+05:00' suffix (MySQL 8.0.19+)
};

// time_zone_displacement_to_seconds: exactly '{+-}HH:MM' then only spaces, at most 14:00,
// never '-00:00'.
std::optional<int> zone_displacement(std::string_view s) {
  if (s.size() < 6 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  if (!is_digit(s[1]) || !is_digit(s[2]) || s[3] != ':' || !is_digit(s[4]) || !is_digit(s[5]))
    return std::nullopt;
  int hours = (s[1] - '0') * 10 + (s[2] - '0');
  int minutes = (s[4] - '0') * 10 + (s[5] - '0');
  if (minutes >= 60) return std::nullopt;
  int seconds = hours * 3600 + minutes * 60;
  if (seconds > 14 * 3600) return std::nullopt;
  if (s[0] == '-' && seconds == 0) return std::nullopt;
  for (size_t i = 6; i < s.size(); ++i)
    if (!is_space(s[i])) return std::nullopt;
  return s[0] == '-' ? -seconds : seconds;
}

enum class ParseFail { None, Syntax, Range };

// str_to_datetime with the default format positions. `datetime_only` is the TIME_DATETIME_ONLY
// probe str_to_time makes; `check_calendar` off accepts '2026-02-30' as that probe does.
ParseFail str_to_datetime(std::string_view s, bool datetime_only, bool check_calendar,
                          ParsedDatetime& out) {
  size_t pos = 0, end = s.size();
  while (pos < end && is_space(s[pos])) ++pos;
  if (pos == end || !is_digit(s[pos])) return ParseFail::Syntax;

  size_t scan = pos;
  while (scan < end && (is_digit(s[scan]) || s[scan] == 'T')) ++scan;
  size_t digits = scan - pos;
  bool internal = false;
  int field_length = 4;
  int year_length = 0;
  if (scan == end || s[scan] == '.') {
    year_length = (digits == 4 || digits == 8 || digits >= 14) ? 4 : 2;
    field_length = year_length;
    internal = true;
  }

  // MySQL allows whitespace only after the day (i == 2) and the fraction (i == 6).
  constexpr unsigned allow_space = (1u << 2) | (1u << 6);
  int64_t date[7] = {};
  int date_len[7] = {};
  bool found_delimiter = false, found_space = false, not_zero_date = false;
  size_t last_field_pos = pos;
  std::optional<int> displacement;
  auto take_displacement = [&]() {
    displacement = zone_displacement(s.substr(pos));
    pos = end;
    last_field_pos = pos;
    return displacement.has_value();
  };
  int i = 0;
  for (; i < 7 && pos != end && is_digit(s[pos]); ++i) {
    size_t start = pos;
    int64_t value = s[pos++] - '0';
    bool scan_until_delim = !internal && i != 6;
    while (pos != end && is_digit(s[pos]) && (scan_until_delim || --field_length)) {
      value = value * 10 + (s[pos] - '0');
      pos++;
      if (value > 999999) return ParseFail::Syntax;
    }
    date_len[i] = static_cast<int>(pos - start);
    date[i] = value;
    not_zero_date |= value != 0;
    field_length = 2;
    if ((last_field_pos = pos) == end) {
      ++i;
      break;
    }
    if (i == 2 && s[pos] == 'T') {
      ++pos;
      continue;
    }
    if (i == 5) {
      if (s[pos] == '.') {
        ++pos;
        last_field_pos = pos;
        field_length = 6;
      } else if (is_digit(s[pos])) {
        ++i;
        break;
      } else if ((s[pos] == '+' || s[pos] == '-') && !take_displacement()) {
        return ParseFail::Syntax;
      }
      continue;
    }
    if (i == 6) {
      if ((s[pos] == '+' || s[pos] == '-') && !take_displacement()) return ParseFail::Syntax;
      // Fraction digits beyond the sixth decide rounding (MySQL 8: nanoseconds, half-up).
      ++i;
      break;
    }
    while (pos != end && (is_punct(s[pos]) || is_space(s[pos]))) {
      if (is_space(s[pos])) {
        if (!(allow_space & (1u << i))) return ParseFail::Syntax;
        found_space = true;
      }
      ++pos;
      found_delimiter = true;
    }
    last_field_pos = pos;
  }
  if (found_delimiter && !found_space && datetime_only) return ParseFail::Syntax;

  pos = last_field_pos;
  int fields = i;
  // The sixth fraction digit was the last one read; the next one (if any) rounds.
  bool round_up = false;
  if (fields == 7) {
    if (date_len[6] < 6) {
      for (int k = date_len[6]; k < 6; ++k) date[6] *= 10;
    } else if (pos < end && is_digit(s[pos])) {
      round_up = s[pos] >= '5';
    }
    while (pos < end && is_digit(s[pos])) ++pos;
    if (pos < end && (s[pos] == '+' || s[pos] == '-') && !take_displacement())
      return ParseFail::Syntax;
  }
  if (!internal) {
    year_length = date_len[0];
    if (year_length == 0) return ParseFail::Syntax;
  }
  Temporal t;
  t.year = static_cast<int32_t>(date[0]);
  if (year_length == 2 && not_zero_date) t.year += t.year < 70 ? 2000 : 1900;
  if (date[1] > 255 || date[2] > 255 || date[3] > 255 || date[4] > 255 || date[5] > 255)
    return ParseFail::Range;
  t.month = static_cast<uint8_t>(date[1]);
  t.day = static_cast<uint8_t>(date[2]);
  t.hour = static_cast<uint32_t>(date[3]);
  t.minute = static_cast<uint8_t>(date[4]);
  t.second = static_cast<uint8_t>(date[5]);
  t.micro = static_cast<uint32_t>(date[6]);
  // MySQL sets MYSQL_TIMESTAMP_ERROR from here on (str_to_time then gives NULL, not a retry).
  if (fields < 3 || !datetime_fields_in_range(t)) return ParseFail::Range;
  if (check_calendar && !calendar_ok(t)) return ParseFail::Range;
  // Trailing garbage only warns in MySQL; the value stands.
  out.value = t;
  out.fields = fields;
  out.round_up = round_up;
  out.frac_digits = fields == 7 ? std::min(date_len[6], 6) : 0;
  out.displacement = displacement.value_or(0);
  return ParseFail::None;
}

// Applies the seventh-digit rounding and then fsp rounding to a parsed datetime.
std::optional<Temporal> finish_datetime(Temporal t, bool round_up, int fsp) {
  if (round_up && !datetime_add_micros(t, 1)) return std::nullopt;
  uint32_t r = round_micro(t.micro, fsp);
  if (r != t.micro) {
    int64_t delta = static_cast<int64_t>(r) - t.micro;
    if (!datetime_add_micros(t, delta)) return std::nullopt;
  }
  return t;
}

Temporal finish_time(Temporal t, bool round_up, int fsp) {
  int64_t us = time_micros(t);
  int64_t mag = us < 0 ? -us : us;
  if (round_up) mag += 1;
  uint32_t frac = static_cast<uint32_t>(mag % 1000000);
  mag += static_cast<int64_t>(round_micro(frac, fsp)) - frac;
  Temporal r = time_from_micros(t.negative ? -mag : mag);
  clamp_time(r);
  if (r.hour == 0 && r.minute == 0 && r.second == 0 && r.micro == 0) r.negative = false;
  return r;
}

// Reads an integer the way MySQL's string-to-int conversion does: sign, digits, rest ignored.
std::optional<int64_t> leading_integer(std::string_view s, bool& negative) {
  size_t pos = 0;
  while (pos < s.size() && is_space(s[pos])) ++pos;
  negative = false;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) negative = s[pos++] == '-';
  int64_t v = 0;
  for (; pos < s.size() && is_digit(s[pos]); ++pos) {
    if (v > (INT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + (s[pos] - '0');
  }
  return v;
}

// A SECOND interval is read as a DECIMAL (exponent allowed: '1e3' is 1000 s) and split into
// whole seconds and microseconds, digits past the sixth truncated (my_decimal2lldiv_t).
std::optional<Interval> decimal_seconds(std::string_view s) {
  size_t pos = 0, end = s.size();
  while (pos < end && is_space(s[pos])) ++pos;
  bool neg = false;
  if (pos < end && (s[pos] == '-' || s[pos] == '+')) neg = s[pos++] == '-';
  std::string digits;
  int64_t point = 0;
  for (; pos < end && is_digit(s[pos]); ++pos) digits.push_back(s[pos]);
  point = static_cast<int64_t>(digits.size());
  if (pos < end && s[pos] == '.')
    for (++pos; pos < end && is_digit(s[pos]); ++pos) digits.push_back(s[pos]);
  if (!digits.empty() && pos + 1 < end && (s[pos] == 'e' || s[pos] == 'E')) {
    size_t p = pos + 1;
    bool eneg = false;
    if (p < end && (s[p] == '-' || s[p] == '+')) eneg = s[p++] == '-';
    if (p < end && is_digit(s[p])) {
      int64_t e = 0;
      for (; p < end && is_digit(s[p]); ++p)
        if (e < 100000) e = e * 10 + (s[p] - '0');
      point += eneg ? -e : e;
    }
  }
  Interval iv;
  int64_t secs = 0;
  for (int64_t k = 0; k < point; ++k) {
    int digit = k < static_cast<int64_t>(digits.size()) ? digits[static_cast<size_t>(k)] - '0' : 0;
    if (secs > (INT64_MAX - 9) / 10) return std::nullopt;
    secs = secs * 10 + digit;
  }
  int64_t micro = 0;
  for (int64_t k = point; k < point + 6; ++k) {
    int digit = k >= 0 && k < static_cast<int64_t>(digits.size())
                    ? digits[static_cast<size_t>(k)] - '0'
                    : 0;
    micro = micro * 10 + digit;
  }
  iv.seconds = secs;
  iv.micros = micro;
  iv.negative = neg && (secs != 0 || micro != 0);
  return iv;
}

// get_interval_info: `count` digit groups separated by any non-digits; missing leading groups
// are zero ('5' DAY_SECOND is 5 seconds); extra groups make the interval NULL.
bool interval_groups(std::string_view s, int count, bool micro_last, int64_t* values) {
  size_t pos = 0, end = s.size();
  while (pos < end && !is_digit(s[pos])) ++pos;
  // Digits in the last group read: with micro_last, that group is a fraction ('1.5'
  // SECOND_MICROSECOND is 1.500000 s) wherever it lands after the shift ('9' is 0.9 s).
  int64_t last_len = 0;
  for (int i = 0; i < count; ++i) {
    size_t start = pos;
    int64_t value = 0;
    for (; pos < end && is_digit(s[pos]); ++pos) {
      if (value > (INT64_MAX - 10) / 10) return false;
      value = value * 10 + (s[pos] - '0');
    }
    last_len = static_cast<int64_t>(pos - start);
    values[i] = value;
    while (pos < end && !is_digit(s[pos])) ++pos;
    if (pos == end && i != count - 1) {
      int got = i + 1;
      for (int k = count - 1; k >= count - got; --k) values[k] = values[k - (count - got)];
      for (int k = 0; k < count - got; ++k) values[k] = 0;
      break;
    }
  }
  // More than six digits are not truncated: MySQL 8 adds them as that many microseconds.
  if (micro_last)
    for (int64_t k = last_len; k < 6; ++k) values[count - 1] *= 10;
  return pos == end;
}

void append_fraction(std::string& out, uint32_t micro, int fsp) {
  if (fsp <= 0) return;
  if (fsp > 6) fsp = 6;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06u", micro % 1000000);
  out.push_back('.');
  out.append(buf, static_cast<size_t>(fsp));
}

}  // namespace

// ---- calendar --------------------------------------------------------------------------------

int64_t to_days(int32_t year, int month, int day) { return calc_daynr(year, month, day); }

Temporal from_days(int64_t days) {
  Temporal t;
  date_from_daynr(days, t.year, t.month, t.day);
  return t;
}

int days_in_month(int32_t year, int month) {
  if (month < 1 || month > 12) return 0;
  return month == 2 && is_leap(year) ? 29 : month_days[month - 1];
}

bool valid_date(int32_t year, int month, int day) {
  return year >= 0 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
         day <= days_in_month(year, month);
}

int weekday(const Temporal& t) { return calc_weekday(calc_daynr(t.year, t.month, t.day), false); }

// ---- parsing ---------------------------------------------------------------------------------

std::optional<Temporal> parse_datetime(std::string_view text, int fsp, bool* date_only) {
  ParsedDatetime p;
  if (str_to_datetime(text, false, true, p) != ParseFail::None) return std::nullopt;
  if (date_only) *date_only = p.fields <= 3;
  // A displacement converts the value to the session time zone, UTC.
  if (p.displacement != 0 && !datetime_add_micros(p.value, -p.displacement * 1000000LL))
    return std::nullopt;
  return finish_datetime(p.value, p.round_up, fsp);
}

std::optional<int> datetime_fraction_digits(std::string_view text) {
  ParsedDatetime p;
  if (str_to_datetime(text, false, true, p) != ParseFail::None) return std::nullopt;
  return p.frac_digits;
}

std::optional<Temporal> parse_date(std::string_view text) {
  auto dt = parse_datetime(text, 6);
  if (!dt) return std::nullopt;
  Temporal d;
  d.year = dt->year, d.month = dt->month, d.day = dt->day;
  return d;
}

// str_to_time.
std::optional<Temporal> parse_time(std::string_view text, int fsp) {
  size_t pos = 0, end = text.size();
  while (pos < end && is_space(text[pos])) ++pos;
  bool negative = false;
  if (pos < end && text[pos] == '-') {
    negative = true;
    ++pos;
  }
  if (pos == end) return std::nullopt;
  const size_t start = pos;

  // A long string may be a whole date or datetime: its time part is the TIME. A string that
  // scans as one but has bad values ('2026-02-30 10:00:00') is NULL, not retried as a TIME.
  if (end - pos >= 12) {
    ParsedDatetime p;
    ParseFail f = str_to_datetime(text.substr(pos), true, true, p);
    if (f == ParseFail::Range) return std::nullopt;
    if (f == ParseFail::None) {
      if (p.displacement != 0 && !datetime_add_micros(p.value, -p.displacement * 1000000LL))
        return std::nullopt;
      Temporal t;
      t.hour = p.value.hour, t.minute = p.value.minute, t.second = p.value.second;
      t.micro = p.value.micro;
      t.negative = negative;
      return finish_time(t, p.round_up, fsp);
    }
  }

  auto read_number = [&]() {
    uint64_t v = 0;
    for (; pos < end && is_digit(text[pos]); ++pos)
      if (v <= UINT32_MAX) v = v * 10 + static_cast<uint64_t>(text[pos] - '0');
    return v;
  };
  uint64_t value = read_number();
  if (value > UINT32_MAX) return std::nullopt;
  size_t end_of_days = pos;
  while (pos < end && is_space(text[pos])) ++pos;

  uint64_t date[4] = {};
  int state;
  if (end - pos > 1 && pos != end_of_days && is_digit(text[pos])) {
    date[0] = value;
    state = 1;
  } else if (end - pos > 1 && text[pos] == ':' && is_digit(text[pos + 1])) {
    date[1] = value;
    state = 2;
    ++pos;
  } else {
    // One number: HHMMSS, right-aligned ('1030' is 00:10:30).
    date[1] = value / 10000;
    date[2] = value / 100 % 100;
    date[3] = value % 100;
    state = 4;
  }
  while (state != 4) {
    date[state++] = read_number();
    if (state == 4 || end - pos < 2 || text[pos] != ':' || !is_digit(text[pos + 1])) break;
    ++pos;
  }
  Fraction frac;
  if (end - pos >= 2 && text[pos] == '.' && is_digit(text[pos + 1])) {
    ++pos;
    frac = scan_fraction(text, pos, true);
  } else if (end - pos == 1 && text[pos] == '.') {
    ++pos;
  }
  // '1e3' looks like a %g-formatted number, not a time.
  if (end - pos > 1 && (text[pos] == 'e' || text[pos] == 'E') &&
      (is_digit(text[pos + 1]) || ((text[pos + 1] == '-' || text[pos + 1] == '+') &&
                                   end - pos > 2 && is_digit(text[pos + 2]))))
    return std::nullopt;
  for (auto v : date)
    if (v > UINT32_MAX) return std::nullopt;
  if (date[2] > 59 || date[3] > 59) return std::nullopt;
  // Trailing garbage only warns, unless nothing at all was read ('abc').
  while (pos < end && is_space(text[pos])) ++pos;
  if (pos < end && pos == start) return std::nullopt;

  Temporal t;
  uint64_t hours = date[1] + date[0] * 24;
  t.negative = negative;
  t.minute = static_cast<uint8_t>(date[2]);
  t.second = static_cast<uint8_t>(date[3]);
  t.micro = frac.micro;
  if (hours > time_max_hour) {
    t.hour = time_max_hour, t.minute = 59, t.second = 59, t.micro = 0;
  } else {
    t.hour = static_cast<uint32_t>(hours);
  }
  clamp_time(t);
  return finish_time(t, frac.round_up, fsp);
}

// number_to_datetime with TIME_FUZZY_DATE (CAST and function arguments).
std::optional<Temporal> datetime_from_number(int64_t nr, uint32_t micro) {
  if (nr < 0) return std::nullopt;
  auto ok = [&](int64_t n) -> std::optional<Temporal> {
    Temporal t;
    int64_t part1 = n / 1000000, part2 = n % 1000000;
    t.year = static_cast<int32_t>(part1 / 10000);
    t.month = static_cast<uint8_t>(part1 % 10000 / 100);
    t.day = static_cast<uint8_t>(part1 % 100);
    t.hour = static_cast<uint32_t>(part2 / 10000);
    t.minute = static_cast<uint8_t>(part2 % 10000 / 100);
    t.second = static_cast<uint8_t>(part2 % 100);
    t.micro = micro;
    if (!datetime_fields_in_range(t) || !calendar_ok(t)) return std::nullopt;
    return t;
  };
  if (nr == 0 || nr >= 10000101000000LL) {
    if (nr > 99999999999999LL) return std::nullopt;
    return ok(nr);
  }
  if (nr < 101) return std::nullopt;
  if (nr <= 691231) return ok((nr + 20000000) * 1000000);
  if (nr < 700101) return std::nullopt;
  if (nr <= 991231) return ok((nr + 19000000) * 1000000);
  // Below 1000-01-01 MySQL needs TIME_FUZZY_DATE; CAST on the server rejects them.
  if (nr < 10000101) return std::nullopt;
  if (nr <= 99991231) return ok(nr * 1000000);
  if (nr < 101000000) return std::nullopt;
  if (nr <= 691231235959LL) return ok(nr + 20000000000000LL);
  if (nr < 700101000000LL) return std::nullopt;
  if (nr <= 991231235959LL) return ok(nr + 19000000000000LL);
  return ok(nr);
}

// number_to_time: huge numbers try a datetime; others beyond 838:59:59 are NULL.
std::optional<Temporal> time_from_number(int64_t value, uint32_t micro, bool negative) {
  constexpr int64_t time_max_value = 8385959;
  if (value < 0) {
    negative = true;
    value = value == INT64_MIN ? INT64_MAX : -value;
  }
  Temporal t;
  t.negative = negative;
  if (value > time_max_value) {
    // Huge numbers may be a whole datetime; otherwise MySQL 8 reports an error (NULL).
    if (!negative && value >= 10000000000LL) {
      if (auto dt = datetime_from_number(value, micro)) {
        t.hour = dt->hour, t.minute = dt->minute, t.second = dt->second, t.micro = micro;
        return t;
      }
    }
    return std::nullopt;
  }
  if (value % 100 >= 60 || value / 100 % 100 >= 60) return std::nullopt;
  t.hour = static_cast<uint32_t>(value / 10000);
  t.minute = static_cast<uint8_t>(value / 100 % 100);
  t.second = static_cast<uint8_t>(value % 100);
  t.micro = micro;
  clamp_time(t);
  if (time_micros(t) == 0) t.negative = false;
  return t;
}

// ---- formatting and numeric forms ------------------------------------------------------------

std::string format_date(const Temporal& t) {
  char buf[32];
  int n =
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", t.year, unsigned{t.month}, unsigned{t.day});
  return std::string(buf, static_cast<size_t>(n));
}

std::string format_datetime(const Temporal& t, int fsp) {
  std::string out = format_date(t);
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, " %02u:%02u:%02u", t.hour, unsigned{t.minute},
                        unsigned{t.second});
  out.append(buf, static_cast<size_t>(n));
  append_fraction(out, t.micro, fsp);
  return out;
}

std::string format_time(const Temporal& t, int fsp) {
  std::string out = t.negative ? "-" : "";
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%02u:%02u:%02u", t.hour, unsigned{t.minute},
                        unsigned{t.second});
  out.append(buf, static_cast<size_t>(n));
  append_fraction(out, t.micro, fsp);
  return out;
}

int64_t date_to_number(const Temporal& t) { return t.year * 10000LL + t.month * 100 + t.day; }

int64_t datetime_to_number(const Temporal& t) {
  return date_to_number(t) * 1000000 + t.hour * 10000LL + t.minute * 100 + t.second;
}

int64_t time_to_number(const Temporal& t) {
  int64_t v = t.hour * 10000LL + t.minute * 100 + t.second;
  return t.negative ? -v : v;
}

// Packed like MySQL's TIME_to_longlong_datetime_packed (year*13+month): orders zero-in-date
// values too, which a day number cannot.
int64_t datetime_key_micros(const Temporal& t) {
  int64_t ym = t.year * 13LL + t.month;
  int64_t days = ym * 32 + t.day;
  return ((days * 24 + t.hour) * 3600 + t.minute * 60LL + t.second) * 1000000 + t.micro;
}

int64_t time_micros(const Temporal& t) {
  int64_t us = ((t.hour * 60LL + t.minute) * 60 + t.second) * 1000000 + t.micro;
  return t.negative ? -us : us;
}

Temporal round_fraction(const Temporal& t, bool is_time, int fsp) {
  if (is_time) return finish_time(t, false, fsp);
  if (auto r = finish_datetime(t, false, fsp)) return *r;
  // Rounding past 9999-12-31 23:59:59: MySQL warns; keep the value truncated instead.
  Temporal r = t;
  static constexpr uint32_t unit[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
  r.micro -= r.micro % unit[fsp < 0 ? 0 : (fsp > 6 ? 6 : fsp)];
  return r;
}

// ---- intervals -------------------------------------------------------------------------------

std::optional<Interval> parse_interval(std::string_view value, IntervalUnit unit) {
  Interval iv;
  using U = IntervalUnit;
  switch (unit) {
    case U::Second: {
      auto d = decimal_seconds(value);
      if (!d) return std::nullopt;
      return d;
    }
    case U::Microsecond:
    case U::Minute:
    case U::Hour:
    case U::Day:
    case U::Week:
    case U::Month:
    case U::Quarter:
    case U::Year: {
      bool neg = false;
      auto v = leading_integer(value, neg);
      if (!v) return std::nullopt;
      iv.negative = neg && *v != 0;
      switch (unit) {
        case U::Microsecond:
          iv.micros = *v;
          break;
        case U::Minute:
          iv.minutes = *v;
          break;
        case U::Hour:
          iv.hours = *v;
          break;
        case U::Day:
          iv.days = *v;
          break;
        case U::Week:
          iv.days = *v * 7;
          break;
        case U::Month:
          iv.months = *v;
          break;
        case U::Quarter:
          iv.months = *v * 3;
          break;
        default:
          iv.years = *v;
          break;
      }
      return iv;
    }
    default:
      break;
  }
  size_t pos = 0;
  while (pos < value.size() && is_space(value[pos])) ++pos;
  if (pos < value.size() && value[pos] == '-') {
    iv.negative = true;
    ++pos;
  }
  std::string_view rest = value.substr(pos);
  int64_t a[5] = {};
  auto groups = [&](int n, bool micro) { return interval_groups(rest, n, micro, a); };
  switch (unit) {
    case U::YearMonth:
      if (!groups(2, false)) return std::nullopt;
      iv.years = a[0], iv.months = a[1];
      break;
    case U::DayHour:
      if (!groups(2, false)) return std::nullopt;
      iv.days = a[0], iv.hours = a[1];
      break;
    case U::DayMinute:
      if (!groups(3, false)) return std::nullopt;
      iv.days = a[0], iv.hours = a[1], iv.minutes = a[2];
      break;
    case U::DaySecond:
      if (!groups(4, false)) return std::nullopt;
      iv.days = a[0], iv.hours = a[1], iv.minutes = a[2], iv.seconds = a[3];
      break;
    case U::HourMinute:
      if (!groups(2, false)) return std::nullopt;
      iv.hours = a[0], iv.minutes = a[1];
      break;
    case U::HourSecond:
      if (!groups(3, false)) return std::nullopt;
      iv.hours = a[0], iv.minutes = a[1], iv.seconds = a[2];
      break;
    case U::MinuteSecond:
      if (!groups(2, false)) return std::nullopt;
      iv.minutes = a[0], iv.seconds = a[1];
      break;
    case U::DayMicrosecond:
      if (!groups(5, true)) return std::nullopt;
      iv.days = a[0], iv.hours = a[1], iv.minutes = a[2], iv.seconds = a[3], iv.micros = a[4];
      break;
    case U::HourMicrosecond:
      if (!groups(4, true)) return std::nullopt;
      iv.hours = a[0], iv.minutes = a[1], iv.seconds = a[2], iv.micros = a[3];
      break;
    case U::MinuteMicrosecond:
      if (!groups(3, true)) return std::nullopt;
      iv.minutes = a[0], iv.seconds = a[1], iv.micros = a[2];
      break;
    case U::SecondMicrosecond:
      if (!groups(2, true)) return std::nullopt;
      iv.seconds = a[0], iv.micros = a[1];
      break;
    default:
      return std::nullopt;
  }
  return iv;
}

// date_add_interval. The branch follows what the interval holds: months/years move the
// calendar month (clamping the day), days alone move the day number, anything else is clock
// arithmetic on a DATETIME.
std::optional<Temporal> add_interval(const Temporal& dt, const Interval& iv, bool subtract) {
  // MySQL reads the operand with TIME_NO_ZERO_DATE: zero dates and zero parts give NULL.
  if (dt.month == 0 || dt.day == 0) return std::nullopt;
  int64_t sign = (iv.negative != subtract) ? -1 : 1;
  Temporal t = dt;
  t.negative = false;
  bool clock = iv.hours || iv.minutes || iv.seconds || iv.micros;
  if (iv.years || iv.months) {
    if (clock || iv.days) return std::nullopt;  // no MySQL unit mixes these
    constexpr int64_t limit = INT64_MAX / 24;
    if (iv.years > limit || iv.months > limit) return std::nullopt;
    int64_t period = t.year * 12LL + sign * iv.years * 12 + (t.month - 1) + sign * iv.months;
    if (period < 0 || period >= 120000) return std::nullopt;
    t.year = static_cast<int32_t>(period / 12);
    t.month = static_cast<uint8_t>(period % 12 + 1);
    int dim = days_in_month(t.year, t.month);
    if (t.day > dim) t.day = static_cast<uint8_t>(dim);
    return t;
  }
  if (!clock) {
    if (iv.days > max_day_number) return std::nullopt;
    int64_t daynr = calc_daynr(t.year, t.month, t.day) + sign * iv.days;
    // Day numbers below 366 are year 0: MySQL/MariaDB give NULL, not '0000-00-00'.
    if (daynr < 366 || daynr > max_day_number) return std::nullopt;
    date_from_daynr(daynr, t.year, t.month, t.day);
    return t;
  }
  if (iv.days > max_day_number || iv.hours > max_day_number * 24 ||
      iv.minutes > max_day_number * 24 * 60 || iv.seconds > max_day_number * 24 * 3600 ||
      iv.micros > INT64_MAX / 2)
    return std::nullopt;
  int64_t micros = t.micro + sign * iv.micros;
  int64_t extra_sec = micros / 1000000;
  micros %= 1000000;
  int64_t sec = (t.day - 1) * 86400LL + t.hour * 3600LL + t.minute * 60LL + t.second +
                sign * (iv.days * 86400 + iv.hours * 3600 + iv.minutes * 60 + iv.seconds) +
                extra_sec;
  if (micros < 0) {
    micros += 1000000;
    sec--;
  }
  int64_t days = sec / 86400;
  sec -= days * 86400;
  if (sec < 0) {
    days--;
    sec += 86400;
  }
  t.micro = static_cast<uint32_t>(micros);
  t.second = static_cast<uint8_t>(sec % 60);
  t.minute = static_cast<uint8_t>(sec / 60 % 60);
  t.hour = static_cast<uint32_t>(sec / 3600);
  int64_t daynr = calc_daynr(t.year, t.month, 1) + days;
  if (daynr < 366 || daynr > max_day_number) return std::nullopt;
  date_from_daynr(daynr, t.year, t.month, t.day);
  return t;
}

std::optional<Temporal> add_interval_to_time(const Temporal& time, const Interval& iv,
                                             bool subtract) {
  if (iv.years || iv.months) return std::nullopt;
  // Every part has the interval's sign, so one part beyond twice the TIME range already makes
  // the result NULL; bounding each keeps the sum below in int64.
  constexpr int64_t cap_s = 2 * (838LL * 3600 + 59 * 60 + 59) + 1;
  if (iv.days > cap_s / 86400 + 1 || iv.hours > cap_s / 3600 + 1 || iv.minutes > cap_s / 60 + 1 ||
      iv.seconds > cap_s || iv.micros > cap_s * 1000000)
    return std::nullopt;
  int64_t span =
      (((iv.days * 24 + iv.hours) * 60 + iv.minutes) * 60 + iv.seconds) * 1000000 + iv.micros;
  bool neg = iv.negative != subtract;
  int64_t us = time_micros(time) + (neg ? -span : span);
  constexpr int64_t max_us = (838LL * 3600 + 59 * 60 + 59) * 1000000;
  // sec_to_time: past 838:59:59.000000 (even by a fraction) the result is NULL, not clamped.
  if (us > max_us || us < -max_us) return std::nullopt;
  Temporal r = time_from_micros(us);
  if (r.hour > time_max_hour) return std::nullopt;
  return r;
}

// ---- DATE_FORMAT -----------------------------------------------------------------------------

std::optional<std::string> date_format_checked(const Temporal& t, std::string_view format,
                                               bool is_time) {
  std::string out;
  out.reserve(format.size() * 2);
  char buf[32];
  auto put = [&](const char* fmt, auto... args) {
    int n = std::snprintf(buf, sizeof buf, fmt, args...);
    out.append(buf, static_cast<size_t>(n));
  };
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%' || i + 1 == format.size()) {
      out.push_back(c);
      continue;
    }
    char spec = format[++i];
    switch (spec) {
      case 'M':
        if (t.month == 0) return std::nullopt;
        out += month_names[t.month - 1];
        break;
      case 'b':
        if (t.month == 0) return std::nullopt;
        out.append(month_names[t.month - 1], 3);
        break;
      case 'W':
      case 'a': {
        if (is_time || (t.month == 0 && t.year == 0)) return std::nullopt;
        int wd = calc_weekday(calc_daynr(t.year, t.month, t.day), false);
        if (spec == 'W')
          out += day_names[wd];
        else
          out.append(day_names[wd], 3);
        break;
      }
      case 'D': {
        if (is_time) return std::nullopt;
        put("%d", int{t.day});
        if (t.day >= 10 && t.day <= 19)
          out += "th";
        else
          switch (t.day % 10) {
            case 1:
              out += "st";
              break;
            case 2:
              out += "nd";
              break;
            case 3:
              out += "rd";
              break;
            default:
              out += "th";
              break;
          }
        break;
      }
      case 'Y':
        if (is_time) return std::nullopt;
        put("%04d", t.year);
        break;
      case 'y':
        if (is_time) return std::nullopt;
        put("%02d", t.year % 100);
        break;
      case 'm':
        if (is_time) return std::nullopt;
        put("%02d", int{t.month});
        break;
      case 'c':
        if (is_time) return std::nullopt;
        put("%d", int{t.month});
        break;
      case 'd':
        if (is_time) return std::nullopt;
        put("%02d", int{t.day});
        break;
      case 'e':
        if (is_time) return std::nullopt;
        put("%d", int{t.day});
        break;
      case 'f':
        put("%06u", t.micro);
        break;
      case 'H':
        put("%02u", t.hour);
        break;
      case 'h':
      case 'I':
        put("%02u", (t.hour % 24 + 11) % 12 + 1);
        break;
      case 'i':
        put("%02d", int{t.minute});
        break;
      case 'j': {
        if (is_time || t.month == 0 || t.year == 0) return std::nullopt;
        put("%03lld", static_cast<long long>(calc_daynr(t.year, t.month, t.day) -
                                             calc_daynr(t.year, 1, 1) + 1));
        break;
      }
      case 'k':
        put("%d", t.hour);
        break;
      case 'l':
        put("%d", (t.hour % 24 + 11) % 12 + 1);
        break;
      case 'p':
        out += t.hour % 24 < 12 ? "AM" : "PM";
        break;
      case 'r':
        put("%02u:%02d:%02d %s", (t.hour + 11) % 12 + 1, int{t.minute}, int{t.second},
            t.hour % 24 < 12 ? "AM" : "PM");
        break;
      case 'S':
      case 's':
        put("%02d", int{t.second});
        break;
      case 'T':
        put("%02u:%02d:%02d", t.hour, int{t.minute}, int{t.second});
        break;
      case 'U':
      case 'u': {
        // A zero month makes the week arithmetic wrap in the server; NULL is the sane answer.
        if (is_time || t.month == 0) return std::nullopt;
        int64_t y;
        put("%02d", calc_week(t, spec == 'U' ? week_first_weekday : week_monday_first, y));
        break;
      }
      case 'V':
      case 'v': {
        if (is_time || t.month == 0) return std::nullopt;
        int64_t y;
        unsigned flags =
            spec == 'V' ? (week_year | week_first_weekday) : (week_year | week_monday_first);
        put("%02d", calc_week(t, flags, y));
        break;
      }
      case 'X':
      case 'x': {
        if (is_time || t.month == 0) return std::nullopt;
        int64_t y;
        unsigned flags =
            spec == 'X' ? (week_year | week_first_weekday) : (week_year | week_monday_first);
        calc_week(t, flags, y);
        put("%04lld", static_cast<long long>(y));
        break;
      }
      case 'w': {
        if (is_time || (t.month == 0 && t.year == 0)) return std::nullopt;
        put("%d", calc_weekday(calc_daynr(t.year, t.month, t.day), true));
        break;
      }
      default:
        out.push_back(spec);
        break;
    }
  }
  return out;
}

std::string date_format(const Temporal& t, std::string_view format) {
  return date_format_checked(t, format, false).value_or(std::string());
}

// ---- Unix time -------------------------------------------------------------------------------

int64_t unix_seconds_utc(const Temporal& dt) {
  constexpr int64_t epoch_daynr = 719528;  // TO_DAYS('1970-01-01')
  return (calc_daynr(dt.year, dt.month, dt.day) - epoch_daynr) * 86400 + dt.hour * 3600LL +
         dt.minute * 60 + dt.second;
}

Temporal from_unix_seconds_utc(int64_t seconds, uint32_t micro) {
  constexpr int64_t epoch_daynr = 719528;
  int64_t days = seconds / 86400, rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  Temporal t = from_days(days + epoch_daynr);
  t.hour = static_cast<uint32_t>(rem / 3600);
  t.minute = static_cast<uint8_t>(rem / 60 % 60);
  t.second = static_cast<uint8_t>(rem % 60);
  t.micro = micro;
  return t;
}

}  // namespace obsync
