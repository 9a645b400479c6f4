// SqlType constructors and their SQL spelling.
#include "stdlib/types.hpp"

#include <fmt/format.h>

#include "stdlib/collation.hpp"

namespace obsync {

bool SqlType::is_binary_string() const {
  return cls == TypeClass::String && collation != nullptr && collation->is_binary;
}

SqlType SqlType::null_type() { return SqlType{}; }

SqlType SqlType::bigint(bool is_unsigned) {
  SqlType t;
  t.cls = TypeClass::Int;
  t.is_unsigned = is_unsigned;
  t.length = 20;
  return t;
}

SqlType SqlType::decimal(int precision, int scale) {
  SqlType t;
  t.cls = TypeClass::Decimal;
  t.precision = static_cast<uint8_t>(precision);
  t.scale = static_cast<uint8_t>(scale);
  return t;
}

SqlType SqlType::dbl() {
  SqlType t;
  t.cls = TypeClass::Double;
  t.scale = kNotFixedDec;
  return t;
}

SqlType SqlType::string(const Collation* collation, uint32_t length) {
  SqlType t;
  t.cls = TypeClass::String;
  t.collation = collation ? collation : &default_collation();
  t.length = length;
  return t;
}

SqlType SqlType::varbinary(uint32_t length) { return string(&binary_collation(), length); }

SqlType SqlType::date() {
  SqlType t;
  t.cls = TypeClass::Date;
  return t;
}

SqlType SqlType::time(int fsp) {
  SqlType t;
  t.cls = TypeClass::Time;
  t.scale = static_cast<uint8_t>(fsp);
  return t;
}

SqlType SqlType::datetime(int fsp) {
  SqlType t;
  t.cls = TypeClass::DateTime;
  t.scale = static_cast<uint8_t>(fsp);
  return t;
}

SqlType SqlType::json() {
  SqlType t;
  t.cls = TypeClass::Json;
  return t;
}

static std::string column_type_name(const SqlType& t) {
  auto with_len = [&](const char* name) {
    return t.length ? fmt::format("{}({})", name, t.length) : std::string(name);
  };
  auto fsp = [&](const char* name) {
    return t.scale ? fmt::format("{}({})", name, t.scale) : std::string(name);
  };
  auto elements = [&](const char* name) {
    std::string out = std::string(name) + "(";
    for (size_t i = 0; i < t.elements.size(); ++i)
      out += (i ? "," : "") + fmt::format("'{}'", t.elements[i]);
    return out + ")";
  };
  switch (t.column) {
    case ColumnType::None: return {};
    case ColumnType::TinyInt: return "TINYINT";
    case ColumnType::SmallInt: return "SMALLINT";
    case ColumnType::MediumInt: return "MEDIUMINT";
    case ColumnType::Int: return "INT";
    case ColumnType::BigInt: return "BIGINT";
    case ColumnType::Decimal: return fmt::format("DECIMAL({},{})", t.precision, t.scale);
    case ColumnType::Float: return "FLOAT";
    case ColumnType::Double: return "DOUBLE";
    case ColumnType::Bit: return fmt::format("BIT({})", t.precision);
    case ColumnType::Year: return "YEAR";
    case ColumnType::Date: return "DATE";
    case ColumnType::Time: return fsp("TIME");
    case ColumnType::DateTime: return fsp("DATETIME");
    case ColumnType::Timestamp: return fsp("TIMESTAMP");
    case ColumnType::Char: return with_len("CHAR");
    case ColumnType::VarChar: return with_len("VARCHAR");
    case ColumnType::Binary: return with_len("BINARY");
    case ColumnType::VarBinary: return with_len("VARBINARY");
    case ColumnType::TinyText: return "TINYTEXT";
    case ColumnType::Text: return "TEXT";
    case ColumnType::MediumText: return "MEDIUMTEXT";
    case ColumnType::LongText: return "LONGTEXT";
    case ColumnType::TinyBlob: return "TINYBLOB";
    case ColumnType::Blob: return "BLOB";
    case ColumnType::MediumBlob: return "MEDIUMBLOB";
    case ColumnType::LongBlob: return "LONGBLOB";
    case ColumnType::Enum: return elements("ENUM");
    case ColumnType::Set: return elements("SET");
    case ColumnType::Json: return "JSON";
    case ColumnType::Geometry: return "GEOMETRY";
  }
  return {};
}

std::string to_string(const SqlType& t) {
  std::string name = column_type_name(t);
  if (name.empty()) {
    switch (t.cls) {
      case TypeClass::Null: name = "NULL"; break;
      case TypeClass::Int: name = "BIGINT"; break;
      case TypeClass::Decimal: name = fmt::format("DECIMAL({},{})", t.precision, t.scale); break;
      case TypeClass::Double: name = "DOUBLE"; break;
      case TypeClass::String:
        name = t.is_binary_string() ? "VARBINARY" : "VARCHAR";
        if (t.length) name += fmt::format("({})", t.length);
        break;
      case TypeClass::Date: name = "DATE"; break;
      case TypeClass::Time: name = t.scale ? fmt::format("TIME({})", t.scale) : "TIME"; break;
      case TypeClass::DateTime: name = t.scale ? fmt::format("DATETIME({})", t.scale) : "DATETIME"; break;
      case TypeClass::Json: name = "JSON"; break;
    }
  }
  if (t.is_unsigned && (t.cls == TypeClass::Int || t.cls == TypeClass::Decimal || t.cls == TypeClass::Double))
    name += " UNSIGNED";
  if (t.cls == TypeClass::String && t.collation && !t.collation->is_binary)
    name += fmt::format(" COLLATE {}", t.collation->name);
  return name;
}

}  // namespace obsync
