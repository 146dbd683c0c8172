#ifndef VMQ_APP_RELOADER_H_
#define VMQ_APP_RELOADER_H_

// A configuration reload, as SIGHUP and POST /-/reload ask for it: the file is loaded and
// validated completely first (config::LoadFile, as at start-up); an invalid one changes
// nothing but the reload metrics and is logged with its FILE:LINE:COL; a valid one goes to
// the Runtime in one step, then the scheduler follows (targets started, stopped, fetched
// anew, the interval changed). One reload at a time, from any thread.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "app/runtime.h"
#include "common/log.h"
#include "config/config.h"
#include "poll/async_fetcher.h"
#include "poll/scheduler.h"

namespace vmq::app {

class Reloader {
 public:
  using MakeFetcher = std::function<std::unique_ptr<poll::AsyncFetcher>(
      const config::Target& target, const config::PollSettings& poll)>;

  Reloader(std::string config_file, Runtime& runtime, poll::Scheduler& scheduler,
           MakeFetcher make_fetcher, Logger& logger);

  // Empty on success, else why the configuration was not applied ("FILE:LINE:COL: ...").
  // `trigger` ("SIGHUP", "http") is logged. Never throws.
  std::string Reload(std::string_view trigger);

 private:
  const std::string config_file_;
  Runtime& runtime_;
  poll::Scheduler& scheduler_;
  const MakeFetcher make_fetcher_;
  Logger& logger_;
  std::mutex mu_;
};

}  // namespace vmq::app

#endif  // VMQ_APP_RELOADER_H_
