#include "expose/web_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "common/read_file.h"
#include "config/config.h"
#include "config/yaml_document.h"
#include "config/yaml_reader.h"

namespace vmq::expose {
namespace {

using config::ConfigError;
using config::detail::Map;
using config::detail::Node;

// Certificates, chains and keys are a few kB; a bundle of a hundred certificates fits.
constexpr size_t kMaxPemFileBytes = 1 << 20;

std::string ResolvePath(const std::string& path, const std::string& config_file) {
  if (path.empty() || path.front() == '/') return path;
  return (std::filesystem::path(config_file).parent_path() / path).string();
}

// `marker` is text every acceptable PEM file of this kind contains.
std::string ParsePemFile(const Node& node, const std::string& config_file, std::string_view marker,
                         std::string_view what) {
  const std::string written = node.Scalar("the path of a PEM file");
  if (written.empty()) node.Fail(node.path() + " is empty; write the path of " + std::string(what));
  const std::string path = ResolvePath(written, config_file);
  const FileContent file = ReadFileCapped(path, kMaxPemFileBytes);
  const std::string where = node.path() + " \"" + path + "\"";
  if (!file.ok()) node.Fail(where + " cannot be read: " + file.error);
  if (file.content.find(marker) == std::string::npos) {
    node.Fail(where + " holds no PEM " + std::string(what) + " (no line containing " +
              std::string(marker) + ")");
  }
  return path;
}

TlsServerConfig ParseTls(const Node& node, const std::string& config_file) {
  const Map map = node.FixedMap("a map with cert_file: and key_file:", {"cert_file", "key_file"});
  TlsServerConfig tls;
  tls.cert_file =
      ParsePemFile(map.Require("cert_file", "add cert_file: with the server's PEM certificate"),
                   config_file, "-----BEGIN CERTIFICATE-----", "certificate");
  tls.key_file =
      ParsePemFile(map.Require("key_file", "add key_file: with the server's PEM private key"),
                   config_file, "PRIVATE KEY-----", "private key");
  return tls;
}

std::map<std::string, std::string> ParseUsers(const Node& node) {
  std::map<std::string, std::string> users;
  const Map map = node.IsNull() ? Map(node, {}) : node.OpenMap("a map of user name to bcrypt hash");
  if (map.entries().empty()) {
    node.Fail(
        "basic_auth_users is empty; list at least one user, or remove the key to serve "
        "without authentication");
  }
  for (const auto& entry : map.entries()) {
    if (entry.key.empty() || entry.key.find(':') != std::string::npos) {
      entry.key_node.Fail("user name \"" + entry.key +
                          "\" must be non-empty and may not contain ':' (basic auth separates "
                          "user name and password with ':')");
    }
    const std::string hash = entry.value.Scalar("a bcrypt hash");
    if (!IsBcryptHash(hash)) {
      entry.value.Fail(entry.value.path() +
                       " is not a bcrypt hash (expected $2y$, $2b$ or $2a$, a cost and 53 "
                       "characters, e.g. from `htpasswd -nbB USER PASSWORD`); plain-text "
                       "passwords are not accepted");
    }
    users.emplace(entry.key, hash);
  }
  return users;
}

bool IsBcryptBase64(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '/';
}

}  // namespace

bool IsBcryptHash(std::string_view text) {
  constexpr size_t kLength = 60;  // "$2y$" + "NN" + "$" + 53
  if (text.size() != kLength || text.substr(0, 2) != "$2") return false;
  if (text[2] != 'a' && text[2] != 'b' && text[2] != 'y') return false;
  if (text[3] != '$' || text[6] != '$') return false;
  if (text[4] < '0' || text[4] > '3' || text[5] < '0' || text[5] > '9') return false;
  const int cost = (text[4] - '0') * 10 + (text[5] - '0');
  if (cost < 4 || cost > 31) return false;
  const std::string_view salt_and_hash = text.substr(7);
  return std::all_of(salt_and_hash.begin(), salt_and_hash.end(), IsBcryptBase64);
}

WebConfig LoadWebConfigString(std::string_view yaml, const std::string& file) {
  WebConfig web;
  // An empty file is refused rather than read as "no TLS, no users": a web config that lost
  // its content must never open the endpoint.
  const Node root = Node::Root(
      config::detail::LoadSingleDocument(
          yaml, file,
          "write tls_server_config: and/or basic_auth_users:, or drop --web.config.file to "
          "serve plain HTTP without authentication"),
      &file);
  const Map map = root.FixedMap("a map with tls_server_config: and/or basic_auth_users:",
                                {"tls_server_config", "basic_auth_users"});
  if (const std::optional<Node> tls = map.Get("tls_server_config")) {
    web.tls = ParseTls(*tls, file);
  }
  if (const std::optional<Node> users = map.Get("basic_auth_users")) {
    web.basic_auth_users = ParseUsers(*users);
  }
  return web;
}

WebConfig LoadWebConfigFile(const std::string& path) {
  const FileContent file = ReadFileCapped(path, config::detail::YamlLimits().max_bytes);
  if (!file.ok()) throw ConfigError(path, 0, 0, "cannot read: " + file.error);
  return LoadWebConfigString(file.content, path);
}

}  // namespace vmq::expose
