// Parsing a script or a lone expression into the AST; syntax errors become diagnostics.
#pragma once
#include <vector>

#include "compiler/ast/ast.hpp"
#include "compiler/sema/diagnostics.hpp"

namespace obsync {

struct ParsedScript {
  ast::Script script;
  std::vector<ast::Comment> comments;  // in source order
};

ParsedScript parse_script(const SourceManager& sources, uint32_t file, DiagnosticSink& diags);
// A single expression (for `obsync eval` and the REPL); nullptr after a syntax error.
ast::ExprPtr parse_expression(const SourceManager& sources, uint32_t file, DiagnosticSink& diags);

// ANTLR caches its predictions (DFA states) for the life of the process, and the cache grows
// with every new shape of input. Long-running processes that parse arbitrary text (the fuzzer,
// a REPL) may drop it now and then; never while another thread is parsing.
void clear_parser_caches();

// MySQL string-literal unescaping: \n \t \0 \b \r \Z \\ \' \" \% \_ (the last two keep the
// backslash, as MySQL does), and '' for a quote. `quoted` includes the surrounding quotes.
std::string unescape_string_literal(std::string_view quoted);

}  // namespace obsync
