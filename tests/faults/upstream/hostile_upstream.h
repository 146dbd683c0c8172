#ifndef VMQ_TESTS_FAULTS_UPSTREAM_HOSTILE_UPSTREAM_H_
#define VMQ_TESTS_FAULTS_UPSTREAM_HOSTILE_UPSTREAM_H_

// An upstream that misbehaves at the transport and HTTP level, on raw loopback sockets, for
// the fault tests and for measuring by hand (vmq-hostile-upstream).

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace vmq::testing {

enum class UpstreamFault {
  kHeaderDrip,          // status line, then one header byte every 200 ms, never a blank line
  kEndlessHeaders,      // status line, then header lines as fast as the client reads
  kEndlessStatusLine,   // "HTTP/1.1 200 " and then never a line break
  kHugeHeaderLine,      // one header line that never ends
  kLongStatusLine,      // a complete status line of 100 KB (cpp-httplib's regex recursion)
  kShortContentLength,  // Content-Length of the whole page, the page cut mid-value, close
  kShortChunked,        // chunked, the page cut mid-value, close without the last chunk
  kShortClose,          // HTTP/1.0 without Content-Length, the page cut mid-value, close
  kBodyDrip,            // the page with Content-Length, one byte every 100 ms
  kSilent,              // accepts, reads the request, never answers
  kTlsStall,            // accepts and reads the TLS ClientHello, never answers it
  kBlackhole,           // accept queue full: connect never completes
  kEndlessChunkSize,    // chunked, then a chunk-size line of hex digits that never ends
  kEndlessTrailers,     // chunked, the last chunk, then trailer lines without end
  kGzipBomb,            // Content-Encoding gzip: 64 KB on the wire, 64 MB inflated
  kGarbageStatusLine,   // answers with an SSH banner
  kWholePageByClose,    // HTTP/1.0 without Content-Length, the whole page, close: a fault
                        // only when the page lacks its final line break
};

std::string_view ToString(UpstreamFault fault);
// Inverse of ToString; false when unknown.
bool ParseUpstreamFault(std::string_view name, UpstreamFault* fault);
std::vector<UpstreamFault> AllUpstreamFaults();

// Listens on 127.0.0.1 (a free port). The first `healthy_connections` connections get `page`
// complete (Content-Length, then close); every later one gets the fault. `page` should hold
// kCutMarker where a cut-short fault stops: right inside a counter value, so a client that
// took the cut page as complete would read a smaller counter. Stops and joins on destruction.
class HostileUpstream {
 public:
  static constexpr std::string_view kCutMarker = "@CUT@";

  HostileUpstream(UpstreamFault fault, std::string page, int healthy_connections);
  ~HostileUpstream();
  HostileUpstream(const HostileUpstream&) = delete;
  HostileUpstream& operator=(const HostileUpstream&) = delete;

  int port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  void AcceptLoop();
  void Serve(int fd, int index);
  void ServeFault(int fd);

  const UpstreamFault fault_;
  const std::string page_;     // complete page (marker removed)
  const std::string cut_;      // the page up to the marker
  const std::string gzipped_;  // kGzipBomb only
  const int healthy_connections_;
  int listen_fd_ = -1;
  int blackhole_filler_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread accept_thread_;
};

}  // namespace vmq::testing

#endif  // VMQ_TESTS_FAULTS_UPSTREAM_HOSTILE_UPSTREAM_H_
