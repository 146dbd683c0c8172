// Hostile and heavy clients for the exporter's HTTP server, to reproduce the figures in
// bench/README.md ("HTTP server under hostile clients"); bench/server_stress.sh drives it
// against the real binary. Loopback only; every mode stops by itself.
//
//   server_stress hold PORT IDLE SLOW SECONDS [tls]  hold IDLE idle and SLOW slow-loris
//       connections (one byte per 5 s) for SECONDS, reopening any the server closes
//   server_stress keepalive PORT CLIENTS REQUESTS PATH  CLIENTS concurrent keep-alive
//       connections, REQUESTS each; prints answered, failed and latency percentiles
//   server_stress authflood PORT CLIENTS SECONDS [new]  CLIENTS threads sending random wrong
//       passwords in a loop, on kept-alive connections or a new connection each ("new")
//   server_stress header PORT BYTES LINES               one request whose headers are a line
//       of BYTES bytes or LINES lines; prints what came back
//   server_stress sequential PORT COUNT PATH            COUNT keep-alive requests one after
//       the other on one connection (the Nagle/delayed-ACK stall shows as ~40 ms each)
//   server_stress bcrypt PASSWORD COST                  prints a bcrypt hash (for web.yml)

#include <arpa/inet.h>
#include <crypt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

int Connect(int port, bool nonblocking = false) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));  // as curl does
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  if (nonblocking) {
    timeval none{0, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
  }
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t sent = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (sent <= 0) return false;
    done += static_cast<size_t>(sent);
  }
  return true;
}

// Parses one complete response at the front of `buffer`: its status, and erases it. 0: not
// complete yet.
int TakeResponse(std::string& buffer) {
  const size_t end = buffer.find("\r\n\r\n");
  if (end == std::string::npos || buffer.size() < 12) return 0;
  size_t length = 0;
  const size_t at = buffer.find("Content-Length: ");
  if (at != std::string::npos && at < end)
    length = std::strtoul(buffer.c_str() + at + 16, nullptr, 10);
  if (buffer.size() < end + 4 + length) return 0;
  const int status = std::atoi(buffer.c_str() + 9);
  buffer.erase(0, end + 4 + length);
  return status;
}

// One blocking keep-alive request; the status, or 0.
int Request(int fd, const std::string& request, std::string& buffer) {
  if (!SendAll(fd, request)) return 0;
  char chunk[65536];
  for (;;) {
    if (const int status = TakeResponse(buffer)) return status;
    const ssize_t got = ::recv(fd, chunk, sizeof(chunk), 0);
    if (got <= 0) return 0;
    buffer.append(chunk, static_cast<size_t>(got));
  }
}

void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

