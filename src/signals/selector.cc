#include "signals/selector.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <unordered_map>

namespace vmq::signals {
namespace {

constexpr std::string_view kPublishError = "mqtt_publish_error";
constexpr std::string_view kWallclock = "system_wallclock";

// Every sample name of a page is tested against every source: the last 8 bytes decide
// nearly all of them without a call to memcmp.
bool EndsWith(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  const char* tail = text.data() + (text.size() - suffix.size());
  if (suffix.size() >= sizeof(uint64_t)) {
    uint64_t text_end = 0;
    uint64_t suffix_end = 0;
    std::memcpy(&text_end, text.data() + text.size() - sizeof(uint64_t), sizeof(uint64_t));
    std::memcpy(&suffix_end, suffix.data() + suffix.size() - sizeof(uint64_t), sizeof(uint64_t));
    if (text_end != suffix_end) return false;
  }
  return std::memcmp(tail, suffix.data(), suffix.size()) == 0;
}

std::optional<uint64_t> CounterValue(const textformat::Sample& sample) {
  if (!sample.integer || *sample.integer > kMaxCounterValue) return std::nullopt;
  return sample.integer;
}

std::string SeriesKey(std::string_view source, const LabelPairs& labels) {
  std::string key(source);
  key.push_back('{');
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) key.push_back(',');
    key.append(labels[i].first).append("=\"");
    for (char c : labels[i].second) {
      if (c == '"' || c == '\\' || c == '\n') key.push_back('\\');
      key.push_back(c == '\n' ? 'n' : c);
    }
    key.push_back('"');
  }
  key.push_back('}');
  return key;
}

uint64_t Mix(uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t Hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

// Which sample names are counters: the TYPE lines seen so far, the latest one first, as
// nearly every sample follows its own family's TYPE line.
class CounterFamilies {
 public:
  void OnType(std::string_view name, textformat::MetricType type) {
    latest_ = name;
    latest_is_counter_ = type == textformat::MetricType::kCounter;
    if (latest_is_counter_) counters_.push_back(name);
  }
  bool IsCounter(std::string_view name) const {
    if (name == latest_) return latest_is_counter_;
    return std::find(counters_.rbegin(), counters_.rend(), name) != counters_.rend();
  }

 private:
  std::string_view latest_;
  bool latest_is_counter_ = false;
  std::vector<std::string_view> counters_;  // views into the page
};

struct Candidate {
  std::string prefix;
  RawSeries series;
  bool valid_value = true;
};

// Collects, in one pass, every sample whose name ends in a wanted source; which prefix is
// VerneMQ's is only known once the detecting family has been seen, possibly later.
class CandidateCollector final : public textformat::Handler {
 public:
  explicit CandidateCollector(const std::vector<std::string>& sources) : sources_(sources) {}

  void OnType(std::string_view name, textformat::MetricType type) override {
    families_.OnType(name, type);
  }

  void OnSample(const textformat::Sample& sample) override {
    if (EndsWith(sample.name, kPublishError) && !publish_error_prefix_) {
      publish_error_prefix_ =
          std::string(sample.name.substr(0, sample.name.size() - kPublishError.size()));
    }
    if (EndsWith(sample.name, kWallclock)) {
      AddWallclock(sample);
      return;
    }
    if (sample.integer && families_.IsCounter(sample.name)) {
      counters_.push_back({CounterId(sample.name, sample.labels), *sample.integer, sample.name});
    }
    for (const std::string& source : sources_) {
      if (EndsWith(sample.name, source)) {
        Add(sample, source);
        return;
      }
    }
  }

  std::optional<std::string> DetectedPrefix() const {
    if (publish_error_prefix_) return publish_error_prefix_;
    if (!wallclocks_.empty()) return wallclocks_.front().first;
    return std::nullopt;
  }

  std::vector<Candidate>& candidates() { return candidates_; }
  std::vector<CounterSample>& counters() { return counters_; }
  const std::vector<std::pair<std::string, std::optional<uint64_t>>>& wallclocks() const {
    return wallclocks_;
  }

 private:
  void Add(const textformat::Sample& sample, std::string_view source) {
    Candidate candidate;
    candidate.prefix = std::string(sample.name.substr(0, sample.name.size() - source.size()));
    candidate.series.source = std::string(source);
    for (const auto& label : sample.labels) {
      candidate.series.labels.emplace_back(std::string(label.name), std::string(label.value));
    }
    std::sort(candidate.series.labels.begin(), candidate.series.labels.end());
    const auto value = CounterValue(sample);
    candidate.valid_value = value.has_value();
    candidate.series.value = value.value_or(0);
    candidates_.push_back(std::move(candidate));
  }

  void AddWallclock(const textformat::Sample& sample) {
    wallclocks_.emplace_back(
        std::string(sample.name.substr(0, sample.name.size() - kWallclock.size())),
        CounterValue(sample));
  }

  const std::vector<std::string>& sources_;
  CounterFamilies families_;
  std::vector<CounterSample> counters_;
  std::optional<std::string> publish_error_prefix_;
  std::vector<Candidate> candidates_;
  std::vector<std::pair<std::string, std::optional<uint64_t>>> wallclocks_;
};

// Uptime comes from the one wallclock sample of the page; two of them (whatever their labels)
// leave it unknown, as a made-up restart would reset every window.
void SelectUptime(const CandidateCollector& collector, std::string_view prefix,
                  SelectedPage& selected) {
  size_t seen = 0;
  for (const auto& [wallclock_prefix, value] : collector.wallclocks()) {
    if (wallclock_prefix != prefix) continue;
    if (++seen == 1) selected.uptime_ms = value;
  }
  if (seen > 1) {
    selected.uptime_ms.reset();
    if (selected.duplicate_series++ == 0) {
      selected.first_duplicate = std::string(prefix) + std::string(kWallclock);
    }
  }
}

void SelectSeries(std::vector<Candidate>& candidates, std::string_view prefix,
                  SelectedPage& selected) {
  // Counted on views of the candidates' keys (no copy of a page's worth of keys); nothing is
  // moved out of a candidate until every lookup is done.
  std::unordered_map<std::string_view, size_t> occurrences;
  for (Candidate& candidate : candidates) {
    if (candidate.prefix != prefix) continue;
    candidate.series.key = SeriesKey(candidate.series.source, candidate.series.labels);
    if (++occurrences[candidate.series.key] == 2 && selected.duplicate_series++ == 0) {
      selected.first_duplicate = candidate.series.key;
    }
  }
  std::vector<Candidate*> kept;
  for (Candidate& candidate : candidates) {
    if (candidate.prefix != prefix) continue;
    // A duplicate is one whatever its values: none of its samples is used.
    if (occurrences.at(candidate.series.key) > 1) continue;
    if (!candidate.valid_value) {
      ++selected.rejected_values;
      continue;
    }
    kept.push_back(&candidate);
  }
  occurrences.clear();
  for (Candidate* candidate : kept) {
    RawSeries& series = candidate->series;
    if (selected.node.empty()) selected.node = std::string(LabelValue(series.labels, "node"));
    selected.series.push_back(std::move(series));
  }
}

}  // namespace

