// Runs a fuzz target's entry function on files, without libFuzzer: every regular file in
// every directory given (or the file itself), in name order. A crash, a failed check or an
// uncaught exception ends the process and so fails the ctest that runs this.

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_target.h"

namespace {

// Half of libFuzzer's default -rss_limit_mb (2 GB): an input that makes the code allocate
// without bound fails fast with bad_alloc instead of taking the machine's memory, and no input
// of the corpus needs a fraction of it.
constexpr rlim_t kAddressSpaceLimit = rlim_t{1} << 30;

std::vector<std::filesystem::path> InputFiles(const std::vector<std::string>& arguments) {
  std::vector<std::filesystem::path> files;
  for (const std::string& argument : arguments) {
    if (std::filesystem::is_directory(argument)) {
      for (const auto& entry : std::filesystem::directory_iterator(argument)) {
        if (entry.is_regular_file() && entry.path().filename() != ".gitkeep") {
          files.push_back(entry.path());
        }
      }
    } else {
      files.emplace_back(argument);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // Sanitizers reserve terabytes of address space for their shadow memory up front.
  const rlimit limit{kAddressSpaceLimit, kAddressSpaceLimit};
  setrlimit(RLIMIT_AS, &limit);
#endif
  const auto files = InputFiles(std::vector<std::string>(argv + 1, argv + argc));
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", file.c_str());
      return 1;
    }
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "%s (%zu bytes)\n", file.c_str(), data.size());
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
  std::fprintf(stderr, "replayed %zu inputs\n", files.size());
  return files.empty() ? 1 : 0;
}
