#include "faults/upstream/hostile_upstream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <chrono>
#include <stdexcept>
#include <utility>

namespace vmq::testing {
namespace {

using std::chrono::milliseconds;

constexpr std::array kFaults = {
    std::pair{UpstreamFault::kHeaderDrip, "header_drip"},
    std::pair{UpstreamFault::kEndlessHeaders, "endless_headers"},
    std::pair{UpstreamFault::kEndlessStatusLine, "endless_status_line"},
    std::pair{UpstreamFault::kHugeHeaderLine, "huge_header_line"},
    std::pair{UpstreamFault::kLongStatusLine, "long_status_line"},
    std::pair{UpstreamFault::kShortContentLength, "short_content_length"},
    std::pair{UpstreamFault::kShortChunked, "short_chunked"},
    std::pair{UpstreamFault::kShortClose, "short_close"},
    std::pair{UpstreamFault::kBodyDrip, "body_drip"},
    std::pair{UpstreamFault::kSilent, "silent"},
    std::pair{UpstreamFault::kTlsStall, "tls_stall"},
    std::pair{UpstreamFault::kBlackhole, "blackhole"},
    std::pair{UpstreamFault::kEndlessChunkSize, "endless_chunk_size"},
    std::pair{UpstreamFault::kEndlessTrailers, "endless_trailers"},
    std::pair{UpstreamFault::kGzipBomb, "gzip_bomb"},
    std::pair{UpstreamFault::kGarbageStatusLine, "garbage_status_line"},
    std::pair{UpstreamFault::kWholePageByClose, "whole_page_by_close"},
};

constexpr char kStatus200[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n";

// Waits up to 100 ms for `events`; false when the peer is gone or the server stops.
bool Await(int fd, short events, const std::atomic<bool>& stopping) {
  while (!stopping.load()) {
    pollfd p{fd, events, 0};
    const int ready = ::poll(&p, 1, 100);
    if (ready < 0 && errno != EINTR) return false;
    if (ready > 0) return (p.revents & (POLLERR | POLLNVAL)) == 0;
  }
  return false;
}

bool SendAll(int fd, std::string_view data, const std::atomic<bool>& stopping) {
  while (!data.empty()) {
    if (!Await(fd, POLLOUT, stopping)) return false;
    const ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

// Sends `block` again and again until the client gives up.
void SendForever(int fd, std::string_view block, const std::atomic<bool>& stopping) {
  while (SendAll(fd, block, stopping)) {
  }
}

// Sends `data` a byte at a time, `pause` apart.
void Drip(int fd, std::string_view data, milliseconds pause, const std::atomic<bool>& stopping) {
  for (char byte : data) {
    if (!SendAll(fd, std::string_view(&byte, 1), stopping)) return;
    for (auto slept = milliseconds(0); slept < pause; slept += milliseconds(10)) {
      if (stopping.load()) return;
      ::usleep(10'000);
    }
  }
}

// Reads until the end of the request head (or 64 KB); false when the peer is gone.
bool ReadRequest(int fd, const std::atomic<bool>& stopping) {
  std::string head;
  std::array<char, 4096> buffer;
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 64 * 1024) {
    if (!Await(fd, POLLIN, stopping)) return false;
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    head.append(buffer.data(), static_cast<size_t>(n));
  }
  return true;
}

// Reads and discards until the peer closes.
void Hold(int fd, const std::atomic<bool>& stopping) {
  std::array<char, 4096> buffer;
  while (Await(fd, POLLIN, stopping)) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return;
  }
}

std::string Repeat(std::string_view piece, size_t bytes) {
  std::string out;
  while (out.size() < bytes) out += piece;
  return out;
}

std::string Chunked(std::string_view data) {
  std::string out;
  constexpr size_t kChunk = 4096;
  for (size_t at = 0; at < data.size(); at += kChunk) {
    const std::string_view chunk = data.substr(at, kChunk);
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
    out += size;
    out += chunk;
    out += "\r\n";
  }
  return out;
}

// 64 MB of zeros as one gzip member: about 64 KB.
std::string GzipBomb() {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  const std::string zeros(1 << 20, '\0');
  std::string out;
  std::array<unsigned char, 1 << 16> buffer;
  for (int i = 0; i < 64; ++i) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    z.avail_in = static_cast<uInt>(zeros.size());
    const int flush = i == 63 ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = buffer.data();
      z.avail_out = buffer.size();
      deflate(&z, flush);
      out.append(reinterpret_cast<char*>(buffer.data()), buffer.size() - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

std::string WithoutMarker(const std::string& page) {
  std::string out = page;
  const size_t at = out.find(HostileUpstream::kCutMarker);
  if (at != std::string::npos) out.erase(at, HostileUpstream::kCutMarker.size());
  return out;
}

std::string UpToMarker(const std::string& page) {
  return page.substr(0, page.find(HostileUpstream::kCutMarker));
}

int Listen(int backlog, int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd, backlog) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("hostile upstream cannot listen");
  }
  *port = ntohs(address.sin_port);
  return fd;
}

// Fills an accept queue of length 0 that is never accepted from: later SYNs are dropped.
int FillAcceptQueue(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    throw std::runtime_error("cannot fill the blackhole's accept queue");
  }
  return fd;
}

}  // namespace

std::string_view ToString(UpstreamFault fault) {
  for (const auto& [value, name] : kFaults) {
    if (value == fault) return name;
  }
  return "unknown";
}

bool ParseUpstreamFault(std::string_view name, UpstreamFault* fault) {
  for (const auto& [value, known] : kFaults) {
    if (name == known) {
      *fault = value;
      return true;
    }
  }
  return false;
}

std::vector<UpstreamFault> AllUpstreamFaults() {
  std::vector<UpstreamFault> all;
  for (const auto& [value, name] : kFaults) all.push_back(value);
  return all;
}

HostileUpstream::HostileUpstream(UpstreamFault fault, std::string page, int healthy_connections)
    : fault_(fault),
      page_(WithoutMarker(page)),
      cut_(UpToMarker(page)),
      gzipped_(fault == UpstreamFault::kGzipBomb ? GzipBomb() : ""),
      healthy_connections_(healthy_connections) {
  const bool blackhole = fault == UpstreamFault::kBlackhole;
  listen_fd_ = Listen(blackhole ? 0 : 64, &port_);
  if (blackhole) {
    blackhole_filler_ = FillAcceptQueue(port_);
    return;  // nothing is ever accepted
  }
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

HostileUpstream::~HostileUpstream() {
  stopping_ = true;
  if (accept_thread_.joinable()) accept_thread_.join();
  for (std::thread& thread : threads_) thread.join();
  for (int fd : open_fds_) ::close(fd);
  if (blackhole_filler_ >= 0) ::close(blackhole_filler_);
  ::close(listen_fd_);
}

void HostileUpstream::AcceptLoop() {
  while (Await(listen_fd_, POLLIN, stopping_)) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    const int index = connections_++;
    std::lock_guard lock(mu_);
    open_fds_.push_back(fd);
    threads_.emplace_back([this, fd, index] { Serve(fd, index); });
  }
}

void HostileUpstream::Serve(int fd, int index) {
  if (index >= healthy_connections_) {
    ServeFault(fd);
  } else if (ReadRequest(fd, stopping_)) {
    SendAll(fd,
            std::string(kStatus200) + "Content-Length: " + std::to_string(page_.size()) +
                "\r\nConnection: close\r\n\r\n" + page_,
            stopping_);
  }
  // Closed with the others on destruction; a half-close tells the client now.
  ::shutdown(fd, SHUT_WR);
}

void HostileUpstream::ServeFault(int fd) {
  const std::atomic<bool>& stop = stopping_;
  if (fault_ == UpstreamFault::kTlsStall) return Hold(fd, stop);
  if (!ReadRequest(fd, stop)) return;
  const std::string length = "Content-Length: " + std::to_string(page_.size()) + "\r\n";
  const std::string chunked = std::string(kStatus200) + "Transfer-Encoding: chunked\r\n\r\n";
  switch (fault_) {
    case UpstreamFault::kHeaderDrip:
      SendAll(fd, std::string(kStatus200) + "X-Drip: ", stop);
      return Drip(fd, Repeat("a", 1 << 20), milliseconds(200), stop);
    case UpstreamFault::kEndlessHeaders:
      SendAll(fd, kStatus200, stop);
      return SendForever(fd, Repeat("X-Endless: 1\r\n", 64 * 1024), stop);
    case UpstreamFault::kEndlessStatusLine:
      SendAll(fd, "HTTP/1.1 200 ", stop);
      return SendForever(fd, Repeat("a", 64 * 1024), stop);
    case UpstreamFault::kHugeHeaderLine:
      SendAll(fd, std::string(kStatus200) + "X-Huge: ", stop);
      return SendForever(fd, Repeat("a", 64 * 1024), stop);
    case UpstreamFault::kLongStatusLine:
      SendAll(fd, "HTTP/1.1 200 " + Repeat("a", 100 * 1024) + "\r\nContent-Length: 0\r\n\r\n",
              stop);
      return Hold(fd, stop);
    case UpstreamFault::kShortContentLength:
      SendAll(fd, std::string(kStatus200) + length + "\r\n" + cut_, stop);
      return;
    case UpstreamFault::kShortChunked:
      SendAll(fd, chunked + Chunked(cut_), stop);
      return;
    case UpstreamFault::kShortClose:
    case UpstreamFault::kWholePageByClose:
      SendAll(fd,
              "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n\r\n" +
                  (fault_ == UpstreamFault::kShortClose ? cut_ : page_),
              stop);
      return;
    case UpstreamFault::kBodyDrip:
      SendAll(fd, std::string(kStatus200) + length + "\r\n", stop);
      return Drip(fd, page_, milliseconds(100), stop);
    case UpstreamFault::kSilent:
      return Hold(fd, stop);
    case UpstreamFault::kEndlessChunkSize:
      SendAll(fd, chunked, stop);
      return SendForever(fd, Repeat("f", 64 * 1024), stop);
    case UpstreamFault::kEndlessTrailers:
      SendAll(fd, chunked + "0\r\n", stop);
      return SendForever(fd, Repeat("X-Trailer: 1\r\n", 64 * 1024), stop);
    case UpstreamFault::kGzipBomb:
      SendAll(fd,
              std::string(kStatus200) + "Content-Encoding: gzip\r\nContent-Length: " +
                  std::to_string(gzipped_.size()) + "\r\n\r\n" + gzipped_,
              stop);
      return Hold(fd, stop);
    case UpstreamFault::kGarbageStatusLine:
      SendAll(fd, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", stop);
      return;
    case UpstreamFault::kTlsStall:
    case UpstreamFault::kBlackhole:
      return;
  }
}

}  // namespace vmq::testing
