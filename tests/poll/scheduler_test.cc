#include "poll/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"

namespace vmq::poll {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr Millis kInterval{5000};

// Holds every started poll until the test finishes it.
class Polls {
 public:
  class Fetcher final : public AsyncFetcher {
   public:
    Fetcher(Polls* polls, std::string name) : polls_(polls), name_(std::move(name)) {}
    void Start(Done done) override { polls_->Started(name_, std::move(done)); }

   private:
    Polls* polls_;
    std::string name_;
  };

  std::unique_ptr<AsyncFetcher> Make(const std::string& name) {
    return std::make_unique<Fetcher>(this, name);
  }

  void Started(const std::string& name, AsyncFetcher::Done done) {
    std::lock_guard lock(mu_);
    pending_[name].push_back(std::move(done));
    ++started_[name];
  }

  // Finishes the oldest pending poll of `name`; false if there is none.
  bool Finish(const std::string& name, PollError error = PollError::kNone) {
    AsyncFetcher::Done done;
    {
      std::lock_guard lock(mu_);
      auto& queue = pending_[name];
      if (queue.empty()) return false;
      done = std::move(queue.front());
      queue.erase(queue.begin());
    }
    PollResult result;
    result.error = error;
    done(std::move(result));
    return true;
  }

  int started(const std::string& name) {
    std::lock_guard lock(mu_);
    return started_[name];
  }
  size_t pending(const std::string& name) {
    std::lock_guard lock(mu_);
    return pending_[name].size();
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<AsyncFetcher::Done>> pending_;
  std::map<std::string, int> started_;
};

// Records results; optionally blocks a target's callback until released.
class Results {
 public:
  Scheduler::ResultCallback Callback() {
    return [this](const std::string& name, PollResult) {
      std::unique_lock lock(mu_);
      running_.insert(name);
      ++concurrent_[name];
      max_concurrent_ = std::max(max_concurrent_, concurrent_[name]);
      changed_.notify_all();
      changed_.wait(lock, [&] { return !blocked_.contains(name); });
      --concurrent_[name];
      running_.erase(name);
      ++count_[name];
      changed_.notify_all();
    };
  }
  void Block(const std::string& name) {
    std::lock_guard lock(mu_);
    blocked_.insert(name);
  }
  void ReleaseAll() {
    std::lock_guard lock(mu_);
    blocked_.clear();
    changed_.notify_all();
  }
  void Release(const std::string& name) {
    std::lock_guard lock(mu_);
    blocked_.erase(name);
    changed_.notify_all();
  }
  // Waits (real time, generous) until `name` has `n` finished callbacks.
  bool WaitCount(const std::string& name, int n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, seconds(10), [&] { return count_[name] >= n; });
  }
  bool WaitRunning(const std::string& name) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, seconds(10), [&] { return running_.contains(name); });
  }
  int count(const std::string& name) {
    std::lock_guard lock(mu_);
    return count_[name];
  }
  int max_concurrent() {
    std::lock_guard lock(mu_);
    return max_concurrent_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::set<std::string> blocked_;
  std::set<std::string> running_;
  std::map<std::string, int> concurrent_;
  std::map<std::string, int> count_;
  int max_concurrent_ = 0;
};

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest()
      : scheduler_(clock_, {.interval = kInterval, .workers = 2, .timer_thread = false},
                   results_.Callback()) {}

  void TearDown() override { results_.ReleaseAll(); }  // a failed test must not block Stop

  void Add(const std::string& name) { scheduler_.Add(name, polls_.Make(name)); }
  // Finishes the oldest poll of `name` and waits until the scheduler is done with its result
  // (the callback returned and the target is free for its next slot).
  void FinishAndWait(const std::string& name) {
    const uint64_t delivered = scheduler_.stats().results_delivered;
    ASSERT_TRUE(polls_.Finish(name));
    for (int i = 0; i < 10000 && scheduler_.stats().results_delivered == delivered; ++i) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    ASSERT_GT(scheduler_.stats().results_delivered, delivered);
  }
  // Moves the clock to the target's next slot (or just past it: the clock has ms steps).
  MonoTime AdvanceToNextSlot(const std::string& name) {
    const MonoTime slot =
        detail::NextSlotAfter(clock_.Now(), detail::SlotOffset(name, kInterval), kInterval);
    clock_.Advance(std::chrono::ceil<Millis>(slot - clock_.Now()));
    return slot;
  }
  // After the poll on Add: the first slot at least one interval later.
  // Call with the clock where it was at the first poll.
  MonoTime AdvanceToSecondPoll(const std::string& name) {
    const MonoTime slot = detail::NextSlotAfter(clock_.Now() + kInterval - nanoseconds(1),
                                                detail::SlotOffset(name, kInterval), kInterval);
    clock_.Advance(std::chrono::ceil<Millis>(slot - clock_.Now()));
    return slot;
  }

  FakeClock clock_;
  Polls polls_;
  Results results_;
  Scheduler scheduler_;  // last: stopped before the fakes go
};

