// `obsync precheck`: OMS's checks and more, against the live source and Kafka, one result a line.
#pragma once
#include <string>
#include <vector>

#include "compiler/sema/checker.hpp"

namespace obsync::precheck {

enum class Outcome : uint8_t { Pass, Warn, Fail };

struct CheckResult {
  Outcome outcome = Outcome::Pass;
  std::string what;  // "source reachable", "privileges", "binlog settings", …
  std::string why;   // what was found; for warn/fail what to do
};

// Runs every check; never throws (a failure to reach a server is a failed check). `program`
// is the loaded script (for re-checking it against the live schema).
std::vector<CheckResult> run_prechecks(const Program& program, const Plan& plan);

// The largest message a table's row can make, estimated from its column types (bytes of the
// values in UTF-8, doubled for the format's before/after images and names): for the
// max.message.bytes check.
uint64_t largest_row_bytes(const TableSchema& table);

}  // namespace obsync::precheck
