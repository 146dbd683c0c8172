#include "integration/metrics_page.h"

#include <sstream>

namespace vmq::testing {
namespace {

bool HasEveryLabel(const std::string& label_text,
                   const std::map<std::string, std::string>& labels) {
  for (const auto& [name, value] : labels) {
    const std::string pair = name + "=\"" + value + "\"";
    const auto at = label_text.find(pair);
    // The pair must start a label (after `{` or `,`), so that node="x" does not match
    // in a label named e.g. page_node="x".
    if (at == std::string::npos ||
        (at > 0 && label_text[at - 1] != ',' && label_text[at - 1] != '{')) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<double> FindSample(const std::string& page, const std::string& metric,
                                 const std::map<std::string, std::string>& labels) {
  std::istringstream lines(page);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(metric + "{", 0) != 0) continue;
    const auto close = line.rfind('}');
    if (close == std::string::npos) continue;
    if (!HasEveryLabel(line.substr(metric.size(), close - metric.size() + 1), labels)) continue;
    return std::stod(line.substr(close + 1));
  }
  return std::nullopt;
}

}  // namespace vmq::testing
