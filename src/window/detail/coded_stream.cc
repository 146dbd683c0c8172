#include "window/detail/coded_stream.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace vmq::window::detail {
namespace {

constexpr unsigned kOutlierQuotient = 8;  // q from which a value is written as an outlier
constexpr unsigned kLengthBits = 7;
constexpr uint64_t kMarkerLength = 127;
constexpr unsigned kMaxState = 511;

unsigned ParameterOf(unsigned state) { return state >> 3; }

unsigned StateAfter(unsigned state, uint64_t quotient) {
  if (quotient == 0) return state >= 2 ? state - 2 : 0;
  if (quotient == 1) return state;
  return std::min<unsigned>(kMaxState, state + static_cast<unsigned>(quotient));
}

unsigned StateAfterOutlier(unsigned state) { return std::min(kMaxState, state + 16); }

uint64_t LowBits(uint64_t value, unsigned count) {
  return count >= 64 ? value : value & ((uint64_t{1} << count) - 1);
}

}  // namespace

void ByteQueue::Append(const uint8_t* bytes, size_t count, size_t expected_size) {
  while (bytes_.capacity() - bytes_.size() < count) MakeRoom(expected_size);
  bytes_.insert(bytes_.end(), bytes, bytes + count);
}

// Either moves the held bytes to the front of the buffer, when enough was dropped to make
// that worth it, or grows the buffer by an eighth (or to the size expected): the buffer
// settles at a few percent above what is held instead of up to twice as std::vector's
// doubling would.
void ByteQueue::MakeRoom(size_t expected_size) {
  const size_t dropped = begin_ - base_;
  const size_t held = bytes_.size() - dropped;
  if (dropped > 0 && dropped >= held / 64) {
    Compact(held + held / 4 + 64);
    return;
  }
  bytes_.reserve(std::max(bytes_.capacity() + bytes_.capacity() / 8 + 16, expected_size));
}

void ByteQueue::DropBefore(uint64_t position) {
  if (position == begin_) return;
  begin_ = position;
  // A burst of large increases has aged out: give the memory back.
  const size_t held = end() - begin_;
  if (bytes_.capacity() > 256 && held <= bytes_.capacity() / 2) Compact(held);
}

// Moves the held bytes to the front of the buffer; reallocates it when it is larger than
// `largest_kept`.
void ByteQueue::Compact(size_t largest_kept) {
  bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<ptrdiff_t>(begin_ - base_));
  base_ = begin_;
  if (bytes_.capacity() <= largest_kept) return;
  std::vector<uint8_t> smaller;
  smaller.reserve(bytes_.size() + bytes_.size() / 16 + 16);
  smaller.assign(bytes_.begin(), bytes_.end());
  bytes_.swap(smaller);
}

void CodedStream::Push(uint64_t value, size_t expected_bytes) {
  const unsigned state = end_.state;
  const unsigned parameter = ParameterOf(state);
  const uint64_t quotient = value >> parameter;
  if (quotient < kOutlierQuotient) {
    // q ones, then a zero (the low q + 1 bits of 2^q - 1), then the k low bits.
    const auto prefix = static_cast<unsigned>(quotient) + 1;
    const uint64_t ones = (uint64_t{1} << quotient) - 1;
    if (prefix + parameter <= 64) {
      PushBits(ones | (LowBits(value, parameter) << prefix), prefix + parameter, expected_bytes);
    } else {
      PushBits(ones, prefix, expected_bytes);
      PushBits(LowBits(value, parameter), parameter, expected_bytes);
    }
    end_.state = StateAfter(state, quotient);
    return;
  }
  const auto length = static_cast<unsigned>(std::bit_width(value));
  PushBits((uint64_t{length} << kOutlierQuotient) | ((uint64_t{1} << kOutlierQuotient) - 1),
           kOutlierQuotient + kLengthBits, expected_bytes);
  PushBits(LowBits(value, length - 1), length - 1, expected_bytes);
  end_.state = StateAfterOutlier(state);
}

