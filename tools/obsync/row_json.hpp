// Rows given as JSON objects (eval --row, the REPL's WITH ROW): values parsed by column type.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "compiler/sema/schema.hpp"
#include "stdlib/value.hpp"

namespace obsync::cli {

// Fills `row` (one value per column, NULL when absent) from a JSON object keyed by column name.
// Strings and numbers are converted to the column's type as an INSERT would.
bool parse_row_json(std::string_view text, const std::vector<ColumnSchema>& columns, std::vector<Value>& row,
                    std::string& error);

}  // namespace obsync::cli
