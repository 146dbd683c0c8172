#include "docs/marker.h"

namespace vmq::docs {
namespace {

constexpr char kForms[] =
    "use one of: fragment of config.yaml | fragment of a target | invalid, error \"TEXT\" | "
    "same as PATH | covered-by tests/PATH [`PART`...] | not-run: REASON | scratch /PREFIX/... | "
    "expr of ALERT in PATH | usage of PROGRAM";

std::string_view Trim(std::string_view text) {
  const size_t first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(' ') - first + 1);
}

bool Consume(std::string_view* text, std::string_view prefix) {
  if (!text->starts_with(prefix)) return false;
  text->remove_prefix(prefix.size());
  *text = Trim(*text);
  return true;
}

std::string_view NextWord(std::string_view* text) {
  const size_t end = text->find(' ');
  const std::string_view word = text->substr(0, end);
  text->remove_prefix(end == std::string_view::npos ? text->size() : end);
  *text = Trim(*text);
  return word;
}

// `a` "b" ... : the quoted strings, in order; nullopt when anything else is there.
std::optional<std::vector<std::string>> QuotedTexts(std::string_view text) {
  std::vector<std::string> texts;
  text = Trim(text);
  while (!text.empty()) {
    const char quote = text.front();
    if (quote != '`' && quote != '"') return std::nullopt;
    const size_t end = text.find(quote, 1);
    if (end == std::string_view::npos || end == 1) return std::nullopt;
    texts.emplace_back(text.substr(1, end - 1));
    text = Trim(text.substr(end + 1));
  }
  return texts;
}

Marker Of(MarkerKind kind, std::string path = "", std::string name = "",
          std::vector<std::string> texts = {}, std::string reason = "") {
  Marker marker;
  marker.kind = kind;
  marker.path = std::move(path);
  marker.name = std::move(name);
  marker.texts = std::move(texts);
  marker.reason = std::move(reason);
  return marker;
}

std::optional<Marker> Fail(std::string* error, const std::string& what) {
  *error = what + "; " + kForms;
  return std::nullopt;
}

std::optional<Marker> ParseCoveredBy(std::string_view rest, std::string* error) {
  Marker marker = Of(MarkerKind::kCoveredBy);
  marker.path = std::string(NextWord(&rest));
  if (!marker.path.starts_with("tests/") && !marker.path.starts_with(".ci/")) {
    return Fail(error, "covered-by must name a test (under tests/, or CI under .ci/), not \"" +
                           marker.path + "\"");
  }
  const auto parts = QuotedTexts(rest);
  if (!parts) return Fail(error, "covered-by parts must be in `backticks` or \"quotes\"");
  marker.texts = *parts;
  return marker;
}

std::optional<Marker> ParseScratch(std::string_view rest, std::string* error) {
  Marker marker = Of(MarkerKind::kScratch);
  while (!rest.empty()) {
    const std::string prefix(NextWord(&rest));
    if (!prefix.starts_with('/') || !prefix.ends_with('/') || prefix == "/") {
      return Fail(error, "scratch takes absolute folders such as /tmp/, not \"" + prefix + "\"");
    }
    marker.texts.push_back(prefix);
  }
  if (marker.texts.empty()) return Fail(error, "scratch needs at least one folder");
  return marker;
}

std::optional<Marker> ParseExprOf(std::string_view rest, std::string* error) {
  Marker marker = Of(MarkerKind::kExprOf);
  marker.name = std::string(NextWord(&rest));
  if (marker.name.empty() || !Consume(&rest, "in ") || rest.empty()) {
    return Fail(error, "expr of needs an alert and a rule file");
  }
  marker.path = std::string(NextWord(&rest));
  return marker;
}

}  // namespace

std::optional<Marker> ParseMarker(std::string_view text, std::string* error) {
  text = Trim(text);
  if (text.empty()) return Marker{};
  if (text == "fragment of config.yaml") return Of(MarkerKind::kFragmentOfConfig);
  if (text == "fragment of a target") return Of(MarkerKind::kFragmentOfTarget);
  std::string_view rest = text;
  if (Consume(&rest, "invalid, error ")) {
    const auto texts = QuotedTexts(rest);
    if (!texts || texts->size() != 1) return Fail(error, "invalid needs one quoted error");
    return Of(MarkerKind::kInvalid, "", "", *texts);
  }
  if (Consume(&rest, "same as ") && !rest.empty()) {
    return Of(MarkerKind::kSameAs, std::string(rest));
  }
  if (Consume(&rest, "covered-by ")) return ParseCoveredBy(rest, error);
  if (Consume(&rest, "not-run:")) {
    if (rest.empty()) return Fail(error, "not-run needs a reason");
    return Of(MarkerKind::kNotRun, "", "", {}, std::string(rest));
  }
  if (Consume(&rest, "scratch ")) return ParseScratch(rest, error);
  if (Consume(&rest, "expr of ")) return ParseExprOf(rest, error);
  if (Consume(&rest, "usage of ") && !rest.empty()) {
    return Of(MarkerKind::kUsageOf, "", std::string(rest));
  }
  return Fail(error, "unknown docs-test marker \"" + std::string(text) + "\"");
}

}  // namespace vmq::docs
