#ifndef VMQ_SIM_NODE_MODEL_H_
#define VMQ_SIM_NODE_MODEL_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "sim/events.h"
#include "sim/page_renderer.h"
#include "sim/page_template.h"

namespace vmq::sim {

// The metrics of one simulated node. Thread-safe: events arrive from the control API, the
// timeline and background traffic while HTTP threads render.
class NodeModel {
 public:
  // The node starts now, as a fresh broker: the idle page, uptime zero.
  NodeModel(const PageTemplate& tmpl, const Clock& clock);

  void Apply(const ResolvedEffect& effect, std::uint64_t times);
  // Counters and lazily created families as at start; system_wallclock from zero.
  void Restart();
  // `vmq-admin metrics reset`: every counter back to zero (VM statistics aside); uptime,
  // histograms and created families stay.
  void ResetMetrics();

  std::string Render(const PageStyle& style) const;
  // The current value of one sample (see PageTemplate::FindSample); 0 when unknown.
  std::uint64_t Value(std::string_view key) const;

 private:
  std::uint64_t UptimeMillisLocked() const;

  const PageTemplate& template_;
  const Clock& clock_;
  std::size_t wallclock_line_;
  mutable std::mutex mu_;
  MonoTime started_;
  std::vector<std::uint64_t> values_;
  std::vector<bool> visible_;
};

}  // namespace vmq::sim

#endif  // VMQ_SIM_NODE_MODEL_H_
