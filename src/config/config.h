#ifndef VMQ_CONFIG_CONFIG_H_
#define VMQ_CONFIG_CONFIG_H_

// The exporter's configuration as read from config.yaml, fully validated. Everything after
// start-up works from these values and never sees YAML.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace vmq::config {

using Millis = std::chrono::milliseconds;

struct Url {
  std::string text;    // as written
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  int port = 0;        // explicit or the scheme's default
  std::string path;    // starts with '/', includes any query
};

// HTTP basic authentication for a target; the password comes from a file.
struct BasicAuth {
  std::string username;
  std::string password;
};

// How an https target's certificate is checked.
struct TlsSettings {
  // Read at start-up and again by the poller before cpp-httplib loads it (Debian's whole
  // store is ~220 KB).
  static constexpr size_t kMaxCaFileBytes = 4 * 1024 * 1024;

  std::string ca_file;  // PEM CA bundle to trust; empty: the system's CA store
  bool insecure_skip_verify = false;
};

struct Target {
  std::string name;  // `name:` or, when omitted, "host:port"
  // Shown in logs, on the landing page and in metrics, so it never carries credentials
  // (user@host is refused).
  Url url;
  // Secrets are read from files at start-up and live only here, so that nothing the exporter
  // prints or serves can contain them. At most one of the two is set.
  std::optional<std::string> api_key;  // sent as x-api-key, VerneMQ's apikey auth mode
  std::optional<BasicAuth> basic_auth;
  TlsSettings tls;  // defaults unless the url is https
};

struct PollSettings {
  Millis interval{5000};
  Millis timeout{4000};
  size_t max_body_bytes = 8 * 1024 * 1024;
  // Bytes of series identity (metric name, label names and values) the exporter keeps per
  // target. Together with the series cap it bounds the memory and the size of the exporter's
  // own page whatever label values a page invents; real VerneMQ pages need a few KB.
  size_t max_series_bytes = 256 * 1024;
};

struct Window {
  std::string text;  // the duration as written in config, used as the `window` label
  Millis length{0};
};

// A label matcher: the label's value (empty when the label is absent, as in PromQL) must
// fully match `pattern`. Values come from untrusted pages, so matching uses RE2: time linear
// in the value and no recursion, whatever the value (a backtracking engine overflowed the
// stack on a 40 KB value). Copies share the compiled expression, which is immutable.
struct LabelMatcher {
  std::string label;
  std::string pattern;
  std::shared_ptr<const re2::RE2> regex;
  bool Matches(std::string_view value) const;
};

// A signal turns one raw VerneMQ counter into exported trailing-window gauges.
struct Signal {
  std::string name;    // exported metric name, e.g. vmq_pubcomp_unexpected_received
  std::string help;    // HELP text (raw; escaped when rendered)
  std::string source;  // VerneMQ metric without namespace prefix, e.g. mqtt_pubcomp_invalid_error
  std::vector<LabelMatcher> include;  // all must match
  std::vector<LabelMatcher> exclude;  // none may match
  // Source labels carried to the output besides `node`; series that differ only in other
  // labels are summed.
  std::vector<std::string> keep_labels;
};

// An alert on one signal's count over the alert window, per target, node and MQTT version.
// The count must exceed raise_above (with the window fully covered by polls) to raise it; once
// raised it holds while the count stays above hold_above. The same numbers drive the generated
// Prometheus rules and the exporter's own vmq_alert_state, so the two cannot drift apart.
struct AlertRule {
  std::string alert;   // alert name, e.g. VerneMQPubcompUnexpected
  std::string signal;  // name of a configured signal
  uint64_t raise_above = 5;
  uint64_t hold_above = 0;  // <= raise_above
  // Level 2 (critical) above this; it holds while the count stays above raise_above.
  std::optional<uint64_t> critical_above;
  std::string severity = "warning";  // label of the raised (non-critical) alert
  std::string summary;               // Prometheus annotation templates
  std::string description;
};

struct AlertSettings {
  Window window;            // one of Config::windows, written as it is there
  std::string runbook_url;  // base; the alert name and ".md" are appended; empty: none
  Millis target_down_for{120'000};
  // VerneMQExporterStale fires when an up target's last successful poll is older than this
  // many poll intervals.
  uint64_t stale_after_intervals = 3;
  std::vector<AlertRule> rules;  // built-in defaults, replaced/extended by `alerts.rules:`
};

struct Config {
  std::string file;  // path it was loaded from
  std::vector<Target> targets;
  PollSettings poll;
  std::vector<Window> windows;  // sorted by length, no duplicates
  std::vector<Signal> signals;  // built-in defaults, replaced/extended by `signals:`
  AlertSettings alerts;
};

// Raised for any invalid configuration. what() is "FILE:LINE:COL: message"; line and column
// are 1-based and point at the offending key or value.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, int column, const std::string& message);
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int line_;
  int column_;
  std::string message_;
};

// Reads and validates a file. Throws ConfigError (also for an unreadable file, at 0:0).
Config LoadFile(const std::string& path);
// Same, from text; `file` is only used in error messages.
Config LoadString(std::string_view yaml, const std::string& file);

// The PUBCOMP family signals used when `signals:` does not replace them.
std::vector<Signal> DefaultSignals();

// The three PUBCOMP alerts mirroring Netdata's, for an alert window written as `window`
// (their descriptions name it).
std::vector<AlertRule> DefaultAlertRules(std::string_view window);
// Alerts on the exporter's own health; their names may not be used by `alerts.rules`.
inline constexpr std::string_view kHealthAlertNames[] = {
    "VerneMQTargetDown", "VerneMQExporterStale", "VerneMQTargetNotVerneMQ"};

// Prometheus duration syntax: one or more of <int><unit>, units ms s m h d w y, largest unit
// first, each at most once (e.g. 800ms, 10s, 1m, 1h30m). Returns false on anything else
// or on zero.
bool ParseDuration(std::string_view text, Millis* out);
// The inverse of ParseDuration for positive lengths, largest unit first (90000ms -> "1m30s"),
// so that messages and labels show durations the way a user would write them.
std::string FormatDuration(Millis length);

// Accepts http and https URLs with a host; fills `out`. On failure returns false and sets
// `error` to what is wrong.
bool ParseUrl(std::string_view text, Url* out, std::string* error);

}  // namespace vmq::config

#endif  // VMQ_CONFIG_CONFIG_H_
