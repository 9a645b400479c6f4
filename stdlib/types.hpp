// MySQL types as the compiler and the runtime see them: column types and expression result types.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace obsync {

struct Collation;  // stdlib/collation.hpp

// The class an expression value is computed in (MySQL's Item result types, refined for temporals).
enum class TypeClass : uint8_t {
  Null,      // the literal NULL: no type yet
  Int,       // 64-bit integer, signed or unsigned (SqlType::is_unsigned)
  Decimal,   // exact DECIMAL(precision, scale)
  Double,    // DOUBLE / FLOAT
  String,    // character or binary string (binary = collation "binary")
  Date,      // DATE
  Time,      // TIME(fsp), may be negative, up to 838:59:59
  DateTime,  // DATETIME(fsp) and TIMESTAMP(fsp)
  Json,      // JSON document (text form)
};

// The declared type of a column in a source table (MySQL's field types).
enum class ColumnType : uint8_t {
  None,  // not a column: an expression result
  TinyInt, SmallInt, MediumInt, Int, BigInt,
  Decimal, Float, Double, Bit, Year,
  Date, Time, DateTime, Timestamp,
  Char, VarChar, Binary, VarBinary,
  TinyText, Text, MediumText, LongText,
  TinyBlob, Blob, MediumBlob, LongBlob,
  Enum, Set, Json, Geometry,
};

// A fully resolved SQL type: what a column is declared as, or what an expression yields.
struct SqlType {
  TypeClass cls = TypeClass::Null;
  ColumnType column = ColumnType::None;
  bool is_unsigned = false;     // Int, Decimal, Double
  bool nullable = true;
  uint8_t precision = 0;        // Decimal: total digits 1..65; Float(p); Bit: width 1..64
  uint8_t scale = 0;            // Decimal: digits after the point 0..30; temporal: fsp 0..6;
                                // Double: fixed decimals, kNotFixedDec when not fixed
  uint32_t length = 0;          // String: max characters; Int: display width
  const Collation* collation = nullptr;  // String: its collation; binary strings use binary
  uint8_t derivation = kCoercible;       // String: MySQL collation coercibility (lower wins)
  std::vector<std::string> elements;     // Enum / Set labels, in declaration order

  static constexpr uint8_t kNotFixedDec = 31;
  // Collation coercibility, as MySQL's COERCIBILITY(): explicit COLLATE, none (conflict),
  // implicit (a column), system constant, coercible (a literal), numeric, ignorable (NULL).
  static constexpr uint8_t kExplicit = 0, kNone = 1, kImplicit = 2, kSysConst = 3, kCoercible = 4,
                           kNumeric = 5, kIgnorable = 6;

  bool is_binary_string() const;        // String with the binary collation
  bool is_numeric() const { return cls == TypeClass::Int || cls == TypeClass::Decimal || cls == TypeClass::Double; }
  bool is_temporal() const { return cls == TypeClass::Date || cls == TypeClass::Time || cls == TypeClass::DateTime; }

  // Constructors for the common result types.
  static SqlType null_type();
  static SqlType bigint(bool is_unsigned = false);
  static SqlType decimal(int precision, int scale);
  static SqlType dbl();
  static SqlType string(const Collation* collation, uint32_t length = 0);
  static SqlType varbinary(uint32_t length = 0);
  static SqlType date();
  static SqlType time(int fsp);
  static SqlType datetime(int fsp);
  static SqlType json();
};

// "BIGINT UNSIGNED", "DECIMAL(10,2)", "VARCHAR(20) COLLATE utf8mb4_bin": for diagnostics and explain.
std::string to_string(const SqlType& type);

}  // namespace obsync
