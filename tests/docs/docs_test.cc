// Every code block of the documentation (README.md, docs/**/*.md, bench/README.md) is executed
// or validated, so that the docs cannot drift from the code: configs go through the exporter's
// --config.check, rules and configs of Prometheus and Alertmanager through promtool and amtool,
// scenarios through vmq-sim, commands are run (or name the test that runs them, or say why
// none can), and metric names must be documented. A block the test does not know how to check
// fails with the marker to add. Every failure starts with the block's FILE:LINE.
//
// How each kind is checked: block_kind.h; markers: marker.h; how commands are run:
// shell_checks.h. To watch it fail, break a snippet in a copy of the tree and point
// VMQ_DOCS_SOURCE_DIR at the copy.

#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "docs/block_kind.h"
#include "docs/config_checks.h"
#include "docs/doc_files.h"
#include "docs/live_stack.h"
#include "docs/promql_checks.h"
#include "docs/shell_checks.h"
#include "docs/shell_commands.h"
#include "docs/text_checks.h"
#include "docs/yaml_checks.h"

namespace vmq::docs {
namespace {

struct ClassifiedBlock {
  const CodeBlock* block;
  Classification classification;
};

const std::vector<ClassifiedBlock>& Blocks() {
  static const auto* const blocks = [] {
    auto* all = new std::vector<ClassifiedBlock>;
    for (const CodeBlock& block : AllBlocks().blocks) all->push_back({&block, Classify(block)});
    return all;
  }();
  return *blocks;
}

std::vector<const ClassifiedBlock*> OfKinds(const std::set<BlockKind>& kinds) {
  std::vector<const ClassifiedBlock*> found;
  for (const ClassifiedBlock& block : Blocks()) {
    if (kinds.contains(block.classification.kind)) found.push_back(&block);
  }
  return found;
}

void Report(const CodeBlock& block, const Problems& problems) {
  for (const std::string& problem : problems) ADD_FAILURE() << Where(block) << ": " << problem;
}

TEST(DocsScan, FindsTheBlocksOfEveryDocumentationFile) {
  for (const std::string& problem : AllBlocks().problems) ADD_FAILURE() << problem;
  std::set<std::string> files;
  for (const CodeBlock& block : AllBlocks().blocks) files.insert(block.file);
  for (const char* file : {"README.md", "docs/configuration.md", "docs/deploy/README.md",
                           "docs/runbooks/VerneMQPubcompUnexpected.md", "bench/README.md"}) {
    EXPECT_TRUE(files.contains(file)) << "no code block found in " << file;
  }
  EXPECT_GE(AllBlocks().blocks.size(), 40u);
}

TEST(DocsBlocks, EveryBlockIsOfAKindThatIsChecked) {
  std::map<BlockKind, int> census;
  for (const ClassifiedBlock& block : Blocks()) {
    ++census[block.classification.kind];
    if (block.classification.kind == BlockKind::kUnchecked) {
      ADD_FAILURE() << Where(*block.block) << ": " << block.classification.problem;
    }
  }
  EXPECT_GE(census[BlockKind::kExporterConfig], 2);
  EXPECT_GE(census[BlockKind::kShell], 10);
}

TEST(DocsConfig, ConfigBlocksAreAcceptedOrRefusedByTheExporterAsDocumented) {
  const auto blocks = OfKinds({BlockKind::kExporterConfig, BlockKind::kConfigFragment,
                               BlockKind::kTargetFragment, BlockKind::kInvalidConfig});
  for (const ClassifiedBlock* block : blocks) {
    Report(*block->block, CheckConfigBlock(*block->block, block->classification));
  }
}

TEST(DocsYaml, PrometheusBlocksPassPromtool) {
  if (!HasProgram("promtool")) GTEST_SKIP() << "promtool not found: install prometheus";
  for (const ClassifiedBlock* block : OfKinds({BlockKind::kPrometheusRules})) {
    Report(*block->block, CheckPrometheusRules(*block->block));
  }
  for (const ClassifiedBlock* block : OfKinds({BlockKind::kPrometheusConfig})) {
    Report(*block->block, CheckPrometheusConfig(*block->block));
  }
}

TEST(DocsYaml, AlertmanagerBlocksPassAmtool) {
  if (!HasProgram("amtool")) GTEST_SKIP() << "amtool not found: install prometheus-alertmanager";
  for (const ClassifiedBlock* block : OfKinds({BlockKind::kAlertmanagerConfig})) {
    Report(*block->block, CheckAlertmanagerConfig(*block->block));
  }
}

TEST(DocsYaml, KubernetesBlocksNameTheirObjects) {
  for (const ClassifiedBlock* block : OfKinds({BlockKind::kKubernetes})) {
    Report(*block->block, CheckKubernetes(*block->block));
  }
}

TEST(DocsYaml, ScenarioBlocksStartVmqSim) {
  for (const ClassifiedBlock* block : OfKinds({BlockKind::kScenario})) {
    Report(*block->block, CheckScenario(*block->block));
  }
}

TEST(DocsYaml, BlocksMarkedSameAsEqualTheirFile) {
  for (const ClassifiedBlock& block : Blocks()) {
    if (block.classification.marker.kind != MarkerKind::kSameAs) continue;
    Report(*block.block, CheckSameAs(*block.block, block.classification.marker));
  }
}

TEST(DocsPromql, ExpressionsParseAndReadDocumentedMetrics) {
  if (!HasProgram("promtool")) GTEST_SKIP() << "promtool not found: install prometheus";
  for (const ClassifiedBlock* block : OfKinds({BlockKind::kPromql})) {
    Report(*block->block, CheckPromql(*block->block, block->classification.marker));
  }
}

TEST(DocsJson, BlocksParse) {
  for (const ClassifiedBlock* block : OfKinds({BlockKind::kJson})) {
    Report(*block->block, CheckJson(*block->block));
  }
}

TEST(DocsMetricsText, SamplesUseDocumentedMetricsAndLabels) {
  for (const ClassifiedBlock* block : OfKinds({BlockKind::kMetricsText})) {
    Report(*block->block, CheckMetricsText(*block->block));
  }
}

TEST(DocsUsage, SynopsesAreWhatHelpPrints) {
  for (const ClassifiedBlock* block : OfKinds({BlockKind::kUsage})) {
    Report(*block->block, CheckUsage(*block->block, block->classification.marker));
  }
}

TEST(DocsShell, UnmarkedBlocksRunSuccessfully) {
  std::unique_ptr<LiveStack> live;
  for (const ClassifiedBlock* block : OfKinds({BlockKind::kShell})) {
    const Marker& marker = block->classification.marker;
    if (marker.kind == MarkerKind::kCoveredBy) continue;
    const bool needs_live = LiveStack::Needed(ShellScript(*block->block));
    if (needs_live && live == nullptr) {
      live = std::make_unique<LiveStack>();
      ASSERT_TRUE(live->ok()) << live->error();
    }
    Report(*block->block, RunShellBlock(*block->block, marker, needs_live ? live.get() : nullptr));
  }
}

TEST(DocsShell, CoveredBlocksNameATestThatRunsTheirCommands) {
  for (const ClassifiedBlock* block : OfKinds({BlockKind::kShell})) {
    if (block->classification.marker.kind != MarkerKind::kCoveredBy) continue;
    Report(*block->block, CheckCoveredBy(*block->block, block->classification.marker));
  }
}

TEST(DocsShell, MakeCommandsNameTargetsOfTheMakefile) {
  for (const ClassifiedBlock* block : OfKinds({BlockKind::kShell, BlockKind::kNotRun})) {
    Report(*block->block, DryRunMakeCommands(*block->block));
  }
}

TEST(DocsShell, BlocksThatCannotRunHereAreListed) {
  const auto blocks = OfKinds({BlockKind::kNotRun});
  std::cout << "[   docs   ] " << blocks.size() << " code blocks are not run here:\n";
  for (const ClassifiedBlock* block : blocks) {
    std::cout << "[   docs   ]   " << Where(*block->block) << " ("
              << block->classification.marker.reason << ")\n";
    for (const std::string& line : CommandLines(ShellScript(*block->block))) {
      std::cout << "[   docs   ]     " << line << "\n";
    }
  }
}

}  // namespace
}  // namespace vmq::docs
