#ifndef VMQ_TESTS_DOCS_WORKSPACE_H_
#define VMQ_TESTS_DOCS_WORKSPACE_H_

// Where documented commands run: a fresh copy of the repository's top level (everything but
// src/, tests/, build*/ and hidden entries) with build/bin pointing at the binaries under test.
// A command that writes into the tree, such as one regenerating a committed file, changes the
// copy and never the repository, and the test can then tell whether it reproduced the file.

#include <string>
#include <vector>

#include "common/process.h"

namespace vmq::docs {

class Workspace {
 public:
  Workspace();

  const std::string& path() const { return dir_.path(); }
  // An empty folder inside the workspace for TMPDIR and scratch markers.
  std::string scratch() const { return path() + "/.scratch"; }
  // Copied files whose content is no longer the repository's, or that are gone.
  std::vector<std::string> ChangedFiles() const;

 private:
  vmq::testing::TempDir dir_;
  std::vector<std::string> copied_;  // relative to the root
};

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_WORKSPACE_H_
