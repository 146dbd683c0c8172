#include "main/flags.h"

#include <charconv>
#include <functional>
#include <map>

namespace vmq {
namespace {

using Setter = std::function<bool(const std::string& value, Flags* flags, std::string* error)>;

const std::map<std::string, Setter>& ValueFlags() {
  static const auto* flags = new std::map<std::string, Setter>{
      {"--config.file",
       [](const std::string& v, Flags* f, std::string*) {
         f->config_file = v;
         return true;
       }},
      {"--web.listen-address",
       [](const std::string& v, Flags* f, std::string* e) {
         if (ParseListenAddress(v, &f->listen_host, &f->listen_port)) return true;
         *e = "--web.listen-address: expected [host]:port, got \"" + v + "\"";
         return false;
       }},
      {"--web.telemetry-path",
       [](const std::string& v, Flags* f, std::string* e) {
         if (!v.empty() && v[0] == '/' && v != "/" && v.rfind("/-/", 0) != 0) {
           f->telemetry_path = v;
           return true;
         }
         *e = "--web.telemetry-path: must start with '/' and not be / or under /-/";
         return false;
       }},
      {"--web.config.file",
       [](const std::string& v, Flags* f, std::string* e) {
         if (!v.empty()) {
           f->web_config_file = v;
           return true;
         }
         *e = "--web.config.file: needs the path of a web configuration file";
         return false;
       }},
      {"--storage.path",
       [](const std::string& v, Flags* f, std::string* e) {
         if (!v.empty()) {
           f->storage_path = v;
           return true;
         }
         *e = "--storage.path: needs a directory";
         return false;
       }},
      {"--log.level",
       [](const std::string& v, Flags* f, std::string* e) {
         if (ParseLogLevel(v, &f->log_level)) return true;
         *e = "--log.level: expected one of debug, info, warn, error, got \"" + v + "\"";
         return false;
       }},
      {"--log.format",
       [](const std::string& v, Flags* f, std::string* e) {
         if (ParseLogFormat(v, &f->log_format)) return true;
         *e = "--log.format: expected logfmt or json, got \"" + v + "\"";
         return false;
       }},
  };
  return *flags;
}

bool SetBoolFlag(const std::string& name, Flags* flags) {
  if (name == "--config.check") {
    flags->config_check = true;
  } else if (name == "--web.enable-lifecycle") {
    flags->web_enable_lifecycle = true;
  } else if (name == "--alerts.print-rules") {
    flags->alerts_print_rules = true;
  } else if (name == "--version") {
    flags->version = true;
  } else if (name == "--help" || name == "-h") {
    flags->help = true;
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool ParseListenAddress(const std::string& text, std::string* host, int* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string h = text.substr(0, colon);
  const std::string p = text.substr(colon + 1);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string::npos) {
    return false;
  }
  int value = 0;
  const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || end != p.data() + p.size() || value < 0 || value > 65535) return false;
  *host = h.empty() ? "0.0.0.0" : h;
  *port = value;
  return true;
}

bool ParseFlags(int argc, const char* const* argv, Flags* out, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    if (!has_value && SetBoolFlag(arg, out)) continue;
    const auto& flags = ValueFlags();
    const auto it = flags.find(arg);
    if (it == flags.end()) {
      *error = has_value && SetBoolFlag(arg, out) ? arg + " takes no value"
                                                  : "unknown flag " + arg + " (see --help)";
      return false;
    }
    if (!has_value) {
      if (i + 1 >= argc) {
        *error = arg + " needs a value";
        return false;
      }
      value = argv[++i];
    }
    if (!it->second(value, out, error)) return false;
  }
  return true;
}

std::string Usage(const std::string& program) {
  return "usage: " + program +
         " [flags]\n\n"
         "Polls VerneMQ nodes and serves exact trailing-window PUBCOMP counts.\n\n"
         "Flags:\n"
         "  --config.file=PATH          configuration file (default config.yaml)\n"
         "  --config.check              validate the configuration and exit (0 valid, 2 invalid)\n"
         "  --alerts.print-rules        print the Prometheus alerting rules generated from the\n"
         "                              configuration's alerts: section and exit\n"
         "  --web.listen-address=ADDR   [host]:port to serve on (default :" +
         std::to_string(kDefaultPort) +
         ")\n"
         "  --web.telemetry-path=PATH   path of the metrics page (default /metrics)\n"
         "  --web.config.file=PATH      TLS and basic-auth file in exporter-toolkit format\n"
         "                              (default none: plain HTTP without authentication)\n"
         "  --web.enable-lifecycle      reload the configuration on POST or PUT /-/reload\n"
         "                              (SIGHUP reloads it in any case)\n"
         "  --storage.path=DIR          keep each target's window history and alert state in DIR\n"
         "                              across restarts (default none: start empty)\n"
         "  --log.level=LEVEL           debug, info, warn or error (default info)\n"
         "  --log.format=FORMAT         logfmt or json (default logfmt)\n"
         "  --version                   print the version and exit\n"
         "  -h, --help                  print this help and exit\n";
}

}  // namespace vmq
