#include "config/yaml_document.h"

#include <algorithm>
#include <new>
#include <sstream>
#include <unordered_map>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include "config/config.h"

namespace vmq::config::detail {
namespace {

struct Place {
  int line = 1;
  int column = 1;
};

Place PlaceOf(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

[[noreturn]] void Refuse(const std::string& file, Place place, const std::string& message) {
  throw ConfigError(file, place.line, place.column, message);
}

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

// An upper estimate of the nesting depth, without recursion: open flow brackets plus, per line,
// the indentation levels still open and the block indicators ("- ", "? ", ": ") on the line.
// Quoted scalars and comments are skipped so that brackets in them do not count; a ']' in a
// plain block scalar can only lower the bracket count to zero, never below the real depth.
class DepthEstimate {
 public:
  explicit DepthEstimate(std::string_view text) : text_(text) {}

  // Position of the first place deeper than `max_depth`, or false.
  bool Exceeds(size_t max_depth, Place* where) {
    for (size_t i = 0; i < text_.size(); ++i) {
      if (at_line_start_) StartLine(&i);
      if (i >= text_.size()) break;
      const char c = text_[i];
      if (c == '\n') {
        at_line_start_ = true;
        ++line_;
        line_start_ = i + 1;
        continue;
      }
      if (c == '#' && (i == line_start_ || text_[i - 1] == ' ' || text_[i - 1] == '\t')) {
        SkipToLineEnd(&i);
        continue;
      }
      if (c == '"' || c == '\'') {
        SkipQuoted(&i);
        continue;
      }
      if (c == '[' || c == '{') ++flow_;
      if ((c == ']' || c == '}') && flow_ > 0) --flow_;
      if ((c == '-' || c == '?' || c == ':') && IsBlankOrEnd(i + 1)) ++indicators_;
      if (flow_ + indicators_ + OpenIndents() > max_depth) {
        *where = Place{line_, static_cast<int>(i - line_start_) + 1};
        return true;
      }
    }
    return false;
  }

 private:
  // The top level's own indentation is not a nesting level.
  size_t OpenIndents() const { return indents_.empty() ? 0 : indents_.size() - 1; }

  bool IsBlankOrEnd(size_t i) const {
    return i >= text_.size() || text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' ||
           text_[i] == '\r';
  }

  void StartLine(size_t* i) {
    at_line_start_ = false;
    indicators_ = 0;
    size_t indent = 0;
    while (*i + indent < text_.size() && text_[*i + indent] == ' ') ++indent;
    const size_t next = *i + indent;
    if (next >= text_.size() || text_[next] == '\n' || text_[next] == '#') return;
    while (!indents_.empty() && indents_.back() > indent) indents_.pop_back();
    if (indents_.empty() || indents_.back() < indent) indents_.push_back(indent);
    *i = next;
  }

  void SkipToLineEnd(size_t* i) {
    while (*i + 1 < text_.size() && text_[*i + 1] != '\n') ++*i;
  }

  // Leaves *i on the closing quote (or the end); counts lines inside multi-line scalars.
  void SkipQuoted(size_t* i) {
    const char quote = text_[*i];
    for (++*i; *i < text_.size(); ++*i) {
      const char c = text_[*i];
      if (c == '\n') {
        ++line_;
        line_start_ = *i + 1;
      } else if (quote == '"' && c == '\\') {
        ++*i;
      } else if (c == quote) {
        if (quote == '\'' && *i + 1 < text_.size() && text_[*i + 1] == '\'') {
          ++*i;
          continue;
        }
        return;
      }
    }
  }

  std::string_view text_;
  std::vector<size_t> indents_;
  size_t flow_ = 0;
  size_t indicators_ = 0;
  bool at_line_start_ = true;
  int line_ = 1;
  size_t line_start_ = 0;
};

// First pass over the events: bounded documents, bounded size with aliases expanded.
class Gate final : public YAML::EventHandler {
 public:
  Gate(const YamlLimits& limits, const std::string& file) : limits_(limits), file_(file) {}

  // Called after each document. yaml-cpp 0.7 can return "another document" forever without
  // consuming input (a ',' , ']' or '}' at document level), so progress is checked here.
  void CountDocument(std::string_view text) {
    const bool stuck = started_ && last_start_.pos == previous_start_pos_;
    if (stuck || ++documents_ > limits_.max_documents) {
      const size_t pos = last_start_.pos < 0 ? 0 : static_cast<size_t>(last_start_.pos);
      const char c = pos < text.size() ? text[pos] : ' ';
      const bool flow_char = c == ',' || c == ']' || c == '}';
      Refuse(
          file_, PlaceOf(last_start_),
          flow_char
              ? std::string("invalid YAML: '") + c + "' outside a flow collection ([...] or {...})"
              : "invalid YAML: more than " + std::to_string(limits_.max_documents) + " documents");
    }
    previous_start_pos_ = last_start_.pos;
    started_ = false;
  }

  void OnDocumentStart(const YAML::Mark& mark) override {
    last_start_ = mark;
    started_ = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Leaf(mark, anchor, 1); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto found = sizes_.find(anchor);
    Leaf(mark, 0, found == sizes_.end() ? 1 : found->second);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    Leaf(mark, anchor, 1);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct OpenCollection {
    YAML::anchor_t anchor;
    size_t nodes_before;
  };

  void Count(const YAML::Mark& mark, size_t nodes) {
    total_ = nodes > limits_.max_nodes ? limits_.max_nodes + 1 : total_ + nodes;
    if (total_ > limits_.max_nodes) {
      Refuse(file_, PlaceOf(mark),
             "the document is too large: more than " + std::to_string(limits_.max_nodes) +
                 " values with aliases expanded");
    }
  }
  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor, size_t nodes) {
    Count(mark, nodes);
    if (anchor != 0) sizes_[anchor] = nodes;
  }
  void Open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    Count(mark, 1);
    open_.push_back({anchor, total_ - 1});
  }
  void Close() {
    if (open_.empty()) return;
    const OpenCollection collection = open_.back();
    open_.pop_back();
    if (collection.anchor != 0) sizes_[collection.anchor] = total_ - collection.nodes_before;
  }

  const YamlLimits& limits_;
  const std::string& file_;
  size_t documents_ = 0;
  YAML::Mark last_start_ = YAML::Mark::null_mark();
  int previous_start_pos_ = -1;
  bool started_ = false;
  size_t total_ = 0;
  std::vector<OpenCollection> open_;
  std::unordered_map<YAML::anchor_t, size_t> sizes_;
};

void CheckShape(std::string_view text, const std::string& file, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    Refuse(file, {}, "the file is larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    const std::string_view before = text.substr(0, nul);
    const size_t line_start = before.rfind('\n') + 1;  // npos + 1 == 0
    const Place place{static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1,
                      static_cast<int>(nul - line_start) + 1};
    Refuse(file, place, "the file holds a NUL byte; it is not a YAML text file");
  }
  Place deepest;
  if (DepthEstimate(text).Exceeds(limits.max_depth, &deepest)) {
    Refuse(file, deepest, "nested more than " + std::to_string(limits.max_depth) + " levels deep");
  }
}

std::vector<YAML::Node> ParseDocuments(std::string_view text, const std::string& file,
                                       const YamlLimits& limits) {
  const std::string owned(text);
  try {
    std::istringstream events(owned);
    YAML::Parser parser(events);
    Gate gate(limits, file);
    while (parser.HandleNextDocument(gate)) gate.CountDocument(text);
    return YAML::LoadAll(owned);
  } catch (const YAML::Exception& error) {
    const Place place = PlaceOf(error.mark);
    std::string message = "invalid YAML: " + error.msg;
    if (IndentedWithTab(text, place.line - 1)) {
      message += " (YAML does not allow tabs for indentation)";
    }
    Refuse(file, place, message);
  } catch (const std::bad_alloc&) {
    Refuse(file, {}, "the YAML parser ran out of memory on this file; it is not valid YAML");
  }
}

}  // namespace

YAML::Node LoadSingleDocument(std::string_view text, const std::string& file,
                              std::string_view empty_hint, const YamlLimits& limits) {
  CheckShape(text, file, limits);
  std::vector<YAML::Node> filled;
  for (YAML::Node& document : ParseDocuments(text, file, limits)) {
    if (!document.IsNull()) filled.push_back(std::move(document));
  }
  if (filled.empty()) Refuse(file, {}, "the file is empty; " + std::string(empty_hint));
  if (filled.size() > 1) {
    Refuse(file, PlaceOf(filled[1].Mark()),
           "a second YAML document starts here; put the whole configuration in one document");
  }
  return filled.front();
}

}  // namespace vmq::config::detail
