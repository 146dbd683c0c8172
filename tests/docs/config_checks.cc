#include "docs/config_checks.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/process.h"

namespace vmq::docs {
namespace {

namespace fs = std::filesystem;

constexpr char kMinimalConfig[] = "targets:\n  - url: http://127.0.0.1:8888/metrics\n";
constexpr char kStandInCa[] =
    "-----BEGIN CERTIFICATE-----\nZG9jcy10ZXN0\n-----END CERTIFICATE-----\n";

// The lines with their common indentation replaced by `indent` spaces.
std::string Reindent(const std::string& text, size_t indent) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  size_t common = std::string::npos;
  for (std::string line; std::getline(in, line);) {
    const size_t first = line.find_first_not_of(' ');
    if (first != std::string::npos) common = std::min(common, first);
    lines.push_back(line);
  }
  std::string out;
  for (const std::string& line : lines) {
    if (line.find_first_not_of(' ') == std::string::npos) {
      out += "\n";
      continue;
    }
    out += std::string(indent, ' ') + line.substr(common) + "\n";
  }
  return out;
}

std::string WithStandInFiles(const std::string& config, const std::string& scratch) {
  static const std::regex kFileKey(
      R"(\b(api_key_file|password_file|ca_file):[ \t]*(["']?)(/[^"'\s#,}\]]+))");
  std::string out;
  auto from = config.cbegin();
  for (std::sregex_iterator it(config.begin(), config.end(), kFileKey), end; it != end; ++it) {
    const std::smatch& match = *it;
    const fs::path stand_in = fs::path(scratch) / fs::path(match[3].str()).relative_path();
    fs::create_directories(stand_in.parent_path());
    std::ofstream(stand_in) << (match[1] == "ca_file" ? kStandInCa : "docs-test-secret\n");
    out.append(from, match[3].first);
    out += stand_in.string();
    from = match[3].second;
  }
  out.append(from, config.cend());
  return out;
}

}  // namespace

std::string ConfigUnderCheck(const CodeBlock& block, BlockKind kind, const std::string& scratch) {
  std::string config = block.body;
  if (kind == BlockKind::kConfigFragment) config = kMinimalConfig + Reindent(block.body, 0);
  if (kind == BlockKind::kTargetFragment) config = kMinimalConfig + Reindent(block.body, 4);
  return WithStandInFiles(config, scratch);
}

Problems CheckConfigBlock(const CodeBlock& block, const Classification& classification) {
  vmq::testing::TempDir dir;
  const std::string config = ConfigUnderCheck(block, classification.kind, dir.path() + "/files");
  const std::string file = dir.Write("config.yaml", config);
  std::string output;
  const int status = vmq::testing::RunCommand({vmq::testing::BinaryPath("vernemq-pubcomp-exporter"),
                                               "--config.check", "--config.file=" + file},
                                              &output, std::chrono::seconds(10));
  if (classification.kind == BlockKind::kInvalidConfig) {
    const std::string& expected = classification.marker.texts.front();
    if (status == 2 && output.find(expected) != std::string::npos) return {};
    return {"the exporter should refuse this config (status 2) with \"" + expected +
            "\", but --config.check exited " + std::to_string(status) + ": " + output};
  }
  if (status == 0) return {};
  std::string problem =
      "vernemq-pubcomp-exporter --config.check exited " + std::to_string(status) + ": " + output;
  if (config != block.body) problem += "checked as:\n" + config;
  return {problem};
}

}  // namespace vmq::docs
