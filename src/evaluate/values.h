#ifndef VMQ_EVALUATE_VALUES_H_
#define VMQ_EVALUATE_VALUES_H_

// What the evaluate stage hands on: per target, the value of every output series of every
// signal over every window, plus the coverage of each window. The renderer only formats
// these values and the alert tracker only reads them, so that what an output series is made
// of (which raw series feed it, how they are grouped, the node fallback) has one home.

#include <cstdint>
#include <vector>

#include "signals/selector.h"

namespace vmq::evaluate {

// One window value: an exact count (the increase of counters, what every signal computes
// today) or a real number (what a gauge aggregation such as an average would give). Sums of
// counts stay exact; a sum that involves a real is real.
class Number {
 public:
  static Number Count(uint64_t count) { return Number(count, 0, true); }
  static Number Real(double real) { return Number(0, real, false); }
  Number() = default;

  bool is_count() const { return is_count_; }
  uint64_t count() const { return count_; }  // only for is_count()
  double AsDouble() const { return is_count_ ? static_cast<double>(count_) : real_; }
  // Exact for counts, whatever their size.
  bool Exceeds(uint64_t threshold) const {
    return is_count_ ? count_ > threshold : real_ > static_cast<double>(threshold);
  }
  Number& operator+=(const Number& other);
  bool operator==(const Number& other) const = default;

 private:
  Number(uint64_t count, double real, bool is_count)
      : count_(count), real_(real), is_count_(is_count) {}
  uint64_t count_ = 0;
  double real_ = 0;
  bool is_count_ = true;
};

using Labels = signals::LabelPairs;

// One exported series of a signal, without the `target` and `window` labels (the renderer
// adds them): `node` first, then the signal's kept labels that the raw series carry, in
// config order.
struct OutputSeries {
  Labels labels;
  std::vector<Number> values;  // one per configured window, in config order
};

struct SignalValues {
  std::vector<OutputSeries> series;  // sorted by labels
};

struct TargetValues {
  std::vector<SignalValues> signals;  // one per configured signal, in config order
  std::vector<double> coverage;       // one per configured window, in [0, 1]
  // Per configured window: the time in it the exporter did not watch, (1 - coverage) x the
  // window's length, in seconds rounded to the millisecond: how much of a partial window an
  // event may have happened in unseen.
  std::vector<double> uncovered_seconds;
};

}  // namespace vmq::evaluate

#endif  // VMQ_EVALUATE_VALUES_H_
