#ifndef VMQ_WINDOW_TARGET_HISTORY_H_
#define VMQ_WINDOW_TARGET_HISTORY_H_

// The window engine: exact trailing-window increases of the raw counters of one target (one
// VerneMQ node), with counter-reset handling and coverage. It knows nothing of HTTP or of
// the text format; time is passed in, so the math is tested without sleeping.
//
// Semantics (docs/metrics.md explains them to users):
//  - Poll times are kept to the millisecond, rounded down (window edges are precise to one
//    poll interval anyway).
//  - An increase is attributed to the poll that observed it. When that poll and the
//    previous successful one are at most max_gap apart with no failed poll between (a
//    "joined" span), Increase(series, W, now) counts it when the poll's time t satisfies
//    now - W < t <= now. Integers only, never negative, no extrapolation.
//  - An increase observed across a gap span (from the previous successful poll at s to the
//    poll at t that observed it, longer than max_gap or with a failed poll between) cannot be
//    placed inside the span: it counts in a window only if the whole span lies in it,
//    now - W < s and t <= now (the left edge as for a poll: a span that starts exactly at
//    now - W is left out). So every window value is a lower bound of the true count (to
//    one interval at the edge), and a longer window that contains the gap still shows it.
//    Whatever the cause of the increase (growth, a reset, a restart, a new series): the rule
//    is about where it can be placed.
//  - The first successful poll of a target is a baseline: it observes no increase.
//  - A value below the previous one is a counter reset (`vmq-admin metrics reset`): the
//    increase is the new value.
//  - A node-wide reset: when the node's uptime (VerneMQ's system_wallclock, ms since node
//    start) goes down (a restart), or the caller says `counters_reset` (its reset detector saw
//    some counter of the node go down while system_wallclock did not), every series of the
//    target counts its new value as the increase, even one that grew past its old value
//    between the two polls; a series missing from that page restarted at 0 like the rest, so
//    its next value counts in full.
//  - A series first seen after the baseline was created since the previous poll: its value
//    is its increase (VerneMQ creates such series at 0).
//  - A series missing from a successful page keeps its last value; nothing is attributed.
//  - Coverage(W, now) is the fraction of (now - W, now] during which the exporter was
//    watching: the span between two consecutive successful polls is covered when it is
//    joined; the span from the last successful poll to now is covered when no poll has failed
//    since and now is within max_gap of it. 1.0 exactly when the whole window is covered.
//
// Memory: the history is two kinds of bit streams of adaptive Rice codes (detail/coded_stream.h:
// a value costs about log2 of the values around it plus 1.5 bits; exact at any size), dropped
// from the front once older than the longest window + max_gap.
//  - One per target, shared by its series: a record per poll (success or failure): how much
//    the time since the previous record differs from the time between the two before, in
//    milliseconds, zigzag. Polls on a schedule differ by their jitter only: 1 bit when the
//    interval does not change to the millisecond, about 2.5 with 0-2 ms of jitter, about 6
//    with 0-20 ms. A failed poll costs 15 bits more (a marker no value code starts with).
//  - One per series: its increase at every successful poll since it was first seen (0 when
//    unchanged or missing from the page): 1 bit while the counter does not move, ~7.5 bits
//    for increases of 1 to 127 at every poll, ~14.6 for 128 to 16,383, ~42 for about 2^40;
//    a lone outlier costs its bit length + 15 bits.
// Per series there is also a fixed part: its key, its last value, and per window a running
// sum and a position in its stream (16 bytes), so that a query costs O(1) instead of a decode
// of the window. With P = (longest window + max_gap) / poll interval + 1 polls held, S
// series, L the mean bits of a poll's increase and R those of a poll record:
//   bytes per series ~= P x (L + R / S) / 8 x 1.035 (buffer slack) + key + ~200 + 16 x windows.
// 1 h at 1 s polls (P = 3,603), increases of 128 to 16,383 at every poll (L = 14.6), R = 2.5,
// S = 8: 3,603 x 14.9 / 8 x 1.035 + ~600 ~= 7.5 KB (RSS 7.8 KB), under the 8 KB per series
// asked for; with one series per target and increases up to 127 6.0-6.4 KB; a counter that
// does not move 1.3 KB (bench/README.md has the RSS figures from bench/history_memory.cc).
// Over it only: increases of about 2^15 (32,768) or more at every poll for the whole window,
// over 30,000 unexpected packets a second from one series for an hour (about 2^40 at every
// poll: 20 KB).
// stats().stored_bytes reports what is held.
//
// Every increase stays tied to the record of the poll that observed it, and so to the span
// from the previous record; the state is plain data (bit streams, integer positions, no
// pointers). Export() gives it as plain values (HistoryImage), FromImage() builds a history
// from them for other windows or another max_gap (a reload, a restart with --storage.path).
//
// Queries are exact for windows up to the longest one and `now` no earlier than max_gap
// before the latest record; older history has been dropped. A record earlier than the latest
// one (to the millisecond) is ignored (counted in stats) so that a clock hiccup never
// corrupts the history.
//
// Not thread-safe; the owner serialises access. Movable.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "window/detail/coded_stream.h"
#include "window/history_image.h"

