// RELOAD-BRANCH STAND-IN, to be deleted at merge: the window helper owns
// TargetHistory::Export and TargetHistory::FromImage (declared in target_history.h, with this
// interface). This minimal version lets the reload branch re-window a kept target's history
// and test it before the window helper's version lands. It rebuilds the history by replaying
// the image's records through the history's own bookkeeping (Slide), so coverage, window sums
// and memory bounds are those of a history that had recorded the same polls.

#include <unordered_set>

#include "window/target_history.h"

namespace vmq::window {
namespace {

uint64_t ReadVarintAt(const detail::ByteQueue& queue, uint64_t& position) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    const uint8_t byte = queue.at(position++);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  return value;
}

}  // namespace

HistoryImage TargetHistory::Export() const {
  HistoryImage image;
  RecordCursor cursor = front_;
  while (cursor.position != records_.end()) {
    const Record record = Peek(cursor);
    image.records.push_back({record.time, record.success});
    Pass(cursor, record);
  }
  if (last_success_) image.last_uptime_ms = last_success_->uptime_ms;
  image.series.reserve(series_.size());
  for (const auto& [key, index] : index_) {
    const SeriesState& state = series_[index];
    HistoryImage::Series series;
    series.key = key;
    series.last_value = state.last_value;
    series.polls_since_seen = successful_polls_ - state.last_seen_poll;
    uint64_t position = state.increases.begin();
    while (position != state.increases.end()) {
      series.increases.push_back(ReadVarintAt(state.increases, position));
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
  std::unordered_set<std::string> keys;
  for (const HistoryImage::Series& series : image.series) {
    if (!keys.insert(series.key).second) {
      *error = "series \"" + series.key + "\" appears twice";
      return std::nullopt;
    }
    if (series.increases.size() > successes || series.polls_since_seen >= successes + 1) {
      *error = "series \"" + series.key + "\" does not match the poll records";
      return std::nullopt;
    }
  }
  TargetHistory history(std::move(windows), max_gap);
  uint64_t success_index = 0;  // successful records replayed so far
  for (const HistoryImage::PollRecord& record : image.records) {
    if (!record.success) {
      history.RecordFailure(record.time);
      continue;
    }
    ++success_index;
    ++history.successful_polls_;
    history.AppendRecord(record.time, true);
    for (const HistoryImage::Series& series : image.series) {
      // increases.back() belongs to the latest successful record.
      const uint64_t first = successes - series.increases.size() + 1;
      if (success_index < first) continue;
      auto it = history.index_.find(std::string_view(series.key));
      if (it == history.index_.end()) {
        it =
            history.index_.emplace(series.key, static_cast<uint32_t>(history.series_.size())).first;
        SeriesState& created = history.series_.emplace_back();
        created.first_poll = history.successful_polls_;
        created.windows.resize(history.windows_.size());
      }
      SeriesState& state = history.series_[it->second];
      state.pending = series.increases[success_index - first];
      state.last_seen_poll = history.successful_polls_;
    }
    history.last_success_ = SuccessfulPoll{record.time, std::nullopt};
    history.Slide(true, false);
  }
  for (const HistoryImage::Series& series : image.series) {
    const auto it = history.index_.find(std::string_view(series.key));
    if (it == history.index_.end()) continue;  // older than the new windows keep
    SeriesState& state = history.series_[it->second];
    state.last_value = series.last_value;
    state.last_seen_poll = history.successful_polls_ - series.polls_since_seen;
  }
  if (history.last_success_) history.last_success_->uptime_ms = image.last_uptime_ms;
  return history;
}

}  // namespace vmq::window
