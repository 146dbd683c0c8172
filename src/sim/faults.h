#ifndef VMQ_SIM_FAULTS_H_
#define VMQ_SIM_FAULTS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace vmq::sim {

// The first part of `page`, cut in the middle of a line a little past its middle, as a
// connection dropped mid-transfer would leave it. Pages of one line or less come back cut in
// half.
std::string TruncateMidLine(const std::string& page);

// `size` bytes of noise (any byte value, NULs included) from `seed`.
std::string GarbageBytes(std::size_t size, std::uint64_t seed);

}  // namespace vmq::sim

#endif  // VMQ_SIM_FAULTS_H_
