#include "storage/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace vmq::storage {
namespace {

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Closes on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool Close() {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

std::string DirectoryOf(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

}  // namespace

bool WriteFileAtomically(const std::string& path, std::string_view bytes, bool durable,
                         std::string* error) {
  const std::string temporary = path + ".tmp";
  {
    Fd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      *error = Errno("cannot create", temporary);
      return false;
    }
    if (!WriteAll(fd.get(), bytes)) {
      *error = Errno("cannot write", temporary);
      ::unlink(temporary.c_str());
      return false;
    }
    if (durable && ::fsync(fd.get()) != 0) {
      *error = Errno("cannot fsync", temporary);
      ::unlink(temporary.c_str());
      return false;
    }
    if (!fd.Close()) {
      *error = Errno("cannot close", temporary);
      ::unlink(temporary.c_str());
      return false;
    }
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    *error = Errno("cannot rename over", path);
    ::unlink(temporary.c_str());
    return false;
  }
  if (!durable) return true;
  const std::string dir = DirectoryOf(path);
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
    *error = Errno("cannot fsync directory", dir);
    return false;
  }
  return true;
}

bool AppendToFile(const std::string& path, std::string_view bytes, std::string* error) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (fd.get() < 0) {
    *error = Errno("cannot open", path);
    return false;
  }
  if (!WriteAll(fd.get(), bytes)) {
    *error = Errno("cannot append to", path);
    return false;
  }
  return true;
}

ReadStatus ReadFileBounded(const std::string& path, size_t max_bytes, std::string* out,
                           std::string* error) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return ReadStatus::kMissing;
    *error = Errno("cannot open", path);
    return ReadStatus::kError;
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    *error = "not a regular file: " + path;
    return ReadStatus::kError;
  }
  if (static_cast<uint64_t>(info.st_size) > max_bytes) {
    *error = path + " is " + std::to_string(info.st_size) + " bytes, more than the " +
             std::to_string(max_bytes) + " accepted";
    return ReadStatus::kTooLarge;
  }
  out->clear();
  // Read to the end, up to one byte past the bound: the file may grow after fstat.
  char buffer[64 * 1024];
  while (true) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      *error = Errno("cannot read", path);
      return ReadStatus::kError;
    }
    if (got == 0) break;
    out->append(buffer, static_cast<size_t>(got));
    if (out->size() > max_bytes) {
      *error = path + " grew past the " + std::to_string(max_bytes) + " bytes accepted";
      return ReadStatus::kTooLarge;
    }
  }
  return ReadStatus::kOk;
}

bool SyncFileSystem(const std::string& dir, std::string* error) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::syncfs(fd.get()) != 0) {
    *error = Errno("cannot sync the file system of", dir);
    return false;
  }
  return true;
}

bool EnsureWritableDirectory(const std::string& dir, std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    *error = "cannot create " + dir + ": " + ec.message();
    return false;
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    *error = Errno("cannot write to", dir);
    return false;
  }
  return true;
}

}  // namespace vmq::storage
