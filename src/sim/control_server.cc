#include "sim/control_server.h"

#include <httplib.h>

#include <charconv>
#include <stdexcept>

#include "sim/http_listener.h"
#include "sim/json.h"

namespace vmq::sim {
namespace detail {
namespace {

constexpr char kJson[] = "application/json";

bool ParseUnsigned(const std::string& text, std::uint64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

void ReplyError(httplib::Response& response, int status, std::string_view message) {
  response.status = status;
  response.set_content(JsonError(message), kJson);
}

void PostEvent(Cluster& cluster, const httplib::Request& request, httplib::Response& response) {
  EventRequest event;
  event.node = request.matches[1];
  event.event = request.get_param_value("event");
  event.mode = request.get_param_value("mode");
  if (event.event.empty()) return ReplyError(response, 400, "missing query parameter 'event'");
  if (request.has_param("count") &&
      !ParseUnsigned(request.get_param_value("count"), &event.count)) {
    return ReplyError(response, 400, "count must be a positive integer");
  }
  ApplyOutcome outcome = cluster.Apply(event, EventSource::kApi);
  if (!outcome.applied) return ReplyError(response, outcome.status, outcome.error);
  response.set_content(EventJson(*outcome.applied), kJson);
}

void GetEvents(Cluster& cluster, const httplib::Request& request, httplib::Response& response) {
  std::uint64_t after = 0;
  if (request.has_param("after") && !ParseUnsigned(request.get_param_value("after"), &after)) {
    return ReplyError(response, 400, "after must be a sequence number");
  }
  response.set_content(EventsJson(cluster.Events(after)), kJson);
}

}  // namespace
}  // namespace detail

std::string EventJson(const AppliedEvent& event) {
  std::string out = "{\"seq\":" + std::to_string(event.seq);
  out += ",\"node\":" + JsonString(event.node);
  out += ",\"event\":" + JsonString(event.event);
  out += ",\"count\":" + std::to_string(event.count);
  if (!event.mode.empty()) out += ",\"mode\":" + JsonString(event.mode);
  out += ",\"source\":" + JsonString(event.source);
  out += ",\"mono_ms\":" + std::to_string(event.mono_ms);
  out += ",\"unix_ms\":" + std::to_string(event.unix_ms) + "}";
  return out;
}

std::string EventsJson(const std::vector<AppliedEvent>& events) {
  std::string out = "[";
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (i > 0) out += ",\n";
    out += EventJson(events[i]);
  }
  return out + "]\n";
}

std::string NodesJson(const Cluster& cluster) {
  std::string out = "[";
  for (std::size_t i = 0; i < cluster.size(); ++i) {
    const NodeSpec& spec = cluster.spec(i);
    if (i > 0) out += ",\n";
    out += "{\"name\":" + JsonString(spec.name);
    out += ",\"port\":" + std::to_string(cluster.port(i));
    out += ",\"state\":" + JsonString(StateName(cluster.mode(i)));
    out += ",\"layout\":" + JsonString(spec.layout);
    out += ",\"prefix\":" + JsonString(spec.style.prefix);
    out += ",\"node_label\":" + JsonString(spec.style.node_label);
    out += std::string(",\"held\":") + (cluster.held(i) ? "true" : "false") + "}";
  }
  return out + "]\n";
}

ControlServer::ControlServer(Cluster& cluster)
    : cluster_(cluster), server_(std::make_unique<httplib::Server>()) {
  ConfigureSmallServer(*server_);
  Route();
}

ControlServer::~ControlServer() { Stop(); }

void ControlServer::Route() {
  // A content-reader handler, because httplib otherwise answers 400 to a POST without
  // Content-Length, which is what `curl -X POST URL` sends. Any body is read and ignored.
  server_->Post(R"(/nodes/([^/]+)/events)",
                [this](const httplib::Request& request, httplib::Response& response,
                       const httplib::ContentReader& read_body) {
                  if (request.has_header("Content-Length") ||
                      request.get_header_value("Transfer-Encoding") == "chunked") {
                    read_body([](const char*, std::size_t) { return true; });
                  }
                  detail::PostEvent(cluster_, request, response);
                });
  server_->Get("/events", [this](const httplib::Request& request, httplib::Response& response) {
    detail::GetEvents(cluster_, request, response);
  });
  server_->Get("/nodes", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(NodesJson(cluster_), detail::kJson);
  });
  // Only fills answers nobody wrote, such as 404 for an unknown path.
  server_->set_error_handler([](const httplib::Request&, httplib::Response& response) {
    if (response.body.empty()) {
      response.set_content(JsonError(response.status == 404 ? "no such endpoint" : "bad request"),
                           detail::kJson);
    }
  });
}

void ControlServer::Start(int port) {
  const int bound = BindLoopback(*server_, port);
  if (bound <= 0) {
    throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port));
  }
  port_ = bound;
  thread_ = RunAcceptLoop(*server_);
}

void ControlServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace vmq::sim
