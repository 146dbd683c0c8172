#ifndef VMQ_COMMON_READ_FILE_H_
#define VMQ_COMMON_READ_FILE_H_

#include <cstddef>
#include <string>

namespace vmq {

// What ReadFileCapped found: the whole content, or why there is none.
struct FileContent {
  std::string content;
  std::string error;  // empty on success; otherwise a reason without the path, e.g.
                      // "it is not a regular file (a device, FIFO or socket)"
  bool ok() const { return error.empty(); }
};

// Reads a whole regular file of at most `max_bytes` bytes. Files the exporter is told to read
// (config, web config, secrets, CA bundles) are named by an operator, who may point one at
// /dev/zero, a FIFO or a multi-GB log by mistake: those are refused without blocking (the
// file is opened non-blocking and checked with fstat before any read) and reading stops one
// byte past the cap, so memory stays bounded by `max_bytes`. Callers prefix the path:
// `"<path>" cannot be read: <error>`.
FileContent ReadFileCapped(const std::string& path, std::size_t max_bytes);

}  // namespace vmq

#endif  // VMQ_COMMON_READ_FILE_H_
