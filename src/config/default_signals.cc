#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/matcher.h"

namespace vmq::config {
namespace {

// MQTT 3.1.1 series carry no reason_code; an absent label reads as "", which ".+" refuses,
// so the unsuccessful signals count MQTT 5 packets only.
std::vector<LabelMatcher> UnsuccessfulReasons() {
  std::vector<LabelMatcher> include;
  include.push_back(detail::MakeMatcher("reason_code", ".+"));
  return include;
}

std::vector<LabelMatcher> SuccessReason() {
  std::vector<LabelMatcher> exclude;
  exclude.push_back(detail::MakeMatcher("reason_code", "success"));
  return exclude;
}

Signal MakeSignal(std::string name, std::string help, std::string source,
                  std::vector<std::string> keep_labels) {
  Signal signal;
  signal.name = std::move(name);
  signal.help = std::move(help);
  signal.source = std::move(source);
  signal.keep_labels = std::move(keep_labels);
  return signal;
}

Signal Unsuccessful(Signal signal) {
  signal.include = UnsuccessfulReasons();
  signal.exclude = SuccessReason();
  return signal;
}

}  // namespace

std::vector<Signal> DefaultSignals() {
  std::vector<Signal> signals;
  signals.push_back(MakeSignal(
      "vmq_pubcomp_unexpected_received",
      "Unexpected PUBCOMP packets received (their packet id was not awaiting a PUBCOMP; VerneMQ "
      "ends the client's session for each), counted over the trailing window given by the window "
      "label.",
      "mqtt_pubcomp_invalid_error", {"mqtt_version"}));
  signals.push_back(MakeSignal(
      "vmq_pubcomp_received",
      "PUBCOMP packets received from clients, by MQTT version and reason code (MQTT 5 only), "
      "counted over the trailing window given by the window label.",
      "mqtt_pubcomp_received", {"mqtt_version", "reason_code"}));
  signals.push_back(Unsuccessful(MakeSignal(
      "vmq_pubcomp_received_unsuccessful",
      "MQTT 5 PUBCOMP packets received with a reason code other than success, counted over the "
      "trailing window given by the window label.",
      "mqtt_pubcomp_received", {"mqtt_version"})));
  signals.push_back(MakeSignal(
      "vmq_pubcomp_sent",
      "PUBCOMP packets the broker sent, by MQTT version and reason code (MQTT 5 only), counted "
      "over the trailing window given by the window label.",
      "mqtt_pubcomp_sent", {"mqtt_version", "reason_code"}));
  signals.push_back(Unsuccessful(MakeSignal(
      "vmq_pubcomp_sent_unsuccessful",
      "MQTT 5 PUBCOMP packets the broker sent with a reason code other than success (e.g. "
      "packet_id_not_found, the answer to a PUBREL for an unknown packet id), counted over the "
      "trailing window given by the window label.",
      "mqtt_pubcomp_sent", {"mqtt_version"})));
  return signals;
}

}  // namespace vmq::config
