#include "sim/faults.h"

#include <random>

namespace vmq::sim {

std::string TruncateMidLine(const std::string& page) {
  const std::size_t middle = page.size() * 3 / 5;
  std::size_t line_start = page.rfind('\n', middle == 0 ? 0 : middle - 1);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  std::size_t line_end = page.find('\n', line_start);
  if (line_end == std::string::npos) line_end = page.size();
  const std::size_t line_length = line_end - line_start;
  if (line_length < 2) return page.substr(0, page.size() / 2);
  return page.substr(0, line_start + line_length / 2);
}

std::string GarbageBytes(std::size_t size, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(byte(rng));
  return out;
}

}  // namespace vmq::sim