int Hold(int port, int idle, int slow, int seconds, bool tls) {
  // Plain: an unfinished request line. TLS: the start of a ClientHello record.
  const std::string drip = tls ? std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)
                               : std::string("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ");
  struct Held {
    int fd = -1;
    bool slow = false;
    size_t sent = 0;
  };
  std::vector<Held> held(static_cast<size_t>(idle + slow));
  for (size_t i = 0; i < held.size(); ++i) held[i].slow = static_cast<int>(i) >= idle;
  int reopened = 0;
  int failed = 0;
  const Clock::time_point end = Clock::now() + std::chrono::seconds(seconds);
  Clock::time_point next_drip = Clock::now();
  while (Clock::now() < end) {
    for (Held& h : held) {
      if (h.fd >= 0) {
        char byte;
        const ssize_t got = ::recv(h.fd, &byte, 1, MSG_DONTWAIT);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
          ::close(h.fd);
          h.fd = -1;
          ++reopened;
        }
      }
      if (h.fd < 0) {
        h.fd = Connect(port, true);
        h.sent = 0;
        if (h.fd < 0) ++failed;
      }
    }
    if (Clock::now() >= next_drip) {
      for (Held& h : held) {
        if (!h.slow || h.fd < 0) continue;
        const char byte = h.sent < drip.size() ? drip[h.sent] : 'a';
        if (::send(h.fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) ++h.sent;
      }
      next_drip += std::chrono::seconds(5);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  int open = 0;
  for (Held& h : held) {
    if (h.fd >= 0) ++open, ::close(h.fd);
  }
  std::printf(
      "hold: %d idle + %d slow-loris for %d s; %d reopened after the server closed them, "
      "%d connects failed, %d open at the end\n",
      idle, slow, seconds, reopened, failed, open);
  return 0;
}

int KeepAlive(int port, int clients, int requests, const std::string& path) {
  struct Client {
    int fd = -1;
    int done = 0;
    std::string buffer;
    Clock::time_point sent_at;
  };
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  std::vector<Client> all(static_cast<size_t>(clients));
  const Clock::time_point start = Clock::now();
  int connect_failed = 0;
  for (Client& c : all) {
    c.fd = Connect(port, true);
    if (c.fd < 0) ++connect_failed;
  }
  for (Client& c : all) {
    if (c.fd < 0) continue;
    c.sent_at = Clock::now();
    if (!SendAll(c.fd, request)) ::close(c.fd), c.fd = -1;
  }
  std::vector<double> latencies;
  std::map<int, int> statuses;
  int failed = 0;
  const Clock::time_point deadline = start + std::chrono::seconds(60);
  char chunk[65536];
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Client*> owners;
    for (Client& c : all) {
      if (c.fd >= 0) fds.push_back({c.fd, POLLIN, 0}), owners.push_back(&c);
    }
    if (fds.empty() || Clock::now() > deadline) break;
    if (::poll(fds.data(), fds.size(), 1000) < 0) break;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      Client& c = *owners[i];
      const ssize_t got = ::recv(c.fd, chunk, sizeof(chunk), MSG_DONTWAIT);
      if (got <= 0) {
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        failed += requests - c.done;
        ::close(c.fd), c.fd = -1;
        continue;
      }
      c.buffer.append(chunk, static_cast<size_t>(got));
      while (const int status = TakeResponse(c.buffer)) {
        latencies.push_back(Ms(Clock::now() - c.sent_at));
        ++statuses[status];
        if (++c.done == requests) {
          ::close(c.fd), c.fd = -1;
          break;
        }
        c.sent_at = Clock::now();
        if (!SendAll(c.fd, request)) {
          failed += requests - c.done;
          ::close(c.fd), c.fd = -1;
          break;
        }
      }
    }
  }
  for (Client& c : all) {
    if (c.fd >= 0) failed += requests - c.done, ::close(c.fd);
  }
  std::printf("keepalive: %d clients x %d requests of %s in %.0f ms: %zu answered (", clients,
              requests, path.c_str(), Ms(Clock::now() - start), latencies.size());
  for (const auto& [status, count] : statuses) std::printf(" %d: %d", status, count);
  std::printf(" ), %d failed, %d connects failed; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              failed, connect_failed, Percentile(latencies, 0.5), Percentile(latencies, 0.99),
              Percentile(latencies, 1.0));
  return failed == 0 && connect_failed == 0 ? 0 : 1;
}

