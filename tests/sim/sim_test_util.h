#ifndef VMQ_TESTS_SIM_SIM_TEST_UTIL_H_
#define VMQ_TESTS_SIM_SIM_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/cluster.h"
#include "sim/scenario.h"

namespace vmq::sim::testing {

// One node printed like the captured broker: 2.x layout, node "VerneMQ@127.0.0.1".
inline Scenario CapturedNodeScenario() {
  NodeSpec node;
  node.name = "vmq-1";
  node.style.node_label = "VerneMQ@127.0.0.1";
  Scenario scenario;
  scenario.nodes.push_back(node);
  return scenario;
}

inline void ApplyAll(Cluster& cluster, const std::vector<std::string>& events,
                     const std::string& node = "vmq-1") {
  for (const std::string& event : events) {
    ApplyOutcome outcome = cluster.Apply(EventRequest{node, event, 1, ""}, EventSource::kApi);
    ASSERT_TRUE(outcome.applied) << event << ": " << outcome.error;
  }
}

}  // namespace vmq::sim::testing

#endif  // VMQ_TESTS_SIM_SIM_TEST_UTIL_H_
