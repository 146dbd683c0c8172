#include "common/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vmq {
namespace {

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

FileContent Failure(std::string why) { return {.content = {}, .error = std::move(why)}; }

std::string Errno() { return std::strerror(errno); }

std::string NotRegular(mode_t mode) {
  if (S_ISDIR(mode)) return "it is a directory";
  return "it is not a regular file (a device, FIFO or socket)";
}

}  // namespace

FileContent ReadFileCapped(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise block forever.
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return Failure(Errno());
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return Failure(Errno());
  if (!S_ISREG(info.st_mode)) return Failure(NotRegular(info.st_mode));
  const std::string too_large = "it is larger than " + std::to_string(max_bytes) + " bytes";
  if (static_cast<unsigned long long>(info.st_size) > max_bytes) return Failure(too_large);

  // The size is checked again while reading: the file may grow after fstat.
  FileContent file;
  file.content.resize(max_bytes + 1);
  std::size_t used = 0;
  while (used < file.content.size()) {
    const ssize_t n = ::read(fd.get(), file.content.data() + used, file.content.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Failure(Errno());
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  if (used > max_bytes) return Failure(too_large);
  file.content.resize(used);
  return file;
}

}  // namespace vmq
