#ifndef VMQ_WINDOW_DETAIL_CODED_STREAM_H_
#define VMQ_WINDOW_DETAIL_CODED_STREAM_H_

// The storage of the window history: FIFOs of unsigned integers, each written as an adaptive
// Rice code, so that a stream costs about what its values need in bits and not whole bytes.
//
// Why Rice codes and not LEB128: an increase of 0 (an unchanged counter: most polls of most
// series) costs 1 bit instead of 8, and a series whose increases have some steady size costs
// about log2 of that size plus 1.5 bits, with no per-value length prefix (LEB128 pays one
// bit in eight, and rounds up to whole bytes: 128..16,383 costs 16 bits, here ~14.6).
//
// A value v is written with a parameter k taken from the stream's state s (k = s / 8):
//  - q = v >> k below 8: q one-bits, a zero bit, then the k low bits of v;
//  - otherwise (an outlier): 8 one-bits, v's bit length n (7 bits, 1..64), then the n - 1
//    bits of v below its top bit.
// After each value s moves towards the values seen: down by 2 when q = 0, up by q when
// q >= 2, up by 16 (k + 2) after an outlier, so that a lasting change of scale is learnt
// within a few values while the cost of a lone spike to the values after it is a few bits;
// s stays within 0..511. A marker is the outlier
// prefix with the length field 127, which no value uses; it leaves s alone.
//
// Because a code depends on the values before it, a position in the stream carries the
// state there (StreamPosition). Positions are absolute (bits ever written before), so they
// stay valid while the front is dropped. Streams live in memory only and are read back only
// by the code that wrote them; nothing untrusted is ever decoded here.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vmq::window::detail {

// A FIFO of bytes addressed by absolute offsets (bytes ever appended before a byte), so
// that positions stay valid while the front is dropped and the buffer moves. Plain data.
class ByteQueue {
 public:
  uint64_t begin() const { return begin_; }
  uint64_t end() const { return base_ + bytes_.size(); }
  uint8_t at(uint64_t position) const { return bytes_[position - base_]; }
  // The held bytes from `position` on are contiguous here, up to end().
  const uint8_t* data(uint64_t position) const { return bytes_.data() + (position - base_); }
  // `expected_size`: how large the queue is expected to grow, 0 if unknown.
  void Append(const uint8_t* bytes, size_t count, size_t expected_size = 0);
  // ORs `bits` into the last byte (there must be one).
  void OrIntoLast(uint8_t bits) { bytes_.back() |= bits; }
  // Drops the bytes before `position` (begin() <= position <= end()).
  void DropBefore(uint64_t position);
  size_t allocated() const { return bytes_.capacity(); }

 private:
  void MakeRoom(size_t expected_size);
  void Compact(size_t largest_kept);

  std::vector<uint8_t> bytes_;
  uint64_t base_ = 0;   // offset of bytes_[0]
  uint64_t begin_ = 0;  // offset of the first byte held
};

// 8 bytes, so that a per-series, per-window cursor stays as small as a plain offset.
struct StreamPosition {
  uint64_t bit : 54 = 0;    // bits written to the stream before this code
  uint64_t state : 10 = 0;  // the coder's state s before this code
};

class CodedStream {
 public:
  StreamPosition begin() const { return begin_; }
  StreamPosition end() const { return end_; }
  bool at_end(StreamPosition position) const { return position.bit == end_.bit; }

  // `expected_bytes`: how large the stream is expected to grow, 0 if unknown.
  void Push(uint64_t value, size_t expected_bytes = 0);
  void PushMarker(size_t expected_bytes = 0);

  // The value whose code is at `position` (not a marker, before end()); moves it past.
  uint64_t Read(StreamPosition& position) const;
  // Whether a marker is at `position` (before end()); if so, moves it past.
  bool SkipMarker(StreamPosition& position) const;

  // Drops what is before `position` (a position this stream gave, from begin() to end()).
  void DropBefore(StreamPosition position);

  size_t held_bytes() const { return bytes_.end() - bytes_.begin(); }
  size_t allocated() const { return bytes_.allocated(); }

 private:
  void PushBits(uint64_t bits, unsigned count, size_t expected_bytes);
  // At least 57 bits from `bit` on, low bits first; bits past the end read as 0.
  uint64_t Word(uint64_t bit) const;
  // `count` (at most 64) bits from `bit` on.
  uint64_t Bits(uint64_t bit, unsigned count) const;

  ByteQueue bytes_;
  StreamPosition begin_;
  StreamPosition end_;
};

}  // namespace vmq::window::detail

#endif  // VMQ_WINDOW_DETAIL_CODED_STREAM_H_
