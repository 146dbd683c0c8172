#ifndef VMQ_EVALUATE_TARGET_EVALUATOR_H_
#define VMQ_EVALUATE_TARGET_EVALUATOR_H_

// The evaluate stage for one target: from the raw series the target tracks and their window
// history, the value of every output series of every signal over every window.
//
// What an output series is made of lives here and nowhere else:
//  - a raw series feeds a signal when signals::Feeds says so (source and label matchers);
//  - its output labels are `node` (the series' own node label, else the node named on the
//    page, as VerneMQ 1.x pages carry none on some families) and the signal's kept labels
//    that the series carries;
//  - raw series with the same output labels are summed, window by window.
//
// Which outputs a raw series feeds is worked out once, when the target starts tracking it, so
// that evaluating after each poll costs one history query per raw series and window and no
// label matching. Not thread-safe; the target's owner serialises access.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "config/config.h"
#include "evaluate/values.h"
#include "signals/selector.h"
#include "window/target_history.h"

namespace vmq::evaluate {

class TargetEvaluator {
 public:
  // `signals` and `windows` are the configuration's, shared by every target: they must
  // outlive the evaluator.
  TargetEvaluator(const std::vector<config::Signal>& signals,
                  const std::vector<config::Window>& windows);

  // A raw series the target tracks from now on, given once per series (the caller keeps the
  // set of tracked keys). Cheap: outputs are worked out again at the next Evaluate.
  void Track(const signals::RawSeries& series);
  // The node of raw series without a node label.
  void SetPageNode(std::string_view node);

  // Every signal has an entry, possibly without series; every output series has a value per
  // window. Coverage is per window too.
  TargetValues Evaluate(const window::TargetHistory& history, MonoTime now);

  size_t tracked_series() const { return tracked_.size(); }
  // Every series given to Track, in that order: what an evaluator for a reloaded
  // configuration's signals tracks again.
  std::vector<signals::RawSeries> Series() const;
  const std::string& page_node() const { return page_node_; }

 private:
  struct Feed {
    size_t signal;
    size_t output;  // index into outputs_[signal]
  };
  struct RawFeeds {
    std::string key;  // the history's series key
    std::vector<Feed> feeds;
  };
  struct TrackedSeries {
    signals::RawSeries series;
    std::vector<size_t> signals;  // the signals it feeds
  };

  Labels OutputLabels(const config::Signal& signal, const signals::RawSeries& series) const;
  // Recomputes outputs_ and raw_ from tracked_: after a new series or a new page node.
  void Rebuild();

  const std::vector<config::Signal>& signals_;
  const std::vector<config::Window>& windows_;
  std::string page_node_;
  std::vector<TrackedSeries> tracked_;
  std::vector<std::vector<Labels>> outputs_;  // per signal, sorted
  std::vector<RawFeeds> raw_;                 // one per tracked series that feeds a signal
  bool stale_ = false;                        // outputs_ and raw_ need a Rebuild
};

}  // namespace vmq::evaluate

#endif  // VMQ_EVALUATE_TARGET_EVALUATOR_H_
