#include "sim/page_template.h"

#include <charconv>
#include <stdexcept>

#include "sim/page_data.h"

namespace vmq::sim {
namespace detail {
namespace {

constexpr std::string_view kCapturedPrefix = "vernemq_";
constexpr std::string_view kCapturedNode = "node=\"VerneMQ@127.0.0.1\"";

[[noreturn]] void Reject(std::string_view why, std::string_view line) {
  throw std::invalid_argument(std::string(why) + ": " + std::string(line));
}

std::string_view StripPrefix(std::string_view name, std::string_view line) {
  if (!name.starts_with(kCapturedPrefix)) Reject("name without the vernemq_ prefix", line);
  return name.substr(kCapturedPrefix.size());
}

std::uint64_t ParseValue(std::string_view text, std::string_view line) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) Reject("non-integer value", line);
  return value;
}

TemplateLine ParseComment(std::string_view line, LineKind kind) {
  std::string_view rest = line.substr(7);  // after "# HELP " / "# TYPE "
  auto space = rest.find(' ');
  if (space == std::string_view::npos) Reject("comment without text", line);
  TemplateLine out;
  out.kind = kind;
  out.name = StripPrefix(rest.substr(0, space), line);
  out.text = rest.substr(space + 1);
  return out;
}

TemplateLine ParseSample(std::string_view line) {
  auto open = line.find('{');
  auto value_at = line.rfind(' ');
  if (open == std::string_view::npos || value_at == std::string_view::npos || value_at < open ||
      line[value_at - 1] != '}') {
    Reject("sample without labels and value", line);
  }
  std::string_view labels = line.substr(open + 1, value_at - 1 - (open + 1));
  if (!labels.starts_with(kCapturedNode)) Reject("sample whose first label is not node", line);
  TemplateLine out;
  out.kind = LineKind::kSample;
  out.name = StripPrefix(line.substr(0, open), line);
  out.text = labels.substr(kCapturedNode.size());
  out.idle_value = ParseValue(line.substr(value_at + 1), line);
  return out;
}

TemplateLine ParseLine(std::string_view line) {
  if (line.starts_with("# HELP ")) return ParseComment(line, LineKind::kHelp);
  if (line.starts_with("# TYPE ")) return ParseComment(line, LineKind::kType);
  return ParseSample(line);
}

// Identifies a line independently of its value.
std::string LineKey(const TemplateLine& line) {
  switch (line.kind) {
    case LineKind::kHelp:
      return "# HELP " + line.name;
    case LineKind::kType:
      return "# TYPE " + line.name;
    case LineKind::kSample:
      break;
  }
  return PageTemplate::SampleKey(line);
}

std::optional<std::uint64_t> ParseLe(std::string_view labels) {
  auto at = labels.find("le=\"");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view bound = labels.substr(at + 4);
  bound = bound.substr(0, bound.find('"'));
  if (bound == "+Inf") return std::nullopt;
  std::uint64_t value = 0;
  std::from_chars(bound.data(), bound.data() + bound.size(), value);
  return value;
}

// Histogram samples carry the family name plus _bucket, _count or _sum.
std::optional<std::size_t> FamilyOfSample(const PageTemplate& tmpl, std::string_view name) {
  if (auto family = tmpl.FindFamily(name)) return family;
  for (std::string_view suffix : {"_bucket", "_count", "_sum"}) {
    if (!name.ends_with(suffix)) continue;
    auto family = tmpl.FindFamily(name.substr(0, name.size() - suffix.size()));
    if (family && tmpl.families()[*family].type == "histogram") return family;
  }
  return std::nullopt;
}

}  // namespace
}  // namespace detail

std::string PageTemplate::SampleKey(const TemplateLine& line) {
  if (line.text.empty()) return line.name;
  return line.name + "{" + line.text.substr(1) + "}";
}

PageTemplate PageTemplate::FromPages(std::span<const std::string_view> idle,
                                     std::span<const std::string_view> used) {
  std::unordered_map<std::string, std::uint64_t> idle_values;
  for (std::string_view text : idle) {
    TemplateLine line = detail::ParseLine(text);
    idle_values.emplace(detail::LineKey(line), line.idle_value);
  }

  PageTemplate out;
  std::size_t matched_idle_lines = 0;
  for (std::string_view text : used) {
    TemplateLine line = detail::ParseLine(text);
    auto idle_value = idle_values.find(detail::LineKey(line));
    const bool on_idle_page = idle_value != idle_values.end();
    if (on_idle_page) ++matched_idle_lines;

    if (line.kind != LineKind::kSample) {
      auto [it, added] = out.family_index_.emplace(line.name, out.families_.size());
      if (added) out.families_.push_back(Family{line.name, "", !on_idle_page});
      if (line.kind == LineKind::kType) out.families_[it->second].type = line.text;
      line.family = it->second;
    } else {
      auto family = detail::FamilyOfSample(out, line.name);
      if (!family) detail::Reject("sample before its family's HELP", text);
      line.family = *family;
      if (out.families_[*family].lazy == on_idle_page) {
        detail::Reject("sample and its family disagree about being on the idle page", text);
      }
      line.idle_value = on_idle_page ? idle_value->second : 0;
      out.sample_index_.emplace(SampleKey(line), out.lines_.size());
    }
    out.lines_.push_back(std::move(line));
  }
  if (matched_idle_lines != idle.size()) {
    throw std::invalid_argument("the idle page has lines the used page lacks");
  }
  return out;
}

const PageTemplate& PageTemplate::Vernemq212() {
  static const PageTemplate kTemplate = FromPages(detail::IdlePageLines(), detail::UsedPageLines());
  return kTemplate;
}

std::optional<std::size_t> PageTemplate::FindSample(std::string_view key) const {
  auto it = sample_index_.find(std::string(key));
  if (it == sample_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::size_t> PageTemplate::FindFamily(std::string_view name) const {
  auto it = family_index_.find(std::string(name));
  if (it == family_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<HistogramLines> PageTemplate::FindHistogram(std::string_view family) const {
  auto index = FindFamily(family);
  if (!index || families_[*index].type != "histogram") return std::nullopt;
  HistogramLines out;
  out.family = *index;
  const std::string name(family);
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    const TemplateLine& line = lines_[i];
    if (line.kind != LineKind::kSample || line.family != *index) continue;
    if (line.name == name + "_bucket") out.buckets.emplace_back(i, detail::ParseLe(line.text));
    if (line.name == name + "_count") out.count_line = i;
    if (line.name == name + "_sum") out.sum_line = i;
  }
  return out;
}

}  // namespace vmq::sim
