#ifndef VMQ_POLL_SCHEDULER_H_
#define VMQ_POLL_SCHEDULER_H_

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "poll/http_fetcher.h"

namespace vmq::poll {

// Polls every target on its own fixed-rate schedule on the monotonic clock, one thread per
// target, so a slow or dead target never delays another. A poll that overruns its slot skips
// the slots it missed instead of bunching up. Results go to `on_result` on the target's
// thread; it must not throw.
class Scheduler {
 public:
  using ResultCallback = std::function<void(size_t target_index, PollResult result)>;

  Scheduler(std::vector<std::unique_ptr<Fetcher>> fetchers, Millis interval,
            ResultCallback on_result);
  ~Scheduler();  // stops and joins

  void Start();
  // Wakes every thread out of its wait and joins them; an in-flight fetch finishes first
  // (bounded by the poll timeout; at shutdown, SocketGuard::CancelAll ends it at once).
  void Stop();

 private:
  void RunTarget(size_t index);

  std::vector<std::unique_ptr<Fetcher>> fetchers_;
  Millis interval_;
  ResultCallback on_result_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace vmq::poll

#endif  // VMQ_POLL_SCHEDULER_H_
