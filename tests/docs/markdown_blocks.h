#ifndef VMQ_TESTS_DOCS_MARKDOWN_BLOCKS_H_
#define VMQ_TESTS_DOCS_MARKDOWN_BLOCKS_H_

// The fenced code blocks of a Markdown file, each with the docs-test marker that may stand on
// the line right before its fence. Markers are HTML comments so that they do not show on the
// rendered page, and they sit next to the block so that moving or editing the block keeps its
// instructions with it.

#include <string>
#include <string_view>
#include <vector>

namespace vmq::docs {

struct CodeBlock {
  std::string file;      // as named in messages, e.g. "docs/alerts.md"
  int line = 0;          // 1-based line of the opening fence
  std::string language;  // first word of the info string; "" for an untagged block
  std::string body;      // the lines between the fences, the fence's indentation removed
  std::string marker;    // what follows "docs-test:" in a marker right before the fence, or ""
};

struct ScanResult {
  std::vector<CodeBlock> blocks;
  // A fence that is never closed, or a marker that is not right before a fence: both would
  // make a block go unchecked without anyone noticing.
  std::vector<std::string> problems;
};

ScanResult ScanMarkdown(std::string_view text, const std::string& file);

// "FILE:LINE" of the block's opening fence, the prefix of every message about it.
std::string Where(const CodeBlock& block);

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_MARKDOWN_BLOCKS_H_
