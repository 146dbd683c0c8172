#include "sim/events.h"

#include <algorithm>
#include <stdexcept>

namespace vmq::sim {
namespace detail {
namespace {

// Latencies recorded for the metadata writes of a client session, near the averages of the
// captured pages.
constexpr std::uint64_t kMetadataPutMicros = 374;
constexpr std::uint64_t kMetadataDeleteMicros = 1462;

std::string Version(std::string_view name, int v) {
  return std::string(name) + "{mqtt_version=\"" + std::to_string(v) + "\"}";
}

std::string V5Reason(std::string_view name, std::string_view reason) {
  return std::string(name) + "{mqtt_version=\"5\",reason_code=\"" + std::string(reason) + "\"}";
}

// PUBACK/PUBREC/PUBREL/PUBCOMP and CONNACK carry a reason code in MQTT 5 only.
std::string Ack(std::string_view name, int v, std::string_view reason = "success") {
  return v == 4 ? Version(name, 4) : V5Reason(name, reason);
}

class EffectBuilder {
 public:
  EffectBuilder& Add(std::string key, std::uint64_t n = 1) {
    effect_.increments.emplace_back(std::move(key), n);
    return *this;
  }
  EffectBuilder& Observe(std::string histogram, std::uint64_t value) {
    effect_.observations.push_back(Observation{std::move(histogram), value});
    return *this;
  }
  EffectBuilder& Bytes(std::uint64_t received, std::uint64_t sent) {
    return Add("bytes_received", received).Add("bytes_sent", sent);
  }
  EffectBuilder& Merge(const Effect& other) {
    effect_.increments.insert(effect_.increments.end(), other.increments.begin(),
                              other.increments.end());
    effect_.observations.insert(effect_.observations.end(), other.observations.begin(),
                                other.observations.end());
    return *this;
  }
  Effect Build() const { return effect_; }

