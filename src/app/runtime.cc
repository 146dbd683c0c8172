#include "app/runtime.h"

#include <prometheus/gauge.h>

#include <chrono>
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

prometheus::Gauge& NewGauge(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

double WallSeconds(const Clock& clock) {
  return std::chrono::duration<double>(clock.WallNow().time_since_epoch()).count();
}

// Everything that makes the poller fetch a target differently, for a target that keeps its
// name and URL.
bool SameFetch(const config::Target& a, const config::PollSettings& pa, const config::Target& b,
               const config::PollSettings& pb) {
  const bool same_auth = a.basic_auth.has_value() == b.basic_auth.has_value() &&
                         (!a.basic_auth || (a.basic_auth->username == b.basic_auth->username &&
                                            a.basic_auth->password == b.basic_auth->password));
  return a.api_key == b.api_key && same_auth && a.tls.ca_file == b.tls.ca_file &&
         a.tls.insecure_skip_verify == b.tls.insecure_skip_verify && pa.timeout == pb.timeout &&
         pa.max_body_bytes == pb.max_body_bytes;
}

}  // namespace

Generation::Generation(config::Config loaded, const Clock& clock, Logger& logger)
    : config(std::move(loaded)),
      selector(config.signals),
      layout(config),
      alerts(alerting::PlanAlerts(config)),
      context{config, selector, layout, alerts, clock, logger} {}

Runtime::Runtime(config::Config config, const Clock& clock, Logger& logger, BuildInfo build)
    : clock_(clock),
      logger_(logger),
      registry_(std::make_shared<prometheus::Registry>()),
      reload_successful_(NewGauge(*registry_, "vmq_exporter_config_last_reload_successful",
                                  "Whether the last configuration reload attempt was "
                                  "successful (1 at start).")),
      reload_success_time_(
          NewGauge(*registry_, "vmq_exporter_config_last_reload_success_timestamp_seconds",
                   "Timestamp of the last successful configuration reload (or of the start).")),
      generation_(std::make_shared<const Generation>(std::move(config), clock, logger)) {
  AddBuildInfo(build, *registry_);
  assembler_ = std::make_unique<expose::PageAssembler>(generation_->layout, clock, registry_);
  published_context_ = ContextOf(generation_);
  for (const config::Target& target : generation_->config.targets) {
    auto runtime = std::make_shared<TargetRuntime>(target, published_context_);
    assembler_->Publish(target.name, runtime->Render());
    targets_.emplace(target.name, std::move(runtime));
  }
  reload_successful_.Set(1);
  reload_success_time_.Set(WallSeconds(clock_));
}

std::shared_ptr<const TargetContext> Runtime::ContextOf(
    const std::shared_ptr<const Generation>& gen) {
  return {gen, &gen->context};  // shares the generation's ownership
}

std::shared_ptr<const config::Config> Runtime::config() const {
  std::lock_guard lock(mu_);
  return {generation_, &generation_->config};
}

void Runtime::OnPollResult(const std::string& target, poll::PollResult result) {
  if (!recording_) return;
  std::shared_ptr<TargetRuntime> runtime;
  {
    std::lock_guard lock(mu_);
    const auto it = targets_.find(target);
    if (it == targets_.end()) return;
    runtime = it->second;
  }
  TargetRuntime::Rendered rendered = runtime->Process(std::move(result));
  std::shared_lock lock(publish_mu_);
  // Rendered before a reload took this target's lock: the reload rendered it again since,
  // with this poll in it, under the page's new families.
  if (rendered.context != published_context_) return;
  assembler_->Publish(target, std::move(rendered.page));
}

ReloadChanges Runtime::Reload(config::Config next) {
  std::lock_guard reload_lock(reload_mu_);
  auto generation = std::make_shared<const Generation>(std::move(next), clock_, logger_);
  const std::shared_ptr<const TargetContext> context = ContextOf(generation);
  std::shared_ptr<const Generation> previous;
  std::map<std::string, std::shared_ptr<TargetRuntime>> old_targets;
  {
    std::lock_guard lock(mu_);
    previous = generation_;
    old_targets = targets_;
  }
  const config::Config& now = generation->config;
  ReloadChanges changes;
  changes.poll = now.poll;
  changes.interval_changed = now.poll.interval != previous->config.poll.interval;

  std::map<std::string, const config::Target*> old_by_name;
  for (const config::Target& target : previous->config.targets) {
    old_by_name.emplace(target.name, &target);
  }
  // Kept targets are locked all at once, in name order (polls take one lock at a time), and
  // stay locked until the page has switched.
  std::map<std::string, std::shared_ptr<TargetRuntime>> targets;
  std::map<std::string, std::unique_lock<std::mutex>> held;
  for (const config::Target& target : now.targets) {
    const auto old = old_by_name.find(target.name);
    if (old != old_by_name.end() && old->second->url.text == target.url.text) {
      targets.emplace(target.name, old_targets.at(target.name));
      if (!SameFetch(*old->second, previous->config.poll, target, now.poll)) {
        changes.refetch.push_back(target);
      }
    } else {
      auto runtime = std::make_shared<TargetRuntime>(target, context);
      AttachStorage(target, *runtime);
      targets.emplace(target.name, std::move(runtime));
      changes.started.push_back(target);
    }
  }
  for (const auto& [name, target] : old_by_name) {
    if (targets.count(name) == 0) changes.stopped.push_back(name);
  }
  for (const auto& [name, runtime] : targets) {
    if (old_targets.count(name) != 0 && old_targets.at(name) == runtime) {
      held.emplace(name, runtime->LockForReload());
    }
  }
  std::vector<std::pair<std::string, std::shared_ptr<const expose::TargetPage>>> parts;
  for (const config::Target& target : now.targets) {
    const std::shared_ptr<TargetRuntime>& runtime = targets.at(target.name);
    const auto lock = held.find(target.name);
    parts.emplace_back(target.name, lock != held.end()
                                        ? runtime->Reconfigure(target, context, lock->second)
                                        : runtime->Render());
  }
  {
    std::unique_lock publish(publish_mu_);
    assembler_->Replace(generation->layout, std::move(parts));
    published_context_ = context;
    std::lock_guard lock(mu_);
    generation_ = generation;
    targets_ = std::move(targets);
  }
  held.clear();
  reload_successful_.Set(1);
  reload_success_time_.Set(WallSeconds(clock_));
  return changes;
}

void Runtime::ReloadFailed() { reload_successful_.Set(0); }

void Runtime::UseStorage(storage::StateStore& store) {
  store_ = &store;
  std::shared_ptr<const Generation> generation;
  std::map<std::string, std::shared_ptr<TargetRuntime>> targets;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
    targets = targets_;
  }
  for (const config::Target& target : generation->config.targets) {
    AttachStorage(target, *targets.at(target.name));
  }
}

void Runtime::AttachStorage(const config::Target& target, TargetRuntime& runtime) {
  if (store_ == nullptr) return;
  storage::StateStore& store = *store_;
  const storage::TargetIdentity identity{target.name, target.url.text};
  if (std::optional<storage::LoadedState> saved = store.Load(identity)) {
    std::string error;
    if (runtime.Restore(*saved, &error)) {
      store.ReportRestored();
      logger_.Info("restored state",
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
  std::map<std::string, std::shared_ptr<TargetRuntime>> targets;
  {
    std::lock_guard lock(mu_);
    targets = targets_;
  }
  for (auto& [name, target] : targets) target->SaveSnapshot(/*durable=*/false);
}

}  // namespace vmq::app
