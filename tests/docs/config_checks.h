#ifndef VMQ_TESTS_DOCS_CONFIG_CHECKS_H_
#define VMQ_TESTS_DOCS_CONFIG_CHECKS_H_

// Exporter configuration blocks, checked by the real exporter's --config.check.
//
// Secret and CA files named in a block (api_key_file, password_file, ca_file) belong to the
// reader's machine; the check points them at stand-in files in a scratch folder, so that what
// is checked is the configuration as written.

#include <string>

#include "docs/block_kind.h"
#include "docs/check_result.h"
#include "docs/markdown_blocks.h"

namespace vmq::docs {

// The config file the exporter checks for a block of a config kind: the block itself, a
// fragment appended to a minimal config, or a target's keys inside its only target. Files named
// by the block are created under `scratch` and the paths rewritten.
std::string ConfigUnderCheck(const CodeBlock& block, BlockKind kind, const std::string& scratch);

// kExporterConfig, kConfigFragment, kTargetFragment: --config.check exits 0.
// kInvalidConfig: it exits 2 and prints the marker's error.
Problems CheckConfigBlock(const CodeBlock& block, const Classification& classification);

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_CONFIG_CHECKS_H_
