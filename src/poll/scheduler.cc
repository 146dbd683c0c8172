#include "poll/scheduler.h"

#include <utility>

namespace vmq::poll {

Scheduler::Scheduler(std::vector<std::unique_ptr<Fetcher>> fetchers, Millis interval,
                     ResultCallback on_result)
    : fetchers_(std::move(fetchers)), interval_(interval), on_result_(std::move(on_result)) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  for (size_t i = 0; i < fetchers_.size(); ++i) {
    threads_.emplace_back([this, i] { RunTarget(i); });
  }
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void Scheduler::RunTarget(size_t index) {
  using std::chrono::steady_clock;
  auto next = steady_clock::now();
  while (true) {
    on_result_(index, fetchers_[index]->Fetch());
    next += interval_;
    const auto now = steady_clock::now();
    if (next <= now) {
      // Overran: skip missed slots, keep the phase.
      const auto missed = (now - next) / interval_ + 1;
      next += missed * interval_;
    }
    std::unique_lock lock(mu_);
    if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
  }
}

}  // namespace vmq::poll
