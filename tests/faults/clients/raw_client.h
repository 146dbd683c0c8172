#ifndef VMQ_TESTS_FAULTS_CLIENTS_RAW_CLIENT_H_
#define VMQ_TESTS_FAULTS_CLIENTS_RAW_CLIENT_H_

// Plain TCP connections that behave as no HTTP library would let a client behave: idle,
// dripping one byte at a time, sending endless headers.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>

namespace vmq::testing {

class RawConnection {
 public:
  // Connects to 127.0.0.1:port (blocking, 5 s); ok() says whether it worked.
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(RawConnection&& other) noexcept;
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Sends all of `data` unless the peer closes or `timeout` passes; false then.
  bool Send(std::string_view data, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Reads what arrives within `timeout` until the peer closes or `max` bytes.
  std::string Receive(std::chrono::milliseconds timeout, size_t max = 1 << 20);
  // Whether the peer has closed (or reset) the connection within `timeout`; data that
  // arrives first is read and dropped.
  bool ClosedByPeer(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

// One HTTP/1.1 keep-alive request on `connection` and its whole answer (Content-Length
// framing); the status code, or 0 when no complete answer came within `timeout`.
int KeepAliveGet(RawConnection& connection, const std::string& path,
                 std::chrono::milliseconds timeout);

// VmRSS or VmHWM of a process in kB, from /proc/PID/status; -1 when unreadable.
long ProcessMemoryKb(pid_t pid, const std::string& field = "VmRSS");

// Number of open file descriptors of a process (entries of /proc/PID/fd).
int OpenFileCount(pid_t pid);

}  // namespace vmq::testing

#endif  // VMQ_TESTS_FAULTS_CLIENTS_RAW_CLIENT_H_
