#ifndef VMQ_SIM_PORTS_FILE_H_
#define VMQ_SIM_PORTS_FILE_H_

#include <string>
#include <utility>
#include <vector>

namespace vmq::sim {

// {"control": 41234, "nodes": {"vmq-1": 41235, ...}} with nodes in scenario order: how a
// script learns the ports that "port: 0" picked.
std::string PortsJson(int control_port, const std::vector<std::pair<std::string, int>>& nodes);

// Writes `content` to a temporary file next to `path` and renames it over `path`, so that a
// reader polling for the file never sees it half written. Throws std::runtime_error.
void WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace vmq::sim

#endif  // VMQ_SIM_PORTS_FILE_H_
