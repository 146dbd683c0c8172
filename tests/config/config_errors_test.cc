// Every way config.yaml can be wrong, with the exact "file:line:col: message" it produces.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/load_error.h"

namespace vmq::config {
namespace {

struct ErrorCase {
  const char* name;
  const char* yaml;
  const char* error;
};

using testing::ErrorOf;

class RejectsConfig : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(RejectsConfig, AtTheOffendingPosition) {
  EXPECT_EQ(ErrorOf(GetParam().yaml), GetParam().error) << GetParam().yaml;
}

// A valid targets: section (lines 1-2) and a valid signal (3 lines after `signals:`), glued to
// the cases by string literal concatenation.
#define TARGETS "targets:\n  - url: http://vmq:8888/metrics\n"
#define HTTPS_TARGETS "targets:\n  - url: https://vmq:8888/metrics\n"

const ErrorCase kDocumentErrors[] = {
    {"EmptyFile", "", "c.yaml:1:1: the file is empty; it needs at least a targets: list"},
    {"CommentsOnly", "# nothing here\n\n",
     "c.yaml:1:1: the file is empty; it needs at least a targets: list"},
    {"YamlSyntax", "targets: [http://vmq\npoll: 5s\n",
     "c.yaml:2:5: invalid YAML: end of sequence flow not found"},
    {"TabIndentation", "targets:\n\t- url: http://vmq\n",
     "c.yaml:2:2: invalid YAML: illegal block entry (YAML does not allow tabs for indentation)"},
    {"UndefinedAlias", TARGETS "poll: *defaults\n",
     "c.yaml:3:7: invalid YAML: the referenced anchor is not defined"},
    {"SecondDocument", TARGETS "---\n" TARGETS,
     "c.yaml:4:1: a second YAML document starts here; put the whole configuration in one "
     "document"},
    {"TopLevelList", "- url: http://vmq\n",
     "c.yaml:1:1: the configuration must be a map of sections (targets, poll, windows, signals, "
     "alerts), "
     "but it is a list"},
    {"TopLevelScalar", "hello\n",
     "c.yaml:1:1: the configuration must be a map of sections (targets, poll, windows, signals, "
     "alerts), "
     "but it is the value \"hello\""},
    {"UnknownTopLevelKey", TARGETS "window: [1m]\n",
     "c.yaml:3:1: unknown key \"window\" at the top level; allowed keys: targets, poll, windows, "
     "signals, alerts"},
    {"DuplicateTopLevelKey", "poll:\n  interval: 5s\n" TARGETS "poll:\n  timeout: 1s\n",
     "c.yaml:5:1: duplicate key \"poll\" at the top level (first given at line 1); keep only one"},
    {"DuplicateQuotedKey", TARGETS "'windows': [1m]\nwindows: [5m]\n",
     "c.yaml:4:1: duplicate key \"windows\" at the top level (first given at line 3); keep only "
     "one"},
    {"NonScalarKey", TARGETS "? [a, b]\n: 1\n",
     "c.yaml:3:3: the configuration has a key that is a list; keys must be plain names"},
};

const ErrorCase kTargetErrors[] = {
    {"MissingTargets", "poll:\n  interval: 5s\n",
     "c.yaml:1:1: the configuration has no targets; add a targets: list with the url of each "
     "node's /metrics page"},
    {"TargetsNotList", "targets: http://vmq\n",
     "c.yaml:1:10: targets must be a list of targets, each a map with url: and an optional name:, "
     "but it is the value \"http://vmq\""},
    {"TargetsWithoutValue", "targets:\npoll: {}\n",
     "c.yaml:1:1: targets must be a list of targets, each a map with url: and an optional name:, "
     "but it is empty"},
    {"EmptyTargets", "targets: []\n",
     "c.yaml:1:10: targets is empty; add at least one target with url: "
     "http://HOST:PORT/metrics"},
    {"TargetNotMap", "targets:\n  - http://vmq:8888/metrics\n",
     "c.yaml:2:5: targets[0] must be a map with url: and an optional name:, but it is the value "
     "\"http://vmq:8888/metrics\""},
    {"TargetMissingUrl", TARGETS "  - name: vmq-2\n",
     "c.yaml:3:5: targets[1] has no url; add url: http://HOST:PORT/metrics"},
    {"UnknownTargetKey", TARGETS "    nmae: vmq-1\n",
     "c.yaml:3:5: unknown key \"nmae\" in targets[0]; allowed keys: url, name, api_key_file, "
     "basic_auth, tls"},
    {"DuplicateTargetKey", TARGETS "    url: http://other/metrics\n",
     "c.yaml:3:5: duplicate key \"url\" in targets[0] (first given at line 2); keep only one"},
    {"UrlNotScalar", "targets:\n  - url: [http://vmq]\n",
     "c.yaml:2:10: targets[0].url must be a URL such as http://127.0.0.1:8888/metrics, but it is "
     "a list"},
    {"UrlBadScheme", "targets:\n  - url: ftp://vmq/metrics\n",
     "c.yaml:2:10: targets[0].url \"ftp://vmq/metrics\" is not a usable URL: scheme \"ftp\" is "
     "not supported; use http or https"},
    {"UrlWithoutScheme", "targets:\n  - url: vmq:8888/metrics\n",
     "c.yaml:2:10: targets[0].url \"vmq:8888/metrics\" is not a usable URL: it has no scheme; "
     "write it like http://HOST:PORT/metrics"},
    {"UrlWithoutHost", "targets:\n  - url: http:///metrics\n",
     "c.yaml:2:10: targets[0].url \"http:///metrics\" is not a usable URL: it has no host"},
    {"UrlWithSpace", "targets:\n  - url: \"http://vmq 1/metrics\"\n",
     "c.yaml:2:10: targets[0].url \"http://vmq 1/metrics\" is not a usable URL: it contains a "
     "space or control character; percent-encode it as %20"},
    {"UrlBadPort", "targets:\n  - url: http://vmq:88888/metrics\n",
     "c.yaml:2:10: targets[0].url \"http://vmq:88888/metrics\" is not a usable URL: port 88888 "
     "is out of range (1-65535)"},
    {"UrlEmpty", "targets:\n  - url:\n",
     "c.yaml:2:5: targets[0].url must be a URL such as http://127.0.0.1:8888/metrics, but it is "
     "empty"},
    {"TargetNameWithSpace", TARGETS "    name: vmq 1\n",
     "c.yaml:3:11: targets[0].name \"vmq 1\" may only contain letters, digits and the characters "
     "_ . : @ -"},
    {"TargetNameEmpty", TARGETS "    name: ''\n",
     "c.yaml:3:11: targets[0].name is empty; give a name or remove the key to use HOST:PORT"},
    {"DuplicateTargetName",
     "targets:\n  - url: http://a:8888/metrics\n    name: vmq\n"
     "  - url: http://b:8888/metrics\n    name: vmq\n",
     "c.yaml:5:11: targets[1].name \"vmq\" is already used by targets[0] (line 3); target names "
     "must be unique"},
    {"DuplicateDefaultTargetName",
     "targets:\n  - url: http://a:8888/metrics\n  - url: http://a:8888/other\n",
     "c.yaml:3:10: targets[1] is named \"a:8888\" after its url, a name already used by "
     "targets[0] (line 2); give one of them a distinct name:"},
    {"ExplicitNameClashesWithDefault",
     "targets:\n  - url: http://a:8888/metrics\n  - url: http://b:8888/metrics\n"
     "    name: a:8888\n",
     "c.yaml:4:11: targets[1].name \"a:8888\" is already used by targets[0] (line 2); target "
     "names must be unique"},
};

// Checks that need no file to exist: they come before any file is read, or the file is absent.
const ErrorCase kTargetAuthErrors[] = {
    {"ApiKeyWithBasicAuth",
     TARGETS "    api_key_file: /run/k\n    basic_auth: {username: u, password_file: /run/p}\n",
     "c.yaml:4:5: targets[0].basic_auth cannot be combined with targets[0].api_key_file (line 3); "
     "a target sends one kind of credentials (VerneMQ's apikey mode needs only api_key_file)"},
    {"BasicAuthBeforeApiKey",
     TARGETS "    basic_auth: {username: u, password_file: /run/p}\n    api_key_file: /run/k\n",
     "c.yaml:4:5: targets[0].api_key_file cannot be combined with targets[0].basic_auth (line 3); "
     "a target sends one kind of credentials (VerneMQ's apikey mode needs only api_key_file)"},
    {"ApiKeyFileRelative", TARGETS "    api_key_file: apikey\n",
     "c.yaml:3:19: targets[0].api_key_file \"apikey\" must be an absolute path (a relative one "
     "would depend on the directory the exporter is started from)"},
    {"ApiKeyFileMissing", TARGETS "    api_key_file: /nonexistent/apikey\n",
     "c.yaml:3:19: targets[0].api_key_file \"/nonexistent/apikey\" cannot be read: No such file "
     "or directory"},
    {"ApiKeyFileIsDirectory", TARGETS "    api_key_file: /\n",
     "c.yaml:3:19: targets[0].api_key_file \"/\" cannot be read: it is a directory"},
    {"ApiKeyFileIsEndlessDevice", TARGETS "    api_key_file: /dev/zero\n",
     "c.yaml:3:19: targets[0].api_key_file \"/dev/zero\" cannot be read: it is not a regular "
     "file (a device, FIFO or socket)"},
    {"ApiKeyFileWithoutValue", TARGETS "    api_key_file:\n",
     "c.yaml:3:5: targets[0].api_key_file must be the absolute path of a file, but it is empty"},
    {"ApiKeyFileEmptyString", TARGETS "    api_key_file: ''\n",
     "c.yaml:3:19: targets[0].api_key_file is empty; write the absolute path of a file"},
    {"ApiKeyFileList", TARGETS "    api_key_file: [/run/k]\n",
     "c.yaml:3:19: targets[0].api_key_file must be the absolute path of a file, but it is a list"},
    {"InlineApiKey", TARGETS "    api_key: s3cr3t\n",
     "c.yaml:3:5: unknown key \"api_key\" in targets[0]; allowed keys: url, name, api_key_file, "
     "basic_auth, tls"},
    {"BasicAuthNotMap", TARGETS "    basic_auth: u:p\n",
     "c.yaml:3:17: targets[0].basic_auth must be a map with username: and password_file:, but it "
     "is the value \"u:p\""},
    {"BasicAuthInlinePassword", TARGETS "    basic_auth: {username: u, password: hunter2}\n",
     "c.yaml:3:31: unknown key \"password\" in targets[0].basic_auth; allowed keys: username, "
     "password_file"},
    {"BasicAuthWithoutPasswordFile", TARGETS "    basic_auth: {username: u}\n",
     "c.yaml:3:17: targets[0].basic_auth has no password_file; add password_file: with the path "
     "of a file holding the password"},
    {"BasicAuthWithoutUsername", TARGETS "    basic_auth:\n      password_file: /run/p\n",
     "c.yaml:4:7: targets[0].basic_auth has no username; add username: with the user name"},
    {"BasicAuthUsernameWithColon",
     TARGETS "    basic_auth: {username: 'a:b', password_file: /run/p}\n",
     "c.yaml:3:28: targets[0].basic_auth.username may not contain ':' or control characters "
     "(basic auth separates user name and password with ':')"},
    {"BasicAuthUsernameEmpty", TARGETS "    basic_auth: {username: '', password_file: /run/p}\n",
     "c.yaml:3:28: targets[0].basic_auth.username is empty; write the user name to send"},
    {"BasicAuthPasswordFileMissing",
     TARGETS "    basic_auth: {username: u, password_file: /nonexistent/password}\n",
     "c.yaml:3:46: targets[0].basic_auth.password_file \"/nonexistent/password\" cannot be read: "
     "No such file or directory"},
    {"TlsOnHttpUrl", TARGETS "    tls: {insecure_skip_verify: true}\n",
     "c.yaml:3:5: targets[0].tls is set, but the url \"http://vmq:8888/metrics\" is not https; use "
     "an https:// url or remove tls:"},
    {"EmptyTlsOnHttpUrl", TARGETS "    tls:\n",
     "c.yaml:3:5: targets[0].tls is set, but the url \"http://vmq:8888/metrics\" is not https; use "
     "an https:// url or remove tls:"},
    {"TlsNotMap", HTTPS_TARGETS "    tls: true\n",
     "c.yaml:3:10: targets[0].tls must be a map of TLS settings (ca_file, insecure_skip_verify), "
     "but it is the value \"true\""},
    {"UnknownTlsKey", HTTPS_TARGETS "    tls:\n      server_name: vmq-1.example\n",
     "c.yaml:4:7: unknown key \"server_name\" in targets[0].tls; allowed keys: ca_file, "
     "insecure_skip_verify"},
    {"InsecureSkipVerifyNotBoolean", HTTPS_TARGETS "    tls:\n      insecure_skip_verify: yes\n",
     "c.yaml:4:29: targets[0].tls.insecure_skip_verify \"yes\" must be true or false"},
    {"InsecureSkipVerifyWithCaFile",
     HTTPS_TARGETS "    tls:\n      ca_file: /etc/ca.pem\n      insecure_skip_verify: true\n",
     "c.yaml:5:7: targets[0].tls.insecure_skip_verify cannot be combined with "
     "targets[0].tls.ca_file (line 4); without verification the CA file is not used; remove one "
     "of them"},
    {"CaFileMissing", HTTPS_TARGETS "    tls:\n      ca_file: /nonexistent/ca.pem\n",
     "c.yaml:4:16: targets[0].tls.ca_file \"/nonexistent/ca.pem\" cannot be read: No such file or "
     "directory"},
    {"CaFileIsEndlessDevice", HTTPS_TARGETS "    tls:\n      ca_file: /dev/zero\n",
     "c.yaml:4:16: targets[0].tls.ca_file \"/dev/zero\" cannot be read: it is not a regular file "
     "(a device, FIFO or socket)"},
    {"CaFileRelative", HTTPS_TARGETS "    tls:\n      ca_file: ca.pem\n",
     "c.yaml:4:16: targets[0].tls.ca_file \"ca.pem\" must be an absolute path (a relative one "
     "would depend on the directory the exporter is started from)"},
};

const ErrorCase kPollErrors[] = {
    {"PollNotMap", TARGETS "poll: 5s\n",
     "c.yaml:3:7: poll must be a map of poll settings (interval, timeout, max_body_bytes), but it "
     "is the value \"5s\""},
    {"UnknownPollKey", TARGETS "poll:\n  intervall: 5s\n",
     "c.yaml:4:3: unknown key \"intervall\" in poll; allowed keys: interval, timeout, "
     "max_body_bytes"},
    {"DuplicatePollKey", TARGETS "poll:\n  interval: 5s\n  interval: 10s\n",
     "c.yaml:5:3: duplicate key \"interval\" in poll (first given at line 4); keep only one"},
    {"IntervalWithoutUnit", TARGETS "poll:\n  interval: 5\n",
     "c.yaml:4:13: poll.interval \"5\" is not a valid duration; write a positive duration such "
     "as 800ms, 5s, 1m or 1h30m (units ms, s, m, h, d, w, y, largest first, each at most once)"},
    {"IntervalZero", TARGETS "poll:\n  interval: 0s\n",
     "c.yaml:4:13: poll.interval \"0s\" is not a valid duration; write a positive duration such "
     "as 800ms, 5s, 1m or 1h30m (units ms, s, m, h, d, w, y, largest first, each at most once)"},
    {"TimeoutUnitsOutOfOrder", TARGETS "poll:\n  timeout: 30s1m\n",
     "c.yaml:4:12: poll.timeout \"30s1m\" is not a valid duration; write a positive duration "
     "such as 800ms, 5s, 1m or 1h30m (units ms, s, m, h, d, w, y, largest first, each at most "
     "once)"},
    {"IntervalList", TARGETS "poll:\n  interval: [5s]\n",
     "c.yaml:4:13: poll.interval must be a duration such as 5s, but it is a list"},
    {"IntervalEmpty", TARGETS "poll:\n  interval:\n  timeout: 1s\n",
     "c.yaml:4:3: poll.interval must be a duration such as 5s, but it is empty"},
    {"TimeoutEqualsInterval", TARGETS "poll:\n  interval: 5s\n  timeout: 5s\n",
     "c.yaml:5:12: poll.timeout (5s) must be shorter than poll.interval (5s); lower the timeout "
     "or raise the interval"},
    {"TimeoutAboveInterval", TARGETS "poll:\n  timeout: 6000ms\n",
     "c.yaml:4:12: poll.timeout (6000ms) must be shorter than poll.interval (5s, the default); "
     "lower the timeout or raise the interval"},
    {"IntervalNotAboveDefaultTimeout", TARGETS "poll:\n  interval: 3s\n",
     "c.yaml:4:13: poll.timeout (4s, the default) must be shorter than poll.interval (3s); lower "
     "the timeout or raise the interval"},
    {"MaxBodyBytesZero", TARGETS "poll:\n  max_body_bytes: 0\n",
     "c.yaml:4:19: poll.max_body_bytes \"0\" must be a whole number of bytes greater than zero, "
     "such as 8388608 (8 MiB)"},
    {"MaxBodyBytesWithUnit", TARGETS "poll:\n  max_body_bytes: 8MiB\n",
     "c.yaml:4:19: poll.max_body_bytes \"8MiB\" must be a whole number of bytes greater than "
     "zero, such as 8388608 (8 MiB)"},
    {"MaxBodyBytesNegative", TARGETS "poll:\n  max_body_bytes: -1\n",
     "c.yaml:4:19: poll.max_body_bytes \"-1\" must be a whole number of bytes greater than zero, "
     "such as 8388608 (8 MiB)"},
};

const ErrorCase kWindowErrors[] = {
    {"WindowsNotList", TARGETS "windows: 1m\n",
     "c.yaml:3:10: windows must be a list of durations such as [1m, 5m], but it is the value "
     "\"1m\""},
    {"WindowsEmpty", TARGETS "windows: []\n",
     "c.yaml:3:10: windows is empty; list at least one window such as 1m, or remove the key to "
     "use the defaults [1m, 5m]"},
    {"WindowBadDuration", TARGETS "windows: [1m, 5 m]\n",
     "c.yaml:3:15: windows[1] \"5 m\" is not a valid duration; write a positive duration such as "
     "800ms, 5s, 1m or 1h30m (units ms, s, m, h, d, w, y, largest first, each at most once)"},
    {"WindowNotScalar", TARGETS "windows:\n  - {length: 1m}\n",
     "c.yaml:4:5: windows[0] must be a duration such as 1m, but it is a map"},
    {"WindowShorterThanTwoIntervals", TARGETS "windows: [1m, 9s]\n",
     "c.yaml:3:15: windows[1] (9s) must span at least two poll intervals (2 x 5s = 10s); "
     "lengthen the window or shorten poll.interval"},
    {"DuplicateWindowLength", TARGETS "windows: [1m, 5m, 60s]\n",
     "c.yaml:3:19: windows[2] (60s) is as long as windows[0] (1m); remove one of them"},
    {"IntervalTooLongForDefaultWindows", TARGETS "poll:\n  interval: 45s\n  timeout: 10s\n",
     "c.yaml:4:13: poll.interval (45s) is too long for the default windows [1m, 5m]: each window "
     "must span at least two poll intervals; shorten the interval or set windows: explicitly"},
};

#define SIGNAL "signals:\n  - name: vmq_x\n    help: X.\n    source: mqtt_x\n"

const ErrorCase kSignalErrors[] = {
    {"SignalsNotList", TARGETS "signals: {name: x}\n",
     "c.yaml:3:10: signals must be a list of signals, each a map with name:, help:, source: and "
     "optional include:, exclude:, keep_labels:, but it is a map"},
    {"UnknownSignalKey", TARGETS SIGNAL "    keep: [reason_code]\n",
     "c.yaml:7:5: unknown key \"keep\" in signals[0]; allowed keys: name, help, source, include, "
     "exclude, keep_labels"},
    {"SignalMissingName", TARGETS "signals:\n  - help: X.\n    source: mqtt_x\n",
     "c.yaml:4:5: signals[0] has no name; add name: with the exported metric name"},
    {"SignalMissingHelp", TARGETS "signals:\n  - name: vmq_x\n    source: mqtt_x\n",
     "c.yaml:4:5: signals[0] has no help; add help: describing what the signal counts"},
    {"SignalMissingSource", TARGETS "signals:\n  - name: vmq_x\n    help: X.\n",
     "c.yaml:4:5: signals[0] has no source; add source: with the VerneMQ counter, such as "
     "mqtt_pubcomp_sent"},
    {"SignalNameInvalid", TARGETS "signals:\n  - name: 1vmq-x\n    help: X.\n    source: mqtt_x\n",
     "c.yaml:4:11: signals[0].name \"1vmq-x\" is not a valid Prometheus metric name; use "
     "letters, digits, _ and :, not starting with a digit"},
    {"SignalHelpEmpty", TARGETS "signals:\n  - name: vmq_x\n    help: \"\"\n    source: mqtt_x\n",
     "c.yaml:5:11: signals[0].help is empty; describe what the signal counts"},
    {"DuplicateSignalName", TARGETS SIGNAL "  - name: vmq_x\n    help: Y.\n    source: mqtt_y\n",
     "c.yaml:7:11: signals[1].name \"vmq_x\" is already used by signals[0].name (line 4); "
     "signal names must be unique"},
    {"SourceWithUppercase", TARGETS "signals:\n  - name: vmq_x\n    help: X.\n    source: MQTT_X\n",
     "c.yaml:6:13: signals[0].source \"MQTT_X\" must be a VerneMQ metric name made of lowercase "
     "letters, digits and _, such as mqtt_pubcomp_received"},
    {"SourceWithNamespace",
     TARGETS "signals:\n  - name: vmq_x\n    help: X.\n    source: vernemq_mqtt_x\n",
     "c.yaml:6:13: signals[0].source \"vernemq_mqtt_x\" must be written without the namespace "
     "prefix: use \"mqtt_x\""},
    {"IncludeNotMap", TARGETS SIGNAL "    include: [reason_code]\n",
     "c.yaml:7:14: signals[0].include must be a map from label name to regular expression, but "
     "it is a list"},
    {"IncludeBadLabelName", TARGETS SIGNAL "    include: {reason-code: x}\n",
     "c.yaml:7:15: \"reason-code\" in signals[0].include is not a valid label name; use letters, "
     "digits and _, not starting with a digit"},
    {"ExcludeDuplicateLabel",
     TARGETS SIGNAL "    exclude:\n      reason_code: a\n      reason_code: b\n",
     "c.yaml:9:7: duplicate key \"reason_code\" in signals[0].exclude (first given at line 8); "
     "keep only one"},
    {"ExcludeRegexNotScalar", TARGETS SIGNAL "    exclude:\n      reason_code: [a, b]\n",
     "c.yaml:8:20: signals[0].exclude.reason_code must be a regular expression, but it is a "
     "list"},
    {"KeepLabelsNotList", TARGETS SIGNAL "    keep_labels: mqtt_version\n",
     "c.yaml:7:18: signals[0].keep_labels must be a list of label names such as [mqtt_version] "
     "([] keeps only node), but it is the value \"mqtt_version\""},
    {"KeepLabelsEmptyValue", TARGETS SIGNAL "    keep_labels:\n",
     "c.yaml:7:5: signals[0].keep_labels must be a list of label names such as [mqtt_version] "
     "([] keeps only node), but it is empty"},
    {"KeepLabelsInvalidName", TARGETS SIGNAL "    keep_labels: [mqtt-version]\n",
     "c.yaml:7:19: signals[0].keep_labels[0] \"mqtt-version\" is not a valid label name; use "
     "letters, digits and _, not starting with a digit or __"},
    {"KeepLabelsNode", TARGETS SIGNAL "    keep_labels: [mqtt_version, node]\n",
     "c.yaml:7:33: signals[0].keep_labels[1] \"node\" is always kept; remove it from "
     "keep_labels"},
    {"KeepLabelsWindow", TARGETS SIGNAL "    keep_labels: [window]\n",
     "c.yaml:7:19: signals[0].keep_labels[0] \"window\" is a label the exporter sets itself; "
     "remove it from keep_labels"},
    {"KeepLabelsTarget", TARGETS SIGNAL "    keep_labels:\n      - target\n",
     "c.yaml:8:9: signals[0].keep_labels[0] \"target\" is a label the exporter sets itself; "
     "remove it from keep_labels"},
    {"KeepLabelsRepeated", TARGETS SIGNAL "    keep_labels: [reason_code, reason_code]\n",
     "c.yaml:7:32: signals[0].keep_labels[1] \"reason_code\" is already listed as "
     "signals[0].keep_labels[0]; list each label once"},
};

#undef SIGNAL
#undef TARGETS
#undef HTTPS_TARGETS

std::string CaseName(const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(Document, RejectsConfig, ::testing::ValuesIn(kDocumentErrors), CaseName);
INSTANTIATE_TEST_SUITE_P(Targets, RejectsConfig, ::testing::ValuesIn(kTargetErrors), CaseName);
INSTANTIATE_TEST_SUITE_P(TargetAuth, RejectsConfig, ::testing::ValuesIn(kTargetAuthErrors),
                         CaseName);
INSTANTIATE_TEST_SUITE_P(Poll, RejectsConfig, ::testing::ValuesIn(kPollErrors), CaseName);
INSTANTIATE_TEST_SUITE_P(Windows, RejectsConfig, ::testing::ValuesIn(kWindowErrors), CaseName);
INSTANTIATE_TEST_SUITE_P(Signals, RejectsConfig, ::testing::ValuesIn(kSignalErrors), CaseName);

// The regex library's own explanation follows the prefix; its wording is the standard
// library's, so only the part this project writes is compared.
TEST(RejectsConfigRegex, AtThePatternWithTheLibrarysReason) {
  const std::string error = ErrorOf(
      "targets:\n  - url: http://vmq:8888/metrics\n"
      "signals:\n  - name: vmq_x\n    help: X.\n    source: mqtt_x\n"
      "    include: {reason_code: \"(\"}\n");
  EXPECT_THAT(error, ::testing::StartsWith("c.yaml:7:28: signals[0].include.reason_code \"(\" is "
                                           "not a valid regular expression: "));
  EXPECT_GT(error.size(), std::string("c.yaml:7:28: signals[0].include.reason_code \"(\" is "
                                      "not a valid regular expression: ")
                              .size());
}

TEST(ConfigErrorPosition, IsOneBasedLineAndColumn) {
  try {
    LoadString(
        "targets:\n"
        "  - url: http://vmq:8888/metrics\n"
        "poll:\n"
        "  interval: 5s\n"
        "  timeout: 5s\n",
        "c.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.file(), "c.yaml");
    EXPECT_EQ(error.line(), 5);
    EXPECT_EQ(error.column(), 12);
    EXPECT_EQ(error.message(),
              "poll.timeout (5s) must be shorter than poll.interval (5s); lower the timeout or "
              "raise the interval");
  }
}

}  // namespace
}  // namespace vmq::config
