// Cost of the window engine on the poll path (RecordSuccess) and the scrape path (Increase,
// Coverage), at steady state: 5 s poll interval with 5 minutes of history already held.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "window/target_history.h"

namespace vmq::window {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr Millis kInterval = seconds(5);
constexpr Millis kMaxGap = seconds(15);
const std::vector<Millis> kWindows = {minutes(1), minutes(5)};

std::vector<Observation> MakePage(int64_t series_count) {
  std::vector<Observation> page;
  for (int64_t i = 0; i < series_count; ++i) {
    page.push_back(
        {"mqtt_pubcomp_invalid_error{mqtt_version=\"5\",series=\"" + std::to_string(i) + "\"}", 0});
  }
  return page;
}

// Advances every `stride`-th series so that a poll sees 1 / stride of them increase.
void Grow(std::vector<Observation>& page, int64_t stride) {
  for (size_t i = 0; i < page.size(); i += static_cast<size_t>(stride)) page[i].value += 3;
}

struct Steady {
  TargetHistory history{kWindows, kMaxGap};
  std::vector<Observation> page;
  MonoTime now{std::chrono::hours(1000)};

  Steady(int64_t series_count, int64_t stride) : page(MakePage(series_count)) {
    for (int i = 0; i <= minutes(5) / kInterval; ++i) Poll(stride);
  }
  void Poll(int64_t stride) {
    Grow(page, stride);
    now += kInterval;
    history.RecordSuccess(now, 1'000'000, page);
  }
};

// Args: series per target, stride (1: every series increases each poll).
void BM_RecordSuccess(benchmark::State& state) {
  Steady steady(state.range(0), state.range(1));
  for (auto _ : state) steady.Poll(state.range(1));
  state.SetItemsProcessed(state.iterations());
  state.counters["stored_increments"] =
      static_cast<double>(steady.history.stats().stored_increments);
}
BENCHMARK(BM_RecordSuccess)
    ->ArgNames({"series", "stride"})
    ->Args({30, 1})
    ->Args({600, 1})
    ->Args({600, 10});

// Arg: window in seconds.
void BM_Increase(benchmark::State& state) {
  Steady steady(600, 1);
  const Millis window = seconds(state.range(0));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(steady.history.Increase(steady.page[i].series, window, steady.now));
    i = (i + 1) % steady.page.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Increase)->ArgName("window_s")->Arg(60)->Arg(300);

void BM_Coverage(benchmark::State& state) {
  Steady steady(30, 1);
  for (auto _ : state) benchmark::DoNotOptimize(steady.history.Coverage(minutes(5), steady.now));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Coverage);

}  // namespace
}  // namespace vmq::window
