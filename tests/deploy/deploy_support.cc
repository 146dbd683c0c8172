#include "deploy/deploy_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "common/process.h"

namespace vmq::testing {

std::string SourcePath(const std::string& relative) {
  return std::string(VMQ_SOURCE_DIR) + "/" + relative;
}

bool HasProgram(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

CommandResult MakeInstall(const std::string& destdir, const std::string& prefix) {
  CommandResult result;
  // `make test` passes its command-line variables to sub-makes through MAKEFLAGS; this make
  // must see only its own.
  result.status = RunCommand(
      {"env", "-u", "MAKEFLAGS", "-u", "MFLAGS", "-u", "MAKELEVEL", "make", "-C", VMQ_SOURCE_DIR,
       "-o", "build", "install", std::string("BUILD_DIR=") + VMQ_BUILD_DIR, "DESTDIR=" + destdir,
       "PREFIX=" + prefix},
      &result.output);
  return result;
}

std::vector<YAML::Node> LoadDocuments(const std::string& path) {
  try {
    return YAML::LoadAllFromFile(path);
  } catch (const YAML::Exception& error) {
    ADD_FAILURE() << path << ": " << error.what();
    return {};
  }
}

YAML::Node FindKind(const std::vector<YAML::Node>& documents, const std::string& kind) {
  YAML::Node found;
  int count = 0;
  for (const YAML::Node& document : documents) {
    if (document["kind"] && document["kind"].as<std::string>() == kind) {
      found = document;
      ++count;
    }
  }
  EXPECT_EQ(count, 1) << "documents of kind " << kind;
  return found;
}

std::string Canonical(const YAML::Node& node) {
  YAML::Emitter out;
  out << node;
  return out.c_str();
}

}  // namespace vmq::testing
