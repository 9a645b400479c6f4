// Lookup over every registered built-in, with MySQL's aliases.
#include "stdlib/function_registry.hpp"
#include "stdlib/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace obsync {
namespace {


struct Alias {
  std::string_view alias, name;
};
constexpr Alias kAliases[] = {
    {"SUBSTR", "SUBSTRING"},   {"MID", "SUBSTRING"},        {"CEILING", "CEIL"},
    {"LCASE", "LOWER"},        {"UCASE", "UPPER"},          {"POSITION", "LOCATE"},
    {"CHARACTER_LENGTH", "CHAR_LENGTH"}, {"OCTET_LENGTH", "LENGTH"}, {"MOD", "%"},
    {"DAYOFMONTH", "DAY"},     {"SHA", "SHA1"},             {"ADDDATE", "DATE_ADD"},
    {"SUBDATE", "DATE_SUB"},
};

const std::vector<std::span<const FunctionDef>>& all_groups() {
  static const std::vector<std::span<const FunctionDef>> groups = {
      comparison_operators(), arithmetic_operators(), string_functions(), numeric_functions(),
      temporal_functions(),   control_functions(),    json_functions(),   hash_functions(),
      rejected_functions()};
  return groups;
}

}  // namespace

const FunctionDef* find_function(std::string_view name) {
  std::string key = upper(name);
  for (const Alias& a : kAliases)
    if (a.alias == key) key = std::string(a.name);
  for (const auto& group : all_groups())
    for (const FunctionDef& f : group)
      if (f.name == key) return &f;
  return nullptr;
}

std::vector<std::string> function_names() {
  std::vector<std::string> names;
  for (const auto& group : all_groups())
    for (const FunctionDef& f : group)
      if (!f.name.empty() && std::isalpha(static_cast<unsigned char>(f.name[0])) && f.deterministic)
        names.emplace_back(f.name);
  for (const Alias& a : kAliases)
    if (std::isalpha(static_cast<unsigned char>(a.name[0]))) names.emplace_back(a.alias);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace obsync
