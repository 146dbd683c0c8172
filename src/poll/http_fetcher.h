#ifndef VMQ_POLL_HTTP_FETCHER_H_
#define VMQ_POLL_HTTP_FETCHER_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/clock.h"
#include "config/config.h"
#include "poll/async_fetcher.h"

namespace vmq::poll {
namespace detail {
struct HttpLoopCore;  // http_fetcher.cc
}  // namespace detail

// The most bytes a response head (status line and headers) may take.
inline constexpr uint64_t kMaxHeadBytes = 24 * 1024;

// The most bytes a poll receives in all: room for chunk framing and for a gzip stream of an
// incompressible page. A chunk-size line that never ends is cut here.
uint64_t MaxWireBytes(const config::PollSettings& settings);

struct HttpPollLoopOptions {
  size_t io_threads = 1;        // run every poll's I/O, TLS and gzip
  size_t resolver_threads = 4;  // getaddrinfo for host names (see resolver_pool.h)
};

// Every target's polls on one event loop (Boost.Asio/Beast, OpenSSL, zlib): a poll waiting
// on its upstream holds a socket, a timer and its buffers, never a thread. One connection per
// poll, gzip accepted; a fetcher sends its target's credentials and, for https, sends SNI and
// verifies the server's certificate and host name against the target's CA file or else the
// system CA store. Failure details name the host and files, never a secret. Against a hostile
// or broken upstream:
// - one deadline, poll.timeout, for resolve, connect, TLS handshake, status line, headers and
//   body together (reason `timeout`);
// - the head is parsed as it arrives and may take at most kMaxHeadBytes (reason `read`); the
//   trailers of a chunked body too;
// - the body is capped at poll.max_body_bytes after decompression as it streams in, and the
//   bytes received in all at MaxWireBytes (both reason `body_too_large`);
// - a body cut short is a `read` error: by Content-Length or chunking the parser knows; a body
//   ended only by the close must end with a line break, as every complete text-format page
//   does (a cut exactly at a line break cannot be told from the end).
// IP literals are used as they are; host names are resolved on the resolver threads.
//
// Lifetime: the loop must outlive the use of its fetchers (a fetcher started after the loop
// is gone calls `done` at once, cancelled). The destructor cancels every poll in flight and
// returns once their `done` ran.
class HttpPollLoop {
 public:
  explicit HttpPollLoop(const Clock& clock, HttpPollLoopOptions options = {});
  ~HttpPollLoop();
  HttpPollLoop(const HttpPollLoop&) = delete;
  HttpPollLoop& operator=(const HttpPollLoop&) = delete;

  // A fetcher for one target; its polls run on this loop. Polls of one fetcher may overlap
  // (the scheduler never starts them so).
  std::unique_ptr<AsyncFetcher> MakeFetcher(const config::Target& target,
                                            const config::PollSettings& settings);

  // Ends every poll in flight now and every poll started later, each with reason `timeout`
  // and detail "poll cancelled: the exporter is shutting down". For shutdown.
  void CancelAll();

  // Polls started and not yet done.
  size_t in_flight() const;

 private:
  std::shared_ptr<detail::HttpLoopCore> core_;
};

}  // namespace vmq::poll

#endif  // VMQ_POLL_HTTP_FETCHER_H_
