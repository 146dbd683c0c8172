// Cost of the work done for every poll: select (parse + keep PUBCOMP series) on a real page,
// then record + evaluate + render the target's part through the real app::Runtime; the cost
// of a scrape (assembling every target's part); and the memory one target's
// window history holds in the worst case (every series increasing at every poll).
//
//   make bench   (or build-dir/bin/pipeline_bench)

#include <benchmark/benchmark.h>

#include <malloc.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "app/runtime.h"
#include "common/clock.h"
#include "common/log.h"
#include "config/config.h"
#include "signals/selector.h"
#include "window/target_history.h"

namespace {

// Bytes the heap currently holds for the program (glibc).
size_t HeapInUse() { return mallinfo2().uordblks; }

std::string ReadPage() {
  std::ifstream in(std::string(VMQ_BENCH_FIXTURES_DIR) + "/vernemq-2.0.1.metrics.txt");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void BM_SelectRealPage(benchmark::State& state) {
  const std::string page = ReadPage();
  const vmq::signals::Selector selector(vmq::config::DefaultSignals());
  for (auto _ : state) {
    benchmark::DoNotOptimize(selector.Select(page));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * page.size()));
}
BENCHMARK(BM_SelectRealPage);

vmq::config::Config BenchConfig(int targets, const std::string& windows = "[1m, 5m]") {
  std::string yaml = "targets:\n";
  for (int i = 0; i < targets; ++i) {
    yaml += "  - {name: vmq-" + std::to_string(i) +
            ", url: \"http://127.0.0.1:" + std::to_string(10000 + i) + "/metrics\"}\n";
  }
  yaml += "poll: {interval: 5s, timeout: 4s}\nwindows: " + windows + "\n";
  return vmq::config::LoadString(yaml, "bench.yaml");
}

// A runtime with `targets` targets whose histories are full (5 m of 5 s polls).
class FullRuntime {
 public:
  explicit FullRuntime(int targets)
      : targets_(targets),
        runtime_(BenchConfig(targets), clock_, logger_, {"bench", "bench"}),
        page_(ReadPage()) {
    for (int round = 0; round < 60; ++round) {
      clock_.Advance(vmq::Millis(5000));
      for (int t = 0; t < targets; ++t) Poll(t);
    }
  }

  void Poll(int target) {
    vmq::poll::PollResult result;
    result.body = page_;
    result.started = clock_.Now();
    result.finished = clock_.Now();
    runtime_.OnPollResult("vmq-" + std::to_string(target), std::move(result));
  }
  // The next target in turn, as polls spread over the interval would come.
  void PollNext() {
    clock_.Advance(vmq::Millis(5000 / targets_));
    Poll(next_);
    next_ = (next_ + 1) % targets_;
  }
  const vmq::app::Runtime& runtime() const { return runtime_; }
  vmq::app::Runtime& runtime() { return runtime_; }

 private:
  int targets_;
  int next_ = 0;
  vmq::FakeClock clock_;
  std::ostringstream sink_;
  vmq::Logger logger_{sink_, vmq::LogLevel::kError, vmq::LogFormat::kLogfmt};
  vmq::app::Runtime runtime_;
  std::string page_;
};

// One poll result through select -> window -> evaluate -> render, `range(0)` targets: the
// cost must not depend on the number of targets.
void BM_PollResult(benchmark::State& state) {
  FullRuntime runtime(static_cast<int>(state.range(0)));
  for (auto _ : state) runtime.PollNext();
  state.counters["metrics_bytes"] = benchmark::Counter(
      static_cast<double>(runtime.runtime().page().Current()->metrics_text.size()));
}
BENCHMARK(BM_PollResult)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

// A reload of the configuration with `range(0)` targets whose histories are full, all kept:
// with the same windows (range(1) = 0: histories kept as they are, evaluators and alert
// state re-made) or alternating windows (1: every history re-windowed through its image).
void BM_Reload(benchmark::State& state) {
  const int targets = static_cast<int>(state.range(0));
  FullRuntime runtime(targets);
  const vmq::config::Config same = BenchConfig(targets);
  const vmq::config::Config other = BenchConfig(targets, "[1m, 10m]");
  bool flip = false;
  for (auto _ : state) {
    flip = !flip;
    runtime.runtime().Reload(state.range(1) != 0 && flip ? other : same);
  }
}
BENCHMARK(BM_Reload)->Args({10, 0})->Args({1000, 0})->Args({10, 1})->Args({1000, 1})->Unit(
    benchmark::kMillisecond);

// One scrape after one poll changed the page: the parts of every target concatenated.
void BM_ScrapeAfterPoll(benchmark::State& state) {
  FullRuntime runtime(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    state.PauseTiming();
    runtime.PollNext();
    state.ResumeTiming();
    benchmark::DoNotOptimize(runtime.runtime().page().Current());
  }
  state.counters["metrics_bytes"] = benchmark::Counter(
      static_cast<double>(runtime.runtime().page().Current()->metrics_text.size()));
}
BENCHMARK(BM_ScrapeAfterPoll)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

// Bytes held by one target's history after 5 m of 1 s polls where all `range(0)` series
// increase at every poll: the worst case behind the bound in target_history.h.
void BM_HistoryMemoryWorstCase(benchmark::State& state) {
  const int series_count = static_cast<int>(state.range(0));
  std::vector<vmq::window::Observation> observations;
  for (int i = 0; i < series_count; ++i) {
    observations.push_back(
        {"mqtt_pubcomp_received{mqtt_version=\"5\",node=\"VerneMQ@10.0.0.1\",reason_code=\"r" +
             std::to_string(i) + "\"}",
         0});
  }
  size_t bytes = 0;
  size_t entries = 0;
  for (auto _ : state) {
    const size_t before = HeapInUse();
    {
      vmq::window::TargetHistory history({vmq::Millis(60000), vmq::Millis(300000)},
                                         vmq::Millis(2000));
      vmq::MonoTime now{};
      for (int poll = 0; poll < 400; ++poll) {
        now += vmq::Millis(1000);
        for (auto& observation : observations) ++observation.value;
        history.RecordSuccess(now, std::nullopt, observations);
      }
      bytes = HeapInUse() - before;
      entries = history.stats().stored_increments;
    }
  }
  state.counters["bytes_held"] = benchmark::Counter(static_cast<double>(bytes));
  state.counters["entries"] = benchmark::Counter(static_cast<double>(entries));
  state.counters["bytes_per_entry"] =
      benchmark::Counter(static_cast<double>(bytes) / static_cast<double>(entries));
}
BENCHMARK(BM_HistoryMemoryWorstCase)->Arg(8)->Arg(600)->Iterations(1);

}  // namespace
