// MySQL comparison: the comparison type of two operands (Arg_comparator), collation derivation
// and three-way comparison of values.
#include "stdlib/compare.hpp"

#include <fmt/format.h>

#include "stdlib/convert.hpp"
#include "stdlib/json.hpp"

namespace obsync {
namespace {

bool is_bit_string(const SqlType& t) { return t.cls == TypeClass::String && t.column == ColumnType::Bit; }
bool is_number(const SqlType& t) {
  return t.cls == TypeClass::Int || t.cls == TypeClass::Decimal || t.cls == TypeClass::Double || is_bit_string(t);
}
bool is_string(const SqlType& t) { return (t.cls == TypeClass::String && !is_bit_string(t)) || t.cls == TypeClass::Json; }

const char* derivation_name(uint8_t d) {
  switch (d) {
    case SqlType::kExplicit: return "EXPLICIT";
    case SqlType::kNone: return "NONE";
    case SqlType::kImplicit: return "IMPLICIT";
    case SqlType::kSysConst: return "SYSCONST";
    case SqlType::kCoercible: return "COERCIBLE";
    case SqlType::kNumeric: return "NUMERIC";
    default: return "IGNORABLE";
  }
}

template <typename T>
int three_way(T a, T b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

int compare_ints(IntValue a, IntValue b) {
  bool a_neg = !a.is_unsigned && a.value < 0;
  bool b_neg = !b.is_unsigned && b.value < 0;
  if (a_neg != b_neg) return a_neg ? -1 : 1;
  if (a_neg) return three_way(a.value, b.value);
  return three_way(static_cast<uint64_t>(a.value), static_cast<uint64_t>(b.value));
}

}  // namespace

namespace {

bool is_binsort(const Collation& c) {
  return c.is_binary || (c.name.size() > 4 && c.name.substr(c.name.size() - 4) == "_bin");
}
bool is_unicode(const Collation& c) { return c.charset == "utf8mb4" || c.charset == "utf8mb3"; }

// MySQL's left_is_superset, without repertoires: utf8mb4 holds utf8mb3, Unicode holds the rest.
bool left_is_superset(const DerivedCollation& left, const DerivedCollation& right) {
  if (!is_unicode(*left.collation)) return false;
  if (left.derivation < right.derivation) return true;
  if (left.derivation != right.derivation) return false;
  return !is_unicode(*right.collation) ||
         (left.collation->charset == "utf8mb4" && right.collation->charset == "utf8mb3");
}

// DTCollation::aggregate (sql/item.cc, MySQL 8.0): folds dt into cur; true when the two cannot
// be aggregated at all. An undecided pair leaves cur with derivation NONE.
bool aggregate_pair(DerivedCollation& cur, const DerivedCollation& dt) {
  if (cur.collation != dt.collation && cur.derivation == SqlType::kExplicit && dt.derivation == SqlType::kExplicit)
    return true;
  if (cur.collation->charset != dt.collation->charset) {
    // Binary strings take precedence over character strings of the same coercibility.
    if (cur.collation->is_binary) {
      if (cur.derivation > dt.derivation) cur = dt;
    } else if (dt.collation->is_binary) {
      if (dt.derivation <= cur.derivation) cur = dt;
    } else if (left_is_superset(cur, dt)) {
    } else if (left_is_superset(dt, cur)) {
      cur = dt;
    } else if (cur.derivation < dt.derivation && dt.derivation >= SqlType::kSysConst) {
    } else if (dt.derivation < cur.derivation && cur.derivation >= SqlType::kSysConst) {
      cur = dt;
    } else {
      cur = {&binary_collation(), SqlType::kNone};
      return true;
    }
    return false;
  }
  if (cur.derivation < dt.derivation) return false;
  if (dt.derivation < cur.derivation) {
    cur = dt;
    return false;
  }
  if (cur.collation == dt.collation) return false;
  if (cur.derivation == SqlType::kExplicit) {
    cur.derivation = SqlType::kNone;
    return true;
  }
  // Two binary collations of one character set (utf8mb4_bin, utf8mb4_0900_bin): undecided.
  if (is_binsort(*cur.collation) && is_binsort(*dt.collation)) {
    cur.derivation = SqlType::kNone;
    return false;
  }
  // A _bin collation wins over a non-binary one of the same character set.
  if (is_binsort(*cur.collation)) return false;
  if (is_binsort(*dt.collation)) {
    cur = dt;
    return false;
  }
  std::string bin = fmt::format("{}_bin", cur.collation->charset);
  const Collation* b = find_collation(bin);
  cur = {b ? b : cur.collation, SqlType::kNone};
  return false;
}

std::string illegal_mix(std::span<const SqlType> types, std::string_view op) {
  std::string out = "Illegal mix of collations";
  if (types.size() == 2 || types.size() == 3) {
    for (size_t i = 0; i < types.size(); ++i) {
      DerivedCollation d = derived_collation(types[i]);
      out += fmt::format("{}({},{})", i == 0 ? " " : i + 1 == types.size() && types.size() == 2 ? " and " : ", ",
                         d.collation->name, derivation_name(d.derivation));
    }
  }
  if (!op.empty()) out += fmt::format(" for operation '{}'", op);
  return out;
}

}  // namespace

DerivedCollation derived_collation(const SqlType& t) {
  switch (t.cls) {
    case TypeClass::Null: return {&binary_collation(), SqlType::kIgnorable};
    case TypeClass::String: return {t.collation ? t.collation : &default_collation(), t.derivation};
    case TypeClass::Json: {
      static const Collation* json_collation = find_collation("utf8mb4_bin");
      return {json_collation, std::min<uint8_t>(t.derivation, SqlType::kImplicit)};
    }
    default: return {&default_collation(), SqlType::kNumeric};
  }
}

std::optional<DerivedCollation> aggregate_collations(std::span<const SqlType> types, CollationUse use,
                                                     std::string_view op, std::string& error) {
  if (types.empty()) return DerivedCollation{&default_collation(), SqlType::kCoercible};
  DerivedCollation c = derived_collation(types[0]);
  bool unknown_charset = false;
  for (size_t i = 1; i < types.size(); ++i) {
    if (aggregate_pair(c, derived_collation(types[i]))) {
      if (c.derivation == SqlType::kNone && c.collation->is_binary) {
        unknown_charset = true;
        continue;
      }
      error = illegal_mix(types, op);
      return std::nullopt;
    }
  }
  if ((unknown_charset && c.derivation != SqlType::kExplicit) ||
      (use == CollationUse::kComparison && c.derivation == SqlType::kNone)) {
    error = illegal_mix(types, op);
    return std::nullopt;
  }
  // All numbers: the connection collation, coercible.
  if (use == CollationUse::kStringResult && c.derivation == SqlType::kNumeric)
    c = {&default_collation(), SqlType::kCoercible};
  return c;
}

const Collation* derive_collation(const SqlType& a, const SqlType& b, std::string& error) {
  const SqlType pair[] = {a, b};
  auto c = aggregate_collations(pair, CollationUse::kComparison, "", error);
  return c ? c->collation : nullptr;
}

CompareAs comparison_type(const SqlType& a, const SqlType& b) {
  if (a.cls == TypeClass::Null || b.cls == TypeClass::Null) {
    const SqlType& other = a.cls == TypeClass::Null ? b : a;
    return is_string(other) ? CompareAs::String : CompareAs::Double;
  }
  if (is_string(a) && is_string(b)) {
    // MySQL compares a JSON value with a string as JSON (the string is a JSON string: doc->'$.s'
    // = 'x' is true); JSON against a number falls through to DOUBLE.
    return a.cls == TypeClass::Json || b.cls == TypeClass::Json ? CompareAs::Json : CompareAs::String;
  }
  if (a.is_temporal() || b.is_temporal()) {
    const SqlType& t = a.is_temporal() ? a : b;
    const SqlType& o = a.is_temporal() ? b : a;
    if (o.is_temporal()) {
      if (a.cls == b.cls)
        return a.cls == TypeClass::Date ? CompareAs::Date : a.cls == TypeClass::Time ? CompareAs::Time : CompareAs::DateTime;
      return CompareAs::DateTime;
    }
    if (is_string(o)) return t.cls == TypeClass::Time ? CompareAs::Time : CompareAs::DateTime;
    // A temporal against a number compares their numeric forms.
    return (t.scale > 0 || o.cls == TypeClass::Decimal) ? CompareAs::Decimal
           : o.cls == TypeClass::Double                 ? CompareAs::Double
                                                        : CompareAs::Int;
  }
  if (is_number(a) && is_number(b)) {
    TypeClass ca = numeric_class(a), cb = numeric_class(b);
    if (ca == TypeClass::Double || cb == TypeClass::Double) return CompareAs::Double;
    if (ca == TypeClass::Decimal || cb == TypeClass::Decimal) return CompareAs::Decimal;
    return CompareAs::Int;
  }
  // A string against a number: both as DOUBLE.
  return CompareAs::Double;
}

std::optional<ComparePlan> plan_comparison(const SqlType& a, const SqlType& b, std::string& error) {
  ComparePlan plan;
  plan.as = comparison_type(a, b);
  if (plan.as != CompareAs::String) return plan;
  if (a.cls == TypeClass::Null || b.cls == TypeClass::Null) {
    plan.collation = derived_collation(a.cls == TypeClass::Null ? b : a).collation;
    return plan;
  }
  const Collation* c = derive_collation(a, b, error);
  if (!c) return std::nullopt;
  plan.collation = c;
  return plan;
}

ComparePlan plan_comparison_list(const std::vector<SqlType>& types, std::string& error, bool& ok,
                                 ListComparison mode) {
  ok = true;
  ComparePlan plan;
  if (types.size() < 2) return plan;
  auto rank = [](CompareAs c) {
    switch (c) {
      case CompareAs::Int: return 0;
      case CompareAs::Decimal: return 1;
      default: return 2;
    }
  };
  std::optional<CompareAs> common;
  bool mixed = false, any_string = false;
  for (size_t i = 1; i < types.size(); ++i) {
    if (types[i].cls == TypeClass::Null && types[0].cls != TypeClass::Null) continue;
    CompareAs as = comparison_type(types[0], types[i]);
    any_string = any_string || as == CompareAs::String;
    if (!common) {
      common = as;
    } else if (*common != as) {
      mixed = true;
      bool numeric = rank(*common) < 2 || *common == CompareAs::Double;
      bool numeric_as = rank(as) < 2 || as == CompareAs::Double;
      // BETWEEN folds to one type (agg_cmp_type): numbers to the widest, strings with numbers
      // to DOUBLE, temporals with anything to DATETIME.
      if (numeric && numeric_as) common = rank(*common) >= rank(as) ? *common : as;
      else if (*common == CompareAs::String || as == CompareAs::String) common = CompareAs::Double;
      else common = CompareAs::DateTime;
    }
  }
  plan.as = common.value_or(comparison_type(types[0], types[0].cls == TypeClass::Null ? types[1] : types[0]));
  if (mixed && mode == ListComparison::kPairwise) plan.as = CompareAs::PerPair;
  if (any_string || plan.as == CompareAs::String) {
    std::vector<SqlType> strings;
    for (const SqlType& t : types)
      if (is_string(t) || t.cls == TypeClass::Null) strings.push_back(t);
    auto c = aggregate_collations(strings, CollationUse::kComparison, "", error);
    if (!c) {
      ok = false;
      return {};
    }
    plan.collation = c->collation;
  }
  return plan;
}

int compare_values(const Value& a, const SqlType& ta, const Value& b, const SqlType& tb, const ComparePlan& plan) {
  if (plan.as == CompareAs::PerPair) {
    ComparePlan pair{comparison_type(ta, tb), plan.collation};
    if (pair.as == CompareAs::String && !pair.collation) pair.collation = &default_collation();
    return compare_values(a, ta, b, tb, pair);
  }
  switch (plan.as) {
    case CompareAs::PerPair: return 0;
    case CompareAs::Int: return compare_ints(value_to_int(a, ta), value_to_int(b, tb));
    case CompareAs::Decimal: return value_to_decimal(a, ta).compare(value_to_decimal(b, tb));
    case CompareAs::Double: return three_way(value_to_double(a, ta), value_to_double(b, tb));
    case CompareAs::Json: return json_compare(json_from_sql(a, ta), json_from_sql(b, tb));
    case CompareAs::String: {
      const Collation& c = plan.collation ? *plan.collation : default_collation();
      std::string sa = a.cls == TypeClass::String || a.cls == TypeClass::Json ? a.str : value_to_string(a, ta);
      std::string sb = b.cls == TypeClass::String || b.cls == TypeClass::Json ? b.str : value_to_string(b, tb);
      return c.compare(sa, sb, c);
    }
    case CompareAs::Date:
    case CompareAs::DateTime: {
      auto da = value_to_datetime(a, ta);
      auto db = value_to_datetime(b, tb);
      if (!da || !db) {
        // An operand that is not a valid date: MySQL falls back to comparing the texts.
        std::string sa = value_to_string(a, ta), sb = value_to_string(b, tb);
        return three_way(sa.compare(sb), 0);
      }
      return three_way(datetime_key_micros(*da), datetime_key_micros(*db));
    }
    case CompareAs::Time: {
      auto da = value_to_time(a, ta);
      auto db = value_to_time(b, tb);
      if (!da || !db) return three_way(value_to_double(a, ta), value_to_double(b, tb));
      return three_way(time_micros(*da), time_micros(*db));
    }
  }
  return 0;
}

}  // namespace obsync
