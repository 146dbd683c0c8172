#ifndef VMQ_MAIN_FLAGS_H_
#define VMQ_MAIN_FLAGS_H_

#include <string>

#include "common/log.h"

namespace vmq {

// Default port: not used by VerneMQ (1883, 8883, 8080, 8888, 4369, 44053), Prometheus (9090)
// or Alertmanager (9093, 9094).
inline constexpr int kDefaultPort = 9742;

struct Flags {
  std::string config_file = "config.yaml";
  std::string listen_host = "0.0.0.0";
  int listen_port = kDefaultPort;
  std::string telemetry_path = "/metrics";
  std::string web_config_file;  // exporter-toolkit TLS/basic-auth file; empty: plain HTTP, open
  std::string storage_path;     // --storage.path: where history is kept across restarts; empty: not
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kLogfmt;
  // POST/PUT /-/reload reloads the configuration (as Prometheus' --web.enable-lifecycle).
  bool web_enable_lifecycle = false;
  bool config_check = false;
  bool alerts_print_rules = false;  // print the Prometheus rule file for the config and exit
  bool version = false;
  bool help = false;
};

// Prometheus-style flags; both `--flag=value` and `--flag value`. On failure returns false
// with `error` saying which flag and why.
bool ParseFlags(int argc, const char* const* argv, Flags* out, std::string* error);

// Splits "host:port", ":port" or "[v6]:port".
bool ParseListenAddress(const std::string& text, std::string* host, int* port);

std::string Usage(const std::string& program);

}  // namespace vmq

#endif  // VMQ_MAIN_FLAGS_H_
