#include "expose/page_assembler.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>
#include <utility>

namespace vmq::expose {
namespace {

constexpr std::chrono::seconds kRegistryRefresh{1};

}  // namespace

PageAssembler::PageAssembler(PageLayout layout, const Clock& clock,
                             std::shared_ptr<prometheus::Registry> registry)
    : clock_(clock),
      registry_(std::move(registry)),
      layout_(std::make_shared<const PageLayout>(std::move(layout))) {}

void PageAssembler::Publish(const std::string& target, std::shared_ptr<const TargetPage> page) {
  std::lock_guard lock(parts_mu_);
  ++generation_;
  const auto it = std::find_if(slots_.begin(), slots_.end(),
                               [&](const Slot& slot) { return slot.target == target; });
  if (it == slots_.end()) {
    slots_.push_back({target, std::move(page)});
  } else {
    it->page = std::move(page);
  }
}

void PageAssembler::Remove(const std::string& target) {
  std::lock_guard lock(parts_mu_);
  ++generation_;
  std::erase_if(slots_, [&](const Slot& slot) { return slot.target == target; });
}

void PageAssembler::Replace(
    PageLayout layout,
    std::vector<std::pair<std::string, std::shared_ptr<const TargetPage>>> parts) {
  auto next = std::make_shared<const PageLayout>(std::move(layout));
  std::vector<Slot> slots;
  slots.reserve(parts.size());
  for (auto& [target, page] : parts) slots.push_back({std::move(target), std::move(page)});
  std::lock_guard lock(parts_mu_);
  ++generation_;
  layout_ = std::move(next);
  slots_ = std::move(slots);
}

std::shared_ptr<const Snapshot> PageAssembler::Current() const {
  std::lock_guard cache_lock(cache_mu_);
  std::vector<Slot> slots;
  std::shared_ptr<const PageLayout> layout;
  uint64_t generation = 0;
  {
    std::lock_guard lock(parts_mu_);
    generation = generation_;
    if (cached_ && generation == cached_generation_ &&
        clock_.Now() - cached_at_ < kRegistryRefresh) {
      return cached_;
    }
    slots = slots_;
    layout = layout_;
  }
  cached_ = Assemble(*layout, slots);
  cached_generation_ = generation;
  cached_at_ = clock_.Now();
  return cached_;
}

std::shared_ptr<const Snapshot> PageAssembler::Assemble(const PageLayout& layout,
                                                        const std::vector<Slot>& slots) const {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->ready = true;
  size_t bytes = 0;
  for (const Slot& slot : slots) {
    snapshot->targets.push_back(slot.page->status);
    snapshot->ready = snapshot->ready && slot.page->status.polled;
    for (const std::string& lines : slot.page->families) bytes += lines.size();
  }
  std::string& text = snapshot->metrics_text;
  text.reserve(bytes + 4096);
  const std::vector<FamilySpec>& families = layout.families();
  for (size_t f = 0; f < families.size(); ++f) {
    bool header = false;
    for (const Slot& slot : slots) {
      if (f >= slot.page->families.size() || slot.page->families[f].empty()) continue;
      const std::string& lines = slot.page->families[f];
      if (!header) AppendFamilyHeader(families[f], &text);
      header = true;
      text.append(lines);
    }
  }
  for (const auto& refresh : refresh_) refresh();
  if (registry_) {
    std::ostringstream own;
    prometheus::TextSerializer().Serialize(own, registry_->Collect());
    text.append(own.str());
  }
  if (server_metrics_) {
    text.append(server_metrics_());
    snapshot->includes_server_metrics = true;
  }
  return snapshot;
}

}  // namespace vmq::expose