 private:
  Effect effect_;
};

enum class SessionEnd {
  kClientDisconnects,  // the client sends DISCONNECT
  kBrokerCloses,       // MQTT 3.1.1 protocol error: the broker drops the socket
  kBrokerDisconnects,  // MQTT 5 protocol error: the broker sends DISCONNECT first
  kProcessCrashes,     // the connection process dies; its socket close is never counted
};

// One client connection from CONNECT to its end, without what it did in between.
Effect Session(int v, SessionEnd end) {
  EffectBuilder b;
  b.Add("socket_open").Add(Version("mqtt_connect_received", v));
  b.Add(v == 4 ? "mqtt_connack_sent{mqtt_version=\"4\",return_code=\"success\"}"
               : V5Reason("mqtt_connack_sent", "success"));
  b.Add("queue_setup").Add("queue_teardown");
  b.Observe("metadata_put_microseconds", kMetadataPutMicros);
  b.Observe("metadata_delete_microseconds", kMetadataDeleteMicros);
  if (end != SessionEnd::kProcessCrashes) b.Add("socket_close");
  if (end == SessionEnd::kClientDisconnects) {
    b.Add(v == 4 ? Version("mqtt_disconnect_received", 4)
                 : V5Reason("mqtt_disconnect_received", "normal_disconnect"));
  }
  if (end == SessionEnd::kBrokerDisconnects) {
    b.Add(V5Reason("mqtt_disconnect_sent", "normal_disconnect"));
  }
  return b.Build();
}

Effect Subscription(int v) {
  return EffectBuilder()
      .Add(Version("mqtt_subscribe_received", v))
      .Add(Version("mqtt_suback_sent", v))
      .Observe("metadata_put_microseconds", kMetadataPutMicros)
      .Build();
}

// PUBLISH in from the publisher, routed to one local subscriber, PUBLISH out, and the
// acknowledgements of both legs.
Effect Message(int qos, int v) {
  EffectBuilder b;
  b.Add(Version("mqtt_publish_received", v)).Add(Version("mqtt_publish_sent", v));
  b.Add("queue_message_in").Add("queue_message_out").Add("router_matches_local");
  if (qos == 1) {
    b.Add(Ack("mqtt_puback_sent", v)).Add(Ack("mqtt_puback_received", v));
  }
  if (qos == 2) {
    for (std::string_view dir : {"_sent", "_received"}) {
      for (std::string_view ack : {"mqtt_pubrec", "mqtt_pubrel", "mqtt_pubcomp"}) {
        b.Add(Ack(std::string(ack) + std::string(dir), v));
      }
    }
  }
  return b.Build();
}

struct PacketBytes {
  std::uint64_t received;
  std::uint64_t sent;
};

// Packet sizes of one delivered message (PUBLISH with a short topic and payload, 4-byte acks).
PacketBytes MessageBytes(int qos) {
  switch (qos) {
    case 2:
      return {27, 27};
    case 1:
      return {18, 18};
    default:
      return {12, 12};
  }
}

// A publisher and a subscriber connect, one message goes through, both disconnect: what the
// capture 00 -> 01 did once per MQTT version (with QoS 2).
EventSpec Flow(int qos, int v, PacketBytes bytes) {
  Effect effect = EffectBuilder()
                      .Merge(Session(v, SessionEnd::kClientDisconnects))
                      .Merge(Session(v, SessionEnd::kClientDisconnects))
                      .Merge(Subscription(v))
                      .Merge(Message(qos, v))
                      .Bytes(bytes.received, bytes.sent)
                      .Build();
  // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict on chained operator+.
  std::string name = "v";
  name += std::to_string(v);
  name += "_qos";
  name += std::to_string(qos);
  name += "_flow";
  return EventSpec{std::move(name), EventKind::kTraffic, std::move(effect)};
}

// One client connects and sends an acknowledgement the broker did not expect.
EventSpec Misbehaviour(std::string name, int v, SessionEnd end, PacketBytes bytes,
                       std::initializer_list<std::string> counted) {
  EffectBuilder b;
  b.Merge(Session(v, end)).Bytes(bytes.received, bytes.sent);
  for (const std::string& key : counted) b.Add(key);
  return EventSpec{std::move(name), EventKind::kTraffic, b.Build()};
}

// Byte totals here and below: the fixtures' bytes_received/bytes_sent deltas, split between
// the events of each captured step by the sizes of their packets.
void AddFlows(std::vector<EventSpec>* out) {
  out->push_back(Flow(2, 4, {94, 44}));
  out->push_back(Flow(2, 5, {104, 52}));
  out->push_back(Flow(1, 4, {88, 31}));
  out->push_back(Flow(1, 5, {98, 39}));
  out->push_back(Flow(0, 4, {82, 25}));
  out->push_back(Flow(0, 5, {92, 33}));
}

void AddV4Misbehaviours(std::vector<EventSpec>* out) {
  using enum SessionEnd;
  out->push_back(Misbehaviour(
      "v4_pubcomp_unknown_id", 4, kBrokerCloses, {31, 4},
      {Version("mqtt_pubcomp_received", 4), Version("mqtt_pubcomp_invalid_error", 4)}));
  out->push_back(
      Misbehaviour("v4_pubrec_unknown_id", 4, kBrokerCloses, {31, 4},
                   {Version("mqtt_pubrec_received", 4), Version("mqtt_pubrec_invalid_error", 4)}));
  out->push_back(
      Misbehaviour("v4_puback_unknown_id", 4, kClientDisconnects, {33, 4},
                   {Version("mqtt_puback_received", 4), Version("mqtt_puback_invalid_error", 4)}));
  // The broker answers with a PUBCOMP that it does not count.
  out->push_back(Misbehaviour("v4_pubrel_unknown_id", 4, kClientDisconnects, {33, 8},
                              {Version("mqtt_pubrel_received", 4)}));
}

void AddV5Misbehaviours(std::vector<EventSpec>* out) {
  using enum SessionEnd;
  out->push_back(Misbehaviour(
      "v5_pubcomp_unknown_id", 5, kBrokerDisconnects, {29, 7},
      {V5Reason("mqtt_pubcomp_received", "success"), Version("mqtt_pubcomp_invalid_error", 5)}));
  out->push_back(Misbehaviour("v5_pubcomp_unknown_id_rc92", 5, kBrokerDisconnects, {35, 7},
                              {V5Reason("mqtt_pubcomp_received", "packet_id_not_found"),
                               Version("mqtt_pubcomp_invalid_error", 5)}));
  out->push_back(Misbehaviour("v5_pubrel_unknown_id", 5, kClientDisconnects, {33, 11},
                              {V5Reason("mqtt_pubrel_received", "success"),
                               V5Reason("mqtt_pubcomp_sent", "packet_id_not_found")}));
  out->push_back(Misbehaviour("v5_pubrel_unknown_id_rc92", 5, kClientDisconnects, {37, 11},
                              {V5Reason("mqtt_pubrel_received", "packet_id_not_found"),
                               V5Reason("mqtt_pubcomp_sent", "packet_id_not_found")}));
  out->push_back(Misbehaviour("v5_pubrec_unknown_id", 5, kClientDisconnects, {33, 11},
                              {V5Reason("mqtt_pubrec_received", "success"),
                               V5Reason("mqtt_pubrel_sent", "packet_id_not_found")}));
  out->push_back(Misbehaviour(
      "v5_puback_unknown_id", 5, kClientDisconnects, {33, 5},
      {V5Reason("mqtt_puback_received", "success"), Version("mqtt_puback_invalid_error", 5)}));
  // A reason code VerneMQ does not declare crashes the connection process: no acknowledgement
  // counter moves, only the connection's own counters (without socket_close).
  out->push_back(Misbehaviour("v5_pubcomp_undeclared_reason", 5, kProcessCrashes, {34, 5}, {}));
}

std::vector<EventSpec> BuildCatalog() {
  std::vector<EventSpec> out;
  AddFlows(&out);
  AddV4Misbehaviours(&out);
  AddV5Misbehaviours(&out);
  out.push_back(EventSpec{"restart", EventKind::kRestart, {}});
  out.push_back(EventSpec{"metrics_reset", EventKind::kMetricsReset, {}});
  out.push_back(EventSpec{"down", EventKind::kDown, {}});
  out.push_back(EventSpec{"up", EventKind::kUp, {}});
  out.push_back(EventSpec{"hold", EventKind::kHold, {}});
  out.push_back(EventSpec{"release", EventKind::kRelease, {}});
  return out;
}

Effect MessageWithBytes(int qos, int v) {
  PacketBytes bytes = MessageBytes(qos);
  return EffectBuilder().Merge(Message(qos, v)).Bytes(bytes.received, bytes.sent).Build();
}

}  // namespace
}  // namespace detail

std::span<const EventSpec> AllEvents() {
  static const std::vector<EventSpec> kCatalog = detail::BuildCatalog();
  return kCatalog;
}

const EventSpec* FindEvent(std::string_view name) {
  for (const EventSpec& spec : AllEvents()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const Effect& MessageEffect(int qos, int mqtt_version) {
  static const std::vector<Effect> kEffects = [] {
    std::vector<Effect> out;
    for (int v : {4, 5}) {
      for (int q : {0, 1, 2}) out.push_back(detail::MessageWithBytes(q, v));
    }
    return out;
  }();
  const int row = mqtt_version == 4 ? 0 : 1;
  return kEffects[static_cast<std::size_t>(row * 3 + std::clamp(qos, 0, 2))];
}

ResolvedEffect Resolve(const PageTemplate& tmpl, const Effect& effect) {
  ResolvedEffect out;
  for (const auto& [key, delta] : effect.increments) {
    auto line = tmpl.FindSample(key);
    if (!line) throw std::invalid_argument("the page has no sample " + key);
    out.increments.emplace_back(*line, delta);
  }
  for (const Observation& observation : effect.observations) {
    auto histogram = tmpl.FindHistogram(observation.histogram);
    if (!histogram)
      throw std::invalid_argument("the page has no histogram " + observation.histogram);
    for (const auto& [line, bound] : histogram->buckets) {
      if (!bound || observation.value <= *bound) out.increments.emplace_back(line, 1);
    }
    out.increments.emplace_back(histogram->count_line, 1);
    out.increments.emplace_back(histogram->sum_line, observation.value);
    if (std::find(out.creates.begin(), out.creates.end(), histogram->family) == out.creates.end()) {
      out.creates.push_back(histogram->family);
    }
  }
  return out;
}

}  // namespace vmq::sim
