#include "app/runtime.h"

#include <prometheus/gauge.h>

#include <utility>

namespace vmq::app {
namespace {

void AddBuildInfo(const BuildInfo& build, prometheus::Registry& registry) {
  prometheus::BuildGauge()
      .Name("vmq_exporter_build_info")
      .Help(
          "A metric with a constant '1' value labelled by version and revision of "
          "vernemq-pubcomp-exporter.")
      .Register(registry)
      .Add({{"version", build.version}, {"revision", build.revision}})
      .Set(1);
}

}  // namespace

Runtime::Runtime(config::Config config, const Clock& clock, Logger& logger, BuildInfo build)
    : config_(std::move(config)),
      selector_(config_.signals),
      layout_(config_),
      alerts_(alerting::PlanAlerts(config_)),
      registry_(std::make_shared<prometheus::Registry>()),
      assembler_(std::make_unique<expose::PageAssembler>(layout_, clock, registry_)),
      context_{config_, selector_, layout_, alerts_, clock, logger} {
  AddBuildInfo(build, *registry_);
  for (const config::Target& target : config_.targets) {
    auto runtime = std::make_unique<TargetRuntime>(target, context_);
    assembler_->Publish(target.name, runtime->Render());
    targets_.emplace(target.name, std::move(runtime));
  }
}

void Runtime::OnPollResult(const std::string& target, poll::PollResult result) {
  const auto it = targets_.find(target);
  if (it == targets_.end() || !recording_) return;
  assembler_->Publish(target, it->second->OnPollResult(std::move(result)));
}

void Runtime::UseStorage(storage::StateStore& store) {
  store_ = &store;
  for (const config::Target& target : config_.targets) AttachStorage(target);
}

void Runtime::AttachStorage(const config::Target& target) {
  if (store_ == nullptr) return;
  storage::StateStore& store = *store_;
  TargetRuntime& runtime = *targets_.at(target.name);
  const storage::TargetIdentity identity{target.name, target.url.text};
  if (std::optional<storage::LoadedState> saved = store.Load(identity)) {
    std::string error;
    if (runtime.Restore(*saved, &error)) {
      store.ReportRestored();
      context_.logger.Info("restored state",
                           {{"target", target.name},
                            {"polls", std::to_string(saved->snapshot.history.records.size() +
                                                     saved->journal.size())}});
    } else {
      store.ReportIgnored(identity, "history", {storage::LoadFailure::kCorrupt, error});
    }
  }
  runtime.Persist(store.Writer(identity));
}

void Runtime::SaveAll() {
  for (auto& [name, target] : targets_) target->SaveSnapshot(/*durable=*/false);
}

}  // namespace vmq::app
