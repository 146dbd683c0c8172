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

uint64_t Load(const char* p, size_t n) {
  uint64_t word = 0;
  std::memcpy(&word, p, n);
  return word;
}

// A fast inline hash of short texts (names and label values are 2-60 bytes), 8 bytes a step,
// the tail read with fixed-size loads as wyhash does; std::hash costs a call per text, which
// was a third of the select stage's time.
[[gnu::always_inline]] inline uint64_t HashBytes(std::string_view text, uint64_t seed) {
  uint64_t h = seed ^ (text.size() * 0x9e3779b97f4a7c15ULL);
  const char* p = text.data();
  size_t n = text.size();
  for (; n > 8; n -= 8, p += 8) {
    h = (h ^ Load(p, 8)) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  if (n >= 4) {
    tail = (Load(p, 4) << 32) | Load(p + n - 4, 4);
  } else if (n > 0) {
    tail = (static_cast<uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
           (static_cast<uint64_t>(static_cast<unsigned char>(p[n >> 1])) << 8) |
           static_cast<unsigned char>(p[n - 1]);
  }
  h = (h ^ tail) * 0x94d049bb133111ebULL;
  return h ^ (h >> 32);
}

uint64_t NameHash(std::string_view name) { return HashBytes(name, 0x243f6a8885a308d3ULL); }

bool Within(std::string_view page, const char* p) {
  const auto at = reinterpret_cast<uintptr_t>(p);
  const auto begin = reinterpret_cast<uintptr_t>(page.data());
  return at >= begin && at < begin + page.size();
}

// Where the label set that starts at `open` ('{') ends, one past its '}'; npos when it does
// not end on its line. Quotes and escapes are honoured.
size_t LabelSetEnd(std::string_view page, size_t open) {
  bool quoted = false;
  for (size_t pos = open + 1; pos < page.size() && page[pos] != '\n'; ++pos) {
    const char c = page[pos];
    if (quoted && c == '\\') {
      ++pos;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '}') {
      return pos + 1;
    }
  }
  return std::string_view::npos;
}

// A sample's series as `page` spells it. The parser hands out views into the page for names
// and for label values without escapes, so the end of the last value usually gives the end
// of the series without a scan.
std::string_view SeriesText(std::string_view page, const textformat::Sample& sample) {
  if (!Within(page, sample.name.data())) return sample.name;
  const size_t begin = static_cast<size_t>(sample.name.data() - page.data());
  const size_t after_name = begin + sample.name.size();
  if (sample.labels.empty() || after_name >= page.size() || page[after_name] != '{') {
    return sample.name;
  }
  const std::string_view last = sample.labels.back().value;
  size_t end = std::string_view::npos;
  if (Within(page, last.data() + last.size())) {
    size_t pos = static_cast<size_t>(last.data() + last.size() - page.data());
    pos += page[pos] == '"' ? 1 : page.size();  // past the closing quote, or give up
    while (pos < page.size() && (page[pos] == ',' || page[pos] == ' ' || page[pos] == '\t')) ++pos;
    if (pos < page.size() && page[pos] == '}') end = pos + 1;
  }
  if (end == std::string_view::npos) end = LabelSetEnd(page, after_name);
  if (end == std::string_view::npos) return sample.name;
  return page.substr(begin, end - begin);
}

// Which sample names are counters: the TYPE lines seen so far, by name hash, the latest one
// first, as nearly every sample follows its own family's TYPE line.
class CounterFamilies {
 public:
  void OnType(std::string_view name, textformat::MetricType type) {
    looked_up_ = {{}, false};
    latest_is_counter_ = type == textformat::MetricType::kCounter;
    latest_ = {latest_is_counter_ ? NameHash(name) : 0, name};
    latest_has_suffixes_ =
        type == textformat::MetricType::kHistogram || type == textformat::MetricType::kSummary;
    if (latest_is_counter_) counters_.push_back(latest_);
  }
  // The samples of the latest histogram or summary (name_bucket, _sum, _count) are no counter,
  // told without a hash.
  bool OfLatestNonCounter(std::string_view name) const {
    if (name == latest_.second) return !latest_is_counter_;
    return latest_has_suffixes_ && name.starts_with(latest_.second);
  }
  // Samples away from their TYPE line come in runs of one family (VerneMQ's MQTT 5 reason
  // codes): the latest answer is kept.
  bool IsCounter(std::string_view name) {
    if (name == latest_.second) return latest_is_counter_;
    if (name == looked_up_.first && !name.empty()) return looked_up_.second;
    const uint64_t hash = NameHash(name);
    bool found = false;
    for (const auto& [family_hash, family] : counters_) {
      if (family_hash == hash && family == name) {
        found = true;
        break;
      }
    }
    looked_up_ = {name, found};
    return found;
  }

 private:
  std::pair<uint64_t, std::string_view> latest_{0, {}};
  bool latest_is_counter_ = false;
  bool latest_has_suffixes_ = false;
  std::pair<std::string_view, bool> looked_up_{{}, false};
  std::vector<std::pair<uint64_t, std::string_view>> counters_;  // views into the page
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
  CandidateCollector(const std::vector<std::string>& sources, std::string_view page)
      : sources_(sources), page_(page) {
    // About one sample line per 75 bytes on VerneMQ pages, most of them counters.
    counters_.reserve(page.size() / 128);
  }

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
    if (sample.integer && !families_.OfLatestNonCounter(sample.name)) {
      if (families_.IsCounter(sample.name)) {
        const std::string_view series = SeriesText(page_, sample);
        counters_.push_back(
            {Mix(HashBytes(series, 0x13198a2e03707344ULL)), *sample.integer, series});
      }
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
  std::string_view page_;  // the names of samples are views into it
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
  CandidateCollector collector(sources_, page);
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
