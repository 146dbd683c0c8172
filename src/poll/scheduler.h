#ifndef VMQ_POLL_SCHEDULER_H_
#define VMQ_POLL_SCHEDULER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "poll/async_fetcher.h"
#include "poll/poll_result.h"

namespace vmq::poll {

struct SchedulerOptions {
  Millis interval{5000};
  size_t workers = 2;  // threads that run the result callback
  // false: no timer thread; the owner calls RunDue() whenever it moved the clock (tests with
  // a FakeClock). The workers run either way.
  bool timer_thread = true;
};

struct SchedulerStats {
  uint64_t polls_started = 0, polls_skipped = 0, results_delivered = 0;
  size_t targets = 0, in_flight = 0, queued_results = 0;
};

// Polls every target at a fixed rate on the monotonic clock. A target's slots are
// offset + k * interval on the clock's epoch, the offset in [0, interval) derived from a hash
// of its name (as Prometheus spreads scrapes): 1000 targets are spread over the interval, a
// target keeps its phase across restarts, and slots never drift with poll durations. The
// first poll of a target runs as soon as it is added (the exporter is not ready before every
// target was polled once), the next at its first slot at least one interval later.
//
// A slot whose previous poll (fetch and result callback) has not finished is skipped and
// counted, never queued: a target has at most one poll in flight, so its results never run
// concurrently and the result queue holds at most one entry per target. Fetches hold no
// thread (AsyncFetcher). Results run on `workers` threads in the order they arrive, so a slow
// callback holds one worker and delays nobody else's results beyond the pool's width, and
// never another target's polls (the timer thread only starts fetches).
//
// Time comes only from the injected clock; with SystemClock the timer thread's waits are real
// time.
class Scheduler {
 public:
  using ResultCallback = std::function<void(const std::string& target_name, PollResult result)>;

  Scheduler(const Clock& clock, SchedulerOptions options, ResultCallback on_result);
  ~Scheduler();  // stops
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Adds a target (also while running), replacing one of the same name.
  void Add(const std::string& name, std::unique_ptr<AsyncFetcher> fetcher);
  // Once it returns, no callback for that target runs or starts (it waits for a running one,
  // unless called from that callback itself). A fetch in flight finishes on its own; its
  // result is dropped.
  void Remove(const std::string& name);
  // Polls every target at this interval from now on, each at its phase for it (a reload of
  // poll.interval). A poll in flight finishes; the next one of a target comes at least the
  // shorter of the old and new interval after the call.
  void SetInterval(Millis interval);
  void Start();
  // No callback runs after it returns; results still queued are dropped. Not from a callback.
  void Stop();
  SchedulerStats stats() const;

  // Starts every poll due at clock.Now(); returns when the next is due. What the timer thread
  // does on each wake-up; tests call it directly with timer_thread = false.
  MonoTime RunDue();

 private:
  struct Target;
  struct Core;

  void TimerLoop();
  static void WorkerLoop(const std::shared_ptr<Core>& core);
  void StartPoll(const std::shared_ptr<Target>& target);

  const Clock& clock_;
  const SchedulerOptions options_;
  std::shared_ptr<Core> core_;  // shared with fetches in flight, which may end after Stop
  std::thread timer_;
  std::vector<std::thread> workers_;
};

namespace detail {

// FNV-1a, 64 bits: the same on every platform and build, so a target keeps its phase.
uint64_t StableHash(std::string_view name);
// The target's phase in [0, interval).
std::chrono::nanoseconds SlotOffset(std::string_view name, Millis interval);
// The first slot (offset + k * interval since the clock's epoch) strictly after `after`.
MonoTime NextSlotAfter(MonoTime after, std::chrono::nanoseconds offset, Millis interval);

}  // namespace detail
}  // namespace vmq::poll

#endif  // VMQ_POLL_SCHEDULER_H_
