#ifndef VMQ_EXPOSE_TEXT_FORMAT_H_
#define VMQ_EXPOSE_TEXT_FORMAT_H_

// Writing Prometheus text format (version 0.0.4) lines. The per-target parts of the page are
// written with these directly, once per poll of that target; prometheus-cpp's serializer
// writes the exporter's own instrumentation. Values print the way prometheus-cpp prints them
// (%.16g), counts as exact integers; HELP text is escaped, which prometheus-cpp does not do.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "evaluate/values.h"

namespace vmq::expose {

enum class FamilyType { kGauge, kCounter };

struct FamilySpec {
  std::string name;
  std::string help;  // raw; escaped when written
  FamilyType type = FamilyType::kGauge;
};

// One label of a sample; views, so that a sample is written without building its labels.
using LabelView = std::pair<std::string_view, std::string_view>;

// "# HELP ...\n# TYPE ...\n".
void AppendFamilyHeader(const FamilySpec& family, std::string* out);

// `name{labels...} value\n`; label values escaped (\\, \", \n).
void AppendSample(std::string_view name, std::initializer_list<LabelView> labels,
                  const evaluate::Labels& more_labels, std::initializer_list<LabelView> last,
                  std::string_view value, std::string* out);
void AppendSample(std::string_view name, std::initializer_list<LabelView> labels,
                  std::string_view value, std::string* out);

std::string FormatValue(double value);
std::string FormatValue(uint64_t count);
std::string FormatValue(const evaluate::Number& number);

}  // namespace vmq::expose

#endif  // VMQ_EXPOSE_TEXT_FORMAT_H_
