// MySQL DATE, TIME and DATETIME values: parsing, formatting, arithmetic (INTERVAL), day numbers.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace obsync {

// One calendar/clock value. DATE uses the date part; TIME uses hour (0..838), minute, second,
// micro and negative; DATETIME uses all but negative. Zero dates ('0000-00-00') are allowed as
// MySQL allows them in columns.
struct Temporal {
  int32_t year = 0;
  uint8_t month = 0, day = 0;
  uint32_t hour = 0;
  uint8_t minute = 0, second = 0;
  uint32_t micro = 0;
  bool negative = false;

  bool operator==(const Temporal&) const = default;
};

enum class IntervalUnit : uint8_t {
  Microsecond, Second, Minute, Hour, Day, Week, Month, Quarter, Year,
  SecondMicrosecond, MinuteMicrosecond, MinuteSecond, HourMicrosecond, HourSecond,
  HourMinute, DayMicrosecond, DaySecond, DayMinute, DayHour, YearMonth,
};

// Parsing as MySQL reads a string into a temporal (str_to_datetime / str_to_time): accepts
// 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS[.ffffff]', 'YYYYMMDDHHMMSS', two-digit years, any
// punctuation as delimiter, 'T' between date and time; TIME also 'D HH:MM:SS', 'HHMMSS', '-HH:MM'.
// Fractional digits beyond `fsp` are rounded (MySQL 8 default). nullopt: not a valid value.
std::optional<Temporal> parse_date(std::string_view text);
// `date_only` (optional) reports a value without a time part ('2026-01-31'): MySQL keeps such a
// string a DATE (MYSQL_TIMESTAMP_DATE) through DATE_ADD with a day-or-larger unit.
std::optional<Temporal> parse_datetime(std::string_view text, int fsp = 6, bool* date_only = nullptr);
// The fractional digits a string holds when read as a datetime (0..6), nullopt when it is not
// one: MySQL's datetime_precision() of a constant string (UNIX_TIMESTAMP's result scale).
std::optional<int> datetime_fraction_digits(std::string_view text);
std::optional<Temporal> parse_time(std::string_view text, int fsp = 6);
// Numbers as temporals: 20260131 -> date, 20260131103000 -> datetime, 103000 -> TIME 10:30:00.
std::optional<Temporal> datetime_from_number(int64_t value, uint32_t micro = 0);
std::optional<Temporal> time_from_number(int64_t value, uint32_t micro = 0, bool negative = false);

// Text forms: '2026-01-31', '2026-01-31 10:00:00.123' (exactly fsp fractional digits),
// '-838:59:59'.
std::string format_date(const Temporal& t);
std::string format_datetime(const Temporal& t, int fsp);
std::string format_time(const Temporal& t, int fsp);

// Numeric forms as MySQL uses them in arithmetic: 20260131, 20260131100000, -8385959.
int64_t date_to_number(const Temporal& t);
int64_t datetime_to_number(const Temporal& t);  // without the fraction
int64_t time_to_number(const Temporal& t);      // without the fraction, signed

// Day numbers (MySQL's TO_DAYS): days since year 0; and back. TO_DAYS and WEEKDAY are NULL on
// dates with a zero part: callers check that; these compute MySQL's raw calc_daynr.
// from_days gives the zero date outside 0001-01-01..9999-12-31 (day numbers 366..3652424).
int64_t to_days(int32_t year, int month, int day);
Temporal from_days(int64_t days);
bool valid_date(int32_t year, int month, int day);  // month/day in range; zero parts rejected
int days_in_month(int32_t year, int month);
int weekday(const Temporal& t);  // 0 = Monday

// Comparison keys: total order within one class (negative TIME sorts first).
int64_t datetime_key_micros(const Temporal& t);  // microseconds since 0000-00-00 (approx. calendar)
int64_t time_micros(const Temporal& t);          // signed microseconds

// Rounds the fraction to `fsp` digits (carrying into seconds, minutes, days…).
Temporal round_fraction(const Temporal& t, bool is_time, int fsp);

// DATE_ADD / DATE_SUB: `value` is the interval expression's text ('1:30' for HOUR_MINUTE) or
// number, parsed per unit as MySQL does. nullopt when the result is out of range (MySQL: NULL).
struct Interval {
  int64_t years = 0, months = 0, days = 0, hours = 0, minutes = 0, seconds = 0, micros = 0;
  bool negative = false;
};
// Single units other than SECOND read the text as MySQL reads a string as an integer (leading
// digits; '1.9' DAY is 1 day): a numeric operand must arrive already rounded ('2' for 1.5).
// SECOND reads a DECIMAL ('1.5', '1e3'); compound units split digit groups on any non-digit.
std::optional<Interval> parse_interval(std::string_view value, IntervalUnit unit);
std::optional<Temporal> add_interval(const Temporal& datetime, const Interval& interval,
                                     bool subtract);
// TIME + interval (no date part): result stays a TIME; nullopt when out of range.
std::optional<Temporal> add_interval_to_time(const Temporal& time, const Interval& interval,
                                             bool subtract);

// DATE_FORMAT with MySQL's specifiers (%Y %m %d %H %i %s %f %W %M %a %b %j %U %u %V %v %X %x
// %p %r %T %e %c %k %l %h %I %D %w %y %S %%).
// The empty string where MySQL returns NULL (%M on a zero month, %W on a zero date, ...).
std::string date_format(const Temporal& t, std::string_view format);
// DATE_FORMAT / TIME_FORMAT with MySQL's NULL cases: nullopt for %M %b %U %u %V %v %X %x on
// month 0, %j on year or month 0, %W %a %w on a zero date, and (is_time: TIME_FORMAT) for
// every date specifier.
std::optional<std::string> date_format_checked(const Temporal& t, std::string_view format,
                                               bool is_time = false);

// UNIX_TIMESTAMP / FROM_UNIXTIME in UTC (obsync evaluates in the session time zone UTC).
int64_t unix_seconds_utc(const Temporal& datetime);
Temporal from_unix_seconds_utc(int64_t seconds, uint32_t micro = 0);

}  // namespace obsync
