#ifndef VMQ_EXPOSE_PAGE_ASSEMBLER_H_
#define VMQ_EXPOSE_PAGE_ASSEMBLER_H_

// The exporter's /metrics page, assembled at scrape time from the latest part of every target
// (target_page.h) plus the exporter's own instrumentation (a prometheus-cpp registry). A poll
// publishes its target's part by swapping one pointer under a lock held for nothing else; a
// scrape copies the pointers under that lock and concatenates outside it, family by family,
// so each family's HELP and TYPE appear once across targets. The result is cached until a
// part changes (or, for the registry's values, a second has passed), so concurrent scrapes
// share one page.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/registry.h>

#include "common/clock.h"
#include "expose/snapshot.h"
#include "expose/target_page.h"

namespace vmq::expose {

class PageAssembler final : public SnapshotSource {
 public:
  // `registry` (may be null) is serialised after the targets' families.
  PageAssembler(PageLayout layout, const Clock& clock,
                std::shared_ptr<prometheus::Registry> registry);

  // Adds the target at the end of the page when it is new, else replaces its part.
  void Publish(const std::string& target, std::shared_ptr<const TargetPage> page);
  void Remove(const std::string& target);
  // A reloaded configuration: its layout and every target's part under it, in page order,
  // in one step, so that no page mixes the two configurations' families.
  void Replace(PageLayout layout,
               std::vector<std::pair<std::string, std::shared_ptr<const TargetPage>>> parts);
  // Called before each serialisation of the registry, under the assembly lock. May be
  // added while serving.
  void OnAssemble(std::function<void()> refresh) {
    std::lock_guard lock(cache_mu_);
    refresh_.push_back(std::move(refresh));
  }
  // The HTTP server's own families, appended at the end of every page (the snapshot then says
  // so, and the server serves it without a copy). May be set while serving.
  void SetServerMetrics(std::function<std::string()> render) {
    std::lock_guard lock(cache_mu_);
    server_metrics_ = std::move(render);
  }

  std::shared_ptr<const Snapshot> Current() const override;

 private:
  struct Slot {
    std::string target;
    std::shared_ptr<const TargetPage> page;
  };

  std::shared_ptr<const Snapshot> Assemble(const PageLayout& layout,
                                           const std::vector<Slot>& slots) const;

  const Clock& clock_;
  const std::shared_ptr<prometheus::Registry> registry_;
  std::vector<std::function<void()>> refresh_;   // guarded by cache_mu_
  std::function<std::string()> server_metrics_;  // guarded by cache_mu_

  mutable std::mutex parts_mu_;  // guards layout_, slots_ and generation_ only
  std::shared_ptr<const PageLayout> layout_;
  std::vector<Slot> slots_;  // in the order targets were added
  uint64_t generation_ = 0;  // bumped by every Publish and Remove

  mutable std::mutex cache_mu_;  // one assembly at a time
  mutable std::shared_ptr<const Snapshot> cached_;
  mutable uint64_t cached_generation_ = UINT64_MAX;
  mutable MonoTime cached_at_{};
};

}  // namespace vmq::expose

#endif  // VMQ_EXPOSE_PAGE_ASSEMBLER_H_