TEST(SchedulerSlots, OffsetsAreStableAndSpreadOverTheInterval) {
  EXPECT_EQ(detail::SlotOffset("vmq-1", kInterval), detail::SlotOffset("vmq-1", kInterval));
  EXPECT_NE(detail::SlotOffset("vmq-1", kInterval), detail::SlotOffset("vmq-2", kInterval));
  // FNV-1a: the same value on every build, so a target keeps its phase across restarts.
  EXPECT_EQ(detail::StableHash(""), 14695981039346656037ull);
  EXPECT_EQ(detail::StableHash("a"), 0xaf63dc4c8601ec8cull);
  // 1000 targets over 10 buckets of 500 ms: none empty, none with more than twice its share.
  std::vector<int> buckets(10);
  for (int i = 0; i < 1000; ++i) {
    const nanoseconds offset = detail::SlotOffset("vmq-" + std::to_string(i), kInterval);
    ASSERT_GE(offset, nanoseconds(0));
    ASSERT_LT(offset, kInterval);
    ++buckets[static_cast<size_t>(offset / milliseconds(500))];
  }
  for (int count : buckets) {
    EXPECT_GT(count, 50);
    EXPECT_LT(count, 200);
  }
}

TEST(SchedulerSlots, NextSlotIsOffsetPlusWholeIntervalsStrictlyAfter) {
  const MonoTime base(std::chrono::hours(1000));  // a multiple of 5 s
  const nanoseconds offset = milliseconds(1234);
  EXPECT_EQ(detail::NextSlotAfter(base, offset, kInterval), base + offset);
  EXPECT_EQ(detail::NextSlotAfter(base + offset, offset, kInterval), base + offset + kInterval);
  EXPECT_EQ(detail::NextSlotAfter(base + seconds(3), offset, kInterval), base + offset + kInterval);
}

TEST_F(SchedulerTest, PollsAtOnceWhenAddedThenAtItsSlotsAtAFixedRate) {
  Add("vmq-1");
  scheduler_.Start();
  scheduler_.RunDue();
  EXPECT_EQ(polls_.started("vmq-1"), 1);
  FinishAndWait("vmq-1");

  scheduler_.RunDue();  // nothing due before the slot
  EXPECT_EQ(polls_.started("vmq-1"), 1);
  const MonoTime first_slot = AdvanceToSecondPoll("vmq-1");
  clock_.Advance(-Millis(1));
  scheduler_.RunDue();
  EXPECT_EQ(polls_.started("vmq-1"), 1) << "polled before its slot";
  clock_.Advance(Millis(1));
  EXPECT_EQ(scheduler_.RunDue(), first_slot + kInterval);
  EXPECT_EQ(polls_.started("vmq-1"), 2);

  // A slow poll does not shift the next slot: no drift.
  clock_.Advance(Millis(3000));
  FinishAndWait("vmq-1");
  EXPECT_EQ(scheduler_.RunDue(), first_slot + kInterval);
  clock_.Advance(Millis(2000));
  EXPECT_EQ(scheduler_.RunDue(), first_slot + 2 * kInterval);
  EXPECT_EQ(polls_.started("vmq-1"), 3);
  EXPECT_EQ(scheduler_.stats().polls_skipped, 0u);
}

