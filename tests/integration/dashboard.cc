#include "integration/dashboard.h"

#include <regex>

namespace vmq::testing {
namespace {

void CollectPanels(const nlohmann::json& panels, std::vector<nlohmann::json>* out) {
  if (!panels.is_array()) return;
  for (const nlohmann::json& panel : panels) {
    if (panel.value("type", "") == "row") {
      CollectPanels(panel.value("panels", nlohmann::json::array()), out);
    } else {
      out->push_back(panel);
    }
  }
}

std::string QueryText(const nlohmann::json& variable) {
  const nlohmann::json& query = variable.value("query", nlohmann::json());
  if (query.is_string()) return query.get<std::string>();
  if (query.is_object()) return query.value("query", "");
  return "";
}

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
}

std::vector<nlohmann::json> Variables(const nlohmann::json& dashboard) {
  const nlohmann::json list = dashboard.value("templating", nlohmann::json::object())
                                  .value("list", nlohmann::json::array());
  return {list.begin(), list.end()};
}

std::string CurrentValue(const nlohmann::json& variable) {
  const nlohmann::json value =
      variable.value("current", nlohmann::json::object()).value("value", nlohmann::json());
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array() && !value.empty() && value[0].is_string()) return value[0];
  return "";
}

}  // namespace

std::vector<nlohmann::json> Panels(const nlohmann::json& dashboard) {
  std::vector<nlohmann::json> panels;
  CollectPanels(dashboard.value("panels", nlohmann::json::array()), &panels);
  return panels;
}

std::vector<PanelQuery> PanelQueries(const nlohmann::json& dashboard) {
  std::vector<PanelQuery> queries;
  for (const nlohmann::json& panel : Panels(dashboard)) {
    for (const nlohmann::json& target : panel.value("targets", nlohmann::json::array())) {
      queries.push_back(
          {panel.value("title", ""), target.value("refId", ""), target.value("expr", "")});
    }
  }
  return queries;
}

std::vector<LabelValuesQuery> VariableQueries(const nlohmann::json& dashboard) {
  // The selector may itself contain commas inside braces, so the label is the last argument.
  static const std::regex kLabelValues(R"(^\s*label_values\((.*?)\s*\)\s*$)");
  std::vector<LabelValuesQuery> queries;
  for (const nlohmann::json& variable : Variables(dashboard)) {
    if (variable.value("type", "") != "query") continue;
    const std::string text = QueryText(variable);
    std::smatch match;
    LabelValuesQuery query{variable.value("name", ""), "", ""};
    if (std::regex_match(text, match, kLabelValues)) {
      const std::string arguments = match[1];
      const auto comma = arguments.rfind(',');
      query.label = Trim(comma == std::string::npos ? arguments : arguments.substr(comma + 1));
      if (comma != std::string::npos) query.selector = Trim(arguments.substr(0, comma));
    }
    queries.push_back(query);
  }
  return queries;
}

std::map<std::string, std::string> TestVariableValues(const nlohmann::json& dashboard) {
  std::map<std::string, std::string> values = {
      {"__rate_interval", "1m"}, {"__interval", "1m"}, {"__range", "1m"}};
  for (const nlohmann::json& variable : Variables(dashboard)) {
    const std::string name = variable.value("name", "");
    if (variable.value("includeAll", false) && variable.contains("allValue")) {
      values[name] = variable.value("allValue", "");
    } else {
      values[name] = CurrentValue(variable);
    }
  }
  return values;
}

std::string SubstituteVariables(const std::string& expr,
                                const std::map<std::string, std::string>& values) {
  static const std::regex kVariable(R"(\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\])");
  std::string out;
  auto last = expr.cbegin();
  for (std::sregex_iterator it(expr.begin(), expr.end(), kVariable), end; it != end; ++it) {
    const std::smatch& match = *it;
    const std::string name = match[1].matched ? match[1] : match[2].matched ? match[2] : match[3];
    out.append(last, match[0].first);
    const auto value = values.find(name);
    out += value != values.end() ? value->second : match.str();
    last = match[0].second;
  }
  out.append(last, expr.cend());
  return out;
}

}  // namespace vmq::testing
