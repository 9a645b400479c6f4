// The canonical layout of a script (`obsync fmt`); docs/formatting.md describes it.
#pragma once
#include <string>
#include <string_view>

#include "compiler/ast/ast.hpp"
#include "compiler/parse/parser.hpp"
#include "compiler/sema/diagnostics.hpp"

namespace obsync {

struct FormatOptions {
  size_t width = 100;  // lines longer than this are broken where the layout allows
};

// The whole script in canonical layout, every comment kept. `parsed` must come from a parse
// without errors: statements dropped by the parser would be lost.
std::string format_script(const SourceManager& sources, const ParsedScript& parsed,
                          const FormatOptions& options = {});

// One expression on one line with the parentheses its meaning needs and no others.
std::string format_expression(const ast::Expr& expr);

// A name as an identifier: bare when the grammar allows it, else back-quoted.
std::string format_identifier(std::string_view name);
// A string literal that the parser reads back as exactly `text`.
std::string format_string(std::string_view text);

// Whether two parses mean the same: statements, names, options, expressions (ast::equal).
// Spelling the grammar or the checker folds (keyword case, `!=`/`<>`, back quotes that are not
// needed, the case of format, partition and TYPES words) does not count. `why` gets the first
// difference.
bool same_meaning(const ast::Script& a, const ast::Script& b, std::string* why = nullptr);

}  // namespace obsync
