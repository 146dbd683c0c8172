#include "docs/text_checks.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

#include "common/process.h"
#include "docs/doc_files.h"
#include "docs/shell_commands.h"
#include "textformat/parser.h"

namespace vmq::docs {
namespace {

class SampleNames : public textformat::Handler {
 public:
  void OnSample(const textformat::Sample& sample) override {
    metrics.emplace_back(sample.name);
    for (const textformat::Label& label : sample.labels) labels.emplace_back(label.name);
  }
  std::vector<std::string> metrics;
  std::vector<std::string> labels;
};

}  // namespace

bool DocumentedInMetricsMd(const std::string& name) {
  static const std::string* const metrics_md = new std::string(ReadSourceFile("docs/metrics.md"));
  return metrics_md->find("`" + name + "`") != std::string::npos;
}

Problems CheckJson(const CodeBlock& block) {
  try {
    return nlohmann::json::parse(block.body).is_discarded() ? Problems{"is not valid JSON"}
                                                            : Problems{};
  } catch (const nlohmann::json::exception& error) {
    return {std::string("is not valid JSON: ") + error.what()};
  }
}

Problems CheckMetricsText(const CodeBlock& block) {
  Problems problems;
  SampleNames names;
  const textformat::ParseStats stats = textformat::Parse(block.body, names);
  for (const textformat::LineError& error : stats.errors) {
    problems.push_back("line " + std::to_string(error.line) + " of the block is not valid " +
                       "exposition format: " + error.message);
  }
  if (stats.samples == 0) problems.push_back("holds no metric sample");
  for (const std::string& metric : names.metrics) {
    if (!DocumentedInMetricsMd(metric)) {
      problems.push_back("metric " + metric + " is not documented in docs/metrics.md");
    }
  }
  for (const std::string& label : names.labels) {
    if (!DocumentedInMetricsMd(label)) {
      problems.push_back("label " + label + " is not documented in docs/metrics.md");
    }
  }
  return problems;
}

Problems CheckUsage(const CodeBlock& block, const Marker& marker) {
  const std::string program = vmq::testing::BinaryPath(marker.name);
  if (!std::filesystem::exists(program)) {
    return {"usage of " + marker.name + ": no such program built by this project"};
  }
  std::string help;
  if (vmq::testing::RunCommand({program, "--help"}, &help, std::chrono::seconds(10)) != 0) {
    return {marker.name + " --help failed: " + help};
  }
  Problems problems;
  const std::string printed = CollapseSpace(help);
  std::istringstream lines(block.body);
  std::string line;
  while (std::getline(lines, line)) {
    const std::string wanted = CollapseSpace(line);
    if (!wanted.empty() && printed.find(wanted) == std::string::npos) {
      problems.push_back("\"" + wanted + "\" is not in the output of " + marker.name +
                         " --help:\n" + help);
    }
  }
  return problems;
}

}  // namespace vmq::docs
