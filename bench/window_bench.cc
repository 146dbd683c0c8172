// Cost of the window engine on the poll path (RecordSuccess) and the query path (Increase,
// Increases, Coverage), at steady state with the history full: a 5 s poll interval with
// windows 1m and 5m, or a 1 s poll interval with windows 1m and 1h (3,600 polls held).

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "window/target_history.h"

namespace vmq::window {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr Millis kMaxGap = seconds(15);

struct Shape {
  Millis interval;
  std::vector<Millis> windows;
};

// Arg `shape`: 0 = 5 s polls, windows 1m and 5m; 1 = 1 s polls, windows 1m and 1h.
Shape ShapeOf(int64_t shape) {
  if (shape == 0) return {seconds(5), {minutes(1), minutes(5)}};
  return {seconds(1), {minutes(1), hours(1)}};
}

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
  Shape shape;
  TargetHistory history;
  std::vector<Observation> page;
  MonoTime now{hours(1000)};

  Steady(int64_t shape_arg, int64_t series_count, int64_t stride)
      : shape(ShapeOf(shape_arg)), history(shape.windows, kMaxGap), page(MakePage(series_count)) {
    for (int i = 0; i <= shape.windows.back() / shape.interval + 1; ++i) Poll(stride);
  }
  void Poll(int64_t stride) {
    Grow(page, stride);
    now += shape.interval;
    history.RecordSuccess(now, 1'000'000, page);
  }
};

// Args: shape, series per target, stride (1: every series increases each poll).
void BM_RecordSuccess(benchmark::State& state) {
  Steady steady(state.range(0), state.range(1), state.range(2));
  for (auto _ : state) steady.Poll(state.range(2));
  state.SetItemsProcessed(state.iterations());
  state.counters["stored_increments"] =
      static_cast<double>(steady.history.stats().stored_increments);
}
BENCHMARK(BM_RecordSuccess)
    ->ArgNames({"shape", "series", "stride"})
    ->Args({0, 30, 1})
    ->Args({0, 600, 1})
    ->Args({0, 600, 10})
    ->Args({1, 8, 1})
    ->Args({1, 600, 1});

// Args: shape, window index, `now` offset after the latest poll in ms. An offset of 0 is the
// evaluate stage right after a poll; 1500 ms at 1 s polls lets one poll leave the window.
void BM_Increase(benchmark::State& state) {
  Steady steady(state.range(0), 600, 1);
  const Millis window = steady.shape.windows[static_cast<size_t>(state.range(1))];
  const MonoTime now = steady.now + Millis(state.range(2));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(steady.history.Increase(steady.page[i].series, window, now));
    i = (i + 1) % steady.page.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Increase)
    ->ArgNames({"shape", "window", "after_ms"})
    ->Args({0, 0, 0})
    ->Args({0, 1, 0})
    ->Args({1, 0, 0})
    ->Args({1, 1, 0})
    ->Args({1, 1, 1500});

// Every window of one series with one lookup. Arg: shape.
void BM_Increases(benchmark::State& state) {
  Steady steady(state.range(0), 600, 1);
  std::vector<uint64_t> out(steady.shape.windows.size());
  size_t i = 0;
  for (auto _ : state) {
    steady.history.Increases(steady.page[i].series, steady.now, out);
    benchmark::DoNotOptimize(out.data());
    i = (i + 1) % steady.page.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Increases)->ArgName("shape")->Arg(0)->Arg(1);

// Coverage of the longest window. Arg: shape.
void BM_Coverage(benchmark::State& state) {
  Steady steady(state.range(0), 30, 1);
  const Millis window = steady.shape.windows.back();
  for (auto _ : state) benchmark::DoNotOptimize(steady.history.Coverage(window, steady.now));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Coverage)->ArgName("shape")->Arg(0)->Arg(1);

}  // namespace
}  // namespace vmq::window
