#include "alerting/rule_file.h"

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alerting/promql.h"

namespace vmq::alerting {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

constexpr char kHeader[] =
    "Prometheus alerting rules for vernemq-pubcomp-exporter, generated from the alerts:\n"
    "section of its configuration by\n"
    "  vernemq-pubcomp-exporter --alerts.print-rules --config.file=config.yaml\n"
    "Do not edit: change the configuration and regenerate. docs/alerts.md explains the rules.";

struct Rule {
  std::string alert;
  std::string expr;
  std::optional<std::string> for_duration;
  Pairs labels;
  Pairs annotations;
};

void EmitPairs(YAML::Emitter& out, const char* key, const Pairs& pairs) {
  out << YAML::Key << key << YAML::Value << YAML::BeginMap;
  for (const auto& [name, value] : pairs) {
    out << YAML::Key << name << YAML::Value << YAML::DoubleQuoted << value;
  }
  out << YAML::EndMap;
}

void EmitRule(YAML::Emitter& out, const Rule& rule) {
  out << YAML::BeginMap;
  out << YAML::Key << "alert" << YAML::Value << rule.alert;
  out << YAML::Key << "expr" << YAML::Value << YAML::Literal << rule.expr;
  if (rule.for_duration) out << YAML::Key << "for" << YAML::Value << *rule.for_duration;
  EmitPairs(out, "labels", rule.labels);
  EmitPairs(out, "annotations", rule.annotations);
  out << YAML::EndMap;
}

void EmitGroup(YAML::Emitter& out, const std::string& name, const std::vector<Rule>& rules) {
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name;
  out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
  for (const Rule& rule : rules) EmitRule(out, rule);
  out << YAML::EndSeq << YAML::EndMap;
}

// What the count in {{ $value }} is worth: the coverage of the window when Prometheus
// evaluated the rule, read with the template's own query so that the notification carries it.
std::string CoverageAnnotation(const std::string& window) {
  return "{{ with printf \"vmq_window_coverage_ratio{job=%q, instance=%q, target=%q, "
         "window=%q}\" $labels.job $labels.instance $labels.target \"" +
         window +
         "\" | query }}{{ . | first | value | humanizePercentage }}{{ else }}An unknown "
         "share{{ end }} of the last " +
         window +
         " was covered by successful polls. Below 100% the count is a lower bound: events "
         "the exporter could not place in the window are not in it, so the alert is certain "
         "but the true count may be higher.";
}

// `extra` goes between the description and the runbook link.
Pairs Annotations(const config::AlertSettings& alerts, const std::string& alert,
                  std::string summary, std::string description, Pairs extra = {}) {
  Pairs annotations = {{"summary", std::move(summary)}, {"description", std::move(description)}};
  for (auto& pair : extra) annotations.push_back(std::move(pair));
  if (!alerts.runbook_url.empty()) {
    annotations.push_back({"runbook_url", alerts.runbook_url + alert + ".md"});
  }
  return annotations;
}

Rule SignalRule(const config::AlertSettings& alerts, const config::AlertRule& rule,
                const std::string& severity, std::string expr) {
  return Rule{rule.alert,
              std::move(expr),
              std::nullopt,
              {{"severity", severity}, {"component", "VerneMQ"}, {"signal", rule.signal}},
              Annotations(alerts, rule.alert, rule.summary, rule.description,
                          {{"coverage", CoverageAnnotation(alerts.window.text)}})};
}

std::vector<Rule> SignalRules(const config::AlertSettings& alerts) {
  std::vector<Rule> rules;
  for (const config::AlertRule& rule : alerts.rules) {
    rules.push_back(
        SignalRule(alerts, rule, rule.severity, detail::RaisedExpr(rule, alerts.window.text)));
    if (rule.critical_above) {
      rules.push_back(
          SignalRule(alerts, rule, "critical", detail::CriticalExpr(rule, alerts.window.text)));
    }
  }
  return rules;
}

Rule HealthRule(const config::AlertSettings& alerts, std::string alert, std::string expr,
                std::optional<std::string> for_duration, std::string summary,
                std::string description) {
  Pairs annotations = Annotations(alerts, alert, std::move(summary), std::move(description));
  return Rule{std::move(alert),
              std::move(expr),
              std::move(for_duration),
              {{"severity", "warning"}, {"component", "VerneMQ"}},
              std::move(annotations)};
}

std::vector<Rule> HealthRules(const config::Config& config) {
  const config::AlertSettings& alerts = config.alerts;
  const std::string down_for = config::FormatDuration(alerts.target_down_for);
  const Millis stale_after = config.poll.interval * alerts.stale_after_intervals;
  const std::string stale_seconds = detail::FormatSeconds(stale_after);
  std::vector<Rule> rules;
  rules.push_back(HealthRule(
      alerts, "VerneMQTargetDown", detail::TargetDownExpr(), down_for,
      "VerneMQ target {{ $labels.target }} is down",
      "{{ $labels.instance }} has not fetched a VerneMQ page from target {{ $labels.target }} "
      "for more than " +
          down_for +
          ". The PUBCOMP alerts of this target cannot fire meanwhile; "
          "vmq_target_poll_errors_total tells by reason why its polls fail."));
  rules.push_back(HealthRule(
      alerts, "VerneMQExporterStale", detail::StaleExpr(stale_seconds), std::nullopt,
      "vernemq-pubcomp-exporter stopped polling {{ $labels.target }}",
      "{{ $labels.instance }} reports target {{ $labels.target }} up, but its last successful "
      "poll was {{ $value | humanizeDuration }} before the scrape, more than " +
          std::to_string(alerts.stale_after_intervals) + " poll intervals (" + stale_seconds +
          "s). Its window counts and alert states are not being updated."));
  rules.push_back(HealthRule(
      alerts, "VerneMQTargetNotVerneMQ", detail::NotVerneMQExpr(kNotVerneMQRange), std::nullopt,
      "Target {{ $labels.target }} does not serve VerneMQ metrics",
      "{{ $labels.instance }} fetched a metrics page without any VerneMQ metric family from "
      "target {{ $labels.target }} in the last " +
          std::string(kNotVerneMQRange) +
          ". Check that the target's url points at VerneMQ's HTTP listener "
          "(listener.http.default, /metrics on port 8888 by default)."));
  return rules;
}

}  // namespace

std::string RenderRuleFile(const config::Config& config) {
  YAML::Emitter out;
  out.SetIndent(2);
  out << YAML::Comment(kHeader) << YAML::Newline;
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
  EmitGroup(out, kSignalGroup, SignalRules(config.alerts));
  EmitGroup(out, kHealthGroup, HealthRules(config));
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace vmq::alerting
