// Child processes for tests: run-to-completion commands and long-lived daemons (no shell).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace obsync::test {

struct ProcessResult {
  int exit_code = -1;   // -1 when killed by a signal
  int term_signal = 0;  // the signal that ended it, 0 if it exited
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs argv[0] (a path, not looked up in PATH unless it has no '/') with argv, stdin closed,
// stdout and stderr captured; kills it with SIGKILL after `timeout`.
ProcessResult run_process(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A background process whose stdout and stderr go to a log file. It dies with the thread that
// started it (PR_SET_PDEATHSIG), so a crashed test run leaves no daemon behind.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log_file);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // True while the process has not exited; reaps it when it has.
  bool running();
  // Exit status once it is no longer running (as from waitpid), else -1.
  int wait_status() const { return status_; }
  // SIGTERM, wait up to `grace`, then SIGKILL and wait. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// Human-readable description of a waitpid status ("exit 1", "signal 9").
std::string describe_wait_status(int status);

}  // namespace obsync::test
