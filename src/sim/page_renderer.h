#ifndef VMQ_SIM_PAGE_RENDERER_H_
#define VMQ_SIM_PAGE_RENDERER_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sim/page_template.h"

namespace vmq::sim {

// How one node prints its page. VerneMQ 1.x has no prefix, 2.x "vernemq_", and
// `prometheus_namespace` sets any other.
struct PageStyle {
  std::string prefix = "vernemq_";
  std::string node_label = "VerneMQ@127.0.0.1";
  // Some captured pages end without one; parsers must cope.
  bool final_newline = true;
};

// Prints `tmpl` line by line with `values` (one per template line; non-sample entries are
// ignored), leaving out every family whose `visible` entry is false.
std::string RenderPage(const PageTemplate& tmpl, std::span<const std::uint64_t> values,
                       const std::vector<bool>& visible, const PageStyle& style);

}  // namespace vmq::sim

#endif  // VMQ_SIM_PAGE_RENDERER_H_
