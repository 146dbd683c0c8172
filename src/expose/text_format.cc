#include "expose/text_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace vmq::expose {
namespace {

// `\` and newline escaped; `"` too in a label value (HELP text keeps it as it is).
void AppendEscaped(std::string_view text, bool escape_quote, std::string* out) {
  for (const char c : text) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && escape_quote) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

void AppendLabel(std::string_view name, std::string_view value, bool* first, std::string* out) {
  out->push_back(*first ? '{' : ',');
  *first = false;
  out->append(name);
  out->append("=\"");
  AppendEscaped(value, /*escape_quote=*/true, out);
  out->push_back('"');
}

}  // namespace

void AppendFamilyHeader(const FamilySpec& family, std::string* out) {
  out->append("# HELP ").append(family.name).push_back(' ');
  AppendEscaped(family.help, /*escape_quote=*/false, out);
  out->append("\n# TYPE ").append(family.name);
  out->append(family.type == FamilyType::kCounter ? " counter\n" : " gauge\n");
}

void AppendSample(std::string_view name, std::initializer_list<LabelView> labels,
                  const evaluate::Labels& more_labels, std::initializer_list<LabelView> last,
                  std::string_view value, std::string* out) {
  out->append(name);
  bool first = true;
  for (const auto& [label, label_value] : labels) AppendLabel(label, label_value, &first, out);
  for (const auto& [label, label_value] : more_labels) {
    AppendLabel(label, label_value, &first, out);
  }
  for (const auto& [label, label_value] : last) AppendLabel(label, label_value, &first, out);
  if (!first) out->push_back('}');
  out->push_back(' ');
  out->append(value);
  out->push_back('\n');
}

void AppendSample(std::string_view name, std::initializer_list<LabelView> labels,
                  std::string_view value, std::string* out) {
  AppendSample(name, labels, {}, {}, value, out);
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value < 0 ? "-Inf" : "+Inf";
  char buffer[32];
  const int length = std::snprintf(buffer, sizeof buffer, "%.16g", value);
  return std::string(buffer, static_cast<size_t>(length));
}

std::string FormatValue(uint64_t count) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, count);
  return std::string(buffer, result.ptr);
}

std::string FormatValue(const evaluate::Number& number) {
  return number.is_count() ? FormatValue(number.count()) : FormatValue(number.AsDouble());
}

}  // namespace vmq::expose
