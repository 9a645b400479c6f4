// Value conversions with MySQL's coercion rules, result-type aggregation and literal typing.
#include "stdlib/convert.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "stdlib/compare.hpp"
#include "stdlib/json.hpp"
#include "stdlib/number.hpp"

namespace obsync {

namespace {

bool is_bit_string(const SqlType& t) { return t.cls == TypeClass::String && t.column == ColumnType::Bit; }

// BIT values and hex literals: big-endian bytes read as an unsigned integer (last 8 bytes).
uint64_t bytes_to_uint(std::string_view s) {
  uint64_t v = 0;
  for (unsigned char c : s) v = (v << 8) | c;
  return v;
}

double temporal_to_double(const Value& v) {
  switch (v.cls) {
    case TypeClass::Date: return static_cast<double>(date_to_number(v.tm));
    case TypeClass::DateTime: return static_cast<double>(datetime_to_number(v.tm)) + v.tm.micro / 1e6;
    case TypeClass::Time: {
      double n = static_cast<double>(time_to_number(v.tm));
      double f = v.tm.micro / 1e6;
      return v.tm.negative ? n - f : n + f;
    }
    default: return 0;
  }
}

Decimal temporal_to_decimal(const Value& v, int fsp) {
  int64_t whole = v.cls == TypeClass::Date ? date_to_number(v.tm)
                  : v.cls == TypeClass::DateTime ? datetime_to_number(v.tm) : time_to_number(v.tm);
  Decimal d = Decimal::from_int(whole);
  if (fsp > 0 && v.cls != TypeClass::Date) {
    std::string frac = fmt::format("{:06d}", v.tm.micro).substr(0, static_cast<size_t>(fsp));
    std::string text = fmt::format("{}0.{}", (v.cls == TypeClass::Time && v.tm.negative) ? "-" : "", frac);
    Decimal f = Decimal::parse(text).value;
    d = d.add(f);
  }
  return d;
}

}  // namespace

TypeClass numeric_class(const SqlType& t) {
  switch (t.cls) {
    case TypeClass::Int: return TypeClass::Int;
    case TypeClass::Decimal: return TypeClass::Decimal;
    case TypeClass::Double: return TypeClass::Double;
    case TypeClass::String: return is_bit_string(t) ? TypeClass::Int : TypeClass::Double;
    case TypeClass::Date: return TypeClass::Int;
    case TypeClass::Time:
    case TypeClass::DateTime: return t.scale > 0 ? TypeClass::Decimal : TypeClass::Int;
    case TypeClass::Json: return TypeClass::Double;
    case TypeClass::Null: return TypeClass::Int;
  }
  return TypeClass::Double;
}

int decimal_scale(const SqlType& t) {
  switch (t.cls) {
    case TypeClass::Decimal: return t.scale;
    case TypeClass::Time:
    case TypeClass::DateTime: return t.scale;
    default: return 0;
  }
}

int decimal_integer_digits(const SqlType& t) {
  switch (t.cls) {
    case TypeClass::Decimal: return std::max(1, t.precision - t.scale);
    case TypeClass::Int: return t.length ? std::min<int>(20, static_cast<int>(t.length)) : 20;
    case TypeClass::Date: return 8;
    case TypeClass::Time: return 7;
    case TypeClass::DateTime: return 14;
    default: return 20;
  }
}

double value_to_double(const Value& v, const SqlType& t) {
  switch (v.cls) {
    case TypeClass::Int: return v.is_unsigned ? static_cast<double>(v.u) : static_cast<double>(v.i);
    case TypeClass::Decimal: return v.dec.to_double();
    case TypeClass::Double: return v.d;
    case TypeClass::String:
      if (is_bit_string(t)) return static_cast<double>(bytes_to_uint(v.str));
      return string_to_double(v.str).value;
    case TypeClass::Json: return json_to_double(read_stored_json(v.str));
    case TypeClass::Date:
    case TypeClass::Time:
    case TypeClass::DateTime: return temporal_to_double(v);
    case TypeClass::Null: return 0;
  }
  return 0;
}

Decimal value_to_decimal(const Value& v, const SqlType& t) {
  switch (v.cls) {
    case TypeClass::Int: return v.is_unsigned ? Decimal::from_uint(v.u) : Decimal::from_int(v.i);
    case TypeClass::Decimal: return v.dec;
    case TypeClass::Double: return Decimal::from_double(v.d).value_or(Decimal());
    case TypeClass::String:
      if (is_bit_string(t)) return Decimal::from_uint(bytes_to_uint(v.str));
      return string_to_decimal(v.str);
    case TypeClass::Json: return json_to_decimal(read_stored_json(v.str));
    case TypeClass::Date:
    case TypeClass::Time:
    case TypeClass::DateTime: return temporal_to_decimal(v, t.scale);
    case TypeClass::Null: return Decimal();
  }
  return Decimal();
}

IntValue value_to_int(const Value& v, const SqlType& t) {
  switch (v.cls) {
    case TypeClass::Int:
      return v.is_unsigned ? IntValue{static_cast<int64_t>(v.u), true} : IntValue{v.i, false};
    case TypeClass::Decimal: {
      if (v.dec.is_negative()) {
        auto i = v.dec.to_int64();
        return {i.value_or(std::numeric_limits<int64_t>::min()), false};
      }
      auto i = v.dec.to_int64();
      if (i) return {*i, false};
      auto u = v.dec.to_uint64();
      return {static_cast<int64_t>(u.value_or(std::numeric_limits<uint64_t>::max())), true};
    }
    case TypeClass::Double: {
      bool overflow = false;
      if (v.d >= 9223372036854775808.0) {
        uint64_t u = double_to_uint64(v.d, &overflow);
        return {static_cast<int64_t>(u), true};
      }
      return {double_to_int64(v.d, &overflow), false};
    }
    case TypeClass::String: {
      if (is_bit_string(t)) return {static_cast<int64_t>(bytes_to_uint(v.str)), true};
      StringToInt r = string_to_int(v.str);
      return {r.value, r.is_unsigned};
    }
    case TypeClass::Json: {
      bool is_unsigned = false;
      int64_t i = json_to_int(read_stored_json(v.str), &is_unsigned);
      return {i, is_unsigned};
    }
    case TypeClass::Date: return {date_to_number(v.tm), false};
    case TypeClass::DateTime: {
      Temporal r = round_fraction(v.tm, false, 0);
      return {datetime_to_number(r), false};
    }
    case TypeClass::Time: {
      Temporal r = round_fraction(v.tm, true, 0);
      return {time_to_number(r), false};
    }
    case TypeClass::Null: return {0, false};
  }
  return {0, false};
}

std::string value_to_string(const Value& v, const SqlType& t) { return render_value(v, t); }

bool value_to_bool(const Value& v, const SqlType& t) {
  switch (v.cls) {
    case TypeClass::Int: return v.is_unsigned ? v.u != 0 : v.i != 0;
    case TypeClass::Decimal: return !v.dec.is_zero();
    case TypeClass::Double: return v.d != 0;
    default: return value_to_double(v, t) != 0;
  }
}

std::optional<Temporal> value_to_datetime(const Value& v, const SqlType& t) {
  switch (v.cls) {
    case TypeClass::DateTime: return v.tm;
    case TypeClass::Date: {
      Temporal r = v.tm;
      r.hour = r.minute = r.second = 0;
      r.micro = 0;
      return r;
    }
    case TypeClass::Time: {
      // MySQL uses the current date here; obsync never reads the clock (a replayed change must
      // give the same message), so a TIME becomes a DATETIME on day zero.
      if (v.tm.negative || v.tm.hour >= 24) return std::nullopt;
      Temporal r = v.tm;
      return r;
    }
    case TypeClass::String:
    case TypeClass::Json:
      if (is_bit_string(t)) return datetime_from_number(static_cast<int64_t>(bytes_to_uint(v.str)));
      return parse_datetime(v.str, 6);
    case TypeClass::Int:
      if (v.is_unsigned && v.u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      // An unsigned value's number is in `u` (Value::from_uint leaves `i` 0).
      return datetime_from_number(v.is_unsigned ? static_cast<int64_t>(v.u) : v.i);
    case TypeClass::Decimal:
    case TypeClass::Double: {
      double d = value_to_double(v, t);
      if (d < 0 || d > 99991231235959.0) return std::nullopt;
      double whole = std::floor(d);
      auto micro = static_cast<uint32_t>(std::llround((d - whole) * 1e6));
      if (v.cls == TypeClass::Decimal) {
        Decimal w = v.dec.round(0, Decimal::Rounding::Floor);
        Decimal frac = v.dec.sub(w);
        micro = static_cast<uint32_t>(frac.round(6).to_string().size() > 2
                                          ? std::llround(frac.to_double() * 1e6) : 0);
        whole = static_cast<double>(w.to_int64().value_or(0));
      }
      if (micro >= 1000000) micro = 999999;
      return datetime_from_number(static_cast<int64_t>(whole), micro);
    }
    case TypeClass::Null: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Temporal> value_to_date(const Value& v, const SqlType& t) {
  auto dt = value_to_datetime(v, t);
  if (!dt) return std::nullopt;
  Temporal r = *dt;
  r.hour = r.minute = r.second = 0;
  r.micro = 0;
  return r;
}

std::optional<Temporal> value_to_time(const Value& v, const SqlType& t) {
  switch (v.cls) {
    case TypeClass::Time: return v.tm;
    case TypeClass::DateTime: {
      Temporal r;
      r.hour = v.tm.hour;
      r.minute = v.tm.minute;
      r.second = v.tm.second;
      r.micro = v.tm.micro;
      return r;
    }
    case TypeClass::Date: return Temporal{};
    case TypeClass::String:
    case TypeClass::Json: return parse_time(v.str, 6);
    case TypeClass::Int: {
      if (v.is_unsigned && v.u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      int64_t n = v.is_unsigned ? static_cast<int64_t>(v.u) : v.i;
      bool neg = n < 0;
      return time_from_number(neg ? -n : n, 0, neg);
    }
    case TypeClass::Decimal:
    case TypeClass::Double: {
      double d = value_to_double(v, t);
      bool neg = d < 0;
      d = std::fabs(d);
      double whole = std::floor(d);
      auto micro = static_cast<uint32_t>(std::llround((d - whole) * 1e6));
      if (micro >= 1000000) micro = 999999;
      return time_from_number(static_cast<int64_t>(whole), micro, neg);
    }
    case TypeClass::Null: return std::nullopt;
  }
  return std::nullopt;
}

namespace {

size_t utf8_prefix_bytes(std::string_view s, size_t chars) {
  size_t i = 0, n = 0;
  while (i < s.size()) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == chars) return i;
      ++n;
    }
    ++i;
  }
  return s.size();
}

}  // namespace

Value convert_value(const Value& v, const SqlType& from, const SqlType& target, EvalContext& ctx) {
  if (v.is_null()) return v;
  switch (target.cls) {
    case TypeClass::Null: return Value::null();
    case TypeClass::Int: {
      if (target.column == ColumnType::Year) {
        IntValue i = value_to_int(v, from);
        int64_t y = i.value;
        if (v.cls == TypeClass::String && !is_bit_string(from)) {
          auto r = string_to_int(v.str);
          y = r.value;
          std::string_view s = v.str;
          size_t b = s.find_first_not_of(' ');
          size_t len = 0;
          while (b != std::string_view::npos && b + len < s.size() && std::isdigit(static_cast<unsigned char>(s[b + len]))) ++len;
          if (len <= 2 && len > 0) y = y < 70 ? 2000 + y : 1900 + y;  // '0' and '00' give 2000
        } else if (v.cls == TypeClass::Date || v.cls == TypeClass::DateTime) {
          y = v.tm.year;
        } else if (y > 0 && y < 70) {
          y += 2000;
        } else if (y >= 70 && y < 100) {
          y += 1900;
        }
        if (y != 0 && (y < 1901 || y > 2155)) return Value::null();
        return Value::from_uint(static_cast<uint64_t>(y));
      }
      if (v.cls == TypeClass::Double && !target.is_unsigned) {
        // Item_float::val_int: a DOUBLE outside BIGINT clamps to its bounds (with a warning).
        if (v.d >= 9223372036854775807.0) return Value::from_int(std::numeric_limits<int64_t>::max());
        if (v.d <= -9223372036854775808.0) return Value::from_int(std::numeric_limits<int64_t>::min());
      }
      IntValue i = value_to_int(v, from);
      if (target.is_unsigned) {
        if (v.cls == TypeClass::Double && v.d < 0) {
          bool overflow = false;
          return Value::from_uint(static_cast<uint64_t>(double_to_int64(v.d, &overflow)));
        }
        return Value::from_uint(static_cast<uint64_t>(i.value));
      }
      if (v.cls == TypeClass::Double) {
        // Item_float::val_int() clamps: CAST(1e20 AS SIGNED) is 9223372036854775807.
        bool overflow = false;
        return Value::from_int(double_to_int64(v.d, &overflow));
      }
      return Value::from_int(i.value);  // unsigned above INT64_MAX wraps, as CAST(... AS SIGNED)
    }
    case TypeClass::Decimal: {
      Decimal d = value_to_decimal(v, from).with_scale(target.scale);
      if (d.integer_digits() > target.precision - target.scale) {
        // MySQL clamps to the largest value of the type (with a warning).
        std::string nines(static_cast<size_t>(target.precision - target.scale), '9');
        if (nines.empty()) nines = "0";
        if (target.scale) nines += "." + std::string(target.scale, '9');
        Decimal max = Decimal::parse(nines).value;
        return Value::from_decimal(d.is_negative() ? max.negate() : max);
      }
      return Value::from_decimal(d);
    }
    case TypeClass::Double: {
      double d = value_to_double(v, from);
      if (target.column == ColumnType::Float) d = static_cast<float>(d);
      return Value::from_double(d);
    }
    case TypeClass::String:
    case TypeClass::Json: {
      if (target.cls == TypeClass::Json) return cast_to_json(v, from, ctx);  // parses JSON text
      std::string s = value_to_string(v, from);
      if (target.cls == TypeClass::String && target.length) {
        if (target.is_binary_string()) {
          if (s.size() > target.length) s.resize(target.length);
          else if (target.column == ColumnType::Binary) s.resize(target.length, '\0');
        } else {
          s.resize(utf8_prefix_bytes(s, target.length));
        }
      }
      return target.cls == TypeClass::Json ? Value::from_json(std::move(s)) : Value::from_string(std::move(s));
    }
    case TypeClass::Date: {
      auto t = value_to_date(v, from);
      if (!t) return Value::null();
      return Value::from_temporal(TypeClass::Date, *t);
    }
    case TypeClass::DateTime: {
      auto t = value_to_datetime(v, from);
      if (!t) return Value::null();
      Temporal r = round_fraction(*t, false, target.scale);
      if (r.year > 9999) return Value::null();
      return Value::from_temporal(TypeClass::DateTime, r);
    }
    case TypeClass::Time: {
      auto t = value_to_time(v, from);
      if (!t) return Value::null();
      return Value::from_temporal(TypeClass::Time, round_fraction(*t, true, target.scale));
    }
  }
  (void)ctx;  // conversions clamp with a warning in MySQL; none of them raises an error yet
  return Value::null();
}

std::optional<SqlType> aggregate_types(const std::vector<SqlType>& types, std::string& error) {
  std::vector<SqlType> known;
  for (const auto& t : types)
    if (t.cls != TypeClass::Null) known.push_back(t);
  if (known.empty()) return SqlType{};
  bool nullable = known.size() != types.size() ||
                  std::any_of(known.begin(), known.end(), [](const SqlType& t) { return t.nullable; });
  auto all = [&](auto pred) { return std::all_of(known.begin(), known.end(), pred); };
  auto any = [&](auto pred) { return std::any_of(known.begin(), known.end(), pred); };
  SqlType out;
  auto is_num = [](const SqlType& t) {
    return t.cls == TypeClass::Int || t.cls == TypeClass::Decimal || t.cls == TypeClass::Double;
  };
  if (all([](const SqlType& t) { return t.cls == TypeClass::Int && t.column != ColumnType::Year; }) ||
      all([](const SqlType& t) { return t.column == ColumnType::Year; })) {
    bool all_unsigned = all([](const SqlType& t) { return t.is_unsigned; });
    bool any_unsigned = any([](const SqlType& t) { return t.is_unsigned; });
    if (all_unsigned || !any_unsigned) {
      out = known[0].column == ColumnType::Year ? known[0] : SqlType::bigint(all_unsigned);
      if (known[0].column != ColumnType::Year) {
        uint32_t len = 0;
        for (const auto& t : known) len = std::max(len, t.length);
        out.length = len;
      }
    } else {
      out = SqlType::decimal(20, 0);
    }
  } else if (all(is_num)) {
    if (any([](const SqlType& t) { return t.cls == TypeClass::Double; })) {
      out = SqlType::dbl();
    } else {
      int int_digits = 0, scale = 0;
      for (const auto& t : known) {
        int_digits = std::max(int_digits, decimal_integer_digits(t));
        scale = std::max(scale, decimal_scale(t));
      }
      out = SqlType::decimal(std::min(65, int_digits + scale), std::min(30, scale));
    }
  } else if (all([](const SqlType& t) { return t.is_temporal(); })) {
    TypeClass c = known[0].cls;
    if (!all([&](const SqlType& t) { return t.cls == c; })) c = TypeClass::DateTime;
    int fsp = 0;
    for (const auto& t : known) fsp = std::max<int>(fsp, t.cls == TypeClass::Date ? 0 : t.scale);
    out = c == TypeClass::Date ? SqlType::date() : c == TypeClass::Time ? SqlType::time(fsp) : SqlType::datetime(fsp);
  } else if (all([](const SqlType& t) { return t.cls == TypeClass::Json; })) {
    out = SqlType::json();
  } else {
    // Strings win: everything else is converted to its text form. The collation follows
    // MySQL's string-result aggregation: an undecided (NONE) collation is not an error here.
    auto merged = aggregate_collations(known, CollationUse::kStringResult, "", error);
    if (!merged) return std::nullopt;
    out = SqlType::string(merged->collation);
    out.derivation = merged->derivation;
  }
  out.nullable = nullable;
  return out;
}

std::optional<std::pair<Value, SqlType>> numeric_literal(std::string_view text, LiteralClass kind) {
  auto not_null = [](SqlType t) {
    t.nullable = false;
    return t;
  };
  switch (kind) {
    case LiteralClass::Integer: {
      bool negative = !text.empty() && text[0] == '-';
      std::string_view digits = negative ? text.substr(1) : text;
      size_t lead = digits.find_first_not_of('0');
      std::string_view significant = lead == std::string_view::npos ? std::string_view("0") : digits.substr(lead);
      uint64_t u = 0;
      auto [p, ec] = std::from_chars(significant.data(), significant.data() + significant.size(), u);
      if (ec == std::errc() && p == significant.data() + significant.size()) {
        SqlType t = SqlType::bigint(false);
        t.length = static_cast<uint32_t>(significant.size() + (negative ? 1 : 0));
        if (negative && u <= 9223372036854775808ULL)
          return std::pair{Value::from_int(static_cast<int64_t>(0 - u)), not_null(t)};
        if (!negative && u <= 9223372036854775807ULL)
          return std::pair{Value::from_int(static_cast<int64_t>(u)), not_null(t)};
        if (!negative) {
          t.is_unsigned = true;
          return std::pair{Value::from_uint(u), not_null(t)};
        }
      }
      [[fallthrough]];
    }
    case LiteralClass::Decimal: {
      auto r = Decimal::parse(text);
      if (r.consumed != text.size()) return std::nullopt;
      if (r.overflow) {
        double d = std::strtod(std::string(text).c_str(), nullptr);
        return std::pair{Value::from_double(d), not_null(SqlType::dbl())};
      }
      int scale = r.value.scale();
      int precision = std::max(r.value.precision(), scale);
      return std::pair{Value::from_decimal(r.value), not_null(SqlType::decimal(std::min(65, precision), scale))};
    }
    case LiteralClass::Real: {
      std::string s(text);
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (end != s.c_str() + s.size() || std::isinf(d)) return std::nullopt;
      return std::pair{Value::from_double(d), not_null(SqlType::dbl())};
    }
    case LiteralClass::Hex:
    case LiteralClass::Bit: {
      std::string bytes;
      if (kind == LiteralClass::Hex) {
        std::string digits(text);
        if (digits.size() % 2) digits.insert(digits.begin(), '0');
        for (size_t i = 0; i < digits.size(); i += 2)
          bytes += static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16));
      } else {
        std::string bits(text);
        while (bits.size() % 8) bits.insert(bits.begin(), '0');
        for (size_t i = 0; i < bits.size(); i += 8) bytes += static_cast<char>(std::stoi(bits.substr(i, 8), nullptr, 2));
      }
      SqlType t = SqlType::varbinary(static_cast<uint32_t>(bytes.size()));
      t.column = ColumnType::Bit;  // a binary string that is a number in numeric context
      t.nullable = false;
      return std::pair{Value::from_string(std::move(bytes)), t};
    }
  }
  return std::nullopt;
}

}  // namespace obsync
