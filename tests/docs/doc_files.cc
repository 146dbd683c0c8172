#include "docs/doc_files.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "common/fixtures.h"

namespace vmq::docs {

namespace fs = std::filesystem;

std::string SourceRoot() {
  const char* root = std::getenv("VMQ_DOCS_SOURCE_DIR");
  return root != nullptr ? root : VMQ_SOURCE_DIR;
}

std::vector<std::string> DocumentationFiles() {
  const fs::path root = SourceRoot();
  std::vector<std::string> files = {"README.md", "bench/README.md"};
  for (const auto& entry : fs::recursive_directory_iterator(root / "docs")) {
    if (entry.is_regular_file() && entry.path().extension() == ".md") {
      files.push_back(fs::relative(entry.path(), root).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

const ScanResult& AllBlocks() {
  static const ScanResult* const all = [] {
    auto* result = new ScanResult;
    for (const std::string& file : DocumentationFiles()) {
      bool ok = false;
      const std::string text = ReadSourceFile(file, &ok);
      if (!ok) result->problems.push_back(file + ": cannot be read");
      ScanResult scanned = ScanMarkdown(text, file);
      for (CodeBlock& block : scanned.blocks) result->blocks.push_back(std::move(block));
      for (std::string& problem : scanned.problems) result->problems.push_back(std::move(problem));
    }
    return result;
  }();
  return *all;
}

std::string ReadSourceFile(const std::string& relative, bool* ok) {
  std::string text;
  const bool read = vmq::testing::ReadFile(SourceRoot() + "/" + relative, &text);
  if (ok != nullptr) *ok = read;
  return text;
}

}  // namespace vmq::docs
