#ifndef VMQ_TESTS_SIM_PAGE_LINES_H_
#define VMQ_TESTS_SIM_PAGE_LINES_H_

// A deliberately tiny reading of metrics pages for comparing simulated pages with captured
// ones line by line; the sim tests do not use the exporter's parser.

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace vmq::sim::testing {

inline std::vector<std::string> Lines(const std::string& page) {
  std::vector<std::string> out;
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// A sample line without its value; comment lines unchanged.
inline std::string SeriesOf(const std::string& line) {
  if (line.starts_with("#")) return line;
  return line.substr(0, line.rfind(' '));
}

inline std::vector<std::string> SeriesOf(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const std::string& line : lines) out.push_back(SeriesOf(line));
  return out;
}

// Sample series -> value text.
inline std::map<std::string, std::string> Values(const std::string& page) {
  std::map<std::string, std::string> out;
  for (const std::string& line : Lines(page)) {
    if (!line.starts_with("#")) out[SeriesOf(line)] = line.substr(line.rfind(' ') + 1);
  }
  return out;
}

// Names declared with `# TYPE <name> <type>`.
inline std::set<std::string> FamiliesOfType(const std::string& page, const std::string& type) {
  std::set<std::string> out;
  for (const std::string& line : Lines(page)) {
    std::istringstream words(line);
    std::string hash, keyword, name, declared;
    words >> hash >> keyword >> name >> declared;
    if (hash == "#" && keyword == "TYPE" && declared == type) out.insert(name);
  }
  return out;
}

inline std::string MetricName(const std::string& series) {
  return series.substr(0, series.find('{'));
}

// The page split in two: series outside histograms in page order, and each histogram's block
// of series as one sorted-away unit, because a real broker prints its histograms in an order
// that changes between restarts.
struct Arrangement {
  std::vector<std::string> ordered;
  std::vector<std::string> histogram_blocks;  // sorted
};

inline Arrangement Arrange(const std::string& page) {
  const std::set<std::string> histograms = FamiliesOfType(page, "histogram");
  Arrangement out;
  std::string block;
  for (const std::string& line : Lines(page)) {
    std::string family;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      family = line.substr(7, line.find(' ', 7) - 7);
    } else {
      family = MetricName(SeriesOf(line));
      for (const char* suffix : {"_bucket", "_count", "_sum"}) {
        const std::string s = suffix;
        if (family.ends_with(s) && histograms.count(family.substr(0, family.size() - s.size()))) {
          family = family.substr(0, family.size() - s.size());
        }
      }
    }
    if (!histograms.count(family)) {
      out.ordered.push_back(SeriesOf(line));
      continue;
    }
    if (line.starts_with("# HELP ") && !block.empty()) {
      out.histogram_blocks.push_back(block);
      block.clear();
    }
    block += SeriesOf(line) + "\n";
  }
  if (!block.empty()) out.histogram_blocks.push_back(block);
  std::sort(out.histogram_blocks.begin(), out.histogram_blocks.end());
  return out;
}

}  // namespace vmq::sim::testing

#endif  // VMQ_TESTS_SIM_PAGE_LINES_H_
