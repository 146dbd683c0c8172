#include "sim/http_listener.h"

#include <httplib.h>

#include <atomic>
#include <memory>

namespace vmq::sim {
namespace detail {
namespace {

constexpr char kLoopback[] = "127.0.0.1";
constexpr std::size_t kThreads = 3;

}  // namespace
}  // namespace detail

void ConfigureSmallServer(httplib::Server& server) {
  server.new_task_queue = [] { return new httplib::ThreadPool(detail::kThreads); };
  server.set_keep_alive_max_count(20);
  server.set_keep_alive_timeout(2);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
}

int BindLoopback(httplib::Server& server, int port) {
  if (port == 0) return server.bind_to_any_port(detail::kLoopback);
  return server.bind_to_port(detail::kLoopback, port) ? port : -1;
}

std::thread RunAcceptLoop(httplib::Server& server) {
  auto exited = std::make_shared<std::atomic<bool>>(false);
  std::thread thread([&server, exited] {
    server.listen_after_bind();
    *exited = true;
  });
  while (!server.is_running() && !*exited) std::this_thread::yield();
  return thread;
}

}  // namespace vmq::sim