Selector::Selector(const std::vector<config::Signal>& signals) {
  for (const auto& signal : signals) {
    if (std::find(sources_.begin(), sources_.end(), signal.source) == sources_.end()) {
      sources_.push_back(signal.source);
    }
  }
  // Longest first, so that a source that is a suffix of another never steals its samples.
  std::sort(sources_.begin(), sources_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

SelectedPage Selector::Select(std::string_view page) const {
  CandidateCollector collector(sources_);
  SelectedPage selected;
  selected.parse = textformat::Parse(page, collector);
  const auto prefix = collector.DetectedPrefix();
  if (!prefix) return selected;
  selected.counters = std::move(collector.counters());
  selected.is_vernemq = true;
  selected.prefix = *prefix;
  SelectUptime(collector, *prefix, selected);
  SelectSeries(collector.candidates(), *prefix, selected);
  return selected;
}

uint64_t CounterId(std::string_view name, std::span<const textformat::Label> labels) {
  // A sum of one mixed hash per pair does not depend on the order of the labels.
  uint64_t pairs = 0;
  for (const textformat::Label& label : labels) {
    pairs += Mix(Hash(label.name) ^ (Hash(label.value) * 0x9e3779b97f4a7c15ULL));
  }
  return Mix(Hash(name) ^ Mix(pairs + labels.size()));
}

std::string_view CounterSeriesText(std::string_view page, const CounterSample& sample) {
  const char* begin = sample.name.data();
  if (begin < page.data() || begin + sample.name.size() > page.data() + page.size()) {
    return sample.name;  // not a view into `page`
  }
  size_t pos = static_cast<size_t>(begin - page.data()) + sample.name.size();
  if (pos >= page.size() || page[pos] != '{') return sample.name;
  bool quoted = false;
  for (++pos; pos < page.size() && page[pos] != '\n'; ++pos) {
    const char c = page[pos];
    if (quoted && c == '\\') {
      ++pos;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '}') {
      return {begin, static_cast<size_t>(page.data() + pos + 1 - begin)};
    }
  }
  return sample.name;
}

std::string_view LabelValue(const LabelPairs& labels, std::string_view name) {
  for (const auto& [label, value] : labels) {
    if (label == name) return value;
  }
  return {};
}

bool Feeds(const config::Signal& signal, const RawSeries& series) {
  if (signal.source != series.source) return false;
  for (const auto& matcher : signal.include) {
    if (!matcher.Matches(LabelValue(series.labels, matcher.label))) return false;
  }
  for (const auto& matcher : signal.exclude) {
    if (matcher.Matches(LabelValue(series.labels, matcher.label))) return false;
  }
  return true;
}

}  // namespace vmq::signals
