// Placeholder until the formatter lands: reports that no formatter is available.
#include "compiler/fmt/formatter_hook.hpp"

namespace obsync {

bool format_hook(const Program&, std::string&) { return false; }

}  // namespace obsync