namespace vmq::window {

struct Observation {
  std::string series;  // stable key of one raw series of the target (name + labels)
  uint64_t value = 0;
};

struct HistoryStats {
  uint64_t restarts_detected = 0;  // polls that saw the uptime go down
  // Polls without an uptime decrease that were told `counters_reset` or saw a series go down.
  uint64_t counter_resets = 0;
  size_t stored_increments = 0;       // non-zero increases currently held
  size_t stored_poll_records = 0;     // poll records currently held
  size_t stored_bytes = 0;            // heap bytes the history holds, series keys included
  uint64_t out_of_order_records = 0;  // records ignored for being earlier than the latest
};

namespace detail {

// Lets the series map be searched with a string_view without building a std::string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace detail

class TargetHistory {
 public:
  // `windows` are every length that will be queried; the longest bounds memory. Queries of
  // these lengths at a `now` no earlier than the latest record cost O(1) (plus the polls that
  // left the window since the latest record); any other query decodes the history.
  TargetHistory(std::vector<Millis> windows, Millis max_gap);

  // `counters_reset`: the caller saw a node-wide metrics reset in this page (some counter of
  // the node went down while system_wallclock did not); every series then counts its new
  // value, as after a restart.
  void RecordSuccess(MonoTime time, std::optional<uint64_t> uptime_ms,
                     std::span<const Observation> observations, bool counters_reset = false);
  void RecordFailure(MonoTime time);

  // Everything held, as plain values: the record before the oldest one held (if it was
  // dropped: the span it starts decides how the oldest increase is placed), every record
  // held, and per series its increases. Transient cost: one uint64 per held successful poll
  // per series (1 h at 1 s: ~3,600 x 8 bytes per series) plus 16 bytes per record.
  HistoryImage Export() const;
  // A history with these windows and max gap holding `image` (as Export() gives it, or as
  // read back from an untrusted file): validated completely, refused with a one-line reason
  // in *error (if not null). Records older than the longest window + max_gap before the
  // latest one are dropped; a window longer than the image's history is partly covered until
  // it fills (an increase across a gap span that started before the image's oldest record is
  // placed in no window). Queries answer as they did on the exported history wherever it held
  // enough.
  // The counters of stats() (restarts, resets, out-of-order records) carry over. Costs about
  // what recording the image's polls did (1 h at 1 s, 600 series: ~0.15 s).
  static std::optional<TargetHistory> FromImage(std::vector<Millis> windows, Millis max_gap,
                                                const HistoryImage& image, std::string* error);

  // 0 for an unknown series.
  uint64_t Increase(std::string_view series, Millis window, MonoTime now) const;
  // Increase(series, windows()[i], now) into out[i] for every i < out.size() (at most
  // windows().size(); further elements are left as they are), with one lookup.
  void Increases(std::string_view series, MonoTime now, std::span<uint64_t> out) const;
  double Coverage(Millis window, MonoTime now) const;

  const std::vector<Millis>& windows() const { return window_lengths_; }
  size_t series_count() const;
  HistoryStats stats() const;
  // Visits every series seen so far, in no particular order.
  void ForEachSeries(const std::function<void(const std::string& series)>& visit) const;

 private:
  using Ticks = MonoTime::duration;

