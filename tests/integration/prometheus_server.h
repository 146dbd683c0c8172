#ifndef VMQ_TESTS_INTEGRATION_PROMETHEUS_SERVER_H_
#define VMQ_TESTS_INTEGRATION_PROMETHEUS_SERVER_H_

// The real Prometheus (Debian package, /usr/bin/prometheus) on loopback, with its own storage
// in a test directory, scraping the exporter and evaluating the committed alert rules.

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "common/process.h"
#include "integration/api_client.h"

namespace vmq::testing {

// prometheus.yml for a test: scrape and rule evaluation every kTestScrapeAndEvaluationSeconds
// (so that a test waits seconds, not minutes, for a rule to see a change), one exporter, one
// Alertmanager.
inline constexpr int kTestScrapeAndEvaluationSeconds = 1;
std::string TestPrometheusConfig(int exporter_port, int alertmanager_port,
                                 const std::vector<std::string>& rule_files);

class PrometheusServer {
 public:
  PrometheusServer(const TempDir& dir, const std::string& config_yaml);
  bool WaitReady();
  int port() const { return port_; }
  ChildProcess& process() { return *process_; }

  // /api/v1/query: `body` is the `data.result` array of an instant query at the current time.
  ApiResponse Query(const std::string& promql) const;
  // /api/v1/alerts: every pending and firing alert, each with `labels` and `state`.
  nlohmann::json Alerts() const;
  // /api/v1/rules: the rule groups Prometheus loaded.
  nlohmann::json RuleGroups() const;

 private:
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

}  // namespace vmq::testing

#endif  // VMQ_TESTS_INTEGRATION_PROMETHEUS_SERVER_H_
