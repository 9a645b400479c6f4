// The formatter as the tools call it (the REPL's \format): the main file in canonical layout.
#include "compiler/fmt/formatter_hook.hpp"

#include "compiler/fmt/formatter.hpp"

namespace obsync {

bool format_hook(const Program& program, std::string& out) {
  if (program.files.empty() || program.files[0].script.dropped_statements > 0) return false;
  out = format_script(program.sources, program.files[0]);
  return true;
}

}  // namespace obsync
