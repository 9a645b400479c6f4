// String built-in functions (registered in string_functions()).
#include "stdlib/function_registry.hpp"

namespace obsync {

std::span<const FunctionDef> string_functions() { return {}; }

}  // namespace obsync
