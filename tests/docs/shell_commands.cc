#include "docs/shell_commands.h"

#include <set>

namespace vmq::docs {
namespace {

struct Token {
  std::string text;
  bool is_operator = false;
};

bool IsAssignment(const std::string& word) {
  const size_t eq = word.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  for (size_t i = 0; i < eq; ++i) {
    const char c = word[i];
    const bool ok = c == '_' || std::isalpha(static_cast<unsigned char>(c)) ||
                    (i > 0 && std::isdigit(static_cast<unsigned char>(c)));
    if (!ok) return false;
  }
  return true;
}

bool EndsContinued(std::string_view line) {
  const size_t last = line.find_last_not_of(" \t");
  if (last == std::string_view::npos) return false;
  const std::string_view head = line.substr(0, last + 1);
  return head.ends_with('|') || head.ends_with("&&");
}

// Splits a command line into words and the operators | || && ; & ( ) $( .
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view line) : line_(line) {}

  std::vector<Token> Run() {
    for (size_t i = 0; i < line_.size(); ++i) {
      const char c = line_[i];
      const char next = i + 1 < line_.size() ? line_[i + 1] : '\0';
      if (quote_ != '\0') {
        if (c == quote_) {
          quote_ = '\0';
        } else {
          if (c == '\\' && quote_ == '"' && next != '\0')
            word_ += line_[++i];
          else
            word_ += c;
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        quote_ = c;
        in_word_ = true;
      } else if (c == '\\' && next != '\0') {
        word_ += line_[++i];
        in_word_ = true;
      } else if (c == ' ' || c == '\t' || c == '\n') {
        Flush();
      } else if (c == '#' && !in_word_) {
        break;
      } else if (c == '(' && word_.ends_with('$')) {
        word_.pop_back();
        Operator("$(");
      } else if (c == '&' && (word_.ends_with('>') || next == '>')) {
        word_ += c;
      } else if ((c == '|' || c == '&') && next == c) {
        Operator(std::string(2, c));
        ++i;
      } else if (c == '|' || c == '&' || c == ';' || c == '(' || c == ')') {
        Operator(std::string(1, c));
      } else {
        word_ += c;
        in_word_ = true;
      }
    }
    Flush();
    return tokens_;
  }

 private:
  void Flush() {
    if (in_word_ || !word_.empty()) tokens_.push_back({word_, false});
    word_.clear();
    in_word_ = false;
  }
  void Operator(const std::string& text) {
    Flush();
    tokens_.push_back({text, true});
  }

  std::string_view line_;
  std::vector<Token> tokens_;
  std::string word_;
  bool in_word_ = false;
  char quote_ = '\0';
};

}  // namespace

std::vector<std::string> CommandLines(std::string_view script) {
  std::vector<std::string> lines;
  std::string current;
  char quote = '\0';
  bool in_word = false;
  auto finish = [&] {
    const std::string line = CollapseSpace(current);
    if (!line.empty()) lines.push_back(line);
    current.clear();
  };
  for (size_t i = 0; i < script.size(); ++i) {
    const char c = script[i];
    if (quote != '\0') {
      if (c == quote) quote = '\0';
      current += c;
      continue;
    }
    if (c == '\\' && i + 1 < script.size() && script[i + 1] == '\n') {
      current += ' ';
      ++i;
    } else if (c == '#' && !in_word) {
      while (i + 1 < script.size() && script[i + 1] != '\n') ++i;
    } else if (c == '\n') {
      if (EndsContinued(current))
        current += ' ';
      else
        finish();
    } else {
      if (c == '\'' || c == '"') quote = c;
      current += c;
    }
    in_word = c != ' ' && c != '\t' && c != '\n' && c != ';' && c != '|' && c != '&';
  }
  finish();
  return lines;
}

std::string ConsoleScript(std::string_view console) {
  std::string script;
  bool continued = false;
  size_t start = 0;
  while (start < console.size()) {
    size_t end = console.find('\n', start);
    if (end == std::string_view::npos) end = console.size();
    std::string_view line = console.substr(start, end - start);
    start = end + 1;
    if (!continued && !line.starts_with("$ ")) continue;
    if (!continued) line.remove_prefix(2);
    script += std::string(line) + "\n";
    continued = line.ends_with('\\');
  }
  return script;
}

std::vector<SimpleCommand> SimpleCommands(std::string_view line) {
  static const std::set<std::string> kKeywords = {"until", "while", "do", "done", "if", "then",
                                                  "else",  "elif",  "fi", "!",    "{",  "}"};
  std::vector<SimpleCommand> commands;
  bool at_start = true;
  bool in_for_header = false;
  for (const Token& token : Tokenizer(line).Run()) {
    if (token.is_operator) {
      at_start = token.text != ")";
      in_for_header = false;
      continue;
    }
    if (in_for_header) {
      in_for_header = token.text != "do";
      continue;
    }
    if (at_start) {
      if (token.text == "for") {
        in_for_header = true;
        continue;
      }
      if (kKeywords.contains(token.text) || IsAssignment(token.text)) continue;
      commands.push_back({token.text, {}});
      at_start = false;
    } else if (!commands.empty()) {
      commands.back().arguments.push_back(token.text);
    }
  }
  return commands;
}

std::string CollapseSpace(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (c == ' ' || c == '\t' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    out += c;
    space = false;
  }
  return out;
}

}  // namespace vmq::docs
