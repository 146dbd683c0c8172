#include "sim/ports_file.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "sim/json.h"

namespace vmq::sim {

std::string PortsJson(int control_port, const std::vector<std::pair<std::string, int>>& nodes) {
  std::string out = "{\"control\": " + std::to_string(control_port) + ", \"nodes\": {";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0) out += ", ";
    out += JsonString(nodes[i].first) + ": " + std::to_string(nodes[i].second);
  }
  return out + "}}";
}

void WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw std::runtime_error("cannot rename " + temporary + " to " + path);
  }
}

}  // namespace vmq::sim
