#ifndef VMQ_WINDOW_HISTORY_IMAGE_H_
#define VMQ_WINDOW_HISTORY_IMAGE_H_

// What a TargetHistory holds, as plain values independent of its internal encoding: what a
// reload carries from one configuration to the next (other windows, another max gap) and what
// --storage.path writes to disk and reads back after a restart. An image read from a file is
// untrusted: TargetHistory::FromImage validates it completely and refuses it with a reason.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace vmq::window {

struct HistoryImage {
  struct PollRecord {
    MonoTime time;
    bool success = false;
  };
  struct Series {
    std::string key;
    uint64_t last_value = 0;
    // Successful polls since the latest one that saw the series on the page (0: it did).
    uint64_t polls_since_seen = 0;
    // The increase observed by each of the last increases.size() successful polls held,
    // oldest first: increases.back() belongs to the latest successful record.
    std::vector<uint64_t> increases;
  };

  // The history's counters (HistoryStats), so that a reload keeps them monotonic. Added by the
  // window helper; any values are valid.
  struct Counters {
    uint64_t restarts_detected = 0;
    uint64_t counter_resets = 0;
    uint64_t out_of_order_records = 0;
  };

  std::vector<PollRecord> records;         // every record held, oldest first
  std::optional<uint64_t> last_uptime_ms;  // of the latest successful poll
  std::vector<Series> series;
  Counters counters;
};

}  // namespace vmq::window

#endif  // VMQ_WINDOW_HISTORY_IMAGE_H_
