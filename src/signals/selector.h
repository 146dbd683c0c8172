#ifndef VMQ_SIGNALS_SELECTOR_H_
#define VMQ_SIGNALS_SELECTOR_H_

// The select stage: reads one VerneMQ page in a single parse and keeps only the raw counter
// series that some signal needs, plus the node's uptime. Of everything else on the page
// (300-600 series) only the values of the counter families are kept, as 64-bit identities
// (no copy of a name), for reset detection (window/reset_detector.h).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "textformat/parser.h"

namespace vmq::signals {

using LabelPairs = std::vector<std::pair<std::string, std::string>>;  // sorted by name

// One raw counter series a signal needs, as read from one page.
struct RawSeries {
  // Stable identity: source{label="value",...}, labels sorted, values escaped as in the text
  // format (\\, \", \n), so that two different label sets never share a key.
  std::string key;
  std::string source;  // metric name without the namespace prefix
  LabelPairs labels;
  uint64_t value = 0;
};

// One sample of a family whose TYPE is counter, tracked by a signal or not, as cheaply as it
// can be told apart from the page's other samples.
struct CounterSample {
  // A hash of `series`: the same series spelled the same way has the same id on every page
  // (two different series share one with probability 2^-64). Spelled differently (labels
  // reordered), it is another series.
  uint64_t id = 0;
  uint64_t value = 0;
  // The series as the page spells it, `name{label="value",...}` without the value: a view
  // into the page body, valid only while that body lives (for a poll, its PollResult's).
  std::string_view series;
};

struct SelectedPage {
  bool is_vernemq = false;
  std::string prefix;                 // "" (1.x), "vernemq_" (2.x) or a custom namespace
  std::string node;                   // the `node` label VerneMQ puts on every sample
  std::optional<uint64_t> uptime_ms;  // <prefix>system_wallclock
  std::vector<RawSeries> series;
  textformat::ParseStats parse;
  // Selected samples whose value is not a counter value: not a non-negative integer, or above
  // 2^53, which no VerneMQ counter reaches and which Prometheus could not show exactly.
  size_t rejected_values = 0;
  // Series (uptime included) that appear more than once on the page. Which of the values is
  // right cannot be known, so none is used this poll: they are not in `series`.
  size_t duplicate_series = 0;
  std::string first_duplicate;  // key of one of them, for the log
  // Every sample, in page order, whose family is declared `# TYPE ... counter` before it and
  // whose value is a non-negative integer, except <prefix>system_wallclock (that is
  // `uptime_ms`). Samples of any namespace, not only VerneMQ's.
  std::vector<CounterSample> counters;
};

// Largest counter value accepted: 2^53.
inline constexpr uint64_t kMaxCounterValue = uint64_t{1} << 53;

class Selector {
 public:
  explicit Selector(const std::vector<config::Signal>& signals);

  // VerneMQ is recognised by its `mqtt_publish_error` family (as Netdata does), falling back
  // to `system_wallclock`; the text before that name is the namespace prefix.
  SelectedPage Select(std::string_view page) const;

 private:
  std::vector<std::string> sources_;  // distinct signal sources
};

// Whether `series` feeds `signal` (source and label matchers).
bool Feeds(const config::Signal& signal, const RawSeries& series);

// Value of a label, "" when absent (PromQL semantics).
std::string_view LabelValue(const LabelPairs& labels, std::string_view name);

}  // namespace vmq::signals

#endif  // VMQ_SIGNALS_SELECTOR_H_
