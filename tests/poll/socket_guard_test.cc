#include "poll/socket_guard.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "common/clock.h"

namespace vmq::poll {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A connected loopback TCP pair: `client` is what cpp-httplib would hold, `server` the upstream.
class TcpPair {
 public:
  TcpPair() {
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::listen(listener, 1);
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
    client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    server = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    ::close(listener);
  }
  ~TcpPair() {
    if (client >= 0) ::close(client);
    if (server >= 0) ::close(server);
  }
  int client = -1;
  int server = -1;
};

// Reads until end-of-file or `timeout` without data; returns what arrived.
std::string ReadAll(int fd, milliseconds timeout = milliseconds(2000)) {
  std::string out;
  char buffer[4096];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return out;
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
}

bool Readable(int fd, milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

// Writes from a thread so that a full socket buffer does not block the test; stops when the
// peer is gone.
class Writer {
 public:
  Writer(int fd, std::string data, bool close_after)
      : thread_([fd, data = std::move(data), close_after] {
          size_t at = 0;
          while (at < data.size()) {
            const ssize_t n = ::send(fd, data.data() + at, data.size() - at, MSG_NOSIGNAL);
            if (n <= 0) return;
            at += static_cast<size_t>(n);
          }
          if (close_after) ::shutdown(fd, SHUT_WR);
        }) {}
  ~Writer() { thread_.join(); }

 private:
  std::thread thread_;
};

class SocketGuardTest : public ::testing::Test {
 protected:
  GuardLimits Limits(bool plaintext = true) {
    return {.deadline = clock_.Now() + seconds(10),
            .max_head_bytes = 1000,
            .max_total_bytes = 5000,
            .plaintext_head = plaintext};
  }

  FakeClock clock_;
  SocketGuard guard_{clock_};
};

TEST_F(SocketGuardTest, RelaysBothWaysUnchanged) {
  TcpPair tcp;
  SocketGuard::Watch watch = guard_.Begin(Limits());
  ASSERT_TRUE(watch.Relay(tcp.client));
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(tcp.client, request.data(), request.size(), 0),
            static_cast<ssize_t>(request.size()));
  std::string received;
  while (received.size() < request.size() && Readable(tcp.server, milliseconds(2000))) {
    char buffer[256];
    const ssize_t n = ::recv(tcp.server, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<size_t>(n));
  }
  EXPECT_EQ(received, request);
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  { Writer writer(tcp.server, response, /*close_after=*/true); }
  EXPECT_EQ(ReadAll(tcp.client), response);
  EXPECT_EQ(watch.Finish(), GuardTrip::kNone);
}

TEST_F(SocketGuardTest, GivesClientNoMoreThanHeadCapOfAHeadThatNeverEnds) {
  TcpPair tcp;
  SocketGuard::Watch watch = guard_.Begin(Limits());
  ASSERT_TRUE(watch.Relay(tcp.client));
  Writer writer(tcp.server, "HTTP/1.1 200 " + std::string(100'000, 'a'), false);
  EXPECT_LE(ReadAll(tcp.client).size(), 1000u);
  EXPECT_EQ(watch.Finish(), GuardTrip::kHeadTooLarge);
  ::shutdown(tcp.server, SHUT_RDWR);
}

TEST_F(SocketGuardTest, CapsWholeResponseAfterHead) {
  TcpPair tcp;
  SocketGuard::Watch watch = guard_.Begin(Limits());
  ASSERT_TRUE(watch.Relay(tcp.client));
  Writer writer(tcp.server, "HTTP/1.1 200 OK\r\n\r\n" + std::string(100'000, 'b'), false);
  EXPECT_LE(ReadAll(tcp.client).size(), 5000u);
  EXPECT_EQ(watch.Finish(), GuardTrip::kTooManyBytes);
  ::shutdown(tcp.server, SHUT_RDWR);
}

TEST_F(SocketGuardTest, PassesResponseOfExactlyTheCaps) {
  TcpPair tcp;
  SocketGuard::Watch watch = guard_.Begin(Limits());
  ASSERT_TRUE(watch.Relay(tcp.client));
  const std::string head = "HTTP/1.1 200 OK\r\nX: " + std::string(1000 - 24, 'h') + "\r\n\r\n";
  ASSERT_EQ(head.size(), 1000u);
  { Writer writer(tcp.server, head + std::string(4000, 'b'), true); }
  EXPECT_EQ(ReadAll(tcp.client).size(), 5000u);
  EXPECT_EQ(watch.Finish(), GuardTrip::kNone);
}

TEST_F(SocketGuardTest, HoldsOpaqueStreamAtHeadCapUntilClientParsedHead) {
  TcpPair tcp;
  SocketGuard::Watch watch = guard_.Begin(Limits(/*plaintext=*/false));
  ASSERT_TRUE(watch.Relay(tcp.client));
  Writer writer(tcp.server, std::string(3000, 't'), true);
  std::string first;
  while (first.size() < 1000 && Readable(tcp.client, milliseconds(2000))) {
    char buffer[4096];
    const ssize_t n = ::recv(tcp.client, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    first.append(buffer, static_cast<size_t>(n));
  }
  EXPECT_EQ(first.size(), 1000u);
  EXPECT_FALSE(Readable(tcp.client, milliseconds(200)));  // held, not cut
  watch.HeadReceived();
  EXPECT_EQ(ReadAll(tcp.client).size(), 2000u);
  EXPECT_EQ(watch.Finish(), GuardTrip::kNone);
}

TEST_F(SocketGuardTest, CutsHeldOpaqueStreamAtDeadlineAsHeadTooLarge) {
  TcpPair tcp;
  SocketGuard::Watch watch = guard_.Begin(Limits(/*plaintext=*/false));
  ASSERT_TRUE(watch.Relay(tcp.client));
  Writer writer(tcp.server, std::string(3000, 't'), false);
  EXPECT_EQ(ReadAll(tcp.client, milliseconds(300)).size(), 1000u);
  clock_.Advance(seconds(11));
  guard_.Sweep();
  EXPECT_EQ(ReadAll(tcp.client).size(), 0u);  // end-of-file now
  EXPECT_EQ(watch.Finish(), GuardTrip::kHeadTooLarge);
}

TEST_F(SocketGuardTest, DeadlineEndsBlockedReadOfRelayedSocketAtOnce) {
  TcpPair tcp;
  SocketGuard::Watch watch = guard_.Begin(Limits());
  ASSERT_TRUE(watch.Relay(tcp.client));
  std::thread advance([&] {
    std::this_thread::sleep_for(milliseconds(100));
    clock_.Advance(seconds(11));
  });
  char byte;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(::recv(tcp.client, &byte, 1, 0), 0);  // blocks until the guard cuts
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(5));
  advance.join();
  EXPECT_EQ(watch.Finish(), GuardTrip::kDeadline);
}

TEST_F(SocketGuardTest, DeadlineShutsDownSocketStillConnecting) {
  TcpPair tcp;
  SocketGuard::Watch watch = guard_.Begin(Limits());
  watch.AddSocket(tcp.client);
  clock_.Advance(seconds(11));
  guard_.Sweep();
  char byte;
  EXPECT_EQ(::recv(tcp.client, &byte, 1, MSG_DONTWAIT), 0);  // shut down, not would-block
  EXPECT_EQ(watch.Finish(), GuardTrip::kDeadline);
}

TEST_F(SocketGuardTest, CancelAllTripsPollsInFlightAndLaterOnes) {
  TcpPair tcp;
  SocketGuard::Watch running = guard_.Begin(Limits());
  ASSERT_TRUE(running.Relay(tcp.client));
  guard_.CancelAll();
  EXPECT_EQ(ReadAll(tcp.client).size(), 0u);
  EXPECT_EQ(running.Finish(), GuardTrip::kCancelled);

  TcpPair later_tcp;
  SocketGuard::Watch later = guard_.Begin(Limits());
  later.AddSocket(later_tcp.client);
  char byte;
  EXPECT_EQ(::recv(later_tcp.client, &byte, 1, MSG_DONTWAIT), 0);
  EXPECT_EQ(later.Finish(), GuardTrip::kCancelled);
}

TEST_F(SocketGuardTest, NeverTouchesDescriptorAfterPollLetGoOfIt) {
  auto tcp = std::make_unique<TcpPair>();
  const int number = tcp->client;
  {
    SocketGuard::Watch watch = guard_.Begin(Limits());
    watch.AddSocket(tcp->client);
  }  // finished: the poll let go
  tcp.reset();
  TcpPair reused;  // likely gets the same descriptor number
  clock_.Advance(seconds(11));
  guard_.Sweep();
  std::this_thread::sleep_for(milliseconds(50));  // a tick of the guard's own thread
  const char byte = 'x';
  EXPECT_EQ(::send(reused.client, &byte, 1, MSG_NOSIGNAL), 1)
      << "descriptor " << number << " reused as " << reused.client;
  EXPECT_TRUE(Readable(reused.server, milliseconds(1000)));
}

TEST_F(SocketGuardTest, FinishIsIdempotent) {
  SocketGuard::Watch watch = guard_.Begin(Limits());
  clock_.Advance(seconds(11));
  guard_.Sweep();
  EXPECT_EQ(watch.Finish(), GuardTrip::kDeadline);
  EXPECT_EQ(watch.Finish(), GuardTrip::kDeadline);
}

}  // namespace
}  // namespace vmq::poll
