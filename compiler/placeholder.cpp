// Placeholder so the compiler library has a translation unit until the front end lands.
namespace obsync {}
