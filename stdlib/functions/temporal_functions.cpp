// Temporal built-in functions (registered in temporal_functions()).
#include "stdlib/function_registry.hpp"

namespace obsync {

std::span<const FunctionDef> temporal_functions() { return {}; }

}  // namespace obsync
