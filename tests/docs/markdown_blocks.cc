#include "docs/markdown_blocks.h"

#include <optional>

namespace vmq::docs {
namespace {

constexpr std::string_view kMarkerStart = "<!-- docs-test:";
constexpr std::string_view kMarkerEnd = "-->";

struct Fence {
  size_t indent = 0;
  char character = '`';
  size_t length = 0;
  std::string info;
};

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string_view Trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

std::optional<Fence> OpeningFence(std::string_view line) {
  Fence fence;
  fence.indent = line.find_first_not_of(' ');
  if (fence.indent == std::string_view::npos) return std::nullopt;
  fence.character = line[fence.indent];
  if (fence.character != '`' && fence.character != '~') return std::nullopt;
  const size_t end = line.find_first_not_of(fence.character, fence.indent);
  fence.length = (end == std::string_view::npos ? line.size() : end) - fence.indent;
  if (fence.length < 3) return std::nullopt;
  const std::string_view info = Trim(line.substr(fence.indent + fence.length));
  if (fence.character == '`' && info.find('`') != std::string_view::npos) return std::nullopt;
  fence.info = std::string(info.substr(0, info.find_first_of(" \t{")));
  return fence;
}

bool ClosesFence(std::string_view line, const Fence& fence) {
  const std::string_view trimmed = Trim(line);
  return trimmed.size() >= fence.length &&
         trimmed.find_first_not_of(fence.character) == std::string_view::npos;
}

std::string RemoveIndent(std::string_view line, size_t indent) {
  size_t removed = 0;
  while (removed < indent && removed < line.size() && line[removed] == ' ') ++removed;
  return std::string(line.substr(removed));
}

bool IsMarker(std::string_view line) { return Trim(line).starts_with(kMarkerStart); }

// What a marker line says, or "" when it is not a well-formed marker.
std::string MarkerText(std::string_view line) {
  const std::string_view trimmed = Trim(line);
  if (!trimmed.starts_with(kMarkerStart) || !trimmed.ends_with(kMarkerEnd)) return "";
  const std::string_view inner =
      trimmed.substr(kMarkerStart.size(), trimmed.size() - kMarkerStart.size() - kMarkerEnd.size());
  return std::string(Trim(inner));
}

}  // namespace

ScanResult ScanMarkdown(std::string_view text, const std::string& file) {
  ScanResult result;
  const std::vector<std::string_view> lines = SplitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::optional<Fence> fence = OpeningFence(lines[i]);
    if (!fence) {
      const bool before_fence = i + 1 < lines.size() && OpeningFence(lines[i + 1]).has_value();
      if (IsMarker(lines[i]) && !before_fence) {
        result.problems.push_back(
            file + ":" + std::to_string(i + 1) +
            ": docs-test marker is not on the line right before a code fence");
      } else if (IsMarker(lines[i]) && MarkerText(lines[i]).empty()) {
        result.problems.push_back(file + ":" + std::to_string(i + 1) +
                                  ": docs-test marker must be one line: <!-- docs-test: ... -->");
      }
      continue;
    }
    CodeBlock block{file, static_cast<int>(i + 1), fence->info, "", ""};
    if (i > 0 && IsMarker(lines[i - 1])) block.marker = MarkerText(lines[i - 1]);
    size_t end = i + 1;
    while (end < lines.size() && !ClosesFence(lines[end], *fence)) {
      block.body += RemoveIndent(lines[end], fence->indent) + "\n";
      ++end;
    }
    if (end == lines.size()) {
      result.problems.push_back(Where(block) + ": code fence is never closed");
      break;
    }
    result.blocks.push_back(std::move(block));
    i = end;
  }
  return result;
}

std::string Where(const CodeBlock& block) { return block.file + ":" + std::to_string(block.line); }

}  // namespace vmq::docs
