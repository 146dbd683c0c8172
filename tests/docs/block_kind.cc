#include "docs/block_kind.h"

#include <yaml-cpp/yaml.h>

#include <regex>
#include <set>
#include <vector>

#include "docs/shell_commands.h"

namespace vmq::docs {
namespace {

const std::set<std::string> kConfigKeys = {"targets", "poll", "windows", "signals", "alerts"};
const std::set<std::string> kTargetKeys = {"url", "name", "api_key_file", "basic_auth", "tls"};
// Programs whose appearance at the start of an untagged block means it is a command someone
// will copy, which must then be tagged so that it is checked.
const std::set<std::string> kCommandWords = {"vernemq-pubcomp-exporter",
                                             "build/bin/vernemq-pubcomp-exporter",
                                             "vmq-sim",
                                             "make",
                                             "curl",
                                             "docker",
                                             "kubectl",
                                             "systemctl",
                                             "promtool",
                                             "amtool",
                                             "jq",
                                             "vmq-admin",
                                             "sudo"};

Classification Unchecked(const Marker& marker, const std::string& problem) {
  return {BlockKind::kUnchecked, marker, problem};
}

std::set<std::string> TopLevelKeys(const YAML::Node& document) {
  std::set<std::string> keys;
  if (!document.IsMap()) return keys;
  for (const auto& entry : document) {
    if (entry.first.IsScalar()) keys.insert(entry.first.Scalar());
  }
  return keys;
}

bool HasAny(const std::set<std::string>& keys, const std::set<std::string>& wanted) {
  for (const std::string& key : keys) {
    if (wanted.contains(key)) return true;
  }
  return false;
}

Classification ClassifyYaml(const CodeBlock& block, const Marker& marker) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(block.body);
  } catch (const YAML::Exception& error) {
    return Unchecked(marker, std::string("does not parse as YAML: ") + error.what());
  }
  switch (marker.kind) {
    case MarkerKind::kFragmentOfConfig:
      return {BlockKind::kConfigFragment, marker, ""};
    case MarkerKind::kFragmentOfTarget:
      return {BlockKind::kTargetFragment, marker, ""};
    case MarkerKind::kInvalid:
      return {BlockKind::kInvalidConfig, marker, ""};
    case MarkerKind::kNone:
    case MarkerKind::kSameAs:
      break;
    default:
      return Unchecked(marker, "this marker does not apply to a yaml block");
  }
  const std::set<std::string> keys =
      documents.empty() ? std::set<std::string>{} : TopLevelKeys(documents.front());
  if (keys.contains("targets")) return {BlockKind::kExporterConfig, marker, ""};
  if (HasAny(keys, kConfigKeys)) {
    return Unchecked(marker,
                     "looks like part of an exporter config but has no targets:; mark it "
                     "<!-- docs-test: fragment of config.yaml --> to check it merged into a "
                     "minimal config, or <!-- docs-test: invalid, error \"...\" -->");
  }
  if (HasAny(keys, kTargetKeys)) {
    return Unchecked(marker,
                     "looks like part of a targets: entry; mark it "
                     "<!-- docs-test: fragment of a target -->");
  }
  if (keys.contains("groups")) return {BlockKind::kPrometheusRules, marker, ""};
  if (keys.contains("scrape_configs") || keys.contains("rule_files")) {
    return {BlockKind::kPrometheusConfig, marker, ""};
  }
  if (keys.contains("route")) return {BlockKind::kAlertmanagerConfig, marker, ""};
  if (keys.contains("apiVersion")) return {BlockKind::kKubernetes, marker, ""};
  if (keys.contains("nodes")) return {BlockKind::kScenario, marker, ""};
  return {BlockKind::kOtherYaml, marker, ""};
}

bool LooksLikeMetricsText(const std::string& body) {
  static const std::regex kSample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+]?([0-9][0-9.eE+-]*|Inf|NaN)( [0-9]+)?$)");
  static const std::regex kVmqLine(R"((^|\n)vmq_[a-z0-9_]*[{ ])");
  if (std::regex_search(body, kVmqLine)) return true;
  bool any = false;
  size_t start = 0;
  while (start < body.size()) {
    const size_t end = body.find('\n', start);
    const std::string line = body.substr(start, end - start);
    start = end == std::string::npos ? body.size() : end + 1;
    if (line.empty() || line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    if (!std::regex_match(line, kSample)) return false;
    any = true;
  }
  return any;
}

Classification ClassifyText(const CodeBlock& block, const Marker& marker) {
  if (marker.kind == MarkerKind::kUsageOf) return {BlockKind::kUsage, marker, ""};
  if (marker.kind != MarkerKind::kNone) {
    return Unchecked(marker, "this marker does not apply to a text block");
  }
  if (LooksLikeMetricsText(block.body)) return {BlockKind::kMetricsText, marker, ""};
  const std::vector<std::string> lines = CommandLines(block.body);
  const std::vector<SimpleCommand> first =
      lines.empty() ? std::vector<SimpleCommand>{} : SimpleCommands(lines.front());
  if (block.body.starts_with("$ ") ||
      (!first.empty() && kCommandWords.contains(first.front().program))) {
    return Unchecked(marker,
                     "an untagged block that starts with a command; tag it ```sh so that it is "
                     "run or covered, or mark a synopsis <!-- docs-test: usage of PROGRAM -->");
  }
  return {BlockKind::kText, marker, ""};
}

Classification ClassifyByLanguage(const CodeBlock& block, const Marker& marker) {
  const std::string& language = block.language;
  if (language == "yaml" || language == "yml") return ClassifyYaml(block, marker);
  if (language == "sh" || language == "bash" || language == "shell" || language == "console") {
    const bool shell_marker = marker.kind == MarkerKind::kNone ||
                              marker.kind == MarkerKind::kCoveredBy ||
                              marker.kind == MarkerKind::kScratch;
    if (!shell_marker) return Unchecked(marker, "this marker does not apply to a shell block");
    return {BlockKind::kShell, marker, ""};
  }
  if (language == "promql") {
    if (marker.kind != MarkerKind::kNone && marker.kind != MarkerKind::kExprOf) {
      return Unchecked(marker, "this marker does not apply to a promql block");
    }
    return {BlockKind::kPromql, marker, ""};
  }
  if (language == "json") {
    if (marker.kind != MarkerKind::kNone) return Unchecked(marker, "json blocks take no marker");
    return {BlockKind::kJson, marker, ""};
  }
  if (language.empty() || language == "text") return ClassifyText(block, marker);
  return Unchecked(marker, "```" + language +
                               " blocks are not checked by tests/docs; use yaml, sh, console, "
                               "promql, json or text, or mark the block "
                               "<!-- docs-test: not-run: REASON -->");
}

}  // namespace

Classification Classify(const CodeBlock& block) {
  std::string error;
  const std::optional<Marker> marker = ParseMarker(block.marker, &error);
  if (!marker) return Unchecked(Marker{}, error);
  if (marker->kind == MarkerKind::kNotRun) return {BlockKind::kNotRun, *marker, ""};
  return ClassifyByLanguage(block, *marker);
}

bool IsYamlConfigKind(BlockKind kind) {
  return kind == BlockKind::kExporterConfig || kind == BlockKind::kConfigFragment ||
         kind == BlockKind::kTargetFragment || kind == BlockKind::kInvalidConfig;
}

}  // namespace vmq::docs
