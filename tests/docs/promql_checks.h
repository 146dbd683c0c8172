#ifndef VMQ_TESTS_DOCS_PROMQL_CHECKS_H_
#define VMQ_TESTS_DOCS_PROMQL_CHECKS_H_

// PromQL blocks: the expression parses (promtool, as the expression of a recording rule, since
// promtool 2.42 has no command for a bare expression), every vmq_ metric it reads is
// documented in docs/metrics.md, and a block marked `expr of ALERT in FILE` is that alert's
// expression in the committed rule file (compared without whitespace).

#include "docs/check_result.h"
#include "docs/markdown_blocks.h"
#include "docs/marker.h"

namespace vmq::docs {

Problems CheckPromql(const CodeBlock& block, const Marker& marker);

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_PROMQL_CHECKS_H_
