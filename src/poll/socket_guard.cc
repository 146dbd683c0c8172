#include "poll/socket_guard.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>

namespace vmq::poll {
namespace {

constexpr size_t kResponseBuffer = 64 * 1024;
constexpr size_t kRequestBuffer = 16 * 1024;

bool SetNonBlocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

bool Retry(ssize_t n) {
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}

}  // namespace

// One direction of a relay: bytes read from one side, not yet written to the other.
struct SocketGuard::Pipe {
  explicit Pipe(size_t capacity) : buffer(capacity) {}
  bool empty() const { return begin == end; }
  size_t space() const { return buffer.size() - end; }
  void Consumed(size_t n) {
    begin += n;
    if (begin == end) begin = end = 0;
  }

  std::vector<char> buffer;
  size_t begin = 0;
  size_t end = 0;
  bool eof = false;   // the source side ended
  bool shut = false;  // and the other side was told (shutdown SHUT_WR)
};

struct SocketGuard::Entry {
  GuardLimits limits;
  std::vector<int> connecting;  // duplicates of sockets being connected
  int upstream = -1;            // the TCP socket, once relayed
  int local = -1;               // the guard's end of the client's socketpair
  Pipe response{kResponseBuffer};
  Pipe request{kRequestBuffer};
  uint64_t received = 0;
  bool head_done = false;
  uint32_t last_bytes = 0;  // plaintext: the last 4 bytes received, to see "\r\n\r\n"
  GuardTrip trip = GuardTrip::kNone;

  bool relaying() const { return upstream >= 0 && trip == GuardTrip::kNone; }
  // Bytes the upstream may still send: up to the head cap, then one past the total cap (to
  // see it exceeded).
  uint64_t Allowed() const {
    if (!head_done) return limits.max_head_bytes - std::min(received, limits.max_head_bytes);
    return limits.max_total_bytes + 1 - std::min(received, limits.max_total_bytes + 1);
  }
  void ScanHead(const char* data, size_t n) {
    for (size_t i = 0; i < n && !head_done; ++i) {
      last_bytes = (last_bytes << 8) | static_cast<unsigned char>(data[i]);
      head_done = last_bytes == 0x0d0a0d0a;  // "\r\n\r\n"
    }
  }
};

SocketGuard::SocketGuard(const Clock& clock, Millis tick) : clock_(clock), tick_(tick) {
  // OpenSSL writes a poll's TLS records with write(2), which raises SIGPIPE once a hostile
  // peer has closed; the default action would end the whole process. Every poll goes through
  // a guard, so the guard is where the process stops taking that signal.
  std::signal(SIGPIPE, SIG_IGN);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    wake_read_ = pipe_fds[0];
    wake_write_ = pipe_fds[1];
  }
  thread_ = std::thread([this] { Run(); });
}

SocketGuard::~SocketGuard() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  Wake();
  thread_.join();
  for (auto& [id, entry] : entries_) {
    for (int fd : entry->connecting) to_close_.push_back(fd);
    if (entry->upstream >= 0) to_close_.push_back(entry->upstream);
    if (entry->local >= 0) to_close_.push_back(entry->local);
  }
  CloseFinishedLocked();
  if (wake_read_ >= 0) ::close(wake_read_);
  if (wake_write_ >= 0) ::close(wake_write_);
}

SocketGuard::Watch SocketGuard::Begin(const GuardLimits& limits) {
  uint64_t id = 0;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
    auto entry = std::make_unique<Entry>();
    entry->limits = limits;
    if (cancelled_) entry->trip = GuardTrip::kCancelled;
    entries_.emplace(id, std::move(entry));
  }
  Wake();
  return Watch(this, id);
}

void SocketGuard::CancelAll() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  SweepLocked(clock_.Now());
}

void SocketGuard::Sweep() {
  std::lock_guard lock(mu_);
  SweepLocked(clock_.Now());
}

void SocketGuard::Wake() {
  const char byte = 0;
  if (wake_write_ < 0) return;
  // A full pipe already wakes the thread.
  [[maybe_unused]] const ssize_t n = ::write(wake_write_, &byte, 1);
}

