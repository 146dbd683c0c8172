#ifndef VMQ_COMMON_CLOCK_H_
#define VMQ_COMMON_CLOCK_H_

#include <chrono>
#include <mutex>

namespace vmq {

// Monotonic time drives schedules and window math; wall time only labels what users read
// (last successful poll as a Unix timestamp).
using MonoTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

// Injected wherever time is read so that tests drive time instead of sleeping.
class Clock {
 public:
  struct Instant {
    MonoTime mono;
    WallTime wall;
  };

  virtual ~Clock() = default;
  virtual MonoTime Now() const = 0;
  virtual WallTime WallNow() const = 0;
  // Both readings of one instant, for mapping one clock to the other: a clock moved between
  // two separate reads (a test's, by a whole poll interval) would pair them wrongly.
  virtual Instant NowBoth() const { return {Now(), WallNow()}; }
};

class SystemClock final : public Clock {
 public:
  MonoTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
};

// A clock that only moves when told to. Thread-safe so that a test can advance it while
// another thread reads it.
class FakeClock final : public Clock {
 public:
  MonoTime Now() const override {
    std::lock_guard lock(mu_);
    return mono_;
  }
  WallTime WallNow() const override {
    std::lock_guard lock(mu_);
    return wall_;
  }
  Instant NowBoth() const override {
    std::lock_guard lock(mu_);
    return {mono_, wall_};
  }
  void Advance(Millis d) {
    std::lock_guard lock(mu_);
    mono_ += d;
    wall_ += d;
  }

 private:
  mutable std::mutex mu_;
  MonoTime mono_{std::chrono::hours(1000)};
  WallTime wall_{std::chrono::seconds(1'700'000'000)};
};

}  // namespace vmq

#endif  // VMQ_COMMON_CLOCK_H_
