#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/read_file.h"
#include "config/names.h"
#include "config/sections.h"

namespace vmq::config::detail {
namespace {

constexpr char kTargetShape[] = "a map with url: and an optional name:";

// A target plus the node to blame when its name clashes: the name if written, else the url
// the name was derived from.
struct ParsedTarget {
  Target target;
  Node name_source;
  bool named_explicitly;
};

Url ParseTargetUrl(const Node& node) {
  const std::string text = node.Scalar("a URL such as http://127.0.0.1:8888/metrics");
  Url url;
  std::string error;
  if (!ParseUrl(text, &url, &error)) {
    node.Fail(node.path() + " \"" + text + "\" is not a usable URL: " + error);
  }
  return url;
}

std::string ParseTargetName(const Node& node) {
  std::string name = node.Scalar("a target name");
  if (name.empty()) {
    node.Fail(node.path() + " is empty; give a name or remove the key to use HOST:PORT");
  }
  if (!IsTargetName(name)) {
    node.Fail(node.path() + " \"" + name +
              "\" may only contain letters, digits and the characters _ . : @ -");
  }
  return name;
}

const Entry* FindEntry(const Map& map, std::string_view key) {
  const auto it = std::find_if(map.entries().begin(), map.entries().end(),
                               [key](const Entry& entry) { return entry.key == key; });
  return it == map.entries().end() ? nullptr : &*it;
}

// Fails at whichever of the two keys is written later, naming the line of the other.
void RefuseTogether(const Map& map, std::string_view key, std::string_view other_key,
                    std::string_view advice) {
  const Entry* first = FindEntry(map, key);
  const Entry* second = FindEntry(map, other_key);
  if (first == nullptr || second == nullptr) return;
  if (second < first) std::swap(first, second);  // entries are in document order
  second->key_node.Fail(
      second->key_node.path() + " cannot be combined with " + first->key_node.path() + " (line " +
      std::to_string(first->key_node.position().line) + "); " + std::string(advice));
}

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < ' ' || c == 0x7f; });
}

// Relative paths are refused: they would depend on the directory the exporter starts in.
std::string AbsolutePath(const Node& node) {
  const std::string path = node.Scalar("the absolute path of a file");
  if (path.empty()) node.Fail(node.path() + " is empty; write the absolute path of a file");
  if (path.front() != '/') {
    node.Fail(node.path() + " \"" + path +
              "\" must be an absolute path (a relative one would depend on the directory the "
              "exporter is started from)");
  }
  return path;
}

// Secrets are one line.
constexpr size_t kMaxSecretFileBytes = 64 * 1024;

std::string ReadWholeFile(const Node& node, const std::string& path, size_t max_bytes) {
  FileContent file = ReadFileCapped(path, max_bytes);
  if (!file.ok()) node.Fail(node.path() + " \"" + path + "\" cannot be read: " + file.error);
  return std::move(file.content);
}

// A secret from the file named at `node`: its content without the trailing line break that
// editors and `echo` add. Messages name the file and never quote what it holds.
std::string SecretFromFile(const Node& node, std::string_view what) {
  const std::string path = AbsolutePath(node);
  std::string secret = ReadWholeFile(node, path, kMaxSecretFileBytes);
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  const std::string where = node.path() + " \"" + path + "\"";
  if (secret.empty()) node.Fail(where + " is empty; put " + std::string(what) + " in it");
  if (HasControlCharacter(secret)) {
    node.Fail(where + " must hold " + std::string(what) +
              " on a single line without control characters");
  }
  return secret;
}

std::string ParseUsername(const Node& node) {
  const std::string username = node.Scalar("a user name");
  if (username.empty()) node.Fail(node.path() + " is empty; write the user name to send");
  if (username.find(':') != std::string::npos || HasControlCharacter(username)) {
    node.Fail(node.path() + " may not contain ':' or control characters (basic auth separates " +
              "user name and password with ':')");
  }
  return username;
}

BasicAuth ParseBasicAuth(const Node& node) {
  const Map map =
      node.FixedMap("a map with username: and password_file:", {"username", "password_file"});
  BasicAuth auth;
  auth.username = ParseUsername(map.Require("username", "add username: with the user name"));
  auth.password =
      SecretFromFile(map.Require("password_file",
                                 "add password_file: with the path of a file holding the "
                                 "password"),
                     "the password");
  return auth;
}

