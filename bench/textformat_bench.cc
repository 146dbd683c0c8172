// Parsing speed on a real VerneMQ page, with a handler that does next to nothing.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

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

}  // namespace
}  // namespace vmq::textformat
