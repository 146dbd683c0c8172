#include "window/detail/coded_stream.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace vmq::window::detail {
namespace {

std::vector<uint64_t> ReadAll(const CodedStream& stream, StreamPosition from) {
  std::vector<uint64_t> values;
  while (!stream.at_end(from)) values.push_back(stream.Read(from));
  return values;
}

std::vector<uint64_t> EveryBitWidth() {
  std::vector<uint64_t> values = {0, 1, std::numeric_limits<uint64_t>::max()};
  for (unsigned bits = 1; bits < 64; ++bits) {
    values.push_back((uint64_t{1} << bits) - 1);
    values.push_back(uint64_t{1} << bits);
    values.push_back((uint64_t{1} << bits) + 1);
  }
  return values;
}

double BitsPerValue(const CodedStream& stream, size_t values) {
  return static_cast<double>(stream.end().bit - stream.begin().bit) / static_cast<double>(values);
}

TEST(CodedStreamTest, ReadsBackEveryBitWidthFromZeroToTheLargestValue) {
  CodedStream stream;
  const std::vector<uint64_t> values = EveryBitWidth();
  for (const uint64_t value : values) stream.Push(value);
  EXPECT_EQ(ReadAll(stream, stream.begin()), values);
}

TEST(CodedStreamTest, ReadsBackValuesWrittenAtEveryStateOfTheCoder) {
  // Large values first push the state to its top, small ones then walk it down again.
  CodedStream stream;
  std::mt19937_64 random(3);
  std::vector<uint64_t> values;
  for (int i = 0; i < 400; ++i) values.push_back(random() | (uint64_t{1} << 63));
  for (int i = 0; i < 4000; ++i) values.push_back(random() >> (random() % 64));
  for (const uint64_t value : values) stream.Push(value);
  EXPECT_EQ(ReadAll(stream, stream.begin()), values);
}

TEST(CodedStreamTest, AnUnchangedCounterCostsOneBitAPoll) {
  CodedStream stream;
  for (int i = 0; i < 8000; ++i) stream.Push(0);
  EXPECT_EQ(stream.held_bytes(), 1000u);
}

TEST(CodedStreamTest, SteadyIncreasesCostFewerBitsThanLeb128) {
  std::mt19937_64 random(5);
  CodedStream small;   // LEB128: 8 bits each
  CodedStream medium;  // LEB128: 16 bits each
  for (int i = 0; i < 3600; ++i) {
    small.Push(std::uniform_int_distribution<uint64_t>(1, 127)(random));
    medium.Push(std::uniform_int_distribution<uint64_t>(128, 16383)(random));
  }
  EXPECT_LT(BitsPerValue(small, 3600), 7.7);
  EXPECT_LT(BitsPerValue(medium, 3600), 14.8);
}

TEST(CodedStreamTest, ALoneSpikeDoesNotMakeTheValuesAfterItExpensive) {
  std::mt19937_64 random(9);
  CodedStream stream;
  for (int i = 0; i < 3600; ++i) {
    stream.Push(i % 50 == 0 ? (uint64_t{1} << 40) : 1 + random() % 127);
  }
  // 72 spikes of ~55 bits; the rest as in the steady case above.
  EXPECT_LT(BitsPerValue(stream, 3600), 8.8);
}

TEST(CodedStreamTest, MarkersAreToldApartFromEveryValue) {
  CodedStream stream;
  std::mt19937_64 random(11);
  const std::vector<uint64_t> widths = EveryBitWidth();
  std::vector<std::pair<bool, uint64_t>> written;  // (marker before it, value)
  for (int i = 0; i < 3000; ++i) {
    const bool marker = random() % 5 == 0;
    const uint64_t value = widths[random() % widths.size()];
    if (marker) stream.PushMarker();
    stream.Push(value);
    written.emplace_back(marker, value);
  }
  StreamPosition at = stream.begin();
  for (const auto& [marker, value] : written) {
    EXPECT_EQ(stream.SkipMarker(at), marker);
    EXPECT_FALSE(stream.SkipMarker(at));
    EXPECT_EQ(stream.Read(at), value);
  }
  EXPECT_TRUE(stream.at_end(at));
}

TEST(CodedStreamTest, APositionKeptFromWritingReadsOnFromThere) {
  CodedStream stream;
  std::mt19937_64 random(13);
  std::vector<uint64_t> values;
  std::vector<StreamPosition> positions;
  for (int i = 0; i < 2000; ++i) {
    positions.push_back(stream.end());
    values.push_back(random() >> (random() % 64));
    stream.Push(values.back());
  }
  for (const size_t from : {size_t{0}, size_t{1}, size_t{777}, size_t{1999}}) {
    EXPECT_EQ(ReadAll(stream, positions[from]),
              std::vector<uint64_t>(values.begin() + static_cast<ptrdiff_t>(from), values.end()));
  }
}

TEST(CodedStreamTest, DroppingTheFrontKeepsLaterPositionsAndGivesMemoryBack) {
  CodedStream stream;
  std::vector<uint64_t> values;
  StreamPosition keep;
  for (int i = 0; i < 20000; ++i) {
    if (i == 19000) keep = stream.end();
    values.push_back(uint64_t{1} << (i % 40));
    stream.Push(values.back());
  }
  const size_t allocated_before = stream.allocated();
  stream.DropBefore(keep);
  EXPECT_LT(stream.allocated(), allocated_before / 4);
  for (int i = 0; i < 500; ++i) {
    values.push_back(static_cast<uint64_t>(i));
    stream.Push(values.back());
  }
  EXPECT_EQ(stream.begin().bit, keep.bit);
  EXPECT_EQ(ReadAll(stream, stream.begin()),
            std::vector<uint64_t>(values.begin() + 19000, values.end()));
}

}  // namespace
}  // namespace vmq::window::detail
