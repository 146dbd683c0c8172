#include "textformat/comment_line.h"

#include "textformat/scan.h"

namespace vmq::textformat::detail {
namespace {

// Reads the metric name that follows HELP or TYPE.
std::optional<LineFailure> ScanDescribedName(std::string_view line, size_t& pos, bool padded,
                                             std::string_view& name) {
  SkipBlanks(line, pos);
  if (pos == line.size()) return LineFailure("missing metric name after HELP or TYPE");
  const size_t begin = pos;
  name = ScanMetricName(line, pos, padded);
  if (name.empty() || (pos < line.size() && !HasClass(line[pos], kBlank))) {
    size_t end = begin;
    return LineFailure("invalid metric name", ScanUntilBlank(line, end, padded));
  }
  return std::nullopt;
}

std::string_view UnescapeHelp(std::string_view text, std::string& scratch) {
  scratch.clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '\\' || text[i + 1] == 'n')) {
      scratch.push_back(text[i + 1] == 'n' ? '\n' : '\\');
      ++i;
    } else {
      scratch.push_back(text[i]);
    }
  }
  return scratch;
}

std::optional<LineFailure> ParseHelp(std::string_view line, size_t pos, bool has_backslash,
                                     bool padded, Handler& handler, std::string& scratch) {
  std::string_view name;
  if (auto failure = ScanDescribedName(line, pos, padded, name)) return failure;
  SkipBlanks(line, pos);
  const std::string_view text = Slice(line, pos, line.size());
  handler.OnHelp(name, has_backslash ? UnescapeHelp(text, scratch) : text);
  return std::nullopt;
}

std::optional<LineFailure> ParseType(std::string_view line, size_t pos, bool padded,
                                     Handler& handler) {
  std::string_view name;
  if (auto failure = ScanDescribedName(line, pos, padded, name)) return failure;
  SkipBlanks(line, pos);
  const std::string_view type_name = ScanUntilBlank(line, pos, padded);
  if (type_name.empty()) return LineFailure("missing metric type");
  const std::optional<MetricType> type = TypeFromName(type_name);
  if (!type) return LineFailure("unknown metric type", type_name);
  SkipBlanks(line, pos);
  if (pos != line.size()) return LineFailure("unexpected text after metric type", line.substr(pos));
  handler.OnType(name, *type);
  return std::nullopt;
}

}  // namespace

std::optional<MetricType> TypeFromName(std::string_view name) {
  if (name == "counter") return MetricType::kCounter;
  if (name == "gauge") return MetricType::kGauge;
  if (name == "histogram") return MetricType::kHistogram;
  if (name == "summary") return MetricType::kSummary;
  if (name == "untyped") return MetricType::kUntyped;
  return std::nullopt;
}

// Flattened: the cursor its helpers share by reference then lives in a register.
[[gnu::flatten]] std::optional<LineFailure> ParseCommentLine(std::string_view line,
                                                             bool has_backslash, bool padded,
                                                             Handler& handler,
                                                             std::string& scratch) {
  // `# HELP ` and `# TYPE ` as every exporter writes them; what the general path below would
  // find too, sooner.
  if (line.size() > 7 && line[1] == ' ' && line[6] == ' ') {
    const std::string_view keyword = Slice(line, 2, 6);
    if (keyword == "HELP") return ParseHelp(line, 6, has_backslash, padded, handler, scratch);
    if (keyword == "TYPE") return ParseType(line, 6, padded, handler);
  }
  size_t pos = 1;  // past '#'
  SkipBlanks(line, pos);
  const std::string_view keyword = ScanUntilBlank(line, pos, padded);
  if (keyword == "HELP") return ParseHelp(line, pos, has_backslash, padded, handler, scratch);
  if (keyword == "TYPE") return ParseType(line, pos, padded, handler);
  return std::nullopt;
}

}  // namespace vmq::textformat::detail
