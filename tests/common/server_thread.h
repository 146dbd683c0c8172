#ifndef VMQ_TESTS_COMMON_SERVER_THREAD_H_
#define VMQ_TESTS_COMMON_SERVER_THREAD_H_

#include <httplib.h>

#include <thread>

namespace vmq::testing {

// Serves an in-process cpp-httplib server (plain or SSLServer) on a loopback port from its own
// thread for as long as this object exists. Declare it after the server it runs.
class ServerThread {
 public:
  explicit ServerThread(httplib::Server& server) : server_(server) {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the accept loop runs is a no-op in cpp-httplib 0.11 and join would hang.
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~ServerThread() {
    server_.stop();
    thread_.join();
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  int port() const { return port_; }

 private:
  httplib::Server& server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace vmq::testing

#endif  // VMQ_TESTS_COMMON_SERVER_THREAD_H_