// A reload of poll.interval: the target moves to its phase for the new interval, its next poll
// at least the shorter interval after the change, and polls at the new rate from then on.
TEST_F(SchedulerTest, SetIntervalMovesTargetsToTheirNewPhaseAndRate) {
  constexpr Millis kShorter{2000};
  Add("vmq-1");
  scheduler_.Start();
  scheduler_.RunDue();
  FinishAndWait("vmq-1");
  clock_.Advance(Millis(100));
  const MonoTime changed_at = clock_.Now();
  scheduler_.SetInterval(kShorter);
  const MonoTime expected = detail::NextSlotAfter(changed_at + kShorter - nanoseconds(1),
                                                  detail::SlotOffset("vmq-1", kShorter), kShorter);
  EXPECT_EQ(scheduler_.RunDue(), expected);
  EXPECT_GE(expected - changed_at, kShorter);
  clock_.Advance(std::chrono::ceil<Millis>(expected - clock_.Now()));
  EXPECT_EQ(scheduler_.RunDue(), expected + kShorter);
  EXPECT_EQ(polls_.started("vmq-1"), 2);
  FinishAndWait("vmq-1");
  clock_.Advance(kShorter);
  scheduler_.RunDue();
  EXPECT_EQ(polls_.started("vmq-1"), 3);
  EXPECT_EQ(scheduler_.stats().polls_skipped, 0u);
}

TEST_F(SchedulerTest, SkipsAndCountsSlotsWhilePollIsInFlightNeverQueuesThem) {
  Add("vmq-1");
  scheduler_.Start();
  scheduler_.RunDue();
  AdvanceToSecondPoll("vmq-1");
  scheduler_.RunDue();
  clock_.Advance(kInterval);
  scheduler_.RunDue();
  clock_.Advance(kInterval);
  scheduler_.RunDue();
  EXPECT_EQ(polls_.started("vmq-1"), 1);
  EXPECT_EQ(scheduler_.stats().polls_skipped, 3u);
  EXPECT_EQ(scheduler_.stats().in_flight, 1u);

  FinishAndWait("vmq-1");
  scheduler_.RunDue();  // the slots it missed are not made up for
  EXPECT_EQ(polls_.started("vmq-1"), 1);
  clock_.Advance(kInterval);
  scheduler_.RunDue();
  EXPECT_EQ(polls_.started("vmq-1"), 2);
}

TEST_F(SchedulerTest, CountsASlotSkippedWhileTheResultCallbackRuns) {
  Add("vmq-1");
  results_.Block("vmq-1");
  scheduler_.Start();
  scheduler_.RunDue();
  ASSERT_TRUE(polls_.Finish("vmq-1"));
  ASSERT_TRUE(results_.WaitRunning("vmq-1"));
  AdvanceToSecondPoll("vmq-1");
  scheduler_.RunDue();
  EXPECT_EQ(polls_.started("vmq-1"), 1);
  EXPECT_EQ(scheduler_.stats().polls_skipped, 1u);
  results_.Release("vmq-1");
  ASSERT_TRUE(results_.WaitCount("vmq-1", 1));
}

TEST_F(SchedulerTest, WakeUpLateByManyIntervalsStartsOnePollAndSkipsTheRest) {
  Add("vmq-1");
  scheduler_.Start();
  scheduler_.RunDue();
  FinishAndWait("vmq-1");
  AdvanceToSecondPoll("vmq-1");
  clock_.Advance(3 * kInterval);
  scheduler_.RunDue();
  EXPECT_EQ(polls_.started("vmq-1"), 2);
  EXPECT_EQ(scheduler_.stats().polls_skipped, 3u);
}

TEST_F(SchedulerTest, SlowCallbackOfOneTargetDelaysNeitherPollsNorResultsOfOthers) {
  Add("slow");
  Add("fast");
  results_.Block("slow");
  scheduler_.Start();
  scheduler_.RunDue();
  ASSERT_TRUE(polls_.Finish("slow"));
  ASSERT_TRUE(results_.WaitRunning("slow"));
  for (int i = 1; i <= 5; ++i) {
    FinishAndWait("fast");
    if (i == 1) {
      AdvanceToSecondPoll("fast");
    } else {
      AdvanceToNextSlot("fast");
    }
    scheduler_.RunDue();
    EXPECT_EQ(polls_.started("fast"), i + 1);
  }
  EXPECT_EQ(polls_.started("slow"), 1);
  results_.Release("slow");
  ASSERT_TRUE(results_.WaitCount("slow", 1));
  EXPECT_EQ(results_.max_concurrent(), 1) << "results of one target ran concurrently";
}

