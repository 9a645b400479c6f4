// The MySQL text form of a value (what the mysql client prints), shared by eval and encoders.
#include "stdlib/value.hpp"

#include <fmt/format.h>

#include "stdlib/number.hpp"

namespace obsync {

std::string render_value(const Value& v, const SqlType& type) {
  switch (v.cls) {
    case TypeClass::Null: return "NULL";
    case TypeClass::Int:
      if (type.column == ColumnType::Year) return fmt::format("{:04d}", v.is_unsigned ? static_cast<int64_t>(v.u) : v.i);
      return v.is_unsigned ? std::to_string(v.u) : std::to_string(v.i);
    case TypeClass::Decimal:
      if (type.cls == TypeClass::Decimal) return v.dec.with_scale(type.scale).to_string();
      return v.dec.to_string();
    case TypeClass::Double:
      if (type.column == ColumnType::Float) return float_to_string(static_cast<float>(v.d));
      // DOUBLE(M,D) columns and DOUBLE results with fixed decimals (ROUND(1.5e0, 3) = 1.500)
      // print that many decimals, as Protocol_text::store_double does with my_fcvt.
      if (type.cls == TypeClass::Double && type.scale < SqlType::kNotFixedDec)
        return fmt::format("{:.{}f}", v.d, type.scale);
      return double_to_string(v.d);
    case TypeClass::String:
    case TypeClass::Json: return v.str;
    case TypeClass::Date: return format_date(v.tm);
    case TypeClass::DateTime: return format_datetime(v.tm, type.is_temporal() ? type.scale : 0);
    case TypeClass::Time: return format_time(v.tm, type.is_temporal() ? type.scale : 0);
  }
  return {};
}

}  // namespace obsync
