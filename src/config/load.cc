#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

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
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ConfigError(path, 0, 0, "cannot read: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, 0, 0, std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path, 0, 0, std::string("cannot read: ") + std::strerror(errno));
  return LoadString(text.str(), path);
}

}  // namespace vmq::config
