// Rejected functions: non-deterministic built-ins a SYNC may not use (a replayed change must
// give the same message). IF, IFNULL, COALESCE and NULLIF are IR operations (lazy), not here.
#include "stdlib/function_registry.hpp"

namespace obsync {
namespace {

#define OBSYNC_REJECTED(name) FunctionDef{name, 0, -1, NullPolicy::Custom, false, nullptr, nullptr, ""}
constexpr FunctionDef kRejected[] = {
    OBSYNC_REJECTED("NOW"),          OBSYNC_REJECTED("SYSDATE"),      OBSYNC_REJECTED("CURRENT_TIMESTAMP"),
    OBSYNC_REJECTED("LOCALTIME"),    OBSYNC_REJECTED("LOCALTIMESTAMP"), OBSYNC_REJECTED("CURDATE"),
    OBSYNC_REJECTED("CURRENT_DATE"), OBSYNC_REJECTED("CURTIME"),      OBSYNC_REJECTED("CURRENT_TIME"),
    OBSYNC_REJECTED("UTC_TIMESTAMP"), OBSYNC_REJECTED("UTC_DATE"),    OBSYNC_REJECTED("UTC_TIME"),
    OBSYNC_REJECTED("RAND"),         OBSYNC_REJECTED("UUID"),         OBSYNC_REJECTED("UUID_SHORT"),
    OBSYNC_REJECTED("CONNECTION_ID"), OBSYNC_REJECTED("LAST_INSERT_ID"), OBSYNC_REJECTED("SLEEP"),
    OBSYNC_REJECTED("RANDOM_BYTES"), OBSYNC_REJECTED("USER"),         OBSYNC_REJECTED("CURRENT_USER"),
    OBSYNC_REJECTED("DATABASE"),     OBSYNC_REJECTED("VERSION"),      OBSYNC_REJECTED("ROW_COUNT"),
    OBSYNC_REJECTED("FOUND_ROWS"),
};
#undef OBSYNC_REJECTED

}  // namespace

std::span<const FunctionDef> control_functions() { return {}; }
std::span<const FunctionDef> rejected_functions() { return kRejected; }

}  // namespace obsync
