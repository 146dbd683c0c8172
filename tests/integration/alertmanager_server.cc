#include "integration/alertmanager_server.h"

#include <chrono>

#include "common/http.h"
#include "integration/api_client.h"

namespace vmq::testing {

AlertmanagerServer::AlertmanagerServer(const TempDir& dir, const std::string& config_yaml)
    : port_(FreePort()) {
  const std::string config_file = dir.Write("alertmanager.yml", config_yaml);
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"/usr/bin/prometheus-alertmanager", "--config.file=" + config_file,
                               "--storage.path=" + dir.path() + "/alertmanager-data",
                               "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                               "--cluster.listen-address=", "--log.level=warn"},
      dir.path() + "/alertmanager");
}

bool AlertmanagerServer::WaitReady() {
  return WaitFor([&] { return HttpGet(port_, "/-/ready").status == 200; },
                 std::chrono::seconds(30));
}

nlohmann::json AlertmanagerServer::Alerts() const {
  const ApiResponse response = GetJson(port_, "/api/v2/alerts");
  return response.ok ? response.body : nlohmann::json::array();
}

int AlertmanagerServer::Post(const nlohmann::json& alerts) const {
  return PostJson(port_, "/api/v2/alerts", alerts);
}

}  // namespace vmq::testing
