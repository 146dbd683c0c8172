#ifndef VMQ_TEXTFORMAT_LINE_FAILURE_H_
#define VMQ_TEXTFORMAT_LINE_FAILURE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vmq::textformat::detail {

// Why one line was rejected. Kept as views so that a rejected line costs no allocation;
// only the few failures that get recorded in ParseStats are turned into text.
struct LineFailure {
  explicit LineFailure(std::string_view why, std::string_view bytes = {})
      : reason(why), excerpt(bytes) {}
  static LineFailure OverLimit(std::string_view why, size_t exceeded_limit) {
    LineFailure failure(why);
    failure.limit = exceeded_limit;
    return failure;
  }

  std::string_view reason;      // a string literal
  std::string_view excerpt;     // the offending bytes of the line, if any
  std::optional<size_t> limit;  // the ParseLimits value that was exceeded, if that is why
};

// A one-line message for people: the reason, the limit, and a short excerpt in which
// bytes that are not printable ASCII appear as \xNN (pages may hold anything).
std::string Describe(const LineFailure& failure);

}  // namespace vmq::textformat::detail

#endif  // VMQ_TEXTFORMAT_LINE_FAILURE_H_
