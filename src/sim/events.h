#ifndef VMQ_SIM_EVENTS_H_
#define VMQ_SIM_EVENTS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/page_template.h"

namespace vmq::sim {

enum class EventKind {
  kTraffic,       // clients did something: counters move
  kRestart,       // the node restarted: counters from zero, uptime from zero
  kMetricsReset,  // `vmq-admin metrics reset`: counters from zero, uptime goes on
  kDown,          // the metrics endpoint stops answering properly (see ServeMode)
  kUp,            // the metrics endpoint answers again
  kHold,          // the endpoint keeps serving the page as it is now; counters go on moving
  kRelease,       // the endpoint serves the current page again
};

struct Observation {
  std::string histogram;  // family name without prefix
  std::uint64_t value = 0;
};

// What one occurrence of a traffic event does to a node, by sample key (see
// PageTemplate::FindSample). The deltas are those a real VerneMQ 2.1.2 showed between the
// captured pages in tests/fixtures/2.1.2 for the same client behaviour, including the counters
// of the client connection itself; byte counts are sizes of the packets involved.
struct Effect {
  std::vector<std::pair<std::string, std::uint64_t>> increments;
  std::vector<Observation> observations;
};

struct EventSpec {
  std::string name;
  EventKind kind = EventKind::kTraffic;
  Effect effect;
};

// Every event the simulator knows, traffic first, in a stable order.
std::span<const EventSpec> AllEvents();
const EventSpec* FindEvent(std::string_view name);

// One message published with `qos` by an MQTT `mqtt_version` (4 or 5) client and delivered to
// one subscriber, both staying connected: what background traffic adds per message. Unlike the
// *_flow events it moves no connection counters and creates no histograms.
const Effect& MessageEffect(int qos, int mqtt_version);

// An Effect bound to template lines, so that applying it is plain additions.
struct ResolvedEffect {
  std::vector<std::pair<std::size_t, std::uint64_t>> increments;  // line index, delta
  std::vector<std::size_t> creates;  // lazily created families that exist afterwards
};

// Throws std::invalid_argument when the effect names a sample the template lacks.
ResolvedEffect Resolve(const PageTemplate& tmpl, const Effect& effect);

}  // namespace vmq::sim

#endif  // VMQ_SIM_EVENTS_H_
