// Cost of the work done for every poll: select (parse + keep PUBCOMP series) on a real page,
// then record + render + publish through the real Pipeline; and the memory one target's
// window history holds in the worst case (every series increasing at every poll).
//
//   make bench   (or build-dir/bin/pipeline_bench)

#include <benchmark/benchmark.h>

#include <malloc.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "common/clock.h"
#include "common/log.h"
#include "config/config.h"
#include "expose/snapshot.h"
#include "main/pipeline.h"
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

vmq::config::Config BenchConfig(int targets) {
  std::string yaml = "targets:\n";
  for (int i = 0; i < targets; ++i) {
    yaml += "  - {name: vmq-" + std::to_string(i) +
            ", url: \"http://127.0.0.1:" + std::to_string(10000 + i) + "/metrics\"}\n";
  }
  yaml += "poll: {interval: 5s, timeout: 4s}\nwindows: [1m, 5m]\n";
  return vmq::config::LoadString(yaml, "bench.yaml");
}

// One poll result through select -> window -> render -> publish, with `range(0)` targets
// whose histories are full (5 m of polls).
void BM_PipelinePollResult(benchmark::State& state) {
  const int targets = static_cast<int>(state.range(0));
  const vmq::config::Config config = BenchConfig(targets);
  vmq::FakeClock clock;
  std::ostringstream sink;
  vmq::Logger logger(sink, vmq::LogLevel::kError, vmq::LogFormat::kLogfmt);
  vmq::expose::SnapshotStore store;
  vmq::Pipeline pipeline(config, clock, logger, store, {"bench", "bench"});
  const std::string page = ReadPage();
  auto poll = [&](int target) {
    vmq::poll::PollResult result;
    result.body = page;
    result.started = clock.Now();
    result.finished = clock.Now();
    pipeline.OnPollResult(static_cast<size_t>(target), std::move(result));
  };
  for (int round = 0; round < 60; ++round) {
    clock.Advance(vmq::Millis(5000));
    for (int t = 0; t < targets; ++t) poll(t);
  }
  int next = 0;
  for (auto _ : state) {
    clock.Advance(vmq::Millis(5000 / targets));
    poll(next);
    next = (next + 1) % targets;
  }
  state.counters["metrics_bytes"] =
      benchmark::Counter(static_cast<double>(store.Current()->metrics_text.size()));
}
BENCHMARK(BM_PipelinePollResult)->Arg(1)->Arg(10)->Arg(100);

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
