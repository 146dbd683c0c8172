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
#include "config/yaml_reader.h"

namespace vmq::config {
namespace {

// yaml-cpp reports a tab used for indentation as an unrelated-sounding syntax error.
bool IndentedWithTab(std::string_view text, int line) {
  size_t start = 0;
  for (int i = 0; i < line && start != std::string_view::npos; ++i) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  if (start == std::string_view::npos) return false;
  const std::string_view rest = text.substr(start);
  const std::string_view indent = rest.substr(0, rest.find_first_not_of(" \t"));
  return indent.find('\t') != std::string_view::npos;
}

std::vector<YAML::Node> ParseYaml(std::string_view text, const std::string& file) {
  try {
    return YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {
    const YAML::Mark& mark = error.mark;
    const bool placed = !mark.is_null() && mark.line >= 0 && mark.column >= 0;
    std::string message = "invalid YAML: " + error.msg;
    if (placed && IndentedWithTab(text, mark.line)) {
      message += " (YAML does not allow tabs for indentation)";
    }
    throw ConfigError(file, placed ? mark.line + 1 : 1, placed ? mark.column + 1 : 1, message);
  }
}

// Empty documents (a stray `---`) are ignored; two with content are refused rather than
// silently reading only the first.
YAML::Node SingleDocument(const std::vector<YAML::Node>& documents, const std::string& file) {
  std::vector<YAML::Node> filled;
  for (const YAML::Node& document : documents) {
    if (!document.IsNull()) filled.push_back(document);
  }
  if (filled.empty()) {
    throw ConfigError(file, 1, 1, "the file is empty; it needs at least a targets: list");
  }
  if (filled.size() > 1) {
    const YAML::Mark mark = filled[1].Mark();
    throw ConfigError(file, mark.line + 1, mark.column + 1,
                      "a second YAML document starts here; put the whole configuration in one "
                      "document");
  }
  return filled.front();
}

}  // namespace

Config LoadString(std::string_view yaml, const std::string& file) {
  const YAML::Node document = SingleDocument(ParseYaml(yaml, file), file);
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
