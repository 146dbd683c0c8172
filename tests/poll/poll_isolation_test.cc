// The real poller (HttpPollLoop) under the real scheduler over loopback: half the targets
// hang, and the other half is still polled on time.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "poll/http_fetcher.h"
#include "poll/scheduler.h"

namespace vmq::poll {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Accepts every connection (backlog 1024) on one thread; answers each request with `page`, or
// with nothing when `page` is empty; closes each connection when its client does. (cpp-httplib's
// server listens with a backlog of 5: a burst of 100 connects would wait on SYN retries.)
class LoopbackUpstream {
 public:
  explicit LoopbackUpstream(std::string page) : page_(std::move(page)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::listen(listener_, 1024);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~LoopbackUpstream() {
    stopping_ = true;
    thread_.join();
    for (int fd : open_) ::close(fd);
    ::close(listener_);
  }
  int port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  void Run() {
    while (!stopping_) {
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (int fd : open_) fds.push_back({fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
      std::vector<int> still;
      if (fds[0].revents & POLLIN) {
        int fd;
        while ((fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
          still.push_back(fd);
          ++accepted_;
        }
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        char buffer[4096];
        const ssize_t n = fds[i].revents != 0 ? ::recv(fds[i].fd, buffer, sizeof(buffer), 0) : -1;
        if (n == 0) {
          ::close(fds[i].fd);
          continue;
        }
        // The request is small and comes in one piece on loopback.
        if (n > 0 && !page_.empty()) {
          const std::string response =
              "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(page_.size()) + "\r\n\r\n" +
              page_;
          ::send(fds[i].fd, response.data(), response.size(), MSG_NOSIGNAL);
          ::shutdown(fds[i].fd, SHUT_WR);
        }
        still.push_back(fds[i].fd);
      }
      open_ = std::move(still);
    }
  }

  const std::string page_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> open_;  // the thread's own
  std::thread thread_;
};

config::Target Target(const std::string& name, int port) {
  config::Target target;
  target.name = name;
  target.url.scheme = "http";
  target.url.host = "127.0.0.1";
  target.url.port = port;
  target.url.path = "/metrics";
  target.url.text = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  return target;
}

struct Seen {
  int ok = 0;
  int timeouts = 0;
  int other = 0;
  Millis slowest{0};
};

TEST(PollIsolation, HundredHangingTargetsDoNotDelayHundredAnsweringOnes) {
  LoopbackUpstream healthy("mqtt_publish_error{node=\"n\"} 0\n");
  LoopbackUpstream hanging("");

  SystemClock clock;
  config::PollSettings settings;
  settings.interval = Millis(1000);
  settings.timeout = Millis(800);
  std::mutex mu;
  std::map<std::string, Seen> seen;
  HttpPollLoop loop(clock);
  Scheduler scheduler(
      clock, {.interval = settings.interval}, [&](const std::string& name, PollResult result) {
        std::lock_guard lock(mu);
        Seen& s = seen[name];
        if (result.ok()) {
          ++s.ok;
        } else if (result.error == PollError::kTimeout) {
          ++s.timeouts;
        } else {
          ++s.other;
        }
        s.slowest = std::max(s.slowest,
                             std::chrono::duration_cast<Millis>(result.finished - result.started));
      });
  for (int i = 0; i < 100; ++i) {
    scheduler.Add("up-" + std::to_string(i),
                  loop.MakeFetcher(Target("up-" + std::to_string(i), healthy.port()), settings));
    scheduler.Add("hang-" + std::to_string(i),
                  loop.MakeFetcher(Target("hang-" + std::to_string(i), hanging.port()), settings));
  }
  scheduler.Start();
  std::this_thread::sleep_for(seconds(6));
  loop.CancelAll();
  scheduler.Stop();

  // About 6-7 polls each in 6 s: the first at once, then one a second.
  std::lock_guard lock(mu);
  for (int i = 0; i < 100; ++i) {
    const Seen& up = seen["up-" + std::to_string(i)];
    EXPECT_GE(up.ok, 5) << "up-" << i;
    EXPECT_EQ(up.timeouts + up.other, 0) << "up-" << i;
    EXPECT_LT(up.slowest, Millis(500)) << "up-" << i;
    const Seen& down = seen["hang-" + std::to_string(i)];
    EXPECT_EQ(down.ok + down.other, 0) << "hang-" << i;
    EXPECT_GE(down.timeouts, 4) << "hang-" << i;
  }
  EXPECT_GE(hanging.accepted(), 400);
  std::cout << "[ figures  ] 6 s, 100 answering + 100 hanging targets at 1 s: polls started "
            << scheduler.stats().polls_started << ", skipped " << scheduler.stats().polls_skipped
            << "\n";
}

}  // namespace
}  // namespace vmq::poll
