// STAND-IN written on the storage branch so that --storage.path can be tested end to end
// before the window branch's TargetHistory::Export/FromImage land; at merge, the window
// branch's implementation replaces this file. FromImage replays the image through
// RecordSuccess/RecordFailure (cumulative values that reproduce each increase) and then sets
// what a replay cannot: every series' last value and when it was last seen, and the uptime.

#include <limits>

#include "window/target_history.h"

namespace vmq::window {

HistoryImage TargetHistory::Export() const {
  HistoryImage image;
  RecordCursor cursor = front_;
  while (cursor.position != records_.end()) {
    const Record record = Peek(cursor);
    image.records.push_back({record.time, record.success});
    Pass(cursor, record);
  }
  if (last_success_) image.last_uptime_ms = last_success_->uptime_ms;
  for (const auto& [key, id] : index_) {
    const SeriesState& state = series_[id];
    HistoryImage::Series series{
        key, state.last_value, successful_polls_ - state.last_seen_poll, {}};
    uint64_t position = state.increases.begin();
    while (position != state.increases.end()) {
      uint64_t value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        const uint8_t byte = state.increases.at(position++);
        value |= static_cast<uint64_t>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) break;
      }
      series.increases.push_back(value);
    }
    image.series.push_back(std::move(series));
  }
  return image;
}

std::optional<TargetHistory> TargetHistory::FromImage(std::vector<Millis> windows, Millis max_gap,
                                                      const HistoryImage& image,
                                                      std::string* error) {
  uint64_t successes = 0;
  for (size_t i = 0; i < image.records.size(); ++i) {
    if (i > 0 && image.records[i].time < image.records[i - 1].time) {
      *error = "poll records out of time order";
      return std::nullopt;
    }
    if (image.records[i].success) ++successes;
  }
  std::unordered_map<std::string_view, size_t> seen;
  for (size_t s = 0; s < image.series.size(); ++s) {
    const HistoryImage::Series& series = image.series[s];
    if (!seen.emplace(series.key, s).second) {
      *error = "series listed twice";
      return std::nullopt;
    }
    if (series.increases.size() > successes) {
      *error = "series has more increases than successful polls";
      return std::nullopt;
    }
    if (series.polls_since_seen > successes) {
      *error = "series last seen before the first poll held";
      return std::nullopt;
    }
    uint64_t sum = 0;
    for (const uint64_t increase : series.increases) {
      if (increase > std::numeric_limits<uint64_t>::max() - sum) {
        *error = "series increases overflow";
        return std::nullopt;
      }
      sum += increase;
    }
  }
  TargetHistory history(std::move(windows), max_gap);
  std::vector<uint64_t> values(image.series.size(), 0);
  std::vector<Observation> observations;
  uint64_t success = 0;
  for (const HistoryImage::PollRecord& record : image.records) {
    if (!record.success) {
      history.RecordFailure(record.time);
      continue;
    }
    observations.clear();
    for (size_t s = 0; s < image.series.size(); ++s) {
      const HistoryImage::Series& series = image.series[s];
      const uint64_t first = successes - series.increases.size();
      if (success < first) continue;
      values[s] += series.increases[success - first];
      observations.push_back({series.key, values[s]});
    }
    history.RecordSuccess(record.time, std::nullopt, observations);
    ++success;
  }
  for (const HistoryImage::Series& series : image.series) {
    auto it = history.index_.find(std::string_view(series.key));
    if (it == history.index_.end()) {
      it = history.index_.emplace(series.key, static_cast<uint32_t>(history.series_.size())).first;
      SeriesState& state = history.series_.emplace_back();
      state.first_poll = history.successful_polls_ + 1;
      state.windows.resize(history.windows_.size());
    }
    SeriesState& state = history.series_[it->second];
    state.last_value = series.last_value;
    state.last_seen_poll = history.successful_polls_ - series.polls_since_seen;
  }
  if (history.last_success_) {
    history.last_success_->uptime_ms = image.last_uptime_ms;
  } else if (image.last_uptime_ms && history.latest_record_) {
    history.last_success_ = SuccessfulPoll{*history.latest_record_, image.last_uptime_ms};
  }
  return history;
}

}  // namespace vmq::window
