#ifndef VMQ_TESTS_DOCS_YAML_CHECKS_H_
#define VMQ_TESTS_DOCS_YAML_CHECKS_H_

// YAML blocks other than exporter configs, each checked by the program that reads such files.

#include <string>

#include "docs/check_result.h"
#include "docs/markdown_blocks.h"
#include "docs/marker.h"

namespace vmq::docs {

// True when `program` is an executable on PATH.
bool HasProgram(const std::string& program);

// `promtool check rules`.
Problems CheckPrometheusRules(const CodeBlock& block);

// `promtool check config`. A rule file the block names whose file name is one of alerts/ is
// checked as that committed file (the block's path is where a reader installs it).
Problems CheckPrometheusConfig(const CodeBlock& block);

// `amtool check-config`.
Problems CheckAlertmanagerConfig(const CodeBlock& block);

// Every document has apiVersion, kind and metadata.name.
Problems CheckKubernetes(const CodeBlock& block);

// vmq-sim starts with the scenario (and stops cleanly): there is no check-only flag, and
// starting it is the complete check; every port in a documented scenario is 0 (free).
Problems CheckScenario(const CodeBlock& block);

// The block equals the repository file as YAML (same tree, whatever the comments or layout).
Problems CheckSameAs(const CodeBlock& block, const Marker& marker);

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_YAML_CHECKS_H_
