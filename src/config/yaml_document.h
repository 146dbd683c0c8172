#ifndef VMQ_CONFIG_YAML_DOCUMENT_H_
#define VMQ_CONFIG_YAML_DOCUMENT_H_

// The one way the exporter turns YAML text into a yaml-cpp tree. yaml-cpp 0.7 is not safe on
// arbitrary text, so every file goes through a gate before the tree is built:
//  - a stray ',' at document level makes YAML::LoadAll produce empty documents forever (until
//    std::bad_alloc) and makes YAML::Load return "empty", which would read a broken web config
//    as "no authentication";
//  - yaml-cpp recurses once per nesting level, so nesting depth is bounded before it parses;
//  - aliases share nodes, so a small file can stand for an exponentially large tree that a
//    reader walking it would expand.
// The gate is a first pass of yaml-cpp's event parser (no tree) that counts documents and the
// expanded size; a lexical pre-scan bounds the nesting depth before that first pass recurses.

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace vmq::config::detail {

struct YamlLimits {
  size_t max_bytes = 1 << 20;    // 1 MiB: a config for thousands of targets fits
  size_t max_depth = 64;         // nesting levels (an upper estimate; real files use < 10)
  size_t max_nodes = 1'000'000;  // scalars and collections, aliases expanded
  size_t max_documents = 16;     // `---` separated, empty ones included
};

// Parses `text` into its single non-empty document. Throws ConfigError
// ("FILE:LINE:COL: message") for invalid YAML, a file beyond a limit, more than one non-empty
// document, or no document at all (then `empty_hint` says what the file should hold). Never
// lets std::bad_alloc or a yaml-cpp exception through.
YAML::Node LoadSingleDocument(std::string_view text, const std::string& file,
                              std::string_view empty_hint, const YamlLimits& limits = {});

}  // namespace vmq::config::detail

#endif  // VMQ_CONFIG_YAML_DOCUMENT_H_
