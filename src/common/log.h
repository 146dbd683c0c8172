#ifndef VMQ_COMMON_LOG_H_
#define VMQ_COMMON_LOG_H_

// Structured logging in the two formats Prometheus exporters use (logfmt, json), written as
// one line per record so that log collectors never see interleaved records. Injected where
// needed; there is no global logger.

#include <initializer_list>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace vmq {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kLogfmt, kJson };

bool ParseLogLevel(std::string_view text, LogLevel* out);
bool ParseLogFormat(std::string_view text, LogFormat* out);

using LogField = std::pair<std::string_view, std::string>;

class Logger {
 public:
  Logger(std::ostream& out, LogLevel level, LogFormat format)
      : out_(out), level_(level), format_(format) {}

  void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});
  void Debug(std::string_view msg, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kDebug, msg, f);
  }
  void Info(std::string_view msg, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kInfo, msg, f);
  }
  void Warn(std::string_view msg, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kWarn, msg, f);
  }
  void Error(std::string_view msg, std::initializer_list<LogField> f = {}) {
    Log(LogLevel::kError, msg, f);
  }
  bool Enabled(LogLevel level) const { return level >= level_; }

 private:
  std::ostream& out_;
  LogLevel level_;
  LogFormat format_;
  std::mutex mu_;
};

}  // namespace vmq

#endif  // VMQ_COMMON_LOG_H_