void CodedStream::PushMarker(size_t expected_bytes) {
  PushBits((kMarkerLength << kOutlierQuotient) | ((uint64_t{1} << kOutlierQuotient) - 1),
           kOutlierQuotient + kLengthBits, expected_bytes);
}

uint64_t CodedStream::Read(StreamPosition& position) const {
  const unsigned state = position.state;
  const unsigned parameter = ParameterOf(state);
  const uint64_t bit = position.bit;
  const uint64_t word = Word(bit);
  const auto quotient = std::min<unsigned>(std::countr_one(word), kOutlierQuotient);
  if (quotient < kOutlierQuotient) {
    const unsigned prefix = quotient + 1;
    const uint64_t low = prefix + parameter <= 57 ? LowBits(word >> prefix, parameter)
                                                  : Bits(bit + prefix, parameter);
    position.bit = bit + prefix + parameter;
    position.state = StateAfter(state, quotient);
    return (uint64_t{quotient} << parameter) | low;
  }
  const auto length = static_cast<unsigned>((word >> kOutlierQuotient) & ((1u << kLengthBits) - 1));
  // A length outside 1..64 cannot have been written (Read is never called at a marker).
  const unsigned below_top = std::clamp(length, 1u, 64u) - 1;
  constexpr unsigned kPrefix = kOutlierQuotient + kLengthBits;
  const uint64_t low = kPrefix + below_top <= 57 ? LowBits(word >> kPrefix, below_top)
                                                 : Bits(bit + kPrefix, below_top);
  position.bit = bit + kPrefix + below_top;
  position.state = StateAfterOutlier(state);
  return (uint64_t{1} << below_top) | low;
}

bool CodedStream::SkipMarker(StreamPosition& position) const {
  constexpr unsigned kMarkerBits = kOutlierQuotient + kLengthBits;
  constexpr uint64_t kMarker = (kMarkerLength << kOutlierQuotient) | ((1u << kOutlierQuotient) - 1);
  if (LowBits(Word(position.bit), kMarkerBits) != kMarker) return false;
  position.bit = position.bit + kMarkerBits;
  return true;
}

void CodedStream::DropBefore(StreamPosition position) {
  begin_ = position;
  bytes_.DropBefore(position.bit / 8);
}

void CodedStream::PushBits(uint64_t bits, unsigned count, size_t expected_bytes) {
  const unsigned used = end_.bit % 8;
  end_.bit = end_.bit + count;
  if (count == 0) return;
  if (used != 0) {
    bytes_.OrIntoLast(static_cast<uint8_t>(bits << used));
    const unsigned taken = 8 - used;
    if (count <= taken) return;
    bits >>= taken;
    count -= taken;
  }
  uint8_t bytes[8];
  const unsigned whole = (count + 7) / 8;
  for (unsigned i = 0; i < whole; ++i) bytes[i] = static_cast<uint8_t>(bits >> (8 * i));
  bytes_.Append(bytes, whole, expected_bytes);
}

uint64_t CodedStream::Word(uint64_t bit) const {
  const uint64_t first = bit / 8;
  const uint64_t available = bytes_.end() - first;
  uint64_t word = 0;
  if (std::endian::native == std::endian::little && available >= 8) {
    std::memcpy(&word, bytes_.data(first), sizeof(word));
  } else {
    for (uint64_t i = 0; i < std::min<uint64_t>(available, 8); ++i) {
      word |= uint64_t{bytes_.at(first + i)} << (8 * i);
    }
  }
  return word >> (bit % 8);
}

uint64_t CodedStream::Bits(uint64_t bit, unsigned count) const {
  if (count <= 57) return LowBits(Word(bit), count);
  return LowBits(Word(bit), 32) | (LowBits(Word(bit + 32), count - 32) << 32);
}

}  // namespace vmq::window::detail
