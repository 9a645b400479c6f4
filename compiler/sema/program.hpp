// A script with its INCLUDEs resolved: every file parsed, in inclusion order.
#pragma once
#include <string>
#include <vector>

#include "compiler/parse/parser.hpp"
#include "compiler/sema/diagnostics.hpp"

namespace obsync {

struct Program {
  SourceManager sources;
  std::vector<ParsedScript> files;  // the main file first, then included files as first included
  bool main_file_missing = false;   // the main file could not be read (exit 2)
  size_t failed_includes = 0;       // INCLUDEs that could not be read (E0010): declarations are missing
  std::string io_error;
};

// Reads `path` and, recursively, every file it includes (relative to the including file).
// Missing or cyclic includes become diagnostics (E0010, E0011) at the INCLUDE statement.
Program load_program(const std::string& path, DiagnosticSink& diags);
// The same for text that is not on disk (the REPL, tests); includes resolve against base_dir.
Program load_program_text(const std::string& name, std::string text, const std::string& base_dir,
                          DiagnosticSink& diags);

}  // namespace obsync
