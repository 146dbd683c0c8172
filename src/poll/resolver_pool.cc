#include "poll/resolver_pool.h"

#include <netdb.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <utility>

namespace vmq::poll::detail {
namespace {

Resolved Lookup(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  Resolved out;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    out.error = ::gai_strerror(rc);
    return out;
  }
  for (const addrinfo* at = list; at != nullptr; at = at->ai_next) {
    if (at->ai_addrlen > sizeof(sockaddr_storage)) continue;
    sockaddr_storage address{};
    std::memcpy(&address, at->ai_addr, at->ai_addrlen);
    out.addresses.push_back(address);
  }
  ::freeaddrinfo(list);
  if (out.addresses.empty()) out.error = "no address";
  return out;
}

}  // namespace

struct ResolverPool::State {
  struct Name {
    std::map<uint64_t, Callback> waiters;
    bool in_flight = false;
  };

  std::mutex mu;
  std::condition_variable wake;
  bool stopping = false;
  uint64_t next_ticket = 1;
  std::map<std::string, Name> names;
  std::map<uint64_t, std::string> ticket_names;
  std::deque<std::string> queue;  // may hold names no longer wanted: skipped when taken
  std::vector<bool> busy;         // per thread: inside getaddrinfo
};

ResolverPool::ResolverPool(size_t threads) : state_(std::make_shared<State>()) {
  if (threads == 0) threads = 1;
  state_->busy.assign(threads, false);
  for (size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([state = state_, i] { Run(state, i); });
  }
}

ResolverPool::~ResolverPool() {
  Shutdown();
  std::vector<bool> busy;
  {
    std::lock_guard lock(state_->mu);
    busy = state_->busy;
  }
  // A thread idle now cannot become busy again (stopping), so joining it returns at once.
  for (size_t i = 0; i < threads_.size(); ++i) {
    if (busy[i]) {
      threads_[i].detach();
    } else {
      threads_[i].join();
    }
  }
}

uint64_t ResolverPool::Resolve(const std::string& host, Callback callback) {
  std::lock_guard lock(state_->mu);
  if (state_->stopping) return 0;
  const uint64_t ticket = state_->next_ticket++;
  auto [it, added] = state_->names.try_emplace(host);
  it->second.waiters.emplace(ticket, std::move(callback));
  state_->ticket_names.emplace(ticket, host);
  if (added) {
    state_->queue.push_back(host);
    state_->wake.notify_one();
  }
  return ticket;
}

void ResolverPool::Forget(uint64_t ticket) {
  std::lock_guard lock(state_->mu);
  auto name = state_->ticket_names.find(ticket);
  if (name == state_->ticket_names.end()) return;
  auto entry = state_->names.find(name->second);
  state_->ticket_names.erase(name);
  if (entry == state_->names.end()) return;
  entry->second.waiters.erase(ticket);
  // A lookup in flight keeps its entry, so that a new request joins it instead of starting
  // a second one for the same name.
  if (entry->second.waiters.empty() && !entry->second.in_flight) state_->names.erase(entry);
}

void ResolverPool::Shutdown() {
  std::lock_guard lock(state_->mu);
  state_->stopping = true;
  state_->names.clear();
  state_->ticket_names.clear();
  state_->queue.clear();
  state_->wake.notify_all();
}

void ResolverPool::Run(const std::shared_ptr<State>& state, size_t index) {
  std::unique_lock lock(state->mu);
  while (true) {
    state->wake.wait(lock, [&] { return state->stopping || !state->queue.empty(); });
    if (state->stopping) return;
    const std::string host = std::move(state->queue.front());
    state->queue.pop_front();
    auto entry = state->names.find(host);
    if (entry == state->names.end() || entry->second.in_flight) continue;
    entry->second.in_flight = true;
    state->busy[index] = true;
    lock.unlock();
    const Resolved resolved = Lookup(host);
    lock.lock();
    state->busy[index] = false;
    if (state->stopping) return;
    entry = state->names.find(host);
    if (entry == state->names.end()) continue;
    std::map<uint64_t, Callback> waiters = std::move(entry->second.waiters);
    state->names.erase(entry);
    for (auto& [ticket, callback] : waiters) {
      state->ticket_names.erase(ticket);
      try {
        callback(resolved);
      } catch (...) {  // out of memory posting the result: that poll ends at its deadline
      }
    }
  }
}

}  // namespace vmq::poll::detail
