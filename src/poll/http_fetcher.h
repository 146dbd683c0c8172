#ifndef VMQ_POLL_HTTP_FETCHER_H_
#define VMQ_POLL_HTTP_FETCHER_H_

#include <memory>

#include "common/clock.h"
#include "config/config.h"
#include "poll/poll_result.h"

namespace vmq::poll {

// Fetches one target's page. An interface so that the scheduler can be driven by a fake.
class Fetcher {
 public:
  virtual ~Fetcher() = default;
  virtual PollResult Fetch() = 0;
};

// cpp-httplib client with explicit connect and read timeouts (its own connect timeout
// defaults to 300 s), a deadline for the whole poll, a body cap that is checked while the
// body streams in (so a huge or endless page is cut off, not buffered), gzip accepted.
// It sends the target's credentials and, for https, verifies the server against the target's
// CA file or else the system CA store. Failure details name the host and files, never a secret.
class HttpFetcher final : public Fetcher {
 public:
  HttpFetcher(const config::Target& target, const config::PollSettings& settings,
              const Clock& clock);
  ~HttpFetcher() override;
  PollResult Fetch() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vmq::poll

#endif  // VMQ_POLL_HTTP_FETCHER_H_
