#ifndef VMQ_TESTS_DEPLOY_DEPLOY_SUPPORT_H_
#define VMQ_TESTS_DEPLOY_DEPLOY_SUPPORT_H_

// Shared by the shipping tests: paths into the source tree, `make install` into a scratch
// root, and reading multi-document YAML manifests.

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace vmq::testing {

// Absolute path of a file of the source tree, e.g. SourcePath("docs/deploy/README.md").
std::string SourcePath(const std::string& relative);

// True when `program` is an executable found on PATH.
bool HasProgram(const std::string& program);

struct CommandResult {
  int status = -1;
  std::string output;  // stdout and stderr
};

// Runs the Makefile's install target with this build directory's binary, without building
// (ctest runs after the build): make -o build install DESTDIR=... PREFIX=...
CommandResult MakeInstall(const std::string& destdir, const std::string& prefix);

// Every document of a YAML file; fails the test and returns none when it does not parse.
std::vector<YAML::Node> LoadDocuments(const std::string& path);

// The one document of `kind` among `documents`; fails the test when there is not exactly one.
YAML::Node FindKind(const std::vector<YAML::Node>& documents, const std::string& kind);

// Canonical text of a node, to compare two YAML trees regardless of layout.
std::string Canonical(const YAML::Node& node);

}  // namespace vmq::testing

#endif  // VMQ_TESTS_DEPLOY_DEPLOY_SUPPORT_H_
