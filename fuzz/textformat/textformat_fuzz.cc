// The path an upstream page takes: the text-format parser and the selector on top of it,
// with the built-in signals (whose reason_code matchers see every label value).

#include <cmath>
#include <set>
#include <string>
#include <string_view>

#include "config/config.h"
#include "fuzz_target.h"
#include "signals/selector.h"
#include "textformat/parser.h"
#include "textformat/utf8.h"

namespace {

// Checks what the parser hands out, sample by sample.
class CheckingHandler final : public vmq::textformat::Handler {
 public:
  void OnSample(const vmq::textformat::Sample& sample) override {
    VMQ_FUZZ_CHECK(!sample.name.empty());
    for (const auto& label : sample.labels) {
      VMQ_FUZZ_CHECK(!label.name.empty());
      VMQ_FUZZ_CHECK(vmq::textformat::detail::IsValidUtf8(label.value));
    }
    if (sample.integer && *sample.integer <= (uint64_t{1} << 53)) {
      VMQ_FUZZ_CHECK(sample.value == static_cast<double>(*sample.integer));
    }
    if (sample.integer) VMQ_FUZZ_CHECK(sample.value >= 0);
    ++samples;
  }
  size_t samples = 0;
};

void CheckSelection(const vmq::signals::SelectedPage& page) {
  std::set<std::string> keys;
  for (const auto& series : page.series) {
    VMQ_FUZZ_CHECK(series.value <= vmq::signals::kMaxCounterValue);
    VMQ_FUZZ_CHECK(keys.insert(series.key).second);  // injective keys, duplicates removed
    for (const auto& [name, value] : series.labels) {
      VMQ_FUZZ_CHECK(vmq::textformat::detail::IsValidUtf8(value));
    }
  }
  if (page.duplicate_series > 0) VMQ_FUZZ_CHECK(!page.first_duplicate.empty());
}

// Every counter sample names its series with a view into the page, starting with its name.
void CheckCounters(std::string_view body, const vmq::signals::SelectedPage& page) {
  for (const auto& counter : page.counters) {
    VMQ_FUZZ_CHECK(!counter.series.empty());
    VMQ_FUZZ_CHECK(counter.series.data() >= body.data());
    VMQ_FUZZ_CHECK(counter.series.data() + counter.series.size() <= body.data() + body.size());
    VMQ_FUZZ_CHECK(counter.series.find('\n') == std::string_view::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view page(reinterpret_cast<const char*>(data), size);
  CheckingHandler handler;
  const auto stats = vmq::textformat::Parse(page, handler);
  VMQ_FUZZ_CHECK(stats.samples == handler.samples);
  VMQ_FUZZ_CHECK(stats.samples + stats.bad_lines <= stats.lines);

  static const vmq::signals::Selector selector(vmq::config::DefaultSignals());
  static const std::vector<vmq::config::Signal> signals = vmq::config::DefaultSignals();
  const vmq::signals::SelectedPage selected = selector.Select(page);
  CheckSelection(selected);
  CheckCounters(page, selected);
  for (const auto& series : selected.series) {
    for (const auto& signal : signals) vmq::signals::Feeds(signal, series);
  }
  return 0;
}
