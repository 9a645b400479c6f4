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

const Collation* derive_collation(const SqlType& a, const SqlType& b, std::string& error) {
  auto info = [](const SqlType& t) {
    if (t.cls == TypeClass::Null) return std::pair<const Collation*, uint8_t>{&default_collation(), SqlType::kIgnorable};
    if (t.cls != TypeClass::String) return std::pair<const Collation*, uint8_t>{&default_collation(), SqlType::kNumeric};
    return std::pair<const Collation*, uint8_t>{t.collation ? t.collation : &default_collation(), t.derivation};
  };
  auto [ca, da] = info(a);
  auto [cb, db] = info(b);
  if (ca == cb) return ca;
  // A binary string makes the operation binary, whatever the derivations.
  if (ca->is_binary) return ca;
  if (cb->is_binary) return cb;
  if (da < db) return ca;
  if (db < da) return cb;
  // Same derivation: _bin wins over a non-binary collation of the same character set.
  if (ca->charset == cb->charset) {
    bool a_bin = ca->name.size() > 4 && ca->name.substr(ca->name.size() - 4) == "_bin";
    bool b_bin = cb->name.size() > 4 && cb->name.substr(cb->name.size() - 4) == "_bin";
    if (da != SqlType::kExplicit && da != SqlType::kImplicit) {
      if (a_bin) return ca;
      if (b_bin) return cb;
    }
  }
  error = fmt::format("Illegal mix of collations ({},{}) and ({},{})", ca->name, derivation_name(da), cb->name,
                      derivation_name(db));
  return nullptr;
}

std::optional<ComparePlan> plan_comparison(const SqlType& a, const SqlType& b, std::string& error) {
  ComparePlan plan;
  if (a.cls == TypeClass::Null || b.cls == TypeClass::Null) {
    const SqlType& other = a.cls == TypeClass::Null ? b : a;
    if (is_string(other)) {
      plan.as = CompareAs::String;
      plan.collation = other.collation ? other.collation : &default_collation();
    }
    return plan;
  }
  if (is_string(a) && is_string(b)) {
    // MySQL compares a JSON value with a string as JSON (the string is a JSON string: doc->'$.s'
    // = 'x' is true); JSON against a number falls through to DOUBLE.
    if (a.cls == TypeClass::Json || b.cls == TypeClass::Json) {
      plan.as = CompareAs::Json;
      return plan;
    }
    const Collation* c = derive_collation(a, b, error);
    if (!c) return std::nullopt;
    plan.as = CompareAs::String;
    plan.collation = c;
    return plan;
  }
  if (a.is_temporal() || b.is_temporal()) {
    const SqlType& t = a.is_temporal() ? a : b;
    const SqlType& o = a.is_temporal() ? b : a;
    if (o.is_temporal()) {
      if (a.cls == b.cls) plan.as = a.cls == TypeClass::Date ? CompareAs::Date
                                    : a.cls == TypeClass::Time ? CompareAs::Time : CompareAs::DateTime;
      else plan.as = CompareAs::DateTime;
      return plan;
    }
    if (is_string(o)) {
      plan.as = t.cls == TypeClass::Time ? CompareAs::Time : CompareAs::DateTime;
      return plan;
    }
    // A temporal against a number compares their numeric forms.
    plan.as = (t.scale > 0 || o.cls == TypeClass::Decimal) ? CompareAs::Decimal
              : o.cls == TypeClass::Double ? CompareAs::Double : CompareAs::Int;
    return plan;
  }
  if (is_number(a) && is_number(b)) {
    TypeClass ca = numeric_class(a), cb = numeric_class(b);
    if (ca == TypeClass::Double || cb == TypeClass::Double) plan.as = CompareAs::Double;
    else if (ca == TypeClass::Decimal || cb == TypeClass::Decimal) plan.as = CompareAs::Decimal;
    else plan.as = CompareAs::Int;
    return plan;
  }
  // A string against a number: both as DOUBLE.
  plan.as = CompareAs::Double;
  return plan;
}

ComparePlan plan_comparison_list(const std::vector<SqlType>& types, std::string& error, bool& ok) {
  ok = true;
  if (types.empty()) return {};
  // Fold pairwise from the first operand, as MySQL's agg_cmp_type does: if any pair needs a
  // wider comparison, the whole list uses it.
  std::optional<ComparePlan> plan;
  for (size_t i = 1; i < types.size(); ++i) {
    auto p = plan_comparison(types[0], types[i], error);
    if (!p) {
      ok = false;
      return {};
    }
    if (!plan) {
      plan = p;
      continue;
    }
    if (types[i].cls == TypeClass::Null) continue;
    if (plan->as != p->as) {
      auto rank = [](CompareAs c) {
        switch (c) {
          case CompareAs::Int: return 0;
          case CompareAs::Decimal: return 1;
          case CompareAs::Double: return 2;
          default: return 3;
        }
      };
      if (rank(plan->as) < 3 && rank(p->as) < 3) plan->as = rank(plan->as) > rank(p->as) ? plan->as : p->as;
      else if (plan->as == CompareAs::String || p->as == CompareAs::String) {
        // Mixed string/number lists compare as numbers when any element is a number (MySQL
        // compares each pair by its own types; DOUBLE is the common ground).
        plan->as = CompareAs::Double;
      } else {
        plan->as = CompareAs::DateTime;
      }
    }
    if (p->collation && plan->collation && p->collation != plan->collation) {
      SqlType x = SqlType::string(plan->collation), y = types[i];
      const Collation* c = derive_collation(x, y, error);
      if (!c) {
        ok = false;
        return {};
      }
      plan->collation = c;
    } else if (p->collation && !plan->collation) {
      plan->collation = p->collation;
    }
  }
  if (!plan) plan = ComparePlan{};
  return *plan;
}

int compare_values(const Value& a, const SqlType& ta, const Value& b, const SqlType& tb, const ComparePlan& plan) {
  switch (plan.as) {
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
