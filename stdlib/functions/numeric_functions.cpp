// Numeric built-in functions (registered in numeric_functions()).
#include "stdlib/function_registry.hpp"

namespace obsync {

std::span<const FunctionDef> numeric_functions() { return {}; }

}  // namespace obsync
