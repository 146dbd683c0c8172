#ifndef VMQ_SIM_PAGE_TEMPLATE_H_
#define VMQ_SIM_PAGE_TEMPLATE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vmq::sim {

enum class LineKind { kHelp, kType, kSample };

// One line of a real page with the namespace prefix and the node label taken out, so that any
// simulated node can print it under its own prefix and label.
struct TemplateLine {
  LineKind kind = LineKind::kSample;
  // HELP/TYPE: the family name; sample: the metric name (e.g. "mqtt_puback_sent",
  // "metadata_put_microseconds_bucket").
  std::string name;
  // HELP: the help text; TYPE: the type word; sample: the labels after `node`, each with its
  // leading comma (e.g. `,mqtt_version="5",reason_code="success"`), or "".
  std::string text;
  std::uint64_t idle_value = 0;  // samples: the value on the idle page
  std::size_t family = 0;        // index into PageTemplate::families()
};

struct Family {
  std::string name;
  std::string type;  // counter | gauge | histogram
  // Absent from a fresh node's page; VerneMQ creates it on first use.
  bool lazy = false;
};

// Where one histogram's samples sit, to record observations.
struct HistogramLines {
  std::size_t family = 0;
  // Bucket lines with their upper bounds; +Inf as nullopt.
  std::vector<std::pair<std::size_t, std::optional<std::uint64_t>>> buckets;
  std::size_t count_line = 0;
  std::size_t sum_line = 0;
};

// The layout of a real VerneMQ page: every line in the broker's own order, which families are
// created lazily, and the idle values of everything the simulator does not model (gauges, VM
// statistics, histograms filled at boot).
class PageTemplate {
 public:
  // `idle` is a fresh node's page; `used` the same node's page once the lazily created
  // families exist. Throws std::invalid_argument when the pages do not fit together.
  static PageTemplate FromPages(std::span<const std::string_view> idle,
                                std::span<const std::string_view> used);
  // The VerneMQ 2.1.2 layout embedded at build time, built on first use.
  static const PageTemplate& Vernemq212();

  const std::vector<TemplateLine>& lines() const { return lines_; }
  const std::vector<Family>& families() const { return families_; }

  // `key` names one sample the way the page does without prefix and node label:
  // "socket_open" or `mqtt_pubcomp_received{mqtt_version="5",reason_code="success"}`.
  std::optional<std::size_t> FindSample(std::string_view key) const;
  std::optional<std::size_t> FindFamily(std::string_view name) const;
  std::optional<HistogramLines> FindHistogram(std::string_view family) const;

  static std::string SampleKey(const TemplateLine& line);

 private:
  std::vector<TemplateLine> lines_;
  std::vector<Family> families_;
  std::unordered_map<std::string, std::size_t> sample_index_;
  std::unordered_map<std::string, std::size_t> family_index_;
};

}  // namespace vmq::sim

#endif  // VMQ_SIM_PAGE_TEMPLATE_H_
