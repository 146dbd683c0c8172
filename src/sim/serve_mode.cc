#include "sim/serve_mode.h"

#include <array>
#include <utility>

namespace vmq::sim {
namespace detail {
namespace {

constexpr std::array<std::pair<ServeMode, std::string_view>, 5> kDownModes = {{
    {ServeMode::kRefuse, "refuse"},
    {ServeMode::kHang, "hang"},
    {ServeMode::kHttp500, "http_500"},
    {ServeMode::kTruncated, "truncated"},
    {ServeMode::kGarbage, "garbage"},
}};

}  // namespace
}  // namespace detail

std::optional<ServeMode> ParseDownMode(std::string_view text) {
  for (const auto& [mode, name] : detail::kDownModes) {
    if (name == text) return mode;
  }
  return std::nullopt;
}

std::string_view DownModeName(ServeMode mode) {
  for (const auto& [candidate, name] : detail::kDownModes) {
    if (candidate == mode) return name;
  }
  return "";
}

std::string StateName(ServeMode mode) {
  if (mode == ServeMode::kUp) return "up";
  return "down:" + std::string(DownModeName(mode));
}

}  // namespace vmq::sim