  // A position in the poll records, with what decoding the record there needs (the time of
  // the record before it) and what coverage needs (whether that record was a success).
  struct RecordCursor {
    detail::StreamPosition position;  // of the record in records_
    uint64_t next_poll = 1;           // ordinal of the first successful poll at or after position
    MonoTime previous_time{};         // of the record before position (the first record's own time)
    Ticks previous_delta{0};          // from the record before that one to previous_time
    bool has_previous = false;
    bool previous_success = false;
  };
  struct Record {
    MonoTime time;
    Ticks delta;  // since the previous record
    bool success;
    detail::StreamPosition next_position;
  };
  // Running state of one window, anchored at the latest record: the tail is the first record
  // inside (latest - length, latest].
  struct WindowState {
    Millis length;
    RecordCursor tail;
    Ticks covered{0};       // covered spans with both ends at or after the tail
    bool tail_gap = false;  // TailPollIsGap(tail), kept so that a query need not decode it
  };
  struct SeriesWindow {
    uint64_t sum = 0;                 // increases of the successful polls from the window's tail on
    detail::StreamPosition position;  // in `increases` of the tail's poll, or of first_poll
  };
  struct SeriesState {
    uint64_t last_value = 0;
    uint64_t last_seen_poll = 0;        // ordinal of the successful poll that last saw the series
    uint64_t first_poll = 0;            // ordinal of the oldest increase held
    uint64_t pending = 0;               // increase seen by the poll being recorded
    detail::CodedStream increases;      // one value per successful poll from first_poll on
    std::vector<SeriesWindow> windows;  // parallel to windows_
  };
  struct SuccessfulPoll {
    MonoTime time;
    std::optional<uint64_t> uptime_ms;
  };
  using SeriesIndex =
      std::unordered_map<std::string, uint32_t, detail::StringHash, std::equal_to<>>;

  bool AcceptTime(MonoTime time);
  bool IsRestart(std::optional<uint64_t> uptime_ms) const;
  void AppendRecord(MonoTime time, bool success);
  void ObserveSeries(const Observation& observation, bool reset_all);
  uint64_t ObservedIncrease(SeriesState& state, uint64_t value, bool reset_all);
  SeriesState& AddSeries(std::string key);
  static std::string Validate(const std::vector<Millis>& windows, Millis max_gap,
                              const HistoryImage& image);
  void Restore(const HistoryImage& image);
  void Slide(bool recorded_success, bool restart);
  void UpdateSeries(SeriesState& state, bool recorded_success, bool restart,
                    std::span<const uint64_t> tails_before, uint64_t front_before,
                    double expected_polls);
  double ExpectedRecords() const;

  Record Peek(const RecordCursor& cursor) const;
  static void Pass(RecordCursor& cursor, const Record& record);
  Ticks SpanLength(const RecordCursor& cursor, const Record& record) const;
  bool Joined(const RecordCursor& cursor, const Record& record) const;
  bool TailPollIsGap(const RecordCursor& tail) const;
  uint64_t GapCorrection(const SeriesState& state, const RecordCursor& tail,
                         detail::StreamPosition position, bool tail_gap) const;
  const WindowState* FindWindow(Millis length) const;
  uint64_t IncreaseOf(const SeriesState& state, Millis window, MonoTime now) const;
  uint64_t FastIncrease(const SeriesState& state, size_t window, MonoTime now) const;
  uint64_t ScanIncrease(const SeriesState& state, Millis window, MonoTime now) const;
  Ticks FastCoverage(const WindowState& window, MonoTime now) const;
  Ticks ScanCoverage(Millis window, MonoTime now) const;

  std::vector<Millis> window_lengths_;
  Millis longest_window_{0};
  Millis max_gap_;
  std::vector<WindowState> windows_;
  detail::CodedStream records_;  // every poll, in time order
  RecordCursor front_;           // oldest record held
  size_t record_count_ = 0;
  bool filled_ = false;  // records were dropped: the longest window is held
  std::vector<SeriesState> series_;
  SeriesIndex index_;
  std::optional<MonoTime> latest_record_;
  bool latest_success_ = false;
  Ticks latest_delta_{0};  // between the two latest records
  std::optional<SuccessfulPoll> last_success_;
  uint64_t successful_polls_ = 0;
  bool saw_decrease_ = false;  // by the poll being recorded
  HistoryStats stats_;
};

}  // namespace vmq::window

#endif  // VMQ_WINDOW_TARGET_HISTORY_H_
