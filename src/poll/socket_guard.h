#ifndef VMQ_POLL_SOCKET_GUARD_H_
#define VMQ_POLL_SOCKET_GUARD_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"

namespace vmq::poll {

// Why the guard cut a poll's connection.
enum class GuardTrip {
  kNone,
  kDeadline,      // the poll's overall deadline passed (connect, TLS, head or body)
  kHeadTooLarge,  // more than max_head_bytes read before the response head was parsed
  kTooManyBytes,  // more than max_total_bytes read for the whole response
  kCancelled,     // CancelAll(): the process is shutting down
};

struct GuardLimits {
  MonoTime deadline;
  uint64_t max_head_bytes;
  uint64_t max_total_bytes;
};

// Bounds what cpp-httplib 0.11 does not: its read timeout applies to each read, so an upstream
// that drips a byte now and then holds a poll forever, and it buffers the status line, header
// lines, headers and chunk-size lines without limit. Its reads cannot be hooked (the library
// is compiled), so the guard works on the socket instead: one thread, per process, looks at
// every registered socket each `tick` and, when a poll's deadline has passed or it has read
// too much, shuts the socket down (shutdown(SHUT_RDWR)) and discards what is queued, so the
// blocked read returns at once with an error and the poll fails.
//
// Bytes read are the kernel's tcpi_bytes_received minus what is still queued (SIOCINQ),
// relative to the count when the socket was registered (keep-alive connections are reused).
// The bound on what the client buffers is therefore max_head_bytes plus what it reads within
// one tick plus its 4 KiB read-ahead (and one TLS record on https); tests/faults measures it.
// On https the head count includes the TLS handshake (certificate chains are a few KB).
//
// Lifetime: the guard keeps its own duplicate of every registered descriptor, so a shutdown
// always hits the poll's socket even if cpp-httplib has closed its descriptor and the number
// was reused; the duplicates are closed by Finish() under the same mutex that every check and
// shutdown holds, so nothing is shut down after the poll has let go of it.
class SocketGuard {
 public:
  // `clock` decides deadlines; `tick` is how often the thread checks while polls are active
  // (it sleeps when there are none).
  explicit SocketGuard(const Clock& clock, Millis tick = Millis(5));
  ~SocketGuard();  // every Watch must have finished
  SocketGuard(const SocketGuard&) = delete;
  SocketGuard& operator=(const SocketGuard&) = delete;

  // One poll's registration. Not thread-safe itself: used by the poll's own thread.
  class Watch {
   public:
    ~Watch() { Finish(); }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

    // Watches `fd` (not taken over; the guard keeps a duplicate). If the poll has already
    // tripped, the socket is shut down at once.
    void AddSocket(int fd);
    // The response head is parsed: from now on only max_total_bytes applies.
    void HeadReceived();
    // Stops watching; returns why the guard cut the poll, if it did. Idempotent.
    GuardTrip Finish();

   private:
    friend class SocketGuard;
    Watch(SocketGuard* guard, uint64_t id) : guard_(guard), id_(id) {}
    SocketGuard* guard_;
    uint64_t id_;
    bool finished_ = false;
    GuardTrip trip_ = GuardTrip::kNone;
  };

  Watch Begin(const GuardLimits& limits);
  // Trips every poll now and every poll begun later; for shutdown.
  void CancelAll();
  // One check of every watch; the thread calls it every tick, tests call it directly.
  void Sweep();

 private:
  struct Socket {
    int fd;  // the guard's own duplicate
    uint64_t baseline;
  };
  struct Entry {
    GuardLimits limits;
    std::vector<Socket> sockets;
    bool head_received = false;
    GuardTrip trip = GuardTrip::kNone;
  };

  void Run();
  void SweepLocked();
  void TripLocked(Entry& entry, GuardTrip trip);

  const Clock& clock_;
  const Millis tick_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool cancelled_ = false;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Entry> entries_;
  std::thread thread_;  // last: starts after everything it uses
};

}  // namespace vmq::poll

#endif  // VMQ_POLL_SOCKET_GUARD_H_
