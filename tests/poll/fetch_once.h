#ifndef VMQ_TESTS_POLL_FETCH_ONCE_H_
#define VMQ_TESTS_POLL_FETCH_ONCE_H_

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>

#include "poll/http_fetcher.h"

namespace vmq::poll {

// Runs one poll of `target` on `loop` and waits for its result; also checks that `done` ran
// once and not on the calling thread.
inline PollResult FetchOnce(HttpPollLoop& loop, const config::Target& target,
                            const config::PollSettings& settings = {}) {
  const std::unique_ptr<AsyncFetcher> fetcher = loop.MakeFetcher(target, settings);
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto promise = std::make_shared<std::promise<PollResult>>();
  std::future<PollResult> future = promise->get_future();
  const auto caller = std::this_thread::get_id();
  fetcher->Start([calls, promise, caller](PollResult result) {
    EXPECT_NE(std::this_thread::get_id(), caller) << "done ran on the thread that started it";
    if (calls->fetch_add(1) == 0) promise->set_value(std::move(result));
  });
  PollResult result = future.get();
  EXPECT_EQ(calls->load(), 1);
  return result;
}

}  // namespace vmq::poll

#endif  // VMQ_TESTS_POLL_FETCH_ONCE_H_
