#ifndef VMQ_TESTS_DOCS_SHELL_CHECKS_H_
#define VMQ_TESTS_DOCS_SHELL_CHECKS_H_

// Shell blocks. A block without marker is run, if every program it uses is one this test may
// run (quick, local, and harmless in a scratch copy of the tree). The others name the test that
// runs them (covered-by) or say why nothing can (not-run). Every `make` command, whatever its
// marker, is dry-run (`make -n`), so that a renamed or removed target is noticed.
//
// How a block is run: the block's own text, by bash with `set -e`, in a Workspace (a copy of
// the tree whose build/bin holds the binaries under test, which also come first on PATH), with
//  - curl failing on HTTP errors (--fail --silent --show-error added),
//  - TMPDIR and the folders of a `scratch` marker inside the workspace,
//  - the exporter's documented address and `<target url>` pointing at a LiveStack,
//  - background jobs killed when the block ends, and a 20 s limit.
// The block passes when bash exits 0 and no file of the tree was changed (a documented command
// that regenerates a committed file must reproduce it).

#include <string>
#include <vector>

#include "docs/check_result.h"
#include "docs/live_stack.h"
#include "docs/markdown_blocks.h"
#include "docs/marker.h"

namespace vmq::docs {

// The script a block stands for (the `$ ` lines of a console block).
std::string ShellScript(const CodeBlock& block);

// Programs the block uses that this test does not run, each once.
std::vector<std::string> UnrunnablePrograms(const std::string& script);

// Runs a block that has no marker or a scratch marker. `live` may be null when
// LiveStack::Needed() is false for the block.
Problems RunShellBlock(const CodeBlock& block, const Marker& marker, const LiveStack* live);

// covered-by: the file exists, is built or run by its folder's CMakeLists.txt (under tests/),
// and contains every part of the marker (or, without parts, every command of the block).
Problems CheckCoveredBy(const CodeBlock& block, const Marker& marker);

// `make -n ARGS` succeeds in the tree for every make command of the block.
Problems DryRunMakeCommands(const CodeBlock& block);

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_SHELL_CHECKS_H_
