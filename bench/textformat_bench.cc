// Parsing speed on a real VerneMQ page, with a handler that does next to nothing, next to
// the speed of finding the page's line ends with memchr (the floor any line parser pays).

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "textformat/page_bits.h"
#include "textformat/parse_path.h"
#include "textformat/parser.h"

namespace vmq::textformat {
namespace {

std::string ReadPage(const std::string& relative) {
  const std::string path = std::string(VMQ_BENCH_FIXTURES_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class CountingHandler : public Handler {
 public:
  void OnSample(const Sample& sample) override {
    sum_ += sample.value + static_cast<double>(sample.labels.size());
  }
  double sum() const { return sum_; }

 private:
  double sum_ = 0;
};

void BM_ParseVerneMq201Page(benchmark::State& state) {
  const std::string page = ReadPage("vernemq-2.0.1.metrics.txt");
  size_t samples_per_page = 0;
  for (auto _ : state) {
    CountingHandler handler;
    const ParseStats stats = Parse(page, handler);
    samples_per_page = stats.samples;
    benchmark::DoNotOptimize(handler.sum());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * page.size()));
  state.counters["samples/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * samples_per_page), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseVerneMq201Page);

// One memchr per line, as a line splitter does: the baseline the parser is compared with.
size_t CountLines(std::string_view page) {
  size_t lines = 0;
  const char* at = page.data();
  const char* const end = page.data() + page.size();
  while (at < end) {
    const void* newline = std::memchr(at, '\n', static_cast<size_t>(end - at));
    ++lines;
    if (newline == nullptr) break;
    at = static_cast<const char*>(newline) + 1;
  }
  return lines;
}

void BM_MemchrNewlines(benchmark::State& state) {
  const std::string page = ReadPage("vernemq-2.0.1.metrics.txt");
  for (auto _ : state) benchmark::DoNotOptimize(CountLines(page));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * page.size()));
}
BENCHMARK(BM_MemchrNewlines);

// This thread's CPU time, so that time the machine gives to other processes counts for
// neither side.
struct ThreadCpuClock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<ThreadCpuClock>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
  }
};

// Both of the above on the same bytes, interleaved in one loop so that whatever else the
// machine does hits both alike. Counters: parse_MB/s, memchr_MB/s (10^6 bytes) and
// ratio = parse / memchr; page_bits is 1 when the parse took the page-bits path.
void ParseVsMemchr(benchmark::State& state, detail::ParsePath path) {
  using Clock = ThreadCpuClock;
  const std::string page = ReadPage("vernemq-2.0.1.metrics.txt");
  constexpr int kPagesPerRound = 256;
  Clock::duration parse_time{};
  Clock::duration memchr_time{};
  for (auto _ : state) {
    const auto t0 = Clock::now();
    for (int i = 0; i < kPagesPerRound; ++i) {
      CountingHandler handler;
      benchmark::DoNotOptimize(detail::ParseWith(path, page, handler).samples);
      benchmark::DoNotOptimize(handler.sum());
    }
    const auto t1 = Clock::now();
    for (int i = 0; i < kPagesPerRound; ++i) benchmark::DoNotOptimize(CountLines(page));
    const auto t2 = Clock::now();
    parse_time += t1 - t0;
    memchr_time += t2 - t1;
  }
  const double megabytes = static_cast<double>(state.iterations()) * kPagesPerRound *
                           static_cast<double>(page.size()) / 1e6;
  const double parse_mbps = megabytes / std::chrono::duration<double>(parse_time).count();
  const double memchr_mbps = megabytes / std::chrono::duration<double>(memchr_time).count();
  state.counters["parse_MB/s"] = parse_mbps;
  state.counters["memchr_MB/s"] = memchr_mbps;
  state.counters["ratio"] = parse_mbps / memchr_mbps;
  state.counters["page_bits"] =
      path == detail::ParsePath::kPageBits && detail::CpuHasPageBits() ? 1 : 0;
}

// What Parse does: the page-bits path where the CPU has AVX2 and BMI2.
void BM_ParseVsMemchr(benchmark::State& state) {
  ParseVsMemchr(state, detail::ParsePath::kPageBits);
}
BENCHMARK(BM_ParseVsMemchr);

// The per-line path, what Parse does on a CPU without AVX2 or BMI2.
void BM_ParseByLineVsMemchr(benchmark::State& state) {
  ParseVsMemchr(state, detail::ParsePath::kByLine);
}
BENCHMARK(BM_ParseByLineVsMemchr);

}  // namespace
}  // namespace vmq::textformat
