#ifndef VMQ_TEXTFORMAT_PARSE_PATH_H_
#define VMQ_TEXTFORMAT_PARSE_PATH_H_

#include <string_view>

#include "textformat/parser.h"

namespace vmq::textformat::detail {

// The two ways Parse can read a page, with the same results: Parse takes kPageBits where the
// CPU allows (CpuHasPageBits) and kByLine elsewhere; tests and the differential fuzz target
// run both.
enum class ParsePath {
  kByLine,    // per-line SSE2 scans (line_scan.h, scan.h)
  kPageBits,  // page_bits.h; taken as kByLine where the CPU lacks AVX2 or BMI2
};

ParseStats ParseWith(ParsePath path, std::string_view page, Handler& handler,
                     const ParseLimits& limits = {});

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_PARSE_PATH_H_
