#ifndef VMQ_POLL_ASYNC_FETCHER_H_
#define VMQ_POLL_ASYNC_FETCHER_H_

#include <functional>

#include "poll/poll_result.h"

namespace vmq::poll {

// Fetches one target's page without holding a thread while it waits. An interface so that
// the scheduler can be driven by a fake.
class AsyncFetcher {
 public:
  using Done = std::function<void(PollResult)>;
  virtual ~AsyncFetcher() = default;
  // Starts one poll and returns at once; calls `done` exactly once, later, on some other
  // thread. Never throws.
  virtual void Start(Done done) = 0;
};

}  // namespace vmq::poll

#endif  // VMQ_POLL_ASYNC_FETCHER_H_
