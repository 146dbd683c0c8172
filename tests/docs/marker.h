#ifndef VMQ_TESTS_DOCS_MARKER_H_
#define VMQ_TESTS_DOCS_MARKER_H_

// What a `<!-- docs-test: ... -->` marker tells the docs test about the block below it. The
// forms (every message that asks for a marker names the one to add):
//
//   fragment of config.yaml         yaml: part of a config; checked merged into a minimal one
//   fragment of a target            yaml: keys of one targets: entry; checked inside one
//   invalid, error "TEXT"           yaml: a config the exporter refuses, printing TEXT
//   same as PATH                    yaml: equal (as YAML) to the repository file PATH
//   covered-by tests/PATH `PART`... sh: run by that test (or by CI: .ci/PATH), whose file
//                                   contains each PART (or, with no PART, each command)
//   not-run: REASON                 any block that cannot run here; listed when the test runs
//   scratch /PREFIX/...             sh: run, with these absolute paths moved to a scratch folder
//   expr of ALERT in PATH           promql: the expression of ALERT in the rule file PATH
//   usage of PROGRAM                text: lines that `PROGRAM --help` prints
//
// PARTs and TEXT are written in backticks or double quotes.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmq::docs {

enum class MarkerKind {
  kNone,
  kFragmentOfConfig,
  kFragmentOfTarget,
  kInvalid,
  kSameAs,
  kCoveredBy,
  kNotRun,
  kScratch,
  kExprOf,
  kUsageOf,
};

struct Marker {
  MarkerKind kind = MarkerKind::kNone;
  std::string path;                // same as, covered-by, expr of: a repository file
  std::string name;                // expr of: the alert; usage of: the program
  std::vector<std::string> texts;  // invalid: the error; covered-by: parts; scratch: prefixes
  std::string reason;              // not-run
};

// Parses what follows "docs-test:". An empty text is a block without marker. On a malformed
// marker returns nullopt and sets `error`.
std::optional<Marker> ParseMarker(std::string_view text, std::string* error);

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_MARKER_H_
