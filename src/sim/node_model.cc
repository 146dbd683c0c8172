#include "sim/node_model.h"

#include <stdexcept>

namespace vmq::sim {
namespace detail {
namespace {

std::vector<std::uint64_t> IdleValues(const PageTemplate& tmpl) {
  std::vector<std::uint64_t> values;
  values.reserve(tmpl.lines().size());
  for (const TemplateLine& line : tmpl.lines()) values.push_back(line.idle_value);
  return values;
}

std::vector<bool> IdleVisibility(const PageTemplate& tmpl) {
  std::vector<bool> visible;
  for (const Family& family : tmpl.families()) visible.push_back(!family.lazy);
  return visible;
}

// Counters VerneMQ keeps itself; the system_* ones come from the Erlang VM and survive a
// metrics reset.
bool IsResettableCounter(const PageTemplate& tmpl, const TemplateLine& line) {
  const Family& family = tmpl.families()[line.family];
  return line.kind == LineKind::kSample && family.type == "counter" &&
         !family.name.starts_with("system_");
}

std::size_t WallclockLine(const PageTemplate& tmpl) {
  auto line = tmpl.FindSample("system_wallclock");
  if (!line) throw std::invalid_argument("the page has no system_wallclock");
  return *line;
}

}  // namespace
}  // namespace detail

NodeModel::NodeModel(const PageTemplate& tmpl, const Clock& clock)
    : template_(tmpl),
      clock_(clock),
      wallclock_line_(detail::WallclockLine(tmpl)),
      started_(clock.Now()),
      values_(detail::IdleValues(tmpl)),
      visible_(detail::IdleVisibility(tmpl)) {}

void NodeModel::Apply(const ResolvedEffect& effect, std::uint64_t times) {
  std::lock_guard lock(mu_);
  for (const auto& [line, delta] : effect.increments) values_[line] += delta * times;
  for (std::size_t family : effect.creates) visible_[family] = true;
}

void NodeModel::Restart() {
  std::lock_guard lock(mu_);
  started_ = clock_.Now();
  values_ = detail::IdleValues(template_);
  visible_ = detail::IdleVisibility(template_);
}

void NodeModel::ResetMetrics() {
  std::lock_guard lock(mu_);
  const auto& lines = template_.lines();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (detail::IsResettableCounter(template_, lines[i])) values_[i] = 0;
  }
}

std::string NodeModel::Render(const PageStyle& style) const {
  std::vector<std::uint64_t> values;
  std::vector<bool> visible;
  {
    std::lock_guard lock(mu_);
    values = values_;
    visible = visible_;
    values[wallclock_line_] = UptimeMillisLocked();
  }
  return RenderPage(template_, values, visible, style);
}

std::uint64_t NodeModel::Value(std::string_view key) const {
  auto line = template_.FindSample(key);
  if (!line) return 0;
  std::lock_guard lock(mu_);
  if (*line == wallclock_line_) return UptimeMillisLocked();
  return values_[*line];
}

std::uint64_t NodeModel::UptimeMillisLocked() const {
  auto uptime = std::chrono::duration_cast<Millis>(clock_.Now() - started_).count();
  return uptime > 0 ? static_cast<std::uint64_t>(uptime) : 0;
}

}  // namespace vmq::sim
