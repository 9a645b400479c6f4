// The formatter as the tools call it: canonical text of a parsed program's main file.
#pragma once
#include <string>

#include "compiler/sema/program.hpp"

namespace obsync {

// False when the main file has syntax errors (nothing to format).
bool format_hook(const Program& program, std::string& out);

}  // namespace obsync
