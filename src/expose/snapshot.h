#ifndef VMQ_EXPOSE_SNAPSHOT_H_
#define VMQ_EXPOSE_SNAPSHOT_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "expose/target_status.h"

namespace vmq::expose {

// Everything the HTTP server serves, rendered ahead of time by the poll side. Immutable once
// published, so a scrape never waits on a poll and never sees half an update.
struct Snapshot {
  std::string metrics_text;
  std::vector<TargetStatus> targets;
  bool ready = false;  // config loaded and every target polled at least once
  // metrics_text already ends with the HTTP server's own families (HttpServer::OwnMetricsText),
  // so the server serves it without appending them to a copy.
  bool includes_server_metrics = false;
};

// Where the HTTP server gets what it serves. Current() must not wait on a poll.
class SnapshotSource {
 public:
  virtual ~SnapshotSource() = default;
  virtual std::shared_ptr<const Snapshot> Current() const = 0;
};

// A source that serves whatever was published last (tests of the server use it).
class SnapshotStore final : public SnapshotSource {
 public:
  SnapshotStore() : current_(std::make_shared<const Snapshot>()) {}

  void Publish(std::shared_ptr<const Snapshot> snapshot) {
    std::lock_guard lock(mu_);
    current_ = std::move(snapshot);
  }
  std::shared_ptr<const Snapshot> Current() const override {
    std::lock_guard lock(mu_);
    return current_;
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;
};

}  // namespace vmq::expose

#endif  // VMQ_EXPOSE_SNAPSHOT_H_
