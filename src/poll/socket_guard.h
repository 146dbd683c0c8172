#ifndef VMQ_POLL_SOCKET_GUARD_H_
#define VMQ_POLL_SOCKET_GUARD_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"

namespace vmq::poll {

// Why the guard cut a poll's connection.
enum class GuardTrip {
  kNone,
  kDeadline,      // the poll's overall deadline passed (connect, TLS, head or body)
  kHeadTooLarge,  // the response head did not end within max_head_bytes
  kTooManyBytes,  // more than max_total_bytes received for the whole response
  kCancelled,     // CancelAll(): the process is shutting down
};

struct GuardLimits {
  MonoTime deadline;
  uint64_t max_head_bytes;   // received before the response head is complete
  uint64_t max_total_bytes;  // received in all
  // Plain HTTP: the guard sees the head end ("\r\n\r\n") itself and cuts a longer head at
  // once. TLS: it cannot, so it stops relaying at max_head_bytes until HeadReceived() (the
  // client parsed the head) and cuts at the deadline if that never comes.
  bool plaintext_head;
};

// Bounds what cpp-httplib 0.11 does not. Its timeouts apply to each read, so an upstream that
// drips a byte now and then holds a poll forever; it buffers the status line, header lines and
// chunk-size lines without limit; and it matches the status line with std::regex, which
// recurses per character and overflows an 8 MB thread stack on a status line of ~40-60 KB
// (measured: 30,000 characters pass, 60,000 crash). Its reads cannot be hooked (the library
// is compiled), so the guard owns the connection instead:
// - While connecting, the sockets the client creates are registered (AddSocket); past the
//   deadline the guard shuts them down, which ends a pending connect at once.
// - Once connected, Relay() moves the TCP socket to the guard and gives the client one end of
//   a socketpair in its place (same descriptor number, dup3). One thread relays every poll's
//   bytes with poll(2) and counts them exactly: the client never receives more than
//   max_head_bytes before the head is complete, nor more than max_total_bytes in all, and
//   both ends are shut down at the deadline, so its blocked read returns at once.
// TLS passes through the relay unchanged (the client does the handshake over the pair).
//
// Lifetime: the guard only touches descriptors it owns (duplicates and its relay ends), and
// closes them on its own thread, so a shutdown never reaches a descriptor the client has
// closed or a number that was reused. All state is under one mutex.
class SocketGuard {
 public:
  // `clock` decides deadlines; `tick` is the longest the thread sleeps between checks while
  // polls are active (it sleeps until woken when there are none). Sets SIGPIPE to ignored for
  // the process: a peer's close must fail a poll, not end the exporter.
  explicit SocketGuard(const Clock& clock, Millis tick = Millis(20));
  ~SocketGuard();  // every Watch must have finished
  SocketGuard(const SocketGuard&) = delete;
  SocketGuard& operator=(const SocketGuard&) = delete;

  // One poll's registration, used by the poll's own thread.
  class Watch {
   public:
    ~Watch() { Finish(); }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

    // Watches a socket being connected (`fd` stays the caller's; the guard keeps a duplicate).
    // If the poll has already tripped it is shut down at once.
    void AddSocket(int fd);
    // `fd` is connected: from now on its bytes pass through the guard (see above). False
    // (nothing changed) when the relay cannot be set up, e.g. out of descriptors.
    bool Relay(int fd);
    // The client parsed the response head.
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
  // Checks every poll's deadline now; the thread does it every tick, tests call it directly.
  void Sweep();

 private:
  struct Entry;
  struct Pipe;

  void Run();
  void Wake();
  void SweepLocked(MonoTime now);
  void TripLocked(Entry& entry, GuardTrip trip);
  void PumpLocked(Entry& entry, const std::vector<short>& revents);
  void CloseFinishedLocked();
  Millis WaitLocked(MonoTime now) const;

  const Clock& clock_;
  const Millis tick_;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::mutex mu_;
  bool stopping_ = false;
  bool cancelled_ = false;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::unique_ptr<Entry>> entries_;
  std::vector<int> to_close_;  // closed by the thread, after its poll(2) let go of them
  std::thread thread_;         // last: starts after everything it uses
};

}  // namespace vmq::poll

#endif  // VMQ_POLL_SOCKET_GUARD_H_
