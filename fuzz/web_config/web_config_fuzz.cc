// The web-config loader: any text is either a WebConfig or a ConfigError with
// FILE:LINE:COL. Relative cert_file/key_file paths resolve to a PEM pair in a private
// temporary directory, so that inputs can reach the checks past the file reads.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/config.h"
#include "expose/web_config.h"
#include "fuzz_target.h"

namespace {

class PemDirectory {
 public:
  PemDirectory() {
    char name[] = "/tmp/vmq-web-config-fuzz-XXXXXX";
    if (mkdtemp(name) == nullptr) std::abort();
    path_ = name;
    std::ofstream(path_ + "/server.crt") << "-----BEGIN CERTIFICATE-----\nx\n";
    std::ofstream(path_ + "/server.key") << "-----BEGIN PRIVATE KEY-----\nx\n";
  }
  ~PemDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  PemDirectory(const PemDirectory&) = delete;
  PemDirectory& operator=(const PemDirectory&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const PemDirectory directory;
  static const std::string file = directory.path() + "/web.yml";
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  try {
    vmq::expose::LoadWebConfigString(yaml, file);
  } catch (const vmq::config::ConfigError& error) {
    VMQ_FUZZ_CHECK(std::string_view(error.what()).starts_with(file + ":"));
  }
  return 0;
}
