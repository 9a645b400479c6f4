#include "compiler/sema/route.hpp"

#include "stdlib/ascii.hpp"

namespace obsync {

int route_table(const Plan& plan, std::string_view db, std::string_view table) {
  int by_pattern = -1;
  for (size_t i = 0; i < plan.syncs.size(); i++) {
    for (const auto& r : plan.syncs[i].refs) {
      if (!iequals(r.database.text, db)) continue;
      switch (r.kind) {
        case ast::TableRefKind::Exact:
          if (iequals(r.table.text, table)) return static_cast<int>(i);
          break;
        case ast::TableRefKind::All:
          if (by_pattern < 0) by_pattern = static_cast<int>(i);
          break;
        case ast::TableRefKind::Pattern:
          if (by_pattern < 0 && name_like(table, r.table.text)) by_pattern = static_cast<int>(i);
          break;
      }
    }
  }
  return by_pattern;
}

std::string topic_for(const TopicPlan& target, std::string_view db, std::string_view table) {
  if (target.kind != ast::TargetKind::Template) return target.name;
  std::string out = target.name;
  for (auto [var, value] : {std::pair<std::string_view, std::string_view>{"${database}", db}, {"${table}", table}})
    for (size_t pos; (pos = out.find(var)) != std::string::npos;) out.replace(pos, var.size(), value);
  return out;
}

}  // namespace obsync
