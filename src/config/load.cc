#include <string>

#include <yaml-cpp/yaml.h>

#include "common/read_file.h"
#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_document.h"
#include "config/yaml_reader.h"

namespace vmq::config {

Config LoadString(std::string_view yaml, const std::string& file) {
  const YAML::Node document =
      detail::LoadSingleDocument(yaml, file, "it needs at least a targets: list");
  Config config = detail::ParseRoot(detail::Node::Root(document, &file));
  config.file = file;
  return config;
}

Config LoadFile(const std::string& path) {
  FileContent file = ReadFileCapped(path, detail::YamlLimits().max_bytes);
  if (!file.ok()) throw ConfigError(path, 0, 0, "cannot read: " + file.error);
  return LoadString(file.content, path);
}

}  // namespace vmq::config
