#ifndef VMQ_TEXTFORMAT_PARSE_PATH_H_
#define VMQ_TEXTFORMAT_PARSE_PATH_H_

#include <string_view>

#include "textformat/parser.h"

namespace vmq::textformat::detail {

// The ways Parse can read a page, all with the same results: Parse takes kBitsAvx2 where the
// CPU has AVX2 and kByLine elsewhere; tests and the differential fuzz target run each.
enum class ParsePath {
  kByLine,        // per-line SSE2 scans (line_scan.h, scan.h)
  kBitsBytewise,  // page_bits.h with the bytewise classifier (any CPU; slow)
  kBitsAvx2,      // page_bits.h with the AVX2 classifier; only where CpuHasAvx2()
};

ParseStats ParseWith(ParsePath path, std::string_view page, Handler& handler,
                     const ParseLimits& limits = {});

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_PARSE_PATH_H_
