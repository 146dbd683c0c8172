#ifndef VMQ_TESTS_INTEGRATION_DASHBOARD_H_
#define VMQ_TESTS_INTEGRATION_DASHBOARD_H_

// Reading the Grafana dashboard the way Grafana does, so that tests can run its queries
// against a real Prometheus: every panel's PromQL, every template variable's label_values()
// query, and the values the variables take.

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace vmq::testing {

struct PanelQuery {
  std::string panel;   // title
  std::string ref_id;  // the target's refId (A, B, ...)
  std::string expr;    // PromQL with the dashboard variables still in it
};

// Every target of every panel, including panels nested in collapsed rows.
std::vector<PanelQuery> PanelQueries(const nlohmann::json& dashboard);

// Every panel, rows excluded, including panels nested in collapsed rows.
std::vector<nlohmann::json> Panels(const nlohmann::json& dashboard);

// label_values(SELECTOR, LABEL) of a query variable, split (selector empty for the one-argument
// form label_values(LABEL)).
struct LabelValuesQuery {
  std::string variable;
  std::string selector;
  std::string label;
};
std::vector<LabelValuesQuery> VariableQueries(const nlohmann::json& dashboard);

// What a test substitutes for each variable: the All value (allValue, e.g. .*) of a variable
// that has one, the saved current value otherwise, and 1m for Grafana's interval variables
// ($__rate_interval, $__interval, $__range).
std::map<std::string, std::string> TestVariableValues(const nlohmann::json& dashboard);

// Replaces $name, ${name}, ${name:format} and [[name]] by values[name]; unknown names stay,
// so that a query using an undefined variable fails when Prometheus parses it.
std::string SubstituteVariables(const std::string& expr,
                                const std::map<std::string, std::string>& values);

}  // namespace vmq::testing

#endif  // VMQ_TESTS_INTEGRATION_DASHBOARD_H_
