#include "docs/shell_checks.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/process.h"
#include "docs/doc_files.h"
#include "docs/shell_commands.h"
#include "docs/workspace.h"

namespace vmq::docs {
namespace {

namespace fs = std::filesystem;

// This project's binaries and scripts, the checking tools of Prometheus and Alertmanager, and
// the utilities documented commands use to fetch and filter.
const std::set<std::string> kRunnablePrograms = {
    // clang-format off
    "vernemq-pubcomp-exporter", "build/bin/vernemq-pubcomp-exporter", "vmq-sim",
    "build/bin/vmq-sim", "scripts/gen-prometheusrule.sh",
    "promtool", "amtool",
    "curl", "jq", "sed", "grep", "head", "tail", "cat", "echo", "mktemp", "sleep", "[", "test",
    "true",
    // clang-format on
};

std::string Quoted(const std::string& text) { return "'" + text + "'"; }

void ReplaceAll(std::string* text, const std::string& from, const std::string& to) {
  for (size_t at = text->find(from); at != std::string::npos; at = text->find(from, at)) {
    text->replace(at, from.size(), to);
    at += to.size();
  }
}

// Put before the block's text; `set -x` makes a failure message show each command as run.
constexpr char kPrelude[] = R"(set -e
cd @ROOT@
export PATH=@BIN@:"$PATH" TMPDIR=@TMP@
curl() { command curl --fail --silent --show-error "$@"; }
trap 'status=$?; kill $(jobs -p) 2>/dev/null || true; wait || true; exit $status' EXIT
set -x
)";

std::string Prelude(const Workspace& workspace) {
  std::string prelude = kPrelude;
  ReplaceAll(&prelude, "@ROOT@", Quoted(workspace.path()));
  ReplaceAll(&prelude, "@BIN@", Quoted(workspace.path() + "/build/bin"));
  ReplaceAll(&prelude, "@TMP@", Quoted(workspace.scratch() + "/tmp"));
  return prelude;
}

// The script as it runs in `workspace`: scratch folders moved into it, the documented
// addresses pointed at `live`.
std::string Adapted(std::string script, const Marker& marker, const LiveStack* live,
                    const Workspace& workspace) {
  if (marker.kind == MarkerKind::kScratch) {
    for (const std::string& prefix : marker.texts) {
      fs::create_directories(workspace.scratch() + prefix);
      ReplaceAll(&script, prefix, workspace.scratch() + prefix);
    }
  }
  return live != nullptr ? live->Substitute(script) : script;
}

std::string Join(const std::vector<std::string>& words, const std::string& separator) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : separator) + word;
  return out;
}

}  // namespace

std::string ShellScript(const CodeBlock& block) {
  return block.language == "console" ? ConsoleScript(block.body) : block.body;
}

std::vector<std::string> UnrunnablePrograms(const std::string& script) {
  std::vector<std::string> programs;
  for (const std::string& line : CommandLines(script)) {
    for (const SimpleCommand& command : SimpleCommands(line)) {
      const bool seen =
          std::find(programs.begin(), programs.end(), command.program) != programs.end();
      if (!kRunnablePrograms.contains(command.program) && !seen) {
        programs.push_back(command.program);
      }
    }
  }
  return programs;
}

Problems RunShellBlock(const CodeBlock& block, const Marker& marker, const LiveStack* live) {
  const std::string script = ShellScript(block);
  if (const std::vector<std::string> programs = UnrunnablePrograms(script); !programs.empty()) {
    return {"runs " + Join(programs, ", ") +
            ", which this test does not run; name the test that does with "
            "<!-- docs-test: covered-by tests/PATH `PART` -->, or say why nothing can with "
            "<!-- docs-test: not-run: REASON -->"};
  }
  Workspace workspace;
  const std::string file = workspace.scratch() + "/block.sh";
  std::ofstream(file) << Prelude(workspace) << Adapted(script, marker, live, workspace);
  std::string output;
  const int status = vmq::testing::RunCommand({"bash", file}, &output, std::chrono::seconds(20));
  Problems problems;
  if (status != 0) {
    problems.push_back("the commands failed (bash exited " + std::to_string(status) + "):\n" +
                       output);
  }
  for (const std::string& changed : workspace.ChangedFiles()) {
    problems.push_back("the commands changed the committed file " + changed +
                       " (a regenerating command must reproduce it)");
  }
  return problems;
}

Problems CheckCoveredBy(const CodeBlock& block, const Marker& marker) {
  bool ok = false;
  const std::string test = ReadSourceFile(marker.path, &ok);
  if (!ok) return {"covered-by " + marker.path + ": no such file"};
  Problems problems;
  const fs::path path(marker.path);
  const std::string cmake = ReadSourceFile((path.parent_path() / "CMakeLists.txt").string());
  if (marker.path.starts_with("tests/") &&
      cmake.find(path.filename().string()) == std::string::npos) {
    problems.push_back("covered-by " + marker.path + ": " + path.parent_path().string() +
                       "/CMakeLists.txt does not build or run it, so it is not a test");
  }
  std::vector<std::string> parts = marker.texts;
  if (parts.empty()) parts = CommandLines(ShellScript(block));
  const std::string collapsed = CollapseSpace(test);
  for (const std::string& part : parts) {
    if (collapsed.find(CollapseSpace(part)) == std::string::npos) {
      problems.push_back("covered-by " + marker.path + ": it does not contain \"" + part + "\"");
    }
  }
  return problems;
}

Problems DryRunMakeCommands(const CodeBlock& block) {
  Problems problems;
  for (const std::string& line : CommandLines(ShellScript(block))) {
    for (const SimpleCommand& command : SimpleCommands(line)) {
      if (command.program != "make") continue;
      // Under `make test`, MAKEFLAGS carries the outer make's variables; this one must not.
      std::vector<std::string> argv = {"env",       "-u",   "MAKEFLAGS", "-u", "MFLAGS",    "-u",
                                       "MAKELEVEL", "make", "-n",        "-C", SourceRoot()};
      argv.insert(argv.end(), command.arguments.begin(), command.arguments.end());
      std::string output;
      if (vmq::testing::RunCommand(argv, &output, std::chrono::seconds(10)) != 0) {
        problems.push_back("\"" + line + "\": make -n fails: " + output);
      }
    }
  }
  return problems;
}

}  // namespace vmq::docs
