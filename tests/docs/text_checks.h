#ifndef VMQ_TESTS_DOCS_TEXT_CHECKS_H_
#define VMQ_TESTS_DOCS_TEXT_CHECKS_H_

// Checks of blocks that are read, not run: JSON, samples of the exporter's metrics page, and
// usage synopses of this project's programs.

#include <string>

#include "docs/check_result.h"
#include "docs/markdown_blocks.h"
#include "docs/marker.h"

namespace vmq::docs {

Problems CheckJson(const CodeBlock& block);

// The samples must be valid exposition format, and every metric and label name must be
// documented in docs/metrics.md (written there in backticks).
Problems CheckMetricsText(const CodeBlock& block);

// Each line of the block must be printed by `PROGRAM --help` (PROGRAM built by this project).
Problems CheckUsage(const CodeBlock& block, const Marker& marker);

// Whether docs/metrics.md names this metric or label, in backticks.
bool DocumentedInMetricsMd(const std::string& name);

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_TEXT_CHECKS_H_
