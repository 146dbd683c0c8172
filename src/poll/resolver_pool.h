#ifndef VMQ_POLL_RESOLVER_POOL_H_
#define VMQ_POLL_RESOLVER_POOL_H_

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace vmq::poll::detail {

// What a host name resolved to (port 0: the caller sets it), or why it did not.
struct Resolved {
  std::vector<sockaddr_storage> addresses;
  std::string error;  // gai_strerror text; empty on success
};

// getaddrinfo on a few threads of its own. The blocking resolver cannot be cancelled and may
// never return (a resolver that takes every query and answers none), and asio's async_resolve
// runs every lookup of the process on one hidden thread, so one such name would stall every
// host-name target. Here each name has at most one lookup in flight, shared by every request
// for it that arrives meanwhile: a hanging name holds one thread, not one per poll. Up to
// `threads - 1` names that hang leave the others resolving; past that, lookups queue and the
// polls waiting on them end at their own deadline. The bound on memory is one queued entry
// per distinct name and one waiter per request (the scheduler keeps one poll per target).
class ResolverPool {
 public:
  // Runs on a pool thread with the pool's lock held: it must only hand the result on (post to
  // an io_context), never call back into the pool.
  using Callback = std::function<void(const Resolved&)>;

  explicit ResolverPool(size_t threads);
  // Shutdown(); joins idle threads and leaves those stuck in getaddrinfo to finish on their
  // own (they then touch only state they share ownership of), so it never blocks.
  ~ResolverPool();
  ResolverPool(const ResolverPool&) = delete;
  ResolverPool& operator=(const ResolverPool&) = delete;

  // Queues a lookup of `host` (or joins the one in flight); returns a ticket for Forget, 0
  // when shut down (the callback is then never called).
  uint64_t Resolve(const std::string& host, Callback callback);
  // The callback of `ticket` is not called after this returns.
  void Forget(uint64_t ticket);
  // No callback runs after this returns; later Resolve calls are refused.
  void Shutdown();

 private:
  struct State;
  static void Run(const std::shared_ptr<State>& state, size_t index);

  std::shared_ptr<State> state_;
  std::vector<std::thread> threads_;
};

}  // namespace vmq::poll::detail

#endif  // VMQ_POLL_RESOLVER_POOL_H_
