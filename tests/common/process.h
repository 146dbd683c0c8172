#ifndef VMQ_TESTS_COMMON_PROCESS_H_
#define VMQ_TESTS_COMMON_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace vmq::testing {

// A child process started by a test (the real exporter, vmq-sim, promtool, ...), with its
// stdout and stderr in files. Killed and reaped on destruction so that a failing test never
// leaves processes behind.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, const std::string& log_prefix);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // Sends SIGTERM and waits up to `grace` before SIGKILL. Returns the exit status (or 128+sig).
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // Waits for exit; -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string stdout_path_;
  std::string stderr_path_;
};

// Runs a command to completion; returns its exit status and fills `output` with stdout+stderr.
int RunCommand(const std::vector<std::string>& argv, std::string* output,
               std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Runs the project's exporter binary with `args` to completion (see RunCommand).
int RunExporter(const std::vector<std::string>& args, std::string* output);

// A memory bound for the exporter under test, scaled when scripts/sanitize.sh runs the tests
// (VMQ_UNDER_SANITIZER=address|thread): shadow memory and quarantine multiply what a process
// holds, and the bound is about the exporter's own growth, not the sanitizer's.
long MemoryBoundKb(long unsanitized_kb);

// Polls `condition` every 50 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// A fresh directory under the build tree's temp area, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// Path of a binary built by this project (VMQ_BINARY_DIR/<name>).
std::string BinaryPath(const std::string& name);

}  // namespace vmq::testing

#endif  // VMQ_TESTS_COMMON_PROCESS_H_
