#include "textformat/line_scan.h"

#include <cstring>

namespace vmq::textformat::detail {

LineScan ScanLineBytewise(std::string_view page, size_t start) {
  const void* newline = std::memchr(page.data() + start, '\n', page.size() - start);
  LineScan scan;
  scan.end = newline != nullptr
                 ? static_cast<size_t>(static_cast<const char*>(newline) - page.data())
                 : page.size();
  unsigned nul = 0;
  unsigned backslash = 0;
  unsigned high = 0;
  for (size_t pos = start; pos < scan.end; ++pos) {
    const auto byte = static_cast<unsigned char>(page[pos]);
    nul |= byte == 0 ? 1u : 0u;
    backslash |= byte == '\\' ? 1u : 0u;
    high |= byte;
  }
  scan.has_nul = nul != 0;
  scan.has_backslash = backslash != 0;
  scan.has_non_ascii = (high & 0x80) != 0;
  return scan;
}

}  // namespace vmq::textformat::detail
