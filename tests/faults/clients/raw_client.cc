#include "faults/clients/raw_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vmq::testing {
namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

bool WaitFd(int fd, short events, Clock::time_point deadline) {
  pollfd entry{fd, events, 0};
  return ::poll(&entry, 1, RemainingMs(deadline)) == 1;
}

}  // namespace

RawConnection::RawConnection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) return;
  int error = 0;
  socklen_t length = sizeof(error);
  if (errno != EINPROGRESS || !WaitFd(fd_, POLLOUT, Clock::now() + std::chrono::seconds(5)) ||
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

RawConnection::RawConnection(RawConnection&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

bool RawConnection::Send(std::string_view data, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!data.empty()) {
    const ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      data.remove_prefix(static_cast<size_t>(sent));
    } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!WaitFd(fd_, POLLOUT, deadline)) return false;
    } else {
      return false;
    }
  }
  return true;
}

std::string RawConnection::Receive(std::chrono::milliseconds timeout, size_t max) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::string out;
  char buffer[16384];
  while (out.size() < max && WaitFd(fd_, POLLIN, deadline)) {
    const ssize_t got = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (got <= 0) break;
    out.append(buffer, static_cast<size_t>(got));
  }
  return out;
}

bool RawConnection::ClosedByPeer(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  char buffer[16384];
  while (WaitFd(fd_, POLLIN, deadline)) {
    const ssize_t got = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return true;
  }
  return false;
}

int KeepAliveGet(RawConnection& connection, const std::string& path,
                 std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  if (!connection.Send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout)) return 0;
  std::string received;
  char buffer[16384];
  for (;;) {
    const size_t end = received.find("\r\n\r\n");
    if (end != std::string::npos) {
      const size_t length_at = received.find("Content-Length: ");
      if (length_at != std::string::npos && length_at < end) {
        const size_t length = std::stoul(received.substr(length_at + 16));
        if (received.size() >= end + 4 + length) return std::stoi(received.substr(9, 3));
      }
    }
    if (!WaitFd(connection.fd(), POLLIN, deadline)) return 0;
    const ssize_t got = ::recv(connection.fd(), buffer, sizeof(buffer), 0);
    if (got <= 0 && !(got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) return 0;
    if (got > 0) received.append(buffer, static_cast<size_t>(got));
  }
}

long ProcessMemoryKb(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

int OpenFileCount(pid_t pid) {
  std::error_code ec;
  int count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return count;
}

}  // namespace vmq::testing
