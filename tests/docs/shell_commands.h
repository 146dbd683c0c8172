#ifndef VMQ_TESTS_DOCS_SHELL_COMMANDS_H_
#define VMQ_TESTS_DOCS_SHELL_COMMANDS_H_

// Just enough of the shell's grammar to tell which programs a documented command runs, so that
// the docs test can decide whether it may run a block and what a covering test must contain.
// Quotes, backslash continuations, comments, pipelines, lists, `VAR=value` prefixes, `$(...)`
// and loop keywords are understood; nothing is expanded.

#include <string>
#include <string_view>
#include <vector>

namespace vmq::docs {

// One command line as a reader types it: continuation lines (a trailing backslash, an open
// quote, or a trailing | && ||) joined with spaces, comments dropped, blank lines skipped.
std::vector<std::string> CommandLines(std::string_view script);

// The commands of a ```console block: its `$ ` lines (and their continuations), without the
// prompt. Other lines are output.
std::string ConsoleScript(std::string_view console);

struct SimpleCommand {
  std::string program;
  std::vector<std::string> arguments;  // quotes removed; redirections included as words
};

// Every simple command of a command line, including those inside $(...).
std::vector<SimpleCommand> SimpleCommands(std::string_view line);

// Runs of spaces and tabs made one space, ends trimmed: to compare commands written with
// different line breaks.
std::string CollapseSpace(std::string_view text);

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_SHELL_COMMANDS_H_
