// Memory of the window history measured the way the operating system sees it: the growth of
// the resident set (VmRSS) while N targets x S series build a full window of worst-case
// history, divided by the number of series. Worst case: every series increases at every poll
// (`none` gives the usual case for contrast).
//
//   build/bin/history_memory [--targets N] [--series S] [--window-s W] [--interval-ms I]
//                            [--increase none|small|mixed|medium|large]
//
// Increases: none = the counter never moves (most PUBCOMP series, most of the time);
// small = 1..127 per poll; mixed = small, and every 50th poll of a series a huge one (about
// 2^40, must stay exact); medium = 128..16383 per poll; large = about 2^40 at every poll. Not a
// google-benchmark binary: one measurement per run, printed on one line, with the time an Export
// and a FromImage of one target's history take.

#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "window/target_history.h"

namespace {

struct Options {
  int targets = 100;
  int series = 8;
  int64_t window_s = 3600;
  int64_t interval_ms = 1000;
  std::string increase = "mixed";
};

// Resident set in bytes, from /proc/self/statm (second field, in pages).
size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t size_pages = 0;
  size_t resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

bool ParseOptions(int argc, char** argv, Options* options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--targets") {
      options->targets = std::atoi(value);
    } else if (flag == "--series") {
      options->series = std::atoi(value);
    } else if (flag == "--window-s") {
      options->window_s = std::atoll(value);
    } else if (flag == "--interval-ms") {
      options->interval_ms = std::atoll(value);
    } else if (flag == "--increase") {
      options->increase = value;
    } else {
      return false;
    }
  }
  return (argc % 2) == 1 && options->targets > 0 && options->series > 0 && options->window_s > 0 &&
         options->interval_ms > 0 &&
         (options->increase == "none" || options->increase == "small" ||
          options->increase == "mixed" || options->increase == "medium" ||
          options->increase == "large");
}

class Increases {
 public:
  explicit Increases(std::string kind) : kind_(std::move(kind)) {}
  uint64_t Next(int64_t poll, int series) {
    if (kind_ == "none") return 0;
    if (kind_ == "medium") return Uniform(128, 16383);
    if (kind_ == "large") return (uint64_t{1} << 40) + Uniform(0, 1'000'000);
    if (kind_ == "mixed" && (poll + series) % 50 == 0) return (uint64_t{1} << 40) + Uniform(0, 9);
    return Uniform(1, 127);
  }

 private:
  uint64_t Uniform(uint64_t low, uint64_t high) {
    return std::uniform_int_distribution<uint64_t>(low, high)(random_);
  }
  std::string kind_;
  std::mt19937_64 random_{42};
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: %s [--targets N] [--series S] [--window-s W] [--interval-ms I] "
                 "[--increase none|small|mixed|medium|large]\n",
                 argv[0]);
    return 2;
  }
  const vmq::Millis interval(options.interval_ms);
  const vmq::Millis window = std::chrono::seconds(options.window_s);
  // As the exporter configures it: a poll may be late by up to its timeout (here 0.8 x interval).
  const vmq::Millis max_gap = interval + interval * 4 / 5;
  const int64_t polls = window / interval + max_gap / interval + 2;

  // The caller's page is built before the baseline: only the histories are measured.
  std::vector<vmq::window::Observation> page;
  for (int s = 0; s < options.series; ++s) {
    page.push_back({"mqtt_pubcomp_invalid_error{mqtt_version=\"5\",reason_code=\"r" +
                        std::to_string(s) + "\",node=\"VerneMQ@10.0.0.1\"}",
                    0});
  }
  std::vector<std::unique_ptr<vmq::window::TargetHistory>> histories;
  histories.reserve(static_cast<size_t>(options.targets));
  Increases increases(options.increase);
  // Poll times carry sub-millisecond jitter like real poll completions.
  std::mt19937_64 jitter(7);
  std::uniform_int_distribution<int64_t> jitter_ns(0, 2'000'000);

  malloc_trim(0);
  const size_t rss_before = ResidentBytes();
  const size_t heap_before = mallinfo2().uordblks;
  for (int t = 0; t < options.targets; ++t) {
    histories.push_back(
        std::make_unique<vmq::window::TargetHistory>(std::vector<vmq::Millis>{window}, max_gap));
  }
  const vmq::MonoTime start{std::chrono::hours(1000)};
  std::vector<vmq::MonoTime> times;
  std::vector<uint64_t> added;  // by all series of a target at each poll
  for (int64_t poll = 0; poll < polls; ++poll) {
    uint64_t total = 0;
    for (int s = 0; s < options.series; ++s) {
      const uint64_t increase = increases.Next(poll, s);
      page[s].value += increase;
      total += increase;
    }
    times.push_back(start + interval * poll + std::chrono::nanoseconds(jitter_ns(jitter)));
    added.push_back(poll == 0 ? 0 : total);  // the first poll is the baseline
    for (auto& history : histories) history->RecordSuccess(times.back(), std::nullopt, page);
  }
  const size_t rss_after = ResidentBytes();
  const size_t heap_after = mallinfo2().uordblks;

  // The history must still be exact: a window count equals the sum of what was added.
  const vmq::MonoTime now = times.back() + std::chrono::milliseconds(3);
  uint64_t expected = 0;
  for (size_t p = 0; p < times.size(); ++p) {
    if (times[p] > now - window) expected += added[p];
  }
  uint64_t sum = 0;
  for (const auto& observation : page) {
    sum += histories.back()->Increase(observation.series, window, now);
  }

  // What a reload (re-windowing) or --storage.path pays per target: Export and FromImage of the
  // last history, and whether the imported one answers the same.
  const auto export_start = std::chrono::steady_clock::now();
  const vmq::window::HistoryImage image = histories.back()->Export();
  const auto import_start = std::chrono::steady_clock::now();
  std::string error;
  const std::optional<vmq::window::TargetHistory> imported =
      vmq::window::TargetHistory::FromImage({window}, max_gap, image, &error);
  const auto import_end = std::chrono::steady_clock::now();
  uint64_t imported_sum = 0;
  for (const auto& observation : page) {
    imported_sum += imported ? imported->Increase(observation.series, window, now) : 0;
  }
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };

  const auto all_series = static_cast<double>(options.targets) * options.series;
  const vmq::window::HistoryStats stats = histories.back()->stats();
  std::printf(
      "targets=%d series=%d window_s=%lld interval_ms=%lld polls=%lld increase=%s "
      "rss_growth=%zu rss_per_series=%.0f heap_per_series=%.0f stored_bytes_per_series=%.0f "
      "stored_increments=%zu "
      "exact=%s export_ms=%.2f import_ms=%.2f imported_exact=%s\n",
      options.targets, options.series, static_cast<long long>(options.window_s),
      static_cast<long long>(options.interval_ms), static_cast<long long>(polls),
      options.increase.c_str(), rss_after - rss_before,
      static_cast<double>(rss_after - rss_before) / all_series,
      static_cast<double>(heap_after - heap_before) / all_series,
      static_cast<double>(stats.stored_bytes) / options.series, stats.stored_increments,
      sum == expected ? "yes" : "NO", ms(import_start - export_start),
      ms(import_end - import_start), imported_sum == expected ? "yes" : "NO");
  return sum == expected && imported_sum == expected ? 0 : 1;
}
