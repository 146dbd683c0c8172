#include "poll/scheduler.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <utility>

namespace vmq::poll {

namespace detail {

uint64_t StableHash(std::string_view name) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : name) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::chrono::nanoseconds SlotOffset(std::string_view name, Millis interval) {
  const auto period = std::chrono::duration_cast<std::chrono::nanoseconds>(interval);
  if (period.count() <= 0) return std::chrono::nanoseconds(0);
  return std::chrono::nanoseconds(
      static_cast<int64_t>(StableHash(name) % static_cast<uint64_t>(period.count())));
}

MonoTime NextSlotAfter(MonoTime after, std::chrono::nanoseconds offset, Millis interval) {
  using Duration = MonoTime::duration;
  const auto period = std::chrono::duration_cast<Duration>(interval);
  const auto phase = std::chrono::duration_cast<Duration>(offset);
  const Duration since_epoch = after.time_since_epoch();
  if (period.count() <= 0) return after + Duration(1);
  if (since_epoch < phase) return MonoTime(phase);
  const auto slots = (since_epoch - phase) / period + 1;
  return MonoTime(phase + slots * period);
}

}  // namespace detail

struct Scheduler::Target {
  std::string name;
  std::unique_ptr<AsyncFetcher> fetcher;
  std::chrono::nanoseconds offset{0};
  bool first = true;  // the poll on Add is due, before the slots
  bool busy = false;  // a fetch or its callback in flight
  bool removed = false;
  bool in_callback = false;
  std::thread::id callback_thread;
  std::multimap<MonoTime, std::shared_ptr<Target>>::iterator due_at;
};

struct Scheduler::Core {
  Core(ResultCallback callback, Millis period) : on_result(std::move(callback)), interval(period) {}

  // A fetch ended: queue its result, or drop it.
  void Deliver(const std::shared_ptr<Target>& target, PollResult result) {
    std::lock_guard lock(mu);
    if (target->removed || !running) {
      Release(*target);
      return;
    }
    results.emplace_back(target, std::move(result));
    work.notify_one();
  }

  // Called with mu held: the target's poll is over.
  void Release(Target& target) {
    target.busy = false;
    --in_flight;
  }

  const ResultCallback on_result;
  mutable std::mutex mu;  // guards everything below
  std::condition_variable timer_wake;
  std::condition_variable work;
  std::condition_variable callback_done;
  std::map<std::string, std::shared_ptr<Target>> targets;
  std::multimap<MonoTime, std::shared_ptr<Target>> due;  // next slot of every target
  std::deque<std::pair<std::shared_ptr<Target>, PollResult>> results;
  bool running = false;
  bool stopping = false;
  uint64_t generation = 0;  // bumped by Add: the timer thread recomputes its wait
  Millis interval;          // options.interval until SetInterval
  SchedulerStats counts;
  size_t in_flight = 0;
};

Scheduler::Scheduler(const Clock& clock, SchedulerOptions options, ResultCallback on_result)
    : clock_(clock),
      options_(options),
      core_(std::make_shared<Core>(std::move(on_result), options.interval)) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Add(const std::string& name, std::unique_ptr<AsyncFetcher> fetcher) {
  Remove(name);
  auto target = std::make_shared<Target>();
  target->name = name;
  target->fetcher = std::move(fetcher);
  std::lock_guard lock(core_->mu);
  target->offset = detail::SlotOffset(name, core_->interval);
  target->due_at = core_->due.emplace(clock_.Now(), target);
  core_->targets.emplace(name, std::move(target));
  ++core_->generation;
  core_->timer_wake.notify_all();
}

void Scheduler::Remove(const std::string& name) {
  std::unique_lock lock(core_->mu);
  auto it = core_->targets.find(name);
  if (it == core_->targets.end()) return;
  const std::shared_ptr<Target> target = it->second;
  core_->targets.erase(it);
  core_->due.erase(target->due_at);
  target->removed = true;  // a queued or later result of it is dropped
  if (target->callback_thread != std::this_thread::get_id()) {
    core_->callback_done.wait(lock, [&] { return !target->in_callback; });
  }
}

void Scheduler::SetInterval(Millis interval) {
  std::lock_guard lock(core_->mu);
  if (interval == core_->interval || interval.count() <= 0) return;
  const Millis shorter = std::min(interval, core_->interval);
  core_->interval = interval;
  const MonoTime now = clock_.Now();
  std::multimap<MonoTime, std::shared_ptr<Target>> due;
  for (auto& [name, target] : core_->targets) {
    target->offset = detail::SlotOffset(name, interval);
    // A target's first poll stays due; the others move to their new phase, at least the
    // shorter of the two intervals on, so that a poll never follows the last one closely.
    const MonoTime at = target->first ? target->due_at->first
                                      : detail::NextSlotAfter(now + shorter - MonoTime::duration(1),
                                                              target->offset, interval);
    target->due_at = due.emplace(at, target);
  }
  core_->due = std::move(due);
  ++core_->generation;
  core_->timer_wake.notify_all();
}

