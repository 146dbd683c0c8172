#ifndef VMQ_EXPOSE_WEB_CONFIG_H_
#define VMQ_EXPOSE_WEB_CONFIG_H_

// The exporter-toolkit web configuration (--web.config.file) for the exporter's own HTTP
// endpoint: TLS and basic-auth users, in the same YAML file node_exporter and Prometheus read,
// so an operator's existing file works unchanged. Only the keys this exporter implements are
// accepted; a key it would silently ignore could leave the endpoint less protected than the
// operator believes.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vmq::expose {

struct TlsServerConfig {
  std::string cert_file;  // PEM certificate (chain); absolute path
  std::string key_file;   // PEM private key; absolute path
};

struct WebConfig {
  std::optional<TlsServerConfig> tls;  // absent: plain HTTP
  // User name -> bcrypt hash ($2a$, $2b$ or $2y$). Empty: no authentication.
  std::map<std::string, std::string> basic_auth_users;
};

// Reads and validates the file. Throws config::ConfigError ("FILE:LINE:COL: message"; 0:0 for
// an unreadable file). Relative cert/key paths are resolved against the file's directory, as
// exporter-toolkit does, and both files must be readable PEM at start-up rather than at the
// first TLS handshake.
WebConfig LoadWebConfigFile(const std::string& path);
// Same, from text; `file` names the source in messages and anchors relative paths.
WebConfig LoadWebConfigString(std::string_view yaml, const std::string& file);

// True for a well-formed bcrypt hash: $2a$, $2b$ or $2y$, a two-digit cost from 04 to 31 and
// 53 characters of bcrypt's base64.
bool IsBcryptHash(std::string_view text);

}  // namespace vmq::expose

#endif  // VMQ_EXPOSE_WEB_CONFIG_H_
