#include "poll/socket_guard.h"

#include <fcntl.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>

namespace vmq::poll {
namespace {

// Bytes the application has read from `fd`: received by the kernel minus still queued.
// 0 for what is not a TCP socket (nothing to bound there).
uint64_t BytesRead(int fd) {
  tcp_info info{};
  socklen_t length = sizeof(info);
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return 0;
  int queued = 0;
  if (::ioctl(fd, SIOCINQ, &queued) != 0 || queued < 0) queued = 0;
  const uint64_t received = info.tcpi_bytes_received;
  return received > static_cast<uint64_t>(queued) ? received - queued : 0;
}

// After shutdown(SHUT_RD) Linux still hands out what was queued before, and answers data that
// arrives later with a reset; reading the queue empty here makes the client's next read fail
// now instead of after up to a receive buffer (several MB) of more header lines.
void Discard(int fd) {
  std::array<char, 16 * 1024> sink;
  for (int i = 0; i < 1024; ++i) {  // at most 16 MB, more than any receive buffer
    if (::recv(fd, sink.data(), sink.size(), MSG_DONTWAIT) <= 0) return;
  }
}

void Cut(int fd) {
  ::shutdown(fd, SHUT_RDWR);
  Discard(fd);
}

}  // namespace

SocketGuard::SocketGuard(const Clock& clock, Millis tick)
    : clock_(clock), tick_(tick), thread_([this] { Run(); }) {}

SocketGuard::~SocketGuard() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  for (auto& [id, entry] : entries_) {
    for (const Socket& socket : entry.sockets) ::close(socket.fd);
  }
}

SocketGuard::Watch SocketGuard::Begin(const GuardLimits& limits) {
  uint64_t id = 0;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    Entry& entry = entries_[id];
    entry.limits = limits;
    if (cancelled_) entry.trip = GuardTrip::kCancelled;
  }
  wake_.notify_all();
  return Watch(this, id);
}

void SocketGuard::CancelAll() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  SweepLocked();
}

void SocketGuard::Sweep() {
  std::lock_guard lock(mu_);
  SweepLocked();
}

void SocketGuard::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (entries_.empty()) {
      wake_.wait(lock, [this] { return stopping_ || !entries_.empty(); });
    } else {
      wake_.wait_for(lock, tick_, [this] { return stopping_; });
    }
    if (!stopping_) SweepLocked();
  }
}

void SocketGuard::SweepLocked() {
  const MonoTime now = clock_.Now();
  for (auto& [id, entry] : entries_) {
    if (entry.trip != GuardTrip::kNone) continue;
    if (cancelled_) {
      TripLocked(entry, GuardTrip::kCancelled);
      continue;
    }
    if (now >= entry.limits.deadline) {
      TripLocked(entry, GuardTrip::kDeadline);
      continue;
    }
    uint64_t read = 0;
    for (const Socket& socket : entry.sockets) {
      const uint64_t total = BytesRead(socket.fd);
      read += total > socket.baseline ? total - socket.baseline : 0;
    }
    if (!entry.head_received && read > entry.limits.max_head_bytes) {
      TripLocked(entry, GuardTrip::kHeadTooLarge);
    } else if (read > entry.limits.max_total_bytes) {
      TripLocked(entry, GuardTrip::kTooManyBytes);
    }
  }
}

void SocketGuard::TripLocked(Entry& entry, GuardTrip trip) {
  entry.trip = trip;
  for (const Socket& socket : entry.sockets) Cut(socket.fd);
}

void SocketGuard::Watch::AddSocket(int fd) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return;  // out of descriptors: the poll's own timeouts still apply
  const uint64_t baseline = BytesRead(copy);
  std::lock_guard lock(guard_->mu_);
  Entry& entry = guard_->entries_.at(id_);
  entry.sockets.push_back({copy, baseline});
  if (entry.trip != GuardTrip::kNone) Cut(copy);
}

void SocketGuard::Watch::HeadReceived() {
  std::lock_guard lock(guard_->mu_);
  guard_->entries_.at(id_).head_received = true;
}

GuardTrip SocketGuard::Watch::Finish() {
  if (finished_) return trip_;
  finished_ = true;
  std::lock_guard lock(guard_->mu_);
  auto it = guard_->entries_.find(id_);
  for (const Socket& socket : it->second.sockets) ::close(socket.fd);
  trip_ = it->second.trip;
  guard_->entries_.erase(it);
  return trip_;
}

}  // namespace vmq::poll
