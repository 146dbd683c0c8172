// The config loader: any text is either a Config or a ConfigError with FILE:LINE:COL, never
// another exception, a crash or unbounded memory.

#include <string>
#include <string_view>

#include "config/config.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  try {
    const vmq::config::Config config = vmq::config::LoadString(yaml, "fuzz.yaml");
    VMQ_FUZZ_CHECK(!config.targets.empty());
    VMQ_FUZZ_CHECK(!config.windows.empty());
  } catch (const vmq::config::ConfigError& error) {
    VMQ_FUZZ_CHECK(std::string_view(error.what()).starts_with("fuzz.yaml:"));
  }
  return 0;
}