TEST_F(SchedulerTest, SpreadsThousandTargetsOverTheInterval) {
  for (int i = 0; i < 1000; ++i) Add("vmq-" + std::to_string(i));
  scheduler_.Start();
  scheduler_.RunDue();  // the first polls, at once
  for (int i = 0; i < 1000; ++i) FinishAndWait("vmq-" + std::to_string(i));
  // Over the interval after the next one, in 100 ms steps: every target once, no burst.
  clock_.Advance(kInterval - Millis(1));
  scheduler_.RunDue();
  EXPECT_EQ(scheduler_.stats().polls_started, 1000u) << "polled again within one interval";
  uint64_t before = scheduler_.stats().polls_started;
  uint64_t most_in_a_step = 0;
  for (int step = 0; step < 50; ++step) {
    clock_.Advance(Millis(100));
    scheduler_.RunDue();
    const uint64_t now = scheduler_.stats().polls_started;
    most_in_a_step = std::max(most_in_a_step, now - before);
    before = now;
  }
  EXPECT_EQ(scheduler_.stats().polls_started, 2000u);
  EXPECT_LT(most_in_a_step, 60u);  // 20 expected per 100 ms
  EXPECT_EQ(scheduler_.stats().polls_skipped, 0u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(polls_.started("vmq-" + std::to_string(i)), 2);
}

TEST_F(SchedulerTest, AddsWhileRunningAndPollsTheNewTargetAtOnce) {
  Add("vmq-1");
  scheduler_.Start();
  scheduler_.RunDue();
  Add("vmq-2");
  EXPECT_EQ(scheduler_.stats().targets, 2u);
  scheduler_.RunDue();
  EXPECT_EQ(polls_.started("vmq-2"), 1);
  EXPECT_EQ(polls_.started("vmq-1"), 1);
}

TEST_F(SchedulerTest, RemoveWaitsForRunningCallbackAndDropsLaterResults) {
  Add("vmq-1");
  results_.Block("vmq-1");
  scheduler_.Start();
  scheduler_.RunDue();
  ASSERT_TRUE(polls_.Finish("vmq-1"));
  ASSERT_TRUE(results_.WaitRunning("vmq-1"));
  std::atomic<bool> removed{false};
  std::thread remover([&] {
    scheduler_.Remove("vmq-1");
    removed = true;
  });
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_FALSE(removed) << "Remove returned while the target's callback ran";
  results_.Release("vmq-1");
  remover.join();
  EXPECT_EQ(results_.count("vmq-1"), 1);
  EXPECT_EQ(scheduler_.stats().targets, 0u);
  clock_.Advance(kInterval);
  scheduler_.RunDue();
  EXPECT_EQ(polls_.started("vmq-1"), 1);
}

TEST_F(SchedulerTest, RemovedTargetsPollInFlightIsDropped) {
  Add("vmq-1");
  scheduler_.Start();
  scheduler_.RunDue();
  scheduler_.Remove("vmq-1");
  ASSERT_TRUE(polls_.Finish("vmq-1"));
  EXPECT_EQ(scheduler_.stats().in_flight, 0u);
  EXPECT_EQ(scheduler_.stats().results_delivered, 0u);
  EXPECT_EQ(results_.count("vmq-1"), 0);
}

TEST_F(SchedulerTest, NoCallbackRunsAfterStopReturns) {
  Add("vmq-1");
  Add("vmq-2");
  results_.Block("vmq-1");
  scheduler_.Start();
  scheduler_.RunDue();
  ASSERT_TRUE(polls_.Finish("vmq-1"));
  ASSERT_TRUE(results_.WaitRunning("vmq-1"));
  std::thread releaser([&] {
    std::this_thread::sleep_for(milliseconds(100));
    results_.Release("vmq-1");
  });
  scheduler_.Stop();  // waits for the running callback
  releaser.join();
  EXPECT_EQ(results_.count("vmq-1"), 1);
  ASSERT_TRUE(polls_.Finish("vmq-2"));  // a fetch that ends after Stop
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(results_.count("vmq-2"), 0);
  EXPECT_EQ(scheduler_.stats().in_flight, 0u);
}

// With its own timer thread and the system clock: polls happen without RunDue calls.
TEST(SchedulerThread, PollsOnItsOwnAndStops) {
  SystemClock clock;
  Polls polls;
  Results results;
  Scheduler scheduler(clock, {.interval = Millis(50)}, results.Callback());
  scheduler.Add("vmq-1", polls.Make("vmq-1"));
  scheduler.Start();
  for (int i = 1; i <= 5; ++i) {
    for (int wait = 0; wait < 1000 && polls.pending("vmq-1") == 0; ++wait) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    ASSERT_TRUE(polls.Finish("vmq-1"));
    ASSERT_TRUE(results.WaitCount("vmq-1", i));
  }
  scheduler.Stop();
  EXPECT_GE(polls.started("vmq-1"), 5);
}

}  // namespace
}  // namespace vmq::poll
