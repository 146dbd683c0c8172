#include "poll/poll_result.h"

namespace vmq::poll {

std::string_view ToString(PollError error) {
  switch (error) {
    case PollError::kNone:
      return "none";
    case PollError::kConnect:
      return "connect";
    case PollError::kTimeout:
      return "timeout";
    case PollError::kTls:
      return "tls";
    case PollError::kRead:
      return "read";
    case PollError::kHttpStatus:
      return "http_status";
    case PollError::kBodyTooLarge:
      return "body_too_large";
    case PollError::kNotVernemq:
      return "not_vernemq";
  }
  return "unknown";
}

}  // namespace vmq::poll
