#ifndef VMQ_POLL_HTTP_FETCHER_H_
#define VMQ_POLL_HTTP_FETCHER_H_

#include <cstdint>
#include <memory>

#include "common/clock.h"
#include "config/config.h"
#include "poll/poll_result.h"
#include "poll/socket_guard.h"

namespace vmq::poll {

// Fetches one target's page. An interface so that the scheduler can be driven by a fake.
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual PollResult Fetch() = 0;
};

// cpp-httplib client, gzip accepted, one connection per poll. It sends the target's
// credentials and, for https, verifies the server against the target's CA file or else the
// system CA store. Failure details name the host and files, never a secret. Against a hostile
// or broken upstream (the bytes pass through `guard`, see socket_guard.h):
// - one deadline, poll.timeout, for connect, TLS handshake, status line, headers and body
//   together (cpp-httplib's own timeouts bound each read only);
// - the client receives at most kMaxHeadBytes before the response head is complete (so at
//   most kMaxHeadBytes / 4 header lines, and a status line short enough for cpp-httplib's
//   recursive std::regex, which overflows the stack at ~40-60 KB); on https the handshake
//   counts too. The body is capped at poll.max_body_bytes after decompression as it streams
//   in, and the bytes received in all at twice that plus kMaxHeadBytes (chunk framing, gzip
//   of an incompressible page), which also cuts a chunk-size line that never ends;
// - a body cut short is a `read` error: by Content-Length or chunking cpp-httplib knows;
//   a body ended only by the close must end with a line break, as every complete text-format
//   page does (a cut exactly at a line break cannot be told from the end).
class HttpFetcher final : public Fetcher {
 public:
  static constexpr uint64_t kMaxHeadBytes = 24 * 1024;

  HttpFetcher(const config::Target& target, const config::PollSettings& settings,
              const Clock& clock, SocketGuard& guard);
  ~HttpFetcher() override;
  PollResult Fetch() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vmq::poll

#endif  // VMQ_POLL_HTTP_FETCHER_H_
