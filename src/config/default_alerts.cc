#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace vmq::config {
namespace {

// Where a count was seen, as every built-in description ends.
constexpr char kWhere[] =
    "on node {{ $labels.node }} (target {{ $labels.target }}, mqtt_version "
    "{{ $labels.mqtt_version }})";

AlertRule MakeRule(std::string alert, std::string signal, std::string summary,
                   std::string description) {
  AlertRule rule;
  rule.alert = std::move(alert);
  rule.signal = std::move(signal);
  rule.summary = std::move(summary);
  rule.description = std::move(description);
  return rule;
}

}  // namespace

std::vector<AlertRule> DefaultAlertRules(std::string_view window) {
  const std::string in_window = " in the last " + std::string(window);
  std::vector<AlertRule> rules;
  rules.push_back(MakeRule(
      "VerneMQPubcompUnexpected", "vmq_pubcomp_unexpected_received",
      "VerneMQ received unexpected PUBCOMP packets on {{ $labels.node }}",
      "{{ $value }} PUBCOMP packets for a packet id the broker was not waiting for were received " +
          std::string(kWhere) + in_window +
          ". VerneMQ ended the session of every client that sent one."));
  rules.push_back(MakeRule(
      "VerneMQPubcompReceivedUnsuccessful", "vmq_pubcomp_received_unsuccessful",
      "VerneMQ received unsuccessful MQTT 5 PUBCOMP packets on {{ $labels.node }}",
      "{{ $value }} MQTT 5 PUBCOMP packets with a reason code other than success were received " +
          std::string(kWhere) + in_window +
          ". Clients answered a PUBREL for a packet id they no longer knew, so QoS 2 state was "
          "lost on the client side."));
  rules.push_back(MakeRule(
      "VerneMQPubcompSentUnsuccessful", "vmq_pubcomp_sent_unsuccessful",
      "VerneMQ sent unsuccessful MQTT 5 PUBCOMP packets on {{ $labels.node }}",
      "{{ $value }} MQTT 5 PUBCOMP packets with a reason code other than success were sent " +
          std::string(kWhere) + in_window +
          ". Clients sent a PUBREL for a packet id the broker did not know, so QoS 2 state was "
          "lost on the broker side or the client replayed an old PUBREL."));
  return rules;
}

}  // namespace vmq::config