void Scheduler::Start() {
  {
    std::lock_guard lock(core_->mu);
    if (core_->running) return;
    core_->running = true;
    core_->stopping = false;
  }
  for (size_t i = 0; i < std::max<size_t>(1, options_.workers); ++i) {
    workers_.emplace_back([core = core_] { WorkerLoop(core); });
  }
  if (options_.timer_thread) timer_ = std::thread([this] { TimerLoop(); });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(core_->mu);
    core_->running = false;
    core_->stopping = true;
  }
  core_->timer_wake.notify_all();
  core_->work.notify_all();
  if (timer_.joinable()) timer_.join();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  std::lock_guard lock(core_->mu);
  for (auto& [target, result] : core_->results) core_->Release(*target);
  core_->results.clear();
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard lock(core_->mu);
  SchedulerStats stats = core_->counts;
  stats.targets = core_->targets.size();
  stats.in_flight = core_->in_flight;
  stats.queued_results = core_->results.size();
  return stats;
}

MonoTime Scheduler::RunDue() {
  std::vector<std::shared_ptr<Target>> to_start;
  MonoTime next;
  {
    std::lock_guard lock(core_->mu);
    const MonoTime now = clock_.Now();
    const Millis interval = core_->interval;
    auto& due = core_->due;
    while (core_->running && !due.empty() && due.begin()->first <= now) {
      auto node = due.extract(due.begin());
      const std::shared_ptr<Target> target = node.mapped();
      uint64_t slots = 1;  // the slots this wake-up passes: one poll at most, the rest skipped
      if (target->first) {
        target->first = false;
        // At least one interval on: two polls of a target are never closer than that (a
        // node's uptime, which tells a restart, has then always grown by one interval).
        node.key() =
            detail::NextSlotAfter(now + interval - MonoTime::duration(1), target->offset, interval);
      } else {
        slots = static_cast<uint64_t>((now - node.key()) / interval) + 1;
        node.key() += slots * interval;
      }
      if (target->busy) {
        core_->counts.polls_skipped += slots;
      } else {
        core_->counts.polls_skipped += slots - 1;
        ++core_->counts.polls_started;
        ++core_->in_flight;
        target->busy = true;
        to_start.push_back(target);
      }
      target->due_at = due.insert(std::move(node));
    }
    next = due.empty() ? now + interval : due.begin()->first;
  }
  for (const auto& target : to_start) StartPoll(target);
  return next;
}

void Scheduler::StartPoll(const std::shared_ptr<Target>& target) {
  try {
    target->fetcher->Start(
        [core = core_, target](PollResult result) { core->Deliver(target, std::move(result)); });
  } catch (const std::exception& error) {  // AsyncFetcher::Start must not throw; if it does
    PollResult result;
    result.error = PollError::kRead;
    result.detail = std::string("poll could not start: ") + error.what();
    result.started = result.finished = clock_.Now();
    core_->Deliver(target, std::move(result));
  }
}

void Scheduler::TimerLoop() {
  std::unique_lock lock(core_->mu);
  while (!core_->stopping) {
    const uint64_t seen = core_->generation;
    lock.unlock();
    const MonoTime next = RunDue();
    lock.lock();
    const auto wait = std::min<MonoTime::duration>(next - clock_.Now(), std::chrono::seconds(1));
    if (wait <= MonoTime::duration::zero()) continue;
    core_->timer_wake.wait_for(lock, wait,
                               [&] { return core_->stopping || core_->generation != seen; });
  }
}

void Scheduler::WorkerLoop(const std::shared_ptr<Core>& core) {
  std::unique_lock lock(core->mu);
  while (true) {
    core->work.wait(lock, [&] { return core->stopping || !core->results.empty(); });
    if (core->stopping) return;
    auto [target, result] = std::move(core->results.front());
    core->results.pop_front();
    if (target->removed) {
      core->Release(*target);
      continue;
    }
    target->in_callback = true;
    target->callback_thread = std::this_thread::get_id();
    lock.unlock();
    try {
      core->on_result(target->name, std::move(result));
    } catch (...) {  // the callback must not throw; a worker survives it if it does
    }
    lock.lock();
    target->in_callback = false;
    target->callback_thread = {};
    core->Release(*target);
    ++core->counts.results_delivered;
    core->callback_done.notify_all();
  }
}

}  // namespace vmq::poll
