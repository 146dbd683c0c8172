#ifndef VMQ_TESTS_DOCS_DOC_FILES_H_
#define VMQ_TESTS_DOCS_DOC_FILES_H_

// Which files are documentation, and where the repository is.

#include <string>
#include <vector>

#include "docs/markdown_blocks.h"

namespace vmq::docs {

// The repository root: VMQ_DOCS_SOURCE_DIR when set (to check an edited copy of the tree, e.g.
// to watch the test fail on a broken snippet), else the source tree this test was built from.
std::string SourceRoot();

// README.md, every docs/**/*.md and bench/README.md, relative to SourceRoot(), sorted.
std::vector<std::string> DocumentationFiles();

// The code blocks of every documentation file, scanned once per process.
const ScanResult& AllBlocks();

// The file's text, or "" with `ok` false when it cannot be read.
std::string ReadSourceFile(const std::string& relative, bool* ok = nullptr);

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_DOC_FILES_H_
