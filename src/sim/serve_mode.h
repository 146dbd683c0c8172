#ifndef VMQ_SIM_SERVE_MODE_H_
#define VMQ_SIM_SERVE_MODE_H_

#include <optional>
#include <string>
#include <string_view>

namespace vmq::sim {

// How a node's metrics endpoint behaves. Every "down" mode is a way real scrapes fail.
enum class ServeMode {
  kUp,         // serves the page
  kRefuse,     // listening socket closed: connections are refused
  kHang,       // accepts and reads the request, never answers
  kHttp500,    // answers 500
  kTruncated,  // answers 200 with the page cut in the middle of a line
  kGarbage,    // answers 200 with random bytes
};

// The `mode` of a down event: "refuse", "hang", "http_500", "truncated", "garbage".
std::optional<ServeMode> ParseDownMode(std::string_view text);
std::string_view DownModeName(ServeMode mode);  // "" for kUp
// "up" or "down:<mode>", as /nodes reports it.
std::string StateName(ServeMode mode);

}  // namespace vmq::sim

#endif  // VMQ_SIM_SERVE_MODE_H_
