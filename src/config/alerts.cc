#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/names.h"
#include "config/sections.h"
#include "config/values.h"

namespace vmq::config::detail {
namespace {

constexpr char kRuleShape[] =
    "a map with alert: and optional signal:, raise_above:, hold_above:, critical_above:, "
    "severity:, summary:, description:";
constexpr Millis kDefaultWindow{60'000};  // Netdata's VerneMQ alerts look at the last minute

// A rule plus where its values were written, so that a check comparing two values can blame
// the one the user wrote.
struct ParsedRule {
  AlertRule rule;
  Node alert_node;
  std::optional<Node> raise_above;
  std::optional<Node> hold_above;
  std::optional<Node> critical_above;
  std::optional<Node> severity;
};

std::optional<uint64_t> WholeNumber(const std::string& text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

uint64_t CountValue(const Node& node) {
  const std::string text = node.Scalar("a whole number of events such as 5");
  const std::optional<uint64_t> value = WholeNumber(text);
  if (!value) {
    node.Fail(node.path() + " \"" + text +
              "\" must be a whole number of events (0 or more), such as 5");
  }
  return *value;
}

std::string JoinWindows(const std::vector<Window>& windows) {
  std::string joined;
  for (const Window& window : windows) joined += (joined.empty() ? "" : ", ") + window.text;
  return joined;
}

// The configured window as long as `node` says, so that the `window` label the rules select
// is spelt exactly as the exporter exports it.
Window ParseAlertWindow(const std::optional<Node>& node, const std::vector<Window>& windows) {
  const Millis length = node ? DurationValue(*node) : kDefaultWindow;
  const auto same = std::find_if(windows.begin(), windows.end(),
                                 [&](const Window& window) { return window.length == length; });
  if (same != windows.end()) return *same;
  if (!node) return windows.front();  // no 1m window: the shortest one, as documented
  node->Fail("alerts.window (" + node->yaml().Scalar() +
             ") is not one of the configured windows (" + JoinWindows(windows) +
             "); use one of them or add it to windows:");
}

std::string ParseRunbookUrl(const Node& node) {
  const std::string url = node.Scalar("a URL such as https://example.com/runbooks/");
  if (url.empty() || url.find_first_of(" \t\r\n") != std::string::npos) {
    node.Fail(node.path() + " \"" + url +
              "\" must be a URL without spaces; the alert name and .md are appended to it");
  }
  return url;
}

uint64_t ParseStaleIntervals(const Node& node) {
  const std::string text = node.Scalar("a whole number of poll intervals such as 3");
  const std::optional<uint64_t> value = WholeNumber(text);
  if (!value || *value < 2) {
    node.Fail(node.path() + " \"" + text +
              "\" must be a whole number of poll intervals, at least 2 (a healthy poll can "
              "finish up to interval + timeout after the previous one)");
  }
  return *value;
}

std::string ParseAlertName(const Node& node) {
  std::string name = node.Scalar("an alert name");
  if (!IsMetricName(name)) {
    node.Fail(node.path() + " \"" + name +
              "\" is not a valid alert name; use letters, digits, _ and :, not starting with a "
              "digit, such as VerneMQPubcompUnexpected");
  }
  if (std::find(std::begin(kHealthAlertNames), std::end(kHealthAlertNames), name) !=
      std::end(kHealthAlertNames)) {
    node.Fail(node.path() + " \"" + name +
              "\" is the name of a built-in exporter health alert; choose another name");
  }
  return name;
}

std::string ParseAlertSignal(const Node& node, const std::vector<Signal>& signals) {
  std::string name = node.Scalar("a signal name");
  const bool known = std::any_of(signals.begin(), signals.end(),
                                 [&](const Signal& signal) { return signal.name == name; });
  if (!known) {
    std::string names;
    for (const Signal& signal : signals) names += (names.empty() ? "" : ", ") + signal.name;
    node.Fail(node.path() + " \"" + name + "\" is not a configured signal; use one of " + names +
              ", or add it under signals:");
  }
  return name;
}

std::string ParseSeverity(const Node& node) {
  std::string severity = node.Scalar("a severity such as warning");
  const bool valid = !severity.empty() && std::all_of(severity.begin(), severity.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  if (!valid) {
    node.Fail(node.path() + " \"" + severity +
              "\" must be a severity made of lowercase letters, digits, _ and -, such as warning");
  }
  return severity;
}

std::string ParseText(const Node& node) {
  std::string text = node.Scalar("a text");
  if (text.empty()) node.Fail(node.path() + " is empty; write a text or remove the key");
  return text;
}

// Texts for an alert on a signal the exporter knows nothing about beyond its name.
void SetGenericTexts(const Window& window, AlertRule* rule) {
  rule->summary = rule->signal + " is high on VerneMQ node {{ $labels.node }}";
  rule->description = "{{ $value }} counted by " + rule->signal +
                      " on node {{ $labels.node }} (target {{ $labels.target }}, mqtt_version "
                      "{{ $labels.mqtt_version }}) in the last " +
                      window.text + ".";
}

// "5" as written, or "5, the default" when taken from the built-in rule.
std::string Describe(const std::optional<Node>& node, uint64_t value) {
  if (node) return node->yaml().Scalar();
  return std::to_string(value) + ", the default";
}

void CheckThresholds(const ParsedRule& parsed) {
  const AlertRule& rule = parsed.rule;
  if (rule.hold_above > rule.raise_above) {
    // The defaults are consistent, so at least one of the two was written.
    if (parsed.hold_above) {
      parsed.hold_above->Fail(
          parsed.hold_above->path() + " (" + parsed.hold_above->yaml().Scalar() +
          ") must not be above raise_above (" + Describe(parsed.raise_above, rule.raise_above) +
          "); a raised alert holds while the count stays above hold_above");
    }
    parsed.raise_above->Fail(
        parsed.raise_above->path() + " (" + parsed.raise_above->yaml().Scalar() +
        ") must not be below hold_above (" + Describe(parsed.hold_above, rule.hold_above) +
        "); a raised alert holds while the count stays above hold_above");
  }
  if (rule.critical_above && *rule.critical_above <= rule.raise_above) {
    parsed.critical_above->Fail(
        parsed.critical_above->path() + " (" + std::to_string(*rule.critical_above) +
        ") must be above raise_above (" + Describe(parsed.raise_above, rule.raise_above) +
        "); raise it or remove critical_above");
  }
  if (rule.critical_above && rule.severity == "critical") {
    parsed.severity->Fail(parsed.severity->path() +
                          " \"critical\" is the severity of the critical_above alert; use another "
                          "severity such as warning, or remove critical_above");
  }
}

// The built-in rule of that name with its signal possibly replaced, or a new rule on the
// signal the map names.
AlertRule BaseRule(const Map& map, std::string alert, const std::vector<AlertRule>& defaults,
                   const std::vector<Signal>& signals, const Window& window) {
  const auto built_in = std::find_if(defaults.begin(), defaults.end(),
                                     [&](const AlertRule& r) { return r.alert == alert; });
  if (built_in != defaults.end()) {
    AlertRule rule = *built_in;
    if (const auto signal = map.Get("signal")) rule.signal = ParseAlertSignal(*signal, signals);
    return rule;
  }
  AlertRule rule;
  rule.alert = std::move(alert);
  rule.signal = ParseAlertSignal(
      map.Require("signal", "a new alert needs signal: with the name of a configured signal"),
      signals);
  SetGenericTexts(window, &rule);
  return rule;
}

ParsedRule ParseRule(const Node& node, const std::vector<AlertRule>& defaults,
                     const std::vector<Signal>& signals, const Window& window) {
  const Map map =
      node.FixedMap(kRuleShape, {"alert", "signal", "raise_above", "hold_above", "critical_above",
                                 "severity", "summary", "description"});
  ParsedRule parsed{AlertRule{},
                    map.Require("alert", "add alert: with the alert name"),
                    map.Get("raise_above"),
                    map.Get("hold_above"),
                    map.Get("critical_above"),
                    map.Get("severity")};
  AlertRule& rule = parsed.rule;
  rule = BaseRule(map, ParseAlertName(parsed.alert_node), defaults, signals, window);
  if (parsed.raise_above) rule.raise_above = CountValue(*parsed.raise_above);
  if (parsed.hold_above) rule.hold_above = CountValue(*parsed.hold_above);
  if (parsed.critical_above && !parsed.critical_above->IsNull()) {
    rule.critical_above = CountValue(*parsed.critical_above);
  }
  if (parsed.severity) rule.severity = ParseSeverity(*parsed.severity);
  if (const auto summary = map.Get("summary")) rule.summary = ParseText(*summary);
  if (const auto description = map.Get("description")) rule.description = ParseText(*description);
  CheckThresholds(parsed);
  return parsed;
}

void AddOrReplace(AlertRule rule, std::vector<AlertRule>* rules) {
  const auto same_name = std::find_if(rules->begin(), rules->end(),
                                      [&](const AlertRule& r) { return r.alert == rule.alert; });
  if (same_name != rules->end()) {
    *same_name = std::move(rule);
  } else {
    rules->push_back(std::move(rule));
  }
}

std::vector<AlertRule> ParseRules(const std::optional<Node>& node,
                                  const std::vector<Signal>& signals, const Window& window) {
  std::vector<AlertRule> rules = DefaultAlertRules(window.text);
  if (!node || node->IsNull()) return rules;
  const std::vector<Node> items = node->List(std::string("a list of alerts, each ") + kRuleShape);
  std::vector<ParsedRule> configured;
  for (const Node& item : items) {
    ParsedRule next = ParseRule(item, rules, signals, window);
    for (const ParsedRule& earlier : configured) {
      if (earlier.rule.alert == next.rule.alert) {
        next.alert_node.Fail(next.alert_node.path() + " \"" + next.rule.alert +
                             "\" is already used by " + earlier.alert_node.path() + " (line " +
                             std::to_string(earlier.alert_node.position().line) +
                             "); alert names must be unique");
      }
    }
    configured.push_back(std::move(next));
  }
  for (ParsedRule& parsed : configured) AddOrReplace(std::move(parsed.rule), &rules);
  return rules;
}

}  // namespace

AlertSettings ParseAlerts(const std::optional<Node>& node, const std::vector<Window>& windows,
                          const std::vector<Signal>& signals) {
  AlertSettings settings;
  if (!node || node->IsNull()) {
    settings.window = ParseAlertWindow(std::nullopt, windows);
    settings.rules = DefaultAlertRules(settings.window.text);
    return settings;
  }
  const Map map = node->FixedMap(
      "a map of alert settings (window, runbook_url, target_down_for, stale_after_intervals, "
      "rules)",
      {"window", "runbook_url", "target_down_for", "stale_after_intervals", "rules"});
  settings.window = ParseAlertWindow(map.Get("window"), windows);
  if (const auto url = map.Get("runbook_url")) settings.runbook_url = ParseRunbookUrl(*url);
  if (const auto down = map.Get("target_down_for")) settings.target_down_for = DurationValue(*down);
  if (const auto stale = map.Get("stale_after_intervals")) {
    settings.stale_after_intervals = ParseStaleIntervals(*stale);
  }
  settings.rules = ParseRules(map.Get("rules"), signals, settings.window);
  return settings;
}

}  // namespace vmq::config::detail
