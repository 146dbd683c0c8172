#ifndef VMQ_EXPOSE_TARGET_STATUS_H_
#define VMQ_EXPOSE_TARGET_STATUS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace vmq::expose {

// What the exporter knows about polling one target, as shown in self-metrics and on the
// landing page. Filled by the pipeline after each poll.
struct TargetStatus {
  std::string name;
  std::string url;
  bool polled = false;  // at least one poll finished
  bool up = false;      // the last poll fetched a VerneMQ page
  std::string last_error;
  double last_poll_duration_seconds = 0;
  std::optional<double> last_success_unix_seconds;
  uint64_t polls_total = 0;
  std::map<std::string, uint64_t> poll_errors_total;  // by reason, every reason present
  uint64_t bad_lines_total = 0;
  uint64_t rejected_values_total = 0;
  uint64_t duplicate_series_total = 0;  // series seen twice on one page, value unused
  uint64_t dropped_series_total = 0;    // beyond the per-target series or series-bytes cap
  uint64_t restarts_total = 0;          // polls that saw system_wallclock go down
  uint64_t metrics_resets_total = 0;    // polls that saw a counter go down, uptime not
  std::string prefix;                   // detected namespace
  std::string node;                     // VerneMQ node name from the page
};

}  // namespace vmq::expose

#endif  // VMQ_EXPOSE_TARGET_STATUS_H_
