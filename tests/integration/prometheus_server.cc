#include "integration/prometheus_server.h"

#include <chrono>

#include "common/http.h"

namespace vmq::testing {

std::string TestPrometheusConfig(int exporter_port, int alertmanager_port,
                                 const std::vector<std::string>& rule_files) {
  const std::string interval = std::to_string(kTestScrapeAndEvaluationSeconds) + "s";
  std::string yaml = "global:\n  scrape_interval: " + interval +
                     "\n  evaluation_interval: " + interval + "\nrule_files:\n";
  for (const std::string& file : rule_files) yaml += "  - \"" + file + "\"\n";
  yaml +=
      "alerting:\n"
      "  alertmanagers:\n"
      "    - static_configs:\n"
      "        - targets: [\"127.0.0.1:" +
      std::to_string(alertmanager_port) +
      "\"]\n"
      "scrape_configs:\n"
      "  - job_name: vernemq-pubcomp-exporter\n"
      "    static_configs:\n"
      "      - targets: [\"127.0.0.1:" +
      std::to_string(exporter_port) + "\"]\n";
  return yaml;
}

PrometheusServer::PrometheusServer(const TempDir& dir, const std::string& config_yaml)
    : port_(FreePort()) {
  const std::string config_file = dir.Write("prometheus.yml", config_yaml);
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/prometheus", "--config.file=" + config_file,
                               "--storage.tsdb.path=" + dir.path() + "/prometheus-data",
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                               "--log.level=warn"},
      dir.path() + "/prometheus");
}

bool PrometheusServer::WaitReady() {
  return WaitFor([&] { return HttpGet(port_, "/-/ready").status == 200; },
                 std::chrono::seconds(30));
}

ApiResponse PrometheusServer::Query(const std::string& promql) const {
  ApiResponse response = GetJson(port_, "/api/v1/query?query=" + UrlEncode(promql));
  if (response.ok) response.body = response.body["data"]["result"];
  return response;
}

nlohmann::json PrometheusServer::Alerts() const {
  const ApiResponse response = GetJson(port_, "/api/v1/alerts");
  return response.ok ? response.body["data"]["alerts"] : nlohmann::json::array();
}

nlohmann::json PrometheusServer::RuleGroups() const {
  const ApiResponse response = GetJson(port_, "/api/v1/rules");
  return response.ok ? response.body["data"]["groups"] : nlohmann::json::array();
}

}  // namespace vmq::testing
