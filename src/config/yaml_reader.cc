#include "config/yaml_reader.h"

#include <algorithm>
#include <utility>

#include "config/config.h"

namespace vmq::config::detail {
namespace {

Position PositionOf(const YAML::Mark& mark, Position fallback) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return fallback;
  return Position{mark.line + 1, mark.column + 1};
}

std::string KindOf(const YAML::Node& yaml) {
  if (yaml.IsScalar()) return "the value \"" + yaml.Scalar() + "\"";
  if (yaml.IsSequence()) return "a list";
  if (yaml.IsMap()) return "a map";
  return "empty";
}

std::string JoinKeys(const std::vector<std::string_view>& keys) {
  std::string joined;
  for (std::string_view key : keys) {
    if (!joined.empty()) joined += ", ";
    joined += key;
  }
  return joined;
}

void RefuseUnknownKey(const Node& key_node, const std::string& key,
                      const std::vector<std::string_view>& allowed_keys, const std::string& where) {
  if (std::find(allowed_keys.begin(), allowed_keys.end(), key) != allowed_keys.end()) return;
  key_node.Fail("unknown key \"" + key + "\" " + where +
                "; allowed keys: " + JoinKeys(allowed_keys));
}

void RefuseDuplicateKey(const Node& key_node, const std::string& key,
                        const std::vector<Entry>& earlier, const std::string& where) {
  const auto first = std::find_if(earlier.begin(), earlier.end(),
                                  [&key](const Entry& entry) { return entry.key == key; });
  if (first == earlier.end()) return;
  key_node.Fail("duplicate key \"" + key + "\" " + where + " (first given at line " +
                std::to_string(first->key_node.position().line) + "); keep only one");
}

}  // namespace

Node::Node(YAML::Node yaml, std::string path, Position position, const std::string* file)
    : yaml_(std::move(yaml)), path_(std::move(path)), position_(position), file_(file) {}

Node Node::Root(YAML::Node yaml, const std::string* file) {
  const Position position = PositionOf(yaml.Mark(), Position{1, 1});
  return Node(std::move(yaml), "", position, file);
}

void Node::Fail(const std::string& message) const {
  throw ConfigError(*file_, position_.line, position_.column, message);
}

std::string Node::Name() const { return path_.empty() ? "the configuration" : path_; }

std::string Node::Where() const { return path_.empty() ? "at the top level" : "in " + path_; }

// Null values carry unreliable marks in yaml-cpp (they point at whatever follows), so they
// are placed at `fallback`: the key they belong to or the list that holds them.
Node Node::Child(YAML::Node yaml, std::string path, Position fallback) const {
  const Position position = yaml.IsNull() ? fallback : PositionOf(yaml.Mark(), fallback);
  return Node(std::move(yaml), std::move(path), position, file_);
}

void Node::FailShape(std::string_view expected) const {
  Fail(Name() + " must be " + std::string(expected) + ", but it is " + KindOf(yaml_));
}

std::string Node::Scalar(std::string_view expected) const {
  if (!yaml_.IsScalar()) FailShape(expected);
  return yaml_.Scalar();
}

std::vector<Node> Node::List(std::string_view expected) const {
  if (!yaml_.IsSequence()) FailShape(expected);
  std::vector<Node> items;
  for (const YAML::Node& item : yaml_) {
    items.push_back(Child(item, path_ + "[" + std::to_string(items.size()) + "]", position_));
  }
  return items;
}

Map Node::FixedMap(std::string_view expected,
                   const std::vector<std::string_view>& allowed_keys) const {
  return Map(*this, ReadEntries(expected, &allowed_keys));
}

Map Node::OpenMap(std::string_view expected) const {
  return Map(*this, ReadEntries(expected, nullptr));
}

std::vector<Entry> Node::ReadEntries(std::string_view expected,
                                     const std::vector<std::string_view>* allowed_keys) const {
  if (!yaml_.IsMap()) FailShape(expected);
  const std::string child_path_prefix = path_.empty() ? "" : path_ + ".";
  std::vector<Entry> entries;
  for (const auto& pair : yaml_) {
    if (!pair.first.IsScalar()) {
      Child(pair.first, path_, position_)
          .Fail(Name() + " has a key that is " + KindOf(pair.first) + "; keys must be plain names");
    }
    const std::string key = pair.first.Scalar();
    const Node key_node = Child(pair.first, child_path_prefix + key, position_);
    if (allowed_keys != nullptr) RefuseUnknownKey(key_node, key, *allowed_keys, Where());
    RefuseDuplicateKey(key_node, key, entries, Where());
    entries.push_back(
        Entry{key, key_node, Child(pair.second, child_path_prefix + key, key_node.position())});
  }
  return entries;
}

Map::Map(Node node, std::vector<Entry> entries)
    : node_(std::move(node)), entries_(std::move(entries)) {}

std::optional<Node> Map::Get(std::string_view key) const {
  for (const Entry& entry : entries_) {
    if (entry.key == key) return entry.value;
  }
  return std::nullopt;
}

Node Map::Require(std::string_view key, std::string_view hint) const {
  std::optional<Node> value = Get(key);
  if (!value) {
    node_.Fail(node_.Name() + " has no " + std::string(key) + "; " + std::string(hint));
  }
  return *value;
}

}  // namespace vmq::config::detail