void SocketGuard::Run() {
  std::unique_lock lock(mu_);
  std::vector<pollfd> fds;
  std::vector<uint64_t> owners;  // entry id of fds[1 + 2i] (upstream) and fds[2 + 2i] (local)
  while (!stopping_) {
    CloseFinishedLocked();
    const MonoTime now = clock_.Now();
    SweepLocked(now);
    fds.assign(1, pollfd{wake_read_, POLLIN, 0});
    owners.clear();
    for (const auto& [id, entry] : entries_) {
      if (!entry->relaying()) continue;
      short upstream_events = 0;
      short local_events = 0;
      if (!entry->response.eof && entry->response.space() > 0 && entry->Allowed() > 0) {
        upstream_events |= POLLIN;
      }
      if (!entry->request.empty()) upstream_events |= POLLOUT;
      if (!entry->request.eof && entry->request.space() > 0) local_events |= POLLIN;
      if (!entry->response.empty()) local_events |= POLLOUT;
      // An fd with nothing to wait for is left out (-1): poll(2) would report its hang-up
      // (e.g. an upstream that closed while the relay holds it at the head cap) again and
      // again and the thread would spin.
      fds.push_back({upstream_events != 0 ? entry->upstream : -1, upstream_events, 0});
      fds.push_back({local_events != 0 ? entry->local : -1, local_events, 0});
      owners.push_back(id);
    }
    const int wait = entries_.empty() ? -1 : static_cast<int>(WaitLocked(now).count());
    lock.unlock();
    ::poll(fds.data(), fds.size(), wait);
    lock.lock();
    std::array<char, 64> drain;
    while (::read(wake_read_, drain.data(), drain.size()) > 0) {
    }
    for (size_t i = 0; i < owners.size(); ++i) {
      auto it = entries_.find(owners[i]);
      if (it == entries_.end() || !it->second->relaying()) continue;  // finished meanwhile
      PumpLocked(*it->second, {fds[1 + 2 * i].revents, fds[2 + 2 * i].revents});
    }
  }
}

Millis SocketGuard::WaitLocked(MonoTime now) const {
  Millis wait = tick_;
  for (const auto& [id, entry] : entries_) {
    if (entry->trip != GuardTrip::kNone) continue;
    const auto left = std::chrono::ceil<Millis>(entry->limits.deadline - now);
    wait = std::clamp(left, Millis(0), wait);
  }
  return wait;
}

void SocketGuard::SweepLocked(MonoTime now) {
  for (auto& [id, entry] : entries_) {
    if (entry->trip != GuardTrip::kNone) continue;
    if (cancelled_) {
      TripLocked(*entry, GuardTrip::kCancelled);
    } else if (now >= entry->limits.deadline) {
      // A TLS relay held at the head cap waited for a head that never ended.
      const bool held = entry->upstream >= 0 && !entry->head_done &&
                        entry->received >= entry->limits.max_head_bytes;
      TripLocked(*entry, held ? GuardTrip::kHeadTooLarge : GuardTrip::kDeadline);
    }
  }
}

void SocketGuard::TripLocked(Entry& entry, GuardTrip trip) {
  entry.trip = trip;
  for (int fd : entry.connecting) ::shutdown(fd, SHUT_RDWR);
  if (entry.upstream >= 0) ::shutdown(entry.upstream, SHUT_RDWR);
  if (entry.local >= 0) ::shutdown(entry.local, SHUT_RDWR);  // the client reads end-of-file
}

