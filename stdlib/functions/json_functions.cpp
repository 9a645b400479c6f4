// Json built-in functions (registered in json_functions()).
#include "stdlib/function_registry.hpp"

namespace obsync {

std::span<const FunctionDef> json_functions() { return {}; }

}  // namespace obsync