void ParseCredentials(const Map& map, Target* target) {
  RefuseTogether(map, "api_key_file", "basic_auth",
                 "a target sends one kind of credentials (VerneMQ's apikey mode needs only "
                 "api_key_file)");
  if (const std::optional<Node> file = map.Get("api_key_file")) {
    target->api_key = SecretFromFile(*file, "the API key");
  }
  if (const std::optional<Node> auth = map.Get("basic_auth")) {
    target->basic_auth = ParseBasicAuth(*auth);
  }
}

// Checked here rather than left to the first poll, so that a wrong path stops start-up.
std::string ParseCaFile(const Node& node) {
  const std::string path = AbsolutePath(node);
  const std::string content = ReadWholeFile(node, path, TlsSettings::kMaxCaFileBytes);
  const std::string where = node.path() + " \"" + path + "\"";
  if (content.empty()) node.Fail(where + " is empty; it must hold the CA's PEM certificate");
  if (content.find("-----BEGIN CERTIFICATE-----") == std::string::npos &&
      content.find("-----BEGIN TRUSTED CERTIFICATE-----") == std::string::npos) {
    node.Fail(where + " holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)");
  }
  return path;
}

// YAML 1.2's booleans only; yaml-cpp would also take yes/no/on/off.
bool ParseBool(const Node& node) {
  const std::string text = node.Scalar("true or false");
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  node.Fail(node.path() + " \"" + text + "\" must be true or false");
}

TlsSettings ParseTls(const Node& node) {
  TlsSettings tls;
  if (node.IsNull()) return tls;
  const Map map = node.FixedMap("a map of TLS settings (ca_file, insecure_skip_verify)",
                                {"ca_file", "insecure_skip_verify"});
  if (const std::optional<Node> skip = map.Get("insecure_skip_verify")) {
    tls.insecure_skip_verify = ParseBool(*skip);
  }
  if (tls.insecure_skip_verify) {
    RefuseTogether(map, "ca_file", "insecure_skip_verify",
                   "without verification the CA file is not used; remove one of them");
  }
  if (const std::optional<Node> ca_file = map.Get("ca_file")) tls.ca_file = ParseCaFile(*ca_file);
  return tls;
}

TlsSettings ParseTargetTls(const Map& map, const Url& url) {
  const Entry* tls = FindEntry(map, "tls");
  if (tls == nullptr) return {};
  if (url.scheme != "https") {
    tls->key_node.Fail(tls->key_node.path() + " is set, but the url \"" + url.text +
                       "\" is not https; use an https:// url or remove tls:");
  }
  return ParseTls(tls->value);
}

ParsedTarget ParseTarget(const Node& node) {
  const Map map = node.FixedMap(kTargetShape, {"url", "name", "api_key_file", "basic_auth", "tls"});
  const Node url_node = map.Require("url", "add url: http://HOST:PORT/metrics");
  const std::optional<Node> name_node = map.Get("name");
  Target target;
  target.url = ParseTargetUrl(url_node);
  target.name = name_node ? ParseTargetName(*name_node)
                          : target.url.host + ":" + std::to_string(target.url.port);
  ParseCredentials(map, &target);
  target.tls = ParseTargetTls(map, target.url);
  return ParsedTarget{target, name_node.value_or(url_node), name_node.has_value()};
}

std::string TargetPath(const ParsedTarget& parsed) {
  const std::string& path = parsed.name_source.path();
  return path.substr(0, path.rfind('.'));
}

void FailOnNameClash(const ParsedTarget& later, const ParsedTarget& earlier) {
  const std::string earlier_where =
      TargetPath(earlier) + " (line " + std::to_string(earlier.name_source.position().line) + ")";
  if (later.named_explicitly) {
    later.name_source.Fail(later.name_source.path() + " \"" + later.target.name +
                           "\" is already used by " + earlier_where +
                           "; target names must be unique");
  }
  later.name_source.Fail(TargetPath(later) + " is named \"" + later.target.name +
                         "\" after its url, a name already used by " + earlier_where +
                         "; give one of them a distinct name:");
}

}  // namespace

std::vector<Target> ParseTargets(const Node& node) {
  const std::vector<Node> items = node.List(std::string("a list of targets, each ") + kTargetShape);
  if (items.empty()) {
    node.Fail("targets is empty; add at least one target with url: http://HOST:PORT/metrics");
  }
  std::vector<ParsedTarget> parsed;
  for (const Node& item : items) {
    ParsedTarget next = ParseTarget(item);
    for (const ParsedTarget& earlier : parsed) {
      if (earlier.target.name == next.target.name) FailOnNameClash(next, earlier);
    }
    parsed.push_back(std::move(next));
  }
  std::vector<Target> targets;
  for (ParsedTarget& target : parsed) targets.push_back(std::move(target.target));
  return targets;
}

}  // namespace vmq::config::detail
