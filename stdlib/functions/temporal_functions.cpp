// Temporal built-in functions (registered in temporal_functions()): DATE, YEAR … FROM_UNIXTIME,
// DATE_ADD / DATE_SUB, with MySQL 8's result types (item_timefunc.cc) and the session zone UTC.
#include <fmt/format.h>

#include <algorithm>

#include "stdlib/convert.hpp"
#include "stdlib/function_registry.hpp"
#include "stdlib/temporal.hpp"

namespace obsync {
namespace {

constexpr int kMaxFsp = 6;
// MySQL 8.0.28+ on 64-bit platforms: Unix time up to '3001-01-18 23:59:59.999999' UTC.
constexpr int64_t kMaxUnixSeconds = 32536771199;
// MAX_DATETIME_FULL_WIDTH: the CHAR length of DATE_ADD on a string.
constexpr uint32_t kDatetimeFullWidth = 29;

SqlType int_result(uint32_t length) {
  SqlType t = SqlType::bigint();
  t.length = length;
  return t;
}

SqlType text_result(uint32_t length) { return SqlType::string(&default_collation(), length); }

// An argument's Item::decimals capped at 6 (min(decimals, DATETIME_MAX_DECIMALS)): strings and
// DOUBLEs without fixed decimals have NOT_FIXED_DEC, so 6.
int arg_decimals(const SqlType& t) {
  switch (t.cls) {
    case TypeClass::Null:
    case TypeClass::Int:
    case TypeClass::Date: return 0;
    case TypeClass::Decimal:
    case TypeClass::Time:
    case TypeClass::DateTime: return std::min<int>(t.scale, kMaxFsp);
    case TypeClass::Double: return t.scale >= SqlType::kNotFixedDec ? kMaxFsp : std::min<int>(t.scale, kMaxFsp);
    case TypeClass::String:
    case TypeClass::Json: return kMaxFsp;
  }
  return kMaxFsp;
}

// Reads an argument as MySQL's get_date(); a string also reports whether it had a time part.
std::optional<Temporal> arg_datetime(const Value& v, const SqlType& t, bool* date_only = nullptr) {
  if (date_only) *date_only = v.cls == TypeClass::Date;
  if (v.cls == TypeClass::String || v.cls == TypeClass::Json) {
    if (t.cls == TypeClass::String && t.column == ColumnType::Bit) return value_to_datetime(v, t);
    return parse_datetime(v.str, kMaxFsp, date_only);
  }
  if (v.cls == TypeClass::Int && date_only) {
    // number_to_datetime: up to eight digits is a date (YYMMDD, YYYYMMDD).
    int64_t n = v.is_unsigned ? -1 : v.i;
    *date_only = n > 0 && n <= 99991231;
  }
  return value_to_datetime(v, t);
}

// ---- DATE, YEAR, MONTH, DAY, HOUR, MINUTE, SECOND ---------------------------------------------

bool resolve_date(std::span<const SqlType>, BoundCall& out, std::string&) {
  out.result = SqlType::date();
  return true;
}

// DATE(expr) is CAST(expr AS DATE).
Value eval_date(std::span<const Value> a, const BoundCall& c, EvalContext& ctx) {
  return convert_value(a[0], c.args[0], SqlType::date(), ctx);
}

bool resolve_date_part(std::span<const SqlType>, BoundCall& out, std::string&) {
  out.result = int_result(4);
  return true;
}

template <int Part>
Value eval_date_part(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  auto t = arg_datetime(a[0], c.args[0]);
  if (!t) return Value::null();
  return Value::from_int(Part == 0 ? t->year : Part == 1 ? t->month : t->day);
}

template <int Part>
Value eval_time_part(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  auto t = value_to_time(a[0], c.args[0]);
  if (!t) return Value::null();
  return Value::from_int(Part == 0 ? static_cast<int64_t>(t->hour) : Part == 1 ? t->minute : t->second);
}

// ---- DATE_FORMAT, DATEDIFF -------------------------------------------------------------------

bool resolve_text(std::span<const SqlType>, BoundCall& out, std::string&) {
  out.result = text_result(0);
  return true;
}

Value format_with(const std::optional<Temporal>& t, const Value& format, const SqlType& format_type) {
  if (!t) return Value::null();
  std::string f = value_to_string(format, format_type);
  if (f.empty()) return Value::null();
  auto s = date_format_checked(*t, f);
  if (!s) return Value::null();
  return Value::from_string(std::move(*s));
}

Value eval_date_format(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  return format_with(arg_datetime(a[0], c.args[0]), a[1], c.args[1]);
}

bool resolve_datediff(std::span<const SqlType>, BoundCall& out, std::string&) {
  out.result = int_result(8);
  return true;
}

// DATEDIFF(a, b) is TO_DAYS(a) - TO_DAYS(b); TO_DAYS is NULL on zero dates and zero parts.
Value eval_datediff(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  auto x = arg_datetime(a[0], c.args[0]);
  auto y = arg_datetime(a[1], c.args[1]);
  if (!x || !y || x->month == 0 || x->day == 0 || y->month == 0 || y->day == 0) return Value::null();
  return Value::from_int(to_days(x->year, x->month, x->day) - to_days(y->year, y->month, y->day));
}

// ---- DATE_ADD / DATE_SUB ---------------------------------------------------------------------

bool is_date_unit(IntervalUnit u) {
  using U = IntervalUnit;
  return u == U::Day || u == U::Week || u == U::Month || u == U::Quarter || u == U::Year || u == U::YearMonth;
}

bool is_microsecond_unit(IntervalUnit u) {
  using U = IntervalUnit;
  return u == U::Microsecond || u == U::SecondMicrosecond || u == U::MinuteMicrosecond ||
         u == U::HourMicrosecond || u == U::DayMicrosecond;
}

// Item_date_add_interval::resolve_type. `param` is the IntervalUnit (see the binder).
bool resolve_date_add(std::span<const SqlType> args, BoundCall& out, std::string&) {
  auto unit = static_cast<IntervalUnit>(out.param);
  int interval_dec = 0;
  if (is_microsecond_unit(unit))
    interval_dec = kMaxFsp;
  else if (unit == IntervalUnit::Second)
    interval_dec = arg_decimals(args[1]);
  switch (args[0].cls) {
    case TypeClass::DateTime: out.result = SqlType::datetime(std::max<int>(args[0].scale, interval_dec)); break;
    case TypeClass::Date: out.result = is_date_unit(unit) ? SqlType::date() : SqlType::datetime(interval_dec); break;
    case TypeClass::Time: out.result = SqlType::time(std::max<int>(args[0].scale, interval_dec)); break;
    default: out.result = text_result(kDatetimeFullWidth); break;  // CHAR: a DATE, DATETIME or TIME string
  }
  return true;
}

// get_interval_value: SECOND with decimals reads a DECIMAL, other single units val_int() (which
// rounds numbers), compound units the text form.
std::optional<Interval> interval_of(const Value& v, const SqlType& t, IntervalUnit unit) {
  using U = IntervalUnit;
  bool single = unit == U::Microsecond || unit == U::Second || unit == U::Minute || unit == U::Hour ||
                unit == U::Day || unit == U::Week || unit == U::Month || unit == U::Quarter || unit == U::Year;
  std::string text;
  if (!single || v.cls == TypeClass::String || v.cls == TypeClass::Json) {
    text = value_to_string(v, t);  // parse_interval reads strings as MySQL does
  } else if (unit == U::Second && arg_decimals(t) > 0) {
    text = value_to_decimal(v, t).to_string();
  } else {
    text = std::to_string(value_to_int(v, t).value);
  }
  return parse_interval(text, unit);
}

Value date_add(std::span<const Value> a, const BoundCall& c, bool subtract) {
  auto unit = static_cast<IntervalUnit>(c.param);
  auto iv = interval_of(a[1], c.args[1], unit);
  if (!iv) return Value::null();
  switch (c.result.cls) {
    case TypeClass::Time: {
      auto t = value_to_time(a[0], c.args[0]);
      if (!t) return Value::null();
      auto r = add_interval_to_time(*t, *iv, subtract);
      if (!r) return Value::null();
      return Value::from_temporal(TypeClass::Time, *r);
    }
    case TypeClass::Date:
    case TypeClass::DateTime: {
      auto t = arg_datetime(a[0], c.args[0]);
      if (!t) return Value::null();
      auto r = add_interval(*t, *iv, subtract);
      if (!r) return Value::null();
      if (c.result.cls == TypeClass::Date) r->hour = r->minute = r->second = 0, r->micro = 0;
      return Value::from_temporal(c.result.cls, *r);
    }
    default: {
      // A string result: a date stays a date for day-or-larger units; a datetime shows six
      // fractional digits when it has a fraction (Item_temporal_hybrid_func::val_str_ascii).
      bool date_only = false;
      auto t = arg_datetime(a[0], c.args[0], &date_only);
      if (!t) return Value::null();
      auto r = add_interval(*t, *iv, subtract);
      if (!r) return Value::null();
      if (date_only && is_date_unit(unit)) return Value::from_string(format_date(*r));
      return Value::from_string(format_datetime(*r, r->micro ? kMaxFsp : 0));
    }
  }
}

Value eval_date_add(std::span<const Value> a, const BoundCall& c, EvalContext&) { return date_add(a, c, false); }
Value eval_date_sub(std::span<const Value> a, const BoundCall& c, EvalContext&) { return date_add(a, c, true); }

// ---- UNIX_TIMESTAMP, FROM_UNIXTIME -----------------------------------------------------------

// Item::datetime_precision(): a temporal's fsp, a number's decimals; a constant string's
// fraction digits arrive from the binder as param - 1 (param 0: not a constant string).
int datetime_precision(const SqlType& t, int64_t param) {
  if (param > 0) return static_cast<int>(param - 1);
  return arg_decimals(t);
}

bool resolve_unix_timestamp(std::span<const SqlType> args, BoundCall& out, std::string&) {
  int dec = datetime_precision(args[0], out.param);
  out.variant = dec;
  out.result = dec > 0 ? SqlType::decimal(11 + dec, dec) : SqlType::bigint();
  return true;
}

// Item::get_timeval: an argument that is not a datetime, or one outside the Unix time range,
// gives 0 (not NULL).
Value eval_unix_timestamp(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  int dec = c.variant;
  auto t = arg_datetime(a[0], c.args[0]);
  int64_t secs = 0;
  uint32_t micro = 0;
  if (t && t->month != 0 && t->day != 0) {
    secs = unix_seconds_utc(*t);
    micro = t->micro;
    if (secs <= 0 || secs > kMaxUnixSeconds) secs = 0, micro = 0;
  }
  if (dec == 0) return Value::from_int(secs);
  return Value::from_decimal(Decimal::parse(fmt::format("{}.{:06d}", secs, micro)).value.with_scale(dec));
}

bool resolve_from_unixtime(std::span<const SqlType> args, BoundCall& out, std::string&) {
  int dec = arg_decimals(args[0]);
  out.variant = dec;
  out.result = args.size() == 2 ? text_result(0) : SqlType::datetime(dec);
  return true;
}

// Item_func_from_unixtime::get_date: with decimals the argument is a DECIMAL split into seconds
// and nanoseconds (rounded to microseconds), otherwise val_int(); negative or past the range: NULL.
std::optional<Temporal> from_unixtime(const Value& v, const SqlType& t, int dec) {
  int64_t secs = 0;
  uint32_t micro = 0;
  if (dec > 0) {
    Decimal d = value_to_decimal(v, t);
    if (d.is_negative()) return std::nullopt;
    Decimal whole = d.round(0, Decimal::Rounding::Floor);
    auto s = whole.to_int64();
    if (!s) return std::nullopt;
    secs = *s;
    // my_decimal2lldiv_t: nanoseconds, digits past the ninth dropped.
    std::string frac = d.sub(whole).round(9, Decimal::Rounding::Truncate).with_scale(9).to_string();
    auto dot = frac.find('.');
    int64_t nanos = dot == std::string::npos ? 0 : std::stoll(frac.substr(dot + 1, 9));
    micro = static_cast<uint32_t>(nanos / 1000);
    if (nanos % 1000 >= 500) ++micro;
  } else {
    IntValue i = value_to_int(v, t);
    if (!i.is_unsigned && i.value < 0) return std::nullopt;
    if (static_cast<uint64_t>(i.value) > static_cast<uint64_t>(kMaxUnixSeconds)) return std::nullopt;
    secs = i.value;
  }
  if (secs > kMaxUnixSeconds) return std::nullopt;
  if (micro >= 1000000) {
    if (secs == kMaxUnixSeconds) {
      micro = 999999;  // no round-up past the end of the epoch
    } else {
      ++secs;
      micro = 0;
    }
  }
  return from_unix_seconds_utc(secs, micro);
}

Value eval_from_unixtime(std::span<const Value> a, const BoundCall& c, EvalContext&) {
  auto t = from_unixtime(a[0], c.args[0], c.variant);
  if (a.size() == 2) return format_with(t, a[1], c.args[1]);
  if (!t) return Value::null();
  return Value::from_temporal(TypeClass::DateTime, *t);
}

constexpr FunctionDef kTemporal[] = {
    {"DATE", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_date, eval_date, "DATE(expr)"},
    {"YEAR", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_date_part, eval_date_part<0>, "YEAR(date)"},
    {"MONTH", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_date_part, eval_date_part<1>, "MONTH(date)"},
    {"DAY", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_date_part, eval_date_part<2>, "DAY(date)"},
    {"HOUR", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_date_part, eval_time_part<0>, "HOUR(time)"},
    {"MINUTE", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_date_part, eval_time_part<1>, "MINUTE(time)"},
    {"SECOND", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_date_part, eval_time_part<2>, "SECOND(time)"},
    {"DATE_FORMAT", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_text, eval_date_format,
     "DATE_FORMAT(date, format)"},
    {"DATE_ADD", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_date_add, eval_date_add,
     "DATE_ADD(date, INTERVAL n unit)"},
    {"DATE_SUB", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_date_add, eval_date_sub,
     "DATE_SUB(date, INTERVAL n unit)"},
    {"DATEDIFF", 2, 2, NullPolicy::NullIfAnyNull, true, resolve_datediff, eval_datediff, "DATEDIFF(a, b)"},
    {"UNIX_TIMESTAMP", 1, 1, NullPolicy::NullIfAnyNull, true, resolve_unix_timestamp, eval_unix_timestamp,
     "UNIX_TIMESTAMP(datetime)"},
    {"FROM_UNIXTIME", 1, 2, NullPolicy::NullIfAnyNull, true, resolve_from_unixtime, eval_from_unixtime,
     "FROM_UNIXTIME(seconds[, format])"},
};

}  // namespace

std::span<const FunctionDef> temporal_functions() { return kTemporal; }

}  // namespace obsync
