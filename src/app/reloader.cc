#include "app/reloader.h"

#include <exception>
#include <utility>

namespace vmq::app {

Reloader::Reloader(std::string config_file, Runtime& runtime, poll::Scheduler& scheduler,
                   MakeFetcher make_fetcher, Logger& logger)
    : config_file_(std::move(config_file)),
      runtime_(runtime),
      scheduler_(scheduler),
      make_fetcher_(std::move(make_fetcher)),
      logger_(logger) {}

std::string Reloader::Reload(std::string_view trigger) {
  std::lock_guard lock(mu_);
  config::Config next;
  try {
    next = config::LoadFile(config_file_);
  } catch (const config::ConfigError& error) {
    runtime_.ReloadFailed();
    logger_.Error("configuration not reloaded; the running one stays",
                  {{"trigger", std::string(trigger)}, {"err", error.what()}});
    return error.what();
  }
  const size_t targets = next.targets.size();
  ReloadChanges changes;
  try {
    changes = runtime_.Reload(std::move(next));
  } catch (const std::exception& error) {  // out of memory while building the new world
    runtime_.ReloadFailed();
    logger_.Error("configuration not reloaded; the running one stays",
                  {{"trigger", std::string(trigger)}, {"err", error.what()}});
    return config_file_ + ": " + error.what();
  }
  // The runtime holds the new targets already: their first results are not dropped, and
  // results of stopped ones are.
  for (const std::string& name : changes.stopped) scheduler_.Remove(name);
  if (changes.interval_changed) scheduler_.SetInterval(changes.poll.interval);
  for (const config::Target& target : changes.started) {
    scheduler_.Add(target.name, make_fetcher_(target, changes.poll));
  }
  for (const config::Target& target : changes.refetch) {
    scheduler_.Add(target.name, make_fetcher_(target, changes.poll));
  }
  logger_.Info("configuration reloaded", {{"trigger", std::string(trigger)},
                                          {"config", config_file_},
                                          {"targets", std::to_string(targets)},
                                          {"started", std::to_string(changes.started.size())},
                                          {"stopped", std::to_string(changes.stopped.size())},
                                          {"refetched", std::to_string(changes.refetch.size())}});
  return "";
}

}  // namespace vmq::app
