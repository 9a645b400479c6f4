// Arithmetic and bit operators (registered in arithmetic_operators()).
#include "stdlib/function_registry.hpp"

namespace obsync {

std::span<const FunctionDef> arithmetic_operators() { return {}; }

}  // namespace obsync