void SocketGuard::PumpLocked(Entry& entry, const std::vector<short>& revents) {
  constexpr short kReadable = POLLIN | POLLHUP | POLLERR;
  constexpr short kWritable = POLLOUT | POLLHUP | POLLERR;
  Pipe& response = entry.response;
  Pipe& request = entry.request;

  if ((revents[0] & kReadable) && !response.eof && entry.Allowed() > 0) {
    const size_t want = std::min<uint64_t>(response.space(), entry.Allowed());
    const ssize_t n = ::recv(entry.upstream, response.buffer.data() + response.end, want, 0);
    if (n > 0) {
      if (entry.limits.plaintext_head) entry.ScanHead(response.buffer.data() + response.end, n);
      response.end += static_cast<size_t>(n);
      entry.received += static_cast<uint64_t>(n);
    } else if (!Retry(n)) {
      response.eof = true;  // closed or reset: the client sees the end and judges the body
    }
    if (!entry.head_done && entry.limits.plaintext_head &&
        entry.received >= entry.limits.max_head_bytes) {
      return TripLocked(entry, GuardTrip::kHeadTooLarge);
    }
    if (entry.received > entry.limits.max_total_bytes) {
      return TripLocked(entry, GuardTrip::kTooManyBytes);
    }
  }
  if (!response.empty() && (revents[1] & kWritable)) {
    const ssize_t n = ::send(entry.local, response.buffer.data() + response.begin,
                             response.end - response.begin, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) response.Consumed(static_cast<size_t>(n));
    if (n <= 0 && !Retry(n)) {  // the client is gone
      response.eof = true;
      response.Consumed(response.end - response.begin);
    }
  }
  if (response.eof && response.empty() && !response.shut) {
    response.shut = true;
    ::shutdown(entry.local, SHUT_WR);
  }

  if ((revents[1] & kReadable) && !request.eof) {
    const ssize_t n =
        ::recv(entry.local, request.buffer.data() + request.end, request.space(), MSG_DONTWAIT);
    if (n > 0) request.end += static_cast<size_t>(n);
    if (n == 0 || (n < 0 && !Retry(n))) request.eof = true;
  }
  if (!request.empty() && (revents[0] & kWritable)) {
    const ssize_t n = ::send(entry.upstream, request.buffer.data() + request.begin,
                             request.end - request.begin, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) request.Consumed(static_cast<size_t>(n));
    if (n <= 0 && !Retry(n)) {  // the upstream is gone
      request.eof = true;
      request.Consumed(request.end - request.begin);
    }
  }
  if (request.eof && request.empty() && !request.shut) {
    request.shut = true;
    ::shutdown(entry.upstream, SHUT_WR);
  }
}

void SocketGuard::CloseFinishedLocked() {
  for (int fd : to_close_) ::close(fd);
  to_close_.clear();
}

void SocketGuard::Watch::AddSocket(int fd) {
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return;  // out of descriptors: the client's own timeouts still apply
  std::lock_guard lock(guard_->mu_);
  Entry& entry = *guard_->entries_.at(id_);
  entry.connecting.push_back(copy);
  if (entry.trip != GuardTrip::kNone) ::shutdown(copy, SHUT_RDWR);
}

bool SocketGuard::Watch::Relay(int fd) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return false;
  const int upstream = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  // After dup3 the client's descriptor number is its end of the pair; the TCP socket lives
  // on as `upstream`.
  if (upstream < 0 || !SetNonBlocking(upstream) || !SetNonBlocking(pair[1]) ||
      ::dup3(pair[0], fd, O_CLOEXEC) < 0) {
    if (upstream >= 0) ::close(upstream);
    ::close(pair[0]);
    ::close(pair[1]);
    return false;
  }
  ::close(pair[0]);
  {
    std::lock_guard lock(guard_->mu_);
    Entry& entry = *guard_->entries_.at(id_);
    entry.upstream = upstream;
    entry.local = pair[1];
    if (entry.trip != GuardTrip::kNone) guard_->TripLocked(entry, entry.trip);
  }
  guard_->Wake();
  return true;
}

void SocketGuard::Watch::HeadReceived() {
  {
    std::lock_guard lock(guard_->mu_);
    guard_->entries_.at(id_)->head_done = true;
  }
  guard_->Wake();
}

GuardTrip SocketGuard::Watch::Finish() {
  if (finished_) return trip_;
  finished_ = true;
  {
    std::lock_guard lock(guard_->mu_);
    auto it = guard_->entries_.find(id_);
    Entry& entry = *it->second;
    trip_ = entry.trip;
    for (int fd : entry.connecting) guard_->to_close_.push_back(fd);
    if (entry.upstream >= 0) guard_->to_close_.push_back(entry.upstream);
    if (entry.local >= 0) guard_->to_close_.push_back(entry.local);
    guard_->entries_.erase(it);
  }
  guard_->Wake();
  return trip_;
}

}  // namespace vmq::poll
