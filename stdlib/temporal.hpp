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

}  // namespace obsync
