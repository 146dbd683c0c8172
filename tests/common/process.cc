#include "common/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <thread>

#include "common/fixtures.h"

namespace vmq::testing {
namespace {

std::vector<char*> CArgs(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  return args;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& out, const std::string& err) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err_fd = out == err ? out_fd : open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    const int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, STDIN_FILENO);
    setpgid(0, 0);
    // A test binary killed by a ctest timeout runs no destructors: take the child with it.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    auto args = CArgs(argv);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int WaitPid(pid_t pid, std::chrono::milliseconds timeout, int* status) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const pid_t done = waitpid(pid, status, WNOHANG);
    if (done == pid) return DecodeStatus(*status);
    if (done < 0 || std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string TempRoot() {
  const char* dir = std::getenv("VMQ_TEST_TMPDIR");
  return dir != nullptr ? dir : std::filesystem::temp_directory_path().string();
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::string& log_prefix)
    : stdout_path_(log_prefix + ".stdout"), stderr_path_(log_prefix + ".stderr") {
  pid_ = Spawn(argv, stdout_path_, stderr_path_);
}

ChildProcess::~ChildProcess() {
  if (Running()) Stop(std::chrono::seconds(2));
}

bool ChildProcess::Running() {
  if (pid_ <= 0 || status_ >= 0) return false;
  int raw = 0;
  const pid_t done = waitpid(pid_, &raw, WNOHANG);
  if (done == pid_) {
    status_ = DecodeStatus(raw);
    return false;
  }
  return done == 0;
}

int ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (status_ >= 0) return status_;
  int raw = 0;
  const int code = WaitPid(pid_, timeout, &raw);
  if (code >= 0) status_ = code;
  return code;
}

int ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (!Running()) return status_;
  kill(pid_, SIGTERM);
  if (Wait(grace) >= 0) return status_;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  return Wait(std::chrono::seconds(5));
}

std::string ChildProcess::Stdout() const {
  std::string text;
  ReadFile(stdout_path_, &text);
  return text;
}

std::string ChildProcess::Stderr() const {
  std::string text;
  ReadFile(stderr_path_, &text);
  return text;
}

int RunCommand(const std::vector<std::string>& argv, std::string* output,
               std::chrono::milliseconds timeout) {
  TempDir dir;
  const std::string log = dir.path() + "/output";
  const pid_t pid = Spawn(argv, log, log);
  int raw = 0;
  int code = WaitPid(pid, timeout, &raw);
  if (code < 0) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    WaitPid(pid, std::chrono::seconds(5), &raw);
  }
  ReadFile(log, output);
  return code;
}

int RunExporter(const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> argv = {BinaryPath("vernemq-pubcomp-exporter")};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, output);
}

long MemoryBoundKb(long unsanitized_kb) {
  const char* sanitizer = std::getenv("VMQ_UNDER_SANITIZER");
  if (sanitizer == nullptr) return unsanitized_kb;
  const std::string_view mode(sanitizer);
  const long factor = mode == "thread" ? 8 : mode == "address" ? 4 : 1;
  return unsanitized_kb * factor;
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

TempDir::TempDir() {
  std::string pattern = TempRoot() + "/vmq-test-XXXXXX";
  path_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  const std::string file = path_ + "/" + name;
  std::ofstream(file, std::ios::binary) << content;
  return file;
}

std::string BinaryPath(const std::string& name) {
  const char* dir = std::getenv("VMQ_BINARY_DIR");
  return std::string(dir != nullptr ? dir : VMQ_DEFAULT_BINARY_DIR) + "/" + name;
}

}  // namespace vmq::testing
