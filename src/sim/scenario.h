#ifndef VMQ_SIM_SCENARIO_H_
#define VMQ_SIM_SCENARIO_H_

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "sim/page_renderer.h"

namespace vmq::sim {

// Normal message flows per second that a node's clients keep up without any event being
// logged; they never touch the *_invalid_error counters.
struct BackgroundRates {
  double qos0_per_s = 0;
  double qos1_per_s = 0;
  double qos2_per_s = 0;
};

struct NodeSpec {
  std::string name;
  int port = 0;  // 0: any free port
  // "2.x" (prefix vernemq_), "1.x" (no prefix) or "custom" (prefix from `namespace`).
  std::string layout = "2.x";
  PageStyle style;
  BackgroundRates background;
};

struct TimelineEntry {
  Millis at{0};  // after the simulator is listening
  std::string node;
  std::string event;
  std::uint64_t count = 1;
  std::string mode;  // down events only
};

struct Scenario {
  int control_port = 0;  // 0: any free port
  std::vector<NodeSpec> nodes;
  std::vector<TimelineEntry> timeline;  // ordered by `at`, ties in file order
};

// A scenario that cannot run, located in its file (line and column from 1; 0 when the
// problem is not at one place, such as an unreadable file).
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(const std::string& what, int line, int column)
      : std::runtime_error(what), line_(line), column_(column) {}
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  int line_;
  int column_;
};

// Messages read "<source_name>:<line>:<col>: <problem>".
Scenario ParseScenario(std::string_view yaml, std::string_view source_name);
Scenario LoadScenario(const std::string& path);

// "10s", "500ms", "1.5s", "2m", "1h", or a bare number of seconds.
bool ParseOffset(std::string_view text, Millis* out);

}  // namespace vmq::sim

#endif  // VMQ_SIM_SCENARIO_H_
