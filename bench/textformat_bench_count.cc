// Not a google-benchmark binary: parses the real 2.0.1 page a fixed number of times on one of
// the parser's paths, so that `valgrind --tool=cachegrind --branch-sim=yes` counts the
// instructions and (simulated) branch mispredictions of a parse: figures that, unlike times,
// do not depend on what the machine's other core is doing.
//   textformat_bench_count [page-bits|by-line] [pages]

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "textformat/parse_path.h"
#include "textformat/parser.h"

namespace {

class SummingHandler : public vmq::textformat::Handler {
 public:
  void OnSample(const vmq::textformat::Sample& sample) override {
    sum += sample.value + static_cast<double>(sample.labels.size());
  }
  double sum = 0;
};

}  // namespace

int main(int argc, char** argv) {
  using vmq::textformat::detail::ParsePath;
  const std::string_view path_name = argc > 1 ? argv[1] : "page-bits";
  if (path_name != "page-bits" && path_name != "by-line") {
    std::fprintf(stderr, "usage: %s [page-bits|by-line] [pages]\n", argv[0]);
    return 2;
  }
  const ParsePath path = path_name == "by-line" ? ParsePath::kByLine : ParsePath::kPageBits;
  const long pages = argc > 2 ? std::atol(argv[2]) : 1000;
  std::ifstream in(VMQ_BENCH_FIXTURES_DIR "/vernemq-2.0.1.metrics.txt", std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const std::string page = bytes.str();
  if (page.empty()) {
    std::fprintf(stderr, "cannot read the page\n");
    return 1;
  }
  SummingHandler handler;
  size_t samples = 0;
  for (long i = 0; i < pages; ++i) {
    samples += vmq::textformat::detail::ParseWith(path, page, handler).samples;
  }
  std::printf("%s: %ld pages of %zu bytes, %zu samples, checksum %.0f\n",
              std::string(path_name).c_str(), pages, page.size(), samples, handler.sum);
  return 0;
}
