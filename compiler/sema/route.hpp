// Which SYNC statement a source table belongs to, by the rules of docs/language.md: a table
// named exactly belongs to that SYNC; otherwise to the SYNC whose `db.*` or `db.'pattern'`
// matches it (the checker guarantees at most one). Used at run time, where tables appear that
// the checker never saw (created or renamed into scope).
#pragma once
#include <string_view>

#include "compiler/sema/checker.hpp"

namespace obsync {

// The index of the SYNC in plan.syncs, or -1 when no SYNC takes the table. Names compare
// case-insensitively (OceanBase's lower_case_table_names=1).
int route_table(const Plan& plan, std::string_view db, std::string_view table);

// The topic a table's changes go to: the target's name, or its template with ${database} and
// ${table} substituted.
std::string topic_for(const TopicPlan& target, std::string_view db, std::string_view table);

}  // namespace obsync
