// The real binary's --alerts.print-rules.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "alerting/rule_file.h"
#include "common/process.h"
#include "config/config.h"

namespace vmq::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(PrintRules, PrintsTheRulesGeneratedFromTheGivenConfig) {
  const std::string config = std::string(VMQ_SOURCE_DIR) + "/config.yaml";
  std::string output;
  ASSERT_EQ(RunExporter({"--alerts.print-rules", "--config.file=" + config}, &output), 0) << output;
  EXPECT_EQ(output, alerting::RenderRuleFile(config::LoadFile(config)));
}

TEST(PrintRules, RefusesAnInvalidAlertsSectionWithItsPosition) {
  TempDir dir;
  const std::string file = dir.Write("bad.yaml",
                                     "targets:\n"
                                     "  - url: http://127.0.0.1:8888/metrics\n"
                                     "alerts:\n"
                                     "  rules:\n"
                                     "    - alert: VerneMQPubcompUnexpected\n"
                                     "      hold_above: 9\n");
  std::string output;
  EXPECT_EQ(RunExporter({"--alerts.print-rules", "--config.file=" + file}, &output), 2);
  EXPECT_THAT(output, StartsWith(file + ":6:19: alerts.rules[0].hold_above (9)"));
  EXPECT_THAT(output, ::testing::Not(HasSubstr("groups:")));
}

TEST(PrintRules, IsListedInTheHelp) {
  std::string output;
  EXPECT_EQ(RunExporter({"--help"}, &output), 0);
  EXPECT_THAT(output, HasSubstr("--alerts.print-rules"));
}

}  // namespace
}  // namespace vmq::testing
