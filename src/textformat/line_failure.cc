#include "textformat/line_failure.h"

namespace vmq::textformat::detail {
namespace {

constexpr size_t kMaxExcerptBytes = 40;

void AppendPrintable(std::string_view bytes, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
}

}  // namespace

std::string Describe(const LineFailure& failure) {
  std::string message(failure.reason);
  if (failure.limit) message += " (limit " + std::to_string(*failure.limit) + ")";
  if (!failure.excerpt.empty()) {
    message += ": \"";
    AppendPrintable(failure.excerpt.substr(0, kMaxExcerptBytes), message);
    if (failure.excerpt.size() > kMaxExcerptBytes) message += "...";
    message += '"';
  }
  return message;
}

}  // namespace vmq::textformat::detail
