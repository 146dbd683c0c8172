#ifndef VMQ_TESTS_INTEGRATION_ALERTMANAGER_CONFIG_H_
#define VMQ_TESTS_INTEGRATION_ALERTMANAGER_CONFIG_H_

#include <string>

namespace vmq::testing {

// group_wait and group_interval of every route in the test copy.
inline constexpr int kTestGroupWaitSeconds = 1;

// The committed alerts/alertmanager.yml made fit for a test, and nothing else: every route's
// group_wait, group_interval and repeat_interval become seconds (instead of the minutes that
// batch notifications in production), and every receiver's `url` points at `receiver_url`
// (a WebhookSink) so that the test sees the notifications. Routing, grouping, matchers and
// inhibition stay exactly as committed, which is what the tests check.
// Throws std::runtime_error when the committed file has no receiver with a `url` to redirect.
std::string TestAlertmanagerConfig(const std::string& committed_yaml,
                                   const std::string& receiver_url);

// The committed file with the timings and receiver URLs removed, for comparing a test copy
// with the original.
std::string WithoutTimingsAndUrls(const std::string& yaml);

}  // namespace vmq::testing

#endif  // VMQ_TESTS_INTEGRATION_ALERTMANAGER_CONFIG_H_
