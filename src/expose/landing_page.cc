#include <string>

#include "expose/http_server.h"

namespace vmq::expose {
namespace {

std::string EscapeHtml(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string TargetState(const TargetStatus& target) {
  if (!target.polled) return "pending";
  return target.up ? "up" : "down";
}

}  // namespace

std::string RenderLandingPage(const Snapshot& snapshot, const std::string& telemetry_path,
                              const std::string& version) {
  std::string page =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>VerneMQ PUBCOMP "
      "Exporter</title></head>\n<body>\n<h1>VerneMQ PUBCOMP Exporter</h1>\n<p>Version " +
      EscapeHtml(version) + "</p>\n<ul>\n<li><a href=\"" + EscapeHtml(telemetry_path) +
      "\">Metrics</a></li>\n<li><a href=\"/-/healthy\">Health</a></li>\n"
      "<li><a href=\"/-/ready\">Readiness</a></li>\n</ul>\n<h2>Targets</h2>\n<table "
      "border=\"1\">\n<tr><th>target</th><th>url</th><th>state</th><th>node</th><th>last "
      "error</th></tr>\n";
  for (const TargetStatus& target : snapshot.targets) {
    page += "<tr><td>" + EscapeHtml(target.name) + "</td><td>" + EscapeHtml(target.url) +
            "</td><td>" + TargetState(target) + "</td><td>" + EscapeHtml(target.node) +
            "</td><td>" + EscapeHtml(target.up ? "" : target.last_error) + "</td></tr>\n";
  }
  page += "</table>\n</body></html>\n";
  return page;
}

}  // namespace vmq::expose
