#include "docs/workspace.h"

#include <filesystem>

#include "common/fixtures.h"
#include "docs/doc_files.h"

namespace vmq::docs {
namespace {

namespace fs = std::filesystem;

bool Copied(const fs::path& name) {
  const std::string text = name.string();
  return !text.starts_with(".") && !text.starts_with("build") && text != "src" && text != "tests";
}

}  // namespace

Workspace::Workspace() {
  const fs::path root = SourceRoot();
  const fs::path to = path();
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!Copied(entry.path().filename())) continue;
    fs::copy(entry.path(), to / entry.path().filename(),
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  }
  for (const auto& entry : fs::recursive_directory_iterator(to)) {
    if (entry.is_regular_file()) copied_.push_back(fs::relative(entry.path(), to).string());
  }
  fs::create_directories(to / "build");
  const fs::path binaries =
      fs::absolute(vmq::testing::BinaryPath("vernemq-pubcomp-exporter")).parent_path();
  fs::create_directory_symlink(binaries, to / "build" / "bin");
  fs::create_directories(fs::path(scratch()) / "tmp");
}

std::vector<std::string> Workspace::ChangedFiles() const {
  std::vector<std::string> changed;
  for (const std::string& file : copied_) {
    std::string original;
    std::string now;
    vmq::testing::ReadFile(SourceRoot() + "/" + file, &original);
    if (!vmq::testing::ReadFile(path() + "/" + file, &now) || now != original) {
      changed.push_back(file);
    }
  }
  return changed;
}

}  // namespace vmq::docs
