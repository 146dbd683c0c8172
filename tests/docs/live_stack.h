#ifndef VMQ_TESTS_DOCS_LIVE_STACK_H_
#define VMQ_TESTS_DOCS_LIVE_STACK_H_

// A simulated VerneMQ node and the real exporter polling it, for documented commands that talk
// to a running exporter (`localhost:9742`, `127.0.0.1:9742`) or to a VerneMQ node (the
// placeholder `<target url>`). Both listen on free ports; Substitute() points the commands at
// them.

#include <memory>
#include <string>

#include "common/process.h"
#include "e2e/cluster.h"

namespace vmq::docs {

class LiveStack {
 public:
  LiveStack();
  // Whether the exporter answered /-/ready; when not, why.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  // The script with the documented addresses replaced by the live ones.
  std::string Substitute(std::string script) const;

  // Whether a script talks to a running exporter or VerneMQ node.
  static bool Needed(const std::string& script);

 private:
  vmq::testing::TempDir dir_;
  std::unique_ptr<vmq::testing::SimulatedCluster> cluster_;
  std::unique_ptr<vmq::testing::Exporter> exporter_;
  std::string error_;
};

}  // namespace vmq::docs

#endif  // VMQ_TESTS_DOCS_LIVE_STACK_H_
