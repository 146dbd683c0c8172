// vmq-hostile-upstream FAULT [PAGE_FILE]: serves one fault on a free loopback port (printed on
// stdout) until SIGINT or SIGTERM, for measuring the exporter by hand (tests/faults/README.md).
// With PAGE_FILE, the first connection gets that page complete.

#include <csignal>
#include <iostream>
#include <string>

#include "common/fixtures.h"
#include "faults/upstream/hostile_upstream.h"

int main(int argc, char** argv) {
  vmq::testing::UpstreamFault fault;
  if (argc < 2 || !vmq::testing::ParseUpstreamFault(argv[1], &fault)) {
    std::cerr << "usage: vmq-hostile-upstream FAULT [PAGE_FILE]\nfaults:";
    for (auto known : vmq::testing::AllUpstreamFaults()) std::cerr << " " << ToString(known);
    std::cerr << "\n";
    return 2;
  }
  std::string page;
  if (argc > 2 && !vmq::testing::ReadFile(argv[2], &page)) {
    std::cerr << "cannot read " << argv[2] << "\n";
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  vmq::testing::HostileUpstream upstream(fault, page, page.empty() ? 0 : 1);
  std::cout << upstream.port() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  return 0;
}
