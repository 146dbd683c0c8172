#ifndef VMQ_CONFIG_YAML_READER_H_
#define VMQ_CONFIG_YAML_READER_H_

// The thin layer every section parser stands on. It turns "this value has the wrong shape",
// "this key is unknown" and "this key is given twice" into ConfigErrors that point into the
// file, so that section parsers only deal with meaning. yaml-cpp itself keeps both pairs of a
// duplicated key and silently picks one on lookup, which is why maps are only read through
// here.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmq::config::detail {

struct Position {
  int line = 0;  // 1-based
  int column = 0;
};

class Map;
struct Entry;

// A YAML value together with what an error about it needs: the file, where the value is, and
// the path a user would call it by ("poll.interval", "targets[1].url").
class Node {
 public:
  Node(YAML::Node yaml, std::string path, Position position, const std::string* file);

  // The root of a document; its path is empty and messages call it "the top level".
  static Node Root(YAML::Node yaml, const std::string* file);

  const YAML::Node& yaml() const { return yaml_; }
  const std::string& path() const { return path_; }
  Position position() const { return position_; }
  bool IsNull() const { return yaml_.IsNull(); }

  // How messages refer to this value: its path, or "the configuration" for the root; and
  // where a key inside it is: "in PATH" or "at the top level".
  std::string Name() const;
  std::string Where() const;

  [[noreturn]] void Fail(const std::string& message) const;

  // Readers that insist on a shape. `expected` completes "PATH must be ..." in the error,
  // e.g. "a duration such as 5s".
  std::string Scalar(std::string_view expected) const;
  std::vector<Node> List(std::string_view expected) const;
  // A map whose keys must all be in `allowed_keys`.
  Map FixedMap(std::string_view expected, const std::vector<std::string_view>& allowed_keys) const;
  // A map with free-form keys (e.g. label name -> regex); duplicates are still refused.
  Map OpenMap(std::string_view expected) const;

 private:
  Node Child(YAML::Node yaml, std::string path, Position fallback) const;
  [[noreturn]] void FailShape(std::string_view expected) const;
  std::vector<Entry> ReadEntries(std::string_view expected,
                                 const std::vector<std::string_view>* allowed_keys) const;

  YAML::Node yaml_;
  std::string path_;
  Position position_;
  const std::string* file_;
};

struct Entry {
  std::string key;
  Node key_node;
  Node value;
};

// A map checked for duplicate and (for FixedMap) unknown keys, in document order.
class Map {
 public:
  Map(Node node, std::vector<Entry> entries);

  const Node& node() const { return node_; }
  const std::vector<Entry>& entries() const { return entries_; }
  std::optional<Node> Get(std::string_view key) const;
  // Fails at the map when `key` is missing; `hint` tells the user what to write.
  Node Require(std::string_view key, std::string_view hint) const;

 private:
  Node node_;
  std::vector<Entry> entries_;
};

}  // namespace vmq::config::detail

#endif  // VMQ_CONFIG_YAML_READER_H_
