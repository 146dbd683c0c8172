#include "docs/promql_checks.h"

#include <yaml-cpp/yaml.h>

#include <regex>
#include <set>
#include <sstream>

#include "common/process.h"
#include "docs/doc_files.h"
#include "docs/text_checks.h"

namespace vmq::docs {
namespace {

std::string WithoutSpace(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c != ' ' && c != '\n' && c != '\t') out += c;
  }
  return out;
}

Problems CheckParses(const std::string& expression) {
  std::string rules =
      "groups:\n  - name: docs\n    rules:\n      - record: docs_test:expr\n"
      "        expr: |\n";
  std::istringstream lines(expression);
  for (std::string line; std::getline(lines, line);) rules += "          " + line + "\n";
  vmq::testing::TempDir dir;
  std::string output;
  const int status =
      vmq::testing::RunCommand({"promtool", "check", "rules", dir.Write("rules.yml", rules)},
                               &output, std::chrono::seconds(15));
  if (status == 0) return {};
  return {"promtool does not accept the expression: " + output};
}

Problems CheckMetricsDocumented(const std::string& expression) {
  static const std::regex kMetric(R"(\bvmq_[a-z0-9_]+)");
  std::set<std::string> names;
  for (std::sregex_iterator it(expression.begin(), expression.end(), kMetric), end; it != end;
       ++it) {
    names.insert(it->str());
  }
  Problems problems;
  for (const std::string& name : names) {
    if (!DocumentedInMetricsMd(name)) {
      problems.push_back("metric " + name + " is not documented in docs/metrics.md");
    }
  }
  return problems;
}

Problems CheckIsAlertExpression(const std::string& expression, const Marker& marker) {
  bool ok = false;
  const std::string file = ReadSourceFile(marker.path, &ok);
  if (!ok) return {"expr of: no rule file " + marker.path};
  std::vector<std::string> expressions;
  for (const YAML::Node& group : YAML::Load(file)["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      if (rule["alert"] && rule["alert"].as<std::string>() == marker.name) {
        expressions.push_back(rule["expr"].as<std::string>());
      }
    }
  }
  if (expressions.empty()) return {"expr of: " + marker.path + " has no alert " + marker.name};
  for (const std::string& rule_expression : expressions) {
    if (WithoutSpace(rule_expression) == WithoutSpace(expression)) return {};
  }
  return {"is not the expression of " + marker.name + " in " + marker.path + ", which is:\n" +
          expressions.front()};
}

}  // namespace

Problems CheckPromql(const CodeBlock& block, const Marker& marker) {
  Problems problems = CheckParses(block.body);
  for (std::string& problem : CheckMetricsDocumented(block.body)) {
    problems.push_back(std::move(problem));
  }
  if (marker.kind == MarkerKind::kExprOf) {
    for (std::string& problem : CheckIsAlertExpression(block.body, marker)) {
      problems.push_back(std::move(problem));
    }
  }
  return problems;
}

}  // namespace vmq::docs
