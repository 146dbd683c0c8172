#ifndef VMQ_TESTS_DOCS_BLOCK_KIND_H_
#define VMQ_TESTS_DOCS_BLOCK_KIND_H_

// Decides how a documentation code block is checked, from its language, its content and its
// marker. Every block gets a kind; one that cannot be checked as written gets kUnchecked and a
// message saying which marker or language to add, so that no block is silently skipped.

#include <string>

#include "docs/markdown_blocks.h"
#include "docs/marker.h"

namespace vmq::docs {

enum class BlockKind {
  kExporterConfig,      // yaml with top-level targets:  -> --config.check
  kConfigFragment,      // marked fragment of config.yaml
  kTargetFragment,      // marked fragment of a target
  kInvalidConfig,       // marked invalid, error "..."
  kPrometheusRules,     // yaml with groups:             -> promtool check rules
  kPrometheusConfig,    // yaml with scrape_configs: or rule_files: -> promtool check config
  kAlertmanagerConfig,  // yaml with route:              -> amtool check-config
  kKubernetes,          // yaml with apiVersion:         -> every document names its object
  kScenario,            // yaml with nodes:              -> vmq-sim starts with it
  kOtherYaml,           // any other yaml                -> parses
  kShell,               // sh, bash, shell, console      -> run, covered-by or not-run
  kPromql,              // promql                        -> promtool parses it
  kJson,                // json                          -> parses
  kMetricsText,         // exposition-format samples     -> documented names and labels
  kUsage,               // marked usage of PROGRAM       -> PROGRAM --help prints it
  kText,                // prose-like text (messages, diagrams)
  kNotRun,              // marked not-run: any language
  kUnchecked,           // a problem: see Classification::problem
};

struct Classification {
  BlockKind kind = BlockKind::kUnchecked;
  Marker marker;
  std::string problem;  // set for kUnchecked
};

Classification Classify(const CodeBlock& block);

bool IsYamlConfigKind(BlockKind kind);

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_BLOCK_KIND_H_
