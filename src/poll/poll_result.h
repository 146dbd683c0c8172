#ifndef VMQ_POLL_POLL_RESULT_H_
#define VMQ_POLL_POLL_RESULT_H_

#include <array>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace vmq::poll {

// Why a poll failed. Reasons are exported as the `reason` label of the poll error counter,
// so the list is closed and every entry is pre-initialised at zero.
enum class PollError {
  kNone,
  kConnect,       // connection refused, unreachable, DNS failure
  kTimeout,       // no complete response within the poll's one deadline (connect to body)
  kTls,           // TLS handshake or certificate verification failed
  kRead,          // connection dropped mid-response, body cut short, head too large, bad HTTP
  kHttpStatus,    // answered, but not 200
  kBodyTooLarge,  // body (after decompression) above poll.max_body_bytes, or too many bytes
  kNotVernemq,    // a metrics page without any VerneMQ family
};

inline constexpr std::array kAllPollErrors = {
    PollError::kConnect,    PollError::kTimeout,      PollError::kTls,        PollError::kRead,
    PollError::kHttpStatus, PollError::kBodyTooLarge, PollError::kNotVernemq,
};

std::string_view ToString(PollError error);

// What one poll of one target produced. Returned by value; the poll path never throws.
struct PollResult {
  PollError error = PollError::kNone;
  std::string detail;  // human-readable, for logs and the landing page
  int http_status = 0;
  std::string body;
  MonoTime started;
  MonoTime finished;

  bool ok() const { return error == PollError::kNone; }
};

}  // namespace vmq::poll

#endif  // VMQ_POLL_POLL_RESULT_H_
