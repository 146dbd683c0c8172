#ifndef VMQ_FUZZ_FUZZ_TARGET_H_
#define VMQ_FUZZ_FUZZ_TARGET_H_

// Each fuzz target defines LLVMFuzzerTestOneInput. The same source is linked either with
// libFuzzer (the clang build, -DVMQ_FUZZ=ON) or with replay_main.cc, which feeds it every
// file of the corpus and crash folders, so that the normal build's ctest keeps every input
// ever found passing.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

// A property the target checks on what the code under test returned; a violation aborts, so
// that libFuzzer saves the input and the replay test fails.
#define VMQ_FUZZ_CHECK(condition)                                                        \
  do {                                                                                   \
    if (!(condition)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#endif  // VMQ_FUZZ_FUZZ_TARGET_H_
