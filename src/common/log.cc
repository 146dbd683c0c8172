#include "common/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace vmq {
namespace {

constexpr std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string Timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[80];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return buffer;
}

void AppendJsonString(std::string* out, std::string_view text) {
  out->push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out->append(escaped);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

bool NeedsLogfmtQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == ' ' || c == '=' || c == '"' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

void AppendLogfmtPair(std::string* out, std::string_view key, std::string_view value) {
  if (!out->empty()) out->push_back(' ');
  out->append(key);
  out->push_back('=');
  if (NeedsLogfmtQuotes(value)) {
    AppendJsonString(out, value);  // logfmt quoting uses the same escapes
  } else {
    out->append(value);
  }
}

void AppendJsonPair(std::string* out, std::string_view key, std::string_view value) {
  if (out->size() > 1) out->push_back(',');
  AppendJsonString(out, key);
  out->push_back(':');
  AppendJsonString(out, value);
}

}  // namespace

bool ParseLogLevel(std::string_view text, LogLevel* out) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == LevelName(level)) {
      *out = level;
      return true;
    }
  }
  return false;
}

bool ParseLogFormat(std::string_view text, LogFormat* out) {
  if (text == "logfmt") {
    *out = LogFormat::kLogfmt;
  } else if (text == "json") {
    *out = LogFormat::kJson;
  } else {
    return false;
  }
  return true;
}

void Logger::Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  std::string line;
  if (format_ == LogFormat::kJson) {
    line = "{";
    AppendJsonPair(&line, "ts", Timestamp());
    AppendJsonPair(&line, "level", LevelName(level));
    AppendJsonPair(&line, "msg", message);
    for (const auto& [key, value] : fields) AppendJsonPair(&line, key, value);
    line.append("}\n");
  } else {
    AppendLogfmtPair(&line, "ts", Timestamp());
    AppendLogfmtPair(&line, "level", LevelName(level));
    AppendLogfmtPair(&line, "msg", message);
    for (const auto& [key, value] : fields) AppendLogfmtPair(&line, key, value);
    line.push_back('\n');
  }
  std::lock_guard lock(mu_);
  out_ << line << std::flush;
}

}  // namespace vmq
