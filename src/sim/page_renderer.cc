#include "sim/page_renderer.h"

namespace vmq::sim {
namespace detail {
namespace {

void AppendLine(const TemplateLine& line, std::uint64_t value, const PageStyle& style,
                std::string* out) {
  switch (line.kind) {
    case LineKind::kHelp:
      out->append("# HELP ").append(style.prefix).append(line.name).append(" ");
      out->append(line.text);
      break;
    case LineKind::kType:
      out->append("# TYPE ").append(style.prefix).append(line.name).append(" ");
      out->append(line.text);
      break;
    case LineKind::kSample:
      out->append(style.prefix).append(line.name).append("{node=\"").append(style.node_label);
      out->append("\"").append(line.text).append("} ").append(std::to_string(value));
      break;
  }
  out->push_back('\n');
}

}  // namespace
}  // namespace detail

std::string RenderPage(const PageTemplate& tmpl, std::span<const std::uint64_t> values,
                       const std::vector<bool>& visible, const PageStyle& style) {
  std::string out;
  out.reserve(48 * 1024);
  const auto& lines = tmpl.lines();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!visible[lines[i].family]) continue;
    detail::AppendLine(lines[i], values[i], style, &out);
  }
  if (!style.final_newline && !out.empty()) out.pop_back();
  return out;
}

}  // namespace vmq::sim
