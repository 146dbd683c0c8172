// vernemq-pubcomp-exporter: wires config -> poll -> parse/select -> window -> expose.

#include <malloc.h>
#include <chrono>

#include <csignal>
#include <cstdlib>
#include <future>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "alerting/rule_file.h"
#include "app/reloader.h"
#include "app/runtime.h"
#include "app/scheduler_metrics.h"
#include "common/clock.h"
#include "common/log.h"
#include "config/config.h"
#include "expose/http_server.h"
#include "expose/snapshot.h"
#include "expose/web_config.h"
#include "main/flags.h"
#include "poll/http_fetcher.h"
#include "poll/scheduler.h"
#include "storage/state_store.h"

namespace {

constexpr int kExitUsage = 2;
// SIGTERM ends the process within a second, whatever the polls are doing.
constexpr std::chrono::milliseconds kShutdownGrace{900};
constexpr int kMmapThresholdBytes = 256 * 1024;

sigset_t WaitedSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);  // reload the configuration
  return signals;
}

int Run(const vmq::Flags& flags) {
  vmq::Logger logger(std::cerr, flags.log_level, flags.log_format);
  vmq::config::Config config;
  vmq::expose::WebConfig web;
  try {
    config = vmq::config::LoadFile(flags.config_file);
    if (!flags.web_config_file.empty()) web = vmq::expose::LoadWebConfigFile(flags.web_config_file);
  } catch (const vmq::config::ConfigError& error) {
    std::cerr << error.what() << "\n";
    return kExitUsage;
  }
  if (flags.alerts_print_rules) {
    std::cout << vmq::alerting::RenderRuleFile(config);
    return 0;
  }
  if (flags.config_check) {
    std::cout << flags.config_file << ": OK (" << config.targets.size() << " targets, "
              << config.signals.size() << " signals)\n";
    return 0;
  }

  // Block termination and reload signals in every thread; the main thread waits for them.
  const sigset_t signals = WaitedSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The page and its parts are megabytes at a thousand targets and are replaced all the time.
  // A fixed threshold keeps such buffers mmapped, so that freeing one gives it back; glibc's
  // sliding threshold would move them into the heap, where freed pages stay resident.
  mallopt(M_MMAP_THRESHOLD, kMmapThresholdBytes);

  vmq::SystemClock clock;
  vmq::app::Runtime runtime(config, clock, logger, {VMQ_VERSION, VMQ_REVISION});
  // --storage.path: the saved state is read before the first poll. Declared after the runtime,
  // so that its writer thread stops (after writing what is queued) before the runtime goes.
  std::unique_ptr<vmq::storage::StateStore> storage;
  if (!flags.storage_path.empty()) {
    try {
      storage = std::make_unique<vmq::storage::StateStore>(flags.storage_path, clock, logger,
                                                           runtime.registry());
    } catch (const std::runtime_error& error) {
      std::cerr << error.what() << "\n";
      return kExitUsage;
    }
    runtime.UseStorage(*storage);
  }

  // Declared before the scheduler, which uses its fetchers: destroyed after it.
  vmq::poll::HttpPollLoop poll_loop(clock);
  vmq::poll::Scheduler scheduler(clock, {.interval = config.poll.interval},
                                 [&runtime](const std::string& name, vmq::poll::PollResult result) {
                                   runtime.OnPollResult(name, std::move(result));
                                 });
  vmq::app::RegisterSchedulerMetrics(scheduler, runtime);
  // SIGHUP and POST /-/reload; declared before the server, which calls it: destroyed after.
  vmq::app::Reloader reloader(
      flags.config_file, runtime, scheduler,
      [&poll_loop](const vmq::config::Target& target, const vmq::config::PollSettings& poll) {
        return poll_loop.MakeFetcher(target, poll);
      },
      logger);

  vmq::expose::ServerOptions server_options{.host = flags.listen_host,
                                            .port = flags.listen_port,
                                            .telemetry_path = flags.telemetry_path,
                                            .web_config_file = flags.web_config_file,
                                            .reload = {},
                                            .web = std::move(web)};
  if (flags.web_enable_lifecycle) {
    server_options.reload = [&reloader] { return reloader.Reload("http"); };
  }
  vmq::expose::HttpServer server(std::move(server_options), runtime.page(), logger);
  runtime.SetServerMetrics([&server] { return server.OwnMetricsText(); });
  if (!server.Start()) return 1;
  for (const auto& target : config.targets) {
    scheduler.Add(target.name, poll_loop.MakeFetcher(target, config.poll));
  }
  logger.Info("starting", {{"version", VMQ_VERSION},
                           {"config", flags.config_file},
                           {"targets", std::to_string(config.targets.size())}});
  scheduler.Start();

  int received = 0;
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) reloader.Reload("SIGHUP");
  logger.Info("shutting down", {{"signal", std::to_string(received)}});
  // Polls in flight are cut, not waited for: a blackholed connect or a dripping upstream
  // would otherwise hold the exit for up to poll.timeout. A poll blocked where no deadline
  // reaches (getaddrinfo on a resolver that never answers) must not hold it either.
  std::promise<void> stopped;
  std::thread exit_guard([&logger, done = stopped.get_future()] {
    if (done.wait_for(kShutdownGrace) == std::future_status::ready) return;
    logger.Warn("a poll did not stop within the shutdown grace; exiting without it");
    std::_Exit(0);
  });
  runtime.StopRecording();
  poll_loop.CancelAll();
  scheduler.Stop();
  if (storage) {
    // The journal makes the files complete; syncing first makes them durable even if the
    // snapshots below do not finish within the shutdown grace (each is atomic).
    storage->Shutdown();
    runtime.SaveAll();
    storage->Shutdown();
  }
  server.Stop();
  stopped.set_value();
  exit_guard.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  vmq::Flags flags;
  std::string error;
  if (!vmq::ParseFlags(argc, argv, &flags, &error)) {
    std::cerr << error << "\n" << vmq::Usage(argv[0]);
    return kExitUsage;
  }
  if (flags.help) {
    std::cout << vmq::Usage(argv[0]);
    return 0;
  }
  if (flags.version) {
    std::cout << "vernemq-pubcomp-exporter " << VMQ_VERSION << " (revision " << VMQ_REVISION
              << ")\n";
    return 0;
  }
  return Run(flags);
}
