// libFuzzer entry of old_vs_new.sh: the parser of an older commit and the current one must
// give the same handler calls, statistics and error messages on every input. A first byte
// below 0x20 picks tight limits, as in textformat_paths_fuzz.cc.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

std::vector<std::string> OldParseLog(std::string_view page, size_t max_labels, size_t max_line);
std::vector<std::string> NewParseLog(std::string_view page, size_t max_labels, size_t max_line);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view page(reinterpret_cast<const char*>(data), size);
  size_t max_labels = 64;
  size_t max_line = 64 * 1024;
  if (size > 0 && data[0] < 0x20 && data[0] != '\n') {
    max_labels = data[0] % 4;
    max_line = 40 + 16 * (data[0] / 4);
    page.remove_prefix(1);
  }
  if (OldParseLog(page, max_labels, max_line) != NewParseLog(page, max_labels, max_line)) {
    std::fprintf(stderr, "old and new parser differ\n");
    std::abort();
  }
  return 0;
}
