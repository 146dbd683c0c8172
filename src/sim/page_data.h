#ifndef VMQ_SIM_PAGE_DATA_H_
#define VMQ_SIM_PAGE_DATA_H_

#include <span>
#include <string_view>

namespace vmq::sim::detail {

// Real VerneMQ 2.1.2 pages (node "VerneMQ@127.0.0.1", prefix "vernemq_"), one entry per line,
// embedded at build time so that the simulator prints exactly what a real broker prints.
// 00-idle.txt: a node nobody has used yet.
std::span<const std::string_view> IdlePageLines();
// 01-after-normal-qos2-v4-and-v5.txt: the same node after its first client sessions, which
// added the lazily created histograms.
std::span<const std::string_view> UsedPageLines();

}  // namespace vmq::sim::detail

#endif  // VMQ_SIM_PAGE_DATA_H_
