// Printing a checked plan (explain, the REPL's \explain): secrets always as ***.
#pragma once
#include <ostream>

#include "compiler/sema/checker.hpp"

namespace obsync::cli {

void print_plan(std::ostream& out, const Program& program, const Plan& plan, bool with_ir);

}  // namespace obsync::cli
