#ifndef VMQ_TEXTFORMAT_UTF8_H_
#define VMQ_TEXTFORMAT_UTF8_H_

#include <string_view>

namespace vmq::textformat::detail {

// Well-formed UTF-8 as Unicode defines it (and Go's utf8.ValidString, which Prometheus uses
// to refuse a scrape): no overlong forms, no surrogates, nothing above U+10FFFF. Label
// values that fail it are refused so that they can never reach the exporter's own page.
bool IsValidUtf8(std::string_view text);

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_UTF8_H_