std::string Base64(const std::string& in) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int value = 0;
  int bits = -6;
  for (unsigned char c : in) {
    value = (value << 8) + c;
    bits += 8;
    while (bits >= 0) out.push_back(abc[(value >> bits) & 0x3F]), bits -= 6;
  }
  if (bits > -6) out.push_back(abc[((value << 8) >> (bits + 8)) & 0x3F]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

int AuthFlood(int port, int clients, int seconds, bool new_connections) {
  std::atomic<long> attempts{0};
  std::atomic<long> unauthorized{0};
  std::atomic<long> busy{0};
  std::atomic<long> other{0};
  const Clock::time_point end = Clock::now() + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 random(static_cast<unsigned>(t) * 7919u + 1);
      int fd = -1;
      std::string buffer;
      while (Clock::now() < end) {
        if (fd < 0) fd = Connect(port), buffer.clear();
        if (fd < 0) continue;
        const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " +
                                    Base64("alice:guess" + std::to_string(random())) + "\r\n\r\n";
        const int status = Request(fd, request, buffer);
        ++attempts;
        if (new_connections) ::close(fd), fd = -1;
        if (status == 401) {
          ++unauthorized;
        } else if (status == 503) {
          ++busy;
        } else {
          ++other;
          if (fd >= 0) ::close(fd), fd = -1;
        }
      }
      if (fd >= 0) ::close(fd);
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::printf(
      "authflood: %d clients (%s) for %d s: %ld wrong-password requests, %ld x 401, %ld x 503, "
      "%ld other (no answer within 10 s)\n",
      clients, new_connections ? "a new connection per request" : "kept alive", seconds,
      attempts.load(), unauthorized.load(), busy.load(), other.load());
  return 0;
}

int Header(int port, long bytes, long lines) {
  const int fd = Connect(port);
  if (fd < 0) return 1;
  const Clock::time_point start = Clock::now();
  long sent = 0;
  bool ok = SendAll(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n");
  std::string chunk;
  long total = 0;
  if (bytes > 0) {
    ok = ok && SendAll(fd, "X-Huge: ");
    chunk.assign(64 * 1024, 'a');
    total = bytes;
  } else {
    for (int i = 0; i < 8192; ++i) chunk += "X-L: v\r\n";
    total = lines * 8;
  }
  while (ok && sent < total) {
    ok = SendAll(fd, chunk);
    if (ok) sent += static_cast<long>(chunk.size());
  }
  char answer[256] = {};
  const ssize_t got = ::recv(fd, answer, sizeof(answer) - 1, 0);
  std::string first = got > 0 ? std::string(answer, static_cast<size_t>(got)) : "";
  first = first.substr(0, first.find("\r\n"));
  std::printf("header: %s sent %ld of %ld bytes in %.0f ms before the server %s; answer: \"%s\"\n",
              bytes > 0 ? "one long line," : "many lines,", sent, total, Ms(Clock::now() - start),
              ok ? "read them all (!)" : "stopped reading or closed", first.c_str());
  ::close(fd);
  return 0;
}

int Sequential(int port, int count, const std::string& path) {
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  std::string buffer;
  std::vector<double> latencies;
  int fd = -1;
  int connections = 0;
  for (int i = 0; i < count; ++i) {
    if (fd < 0) fd = Connect(port), buffer.clear(), ++connections;
    if (fd < 0) break;
    const Clock::time_point start = Clock::now();
    const int status = Request(fd, request, buffer);
    if (status != 200) {
      // The server closes a connection after its keep-alive request limit: reconnect once.
      ::close(fd);
      fd = -1;
      if (status == 0 && i > 0 && connections <= count) {
        --i;
        continue;
      }
      break;
    }
    latencies.push_back(Ms(Clock::now() - start));
  }
  if (fd >= 0) ::close(fd);
  std::printf(
      "sequential: %zu of %d keep-alive requests of %s on %d connection(s): p50 %.2f ms, "
      "p99 %.2f ms, max %.2f ms\n",
      latencies.size(), count, path.c_str(), connections, Percentile(latencies, 0.5),
      Percentile(latencies, 0.99), Percentile(latencies, 1.0));
  return static_cast<int>(latencies.size()) == count ? 0 : 1;
}

int PrintBcrypt(const std::string& password, int cost) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", cost, nullptr, 0, salt, sizeof(salt)) == nullptr) return 1;
  static crypt_data data;
  const char* hash = crypt_r(password.c_str(), salt, &data);
  if (hash == nullptr || hash[0] == '*') return 1;
  std::printf("%s\n", hash);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  RaiseFileLimit();
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto arg = [&](size_t i) { return i < args.size() ? std::atoi(args[i].c_str()) : 0; };
  const std::string mode = args.empty() ? "" : args[0];
  if (mode == "hold" && args.size() >= 5) {
    return Hold(arg(1), arg(2), arg(3), arg(4), args.size() > 5 && args[5] == "tls");
  }
  if (mode == "keepalive" && args.size() == 5) return KeepAlive(arg(1), arg(2), arg(3), args[4]);
  if (mode == "authflood" && (args.size() == 4 || args.size() == 5)) {
    return AuthFlood(arg(1), arg(2), arg(3), args.size() == 5 && args[4] == "new");
  }
  if (mode == "header" && args.size() == 4) {
    return Header(arg(1), std::atol(args[2].c_str()), std::atol(args[3].c_str()));
  }
  if (mode == "sequential" && args.size() == 4) return Sequential(arg(1), arg(2), args[3]);
  if (mode == "bcrypt" && args.size() == 3) return PrintBcrypt(args[1], arg(2));
  std::fprintf(stderr, "usage: see the comment at the top of bench/server_stress.cc\n");
  return 2;
}
