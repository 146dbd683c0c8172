// TargetHistory::FromImage on an image from an untrusted file (--storage.path, a reload): any
// image is either refused with a one-line reason or gives a history that takes polls and
// answers queries, and whose own image imports again to a history answering the same.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_target.h"
#include "window/target_history.h"

namespace {

using vmq::Millis;
using vmq::MonoTime;
using vmq::window::HistoryImage;
using vmq::window::Observation;
using vmq::window::TargetHistory;

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return at_ >= size_; }
  uint8_t Byte() { return at_ < size_ ? data_[at_++] : 0; }
  uint64_t Bytes(int n) {
    uint64_t value = 0;
    for (int i = 0; i < n; ++i) value = value << 8 | Byte();
    return value;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

const MonoTime kStart{std::chrono::hours(1000)};

HistoryImage ReadImage(Input& in) {
  HistoryImage image;
  MonoTime time = kStart;
  const size_t records = in.Byte();
  for (size_t i = 0; i < records; ++i) {
    const uint8_t flags = in.Byte();
    const auto delta = static_cast<int64_t>(in.Bytes(2));
    if ((flags & 0x06) == 0x06) {
      time = MonoTime(std::chrono::nanoseconds(static_cast<int64_t>(in.Bytes(8))));
    } else {
      // Wrapping (the image may hold any time; FromImage must refuse those out of range),
      // never overflowing here.
      const auto step = std::chrono::duration_cast<std::chrono::nanoseconds>(
          Millis((flags & 0x02) != 0 ? -delta : delta * 10));
      time = MonoTime(std::chrono::nanoseconds(
          static_cast<int64_t>(static_cast<uint64_t>(time.time_since_epoch().count()) +
                               static_cast<uint64_t>(step.count()))));
    }
    image.records.push_back({time, (flags & 1) != 0});
  }
  if ((in.Byte() & 1) != 0) image.last_uptime_ms = in.Bytes(4);
  const size_t series = in.Byte() % 8;
  for (size_t s = 0; s < series; ++s) {
    HistoryImage::Series& entry = image.series.emplace_back();
    const uint8_t key = in.Byte();
    entry.key = key == 0 ? "" : "s" + std::to_string(key % 6);
    entry.last_value = in.Bytes(in.Byte() % 9);
    const uint8_t since = in.Byte();
    entry.polls_since_seen = since == 0xff ? ~uint64_t{0} : since % 8;
    const size_t increases = in.Byte();
    for (size_t i = 0; i < increases; ++i) entry.increases.push_back(in.Bytes(in.Byte() % 9));
  }
  return image;
}

bool SameAnswers(const TargetHistory& a, const TargetHistory& b, MonoTime now) {
  for (const Millis window : a.windows()) {
    if (a.Coverage(window, now) != b.Coverage(window, now)) return false;
    for (int s = 0; s < 6; ++s) {
      const std::string key = "s" + std::to_string(s);
      if (a.Increase(key, window, now) != b.Increase(key, window, now)) return false;
    }
  }
  return a.series_count() == b.series_count();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const std::vector<Millis> windows = {Millis(1000 * (1 + in.Byte() % 120)),
                                       Millis(1000 * (1 + in.Byte() % 600))};
  const Millis max_gap(100 * (in.Byte() % 50));
  const HistoryImage image = ReadImage(in);
  std::string error;
  std::optional<TargetHistory> history = TargetHistory::FromImage(windows, max_gap, image, &error);
  if (!history) {
    VMQ_FUZZ_CHECK(!error.empty());
    VMQ_FUZZ_CHECK(error.find('\n') == std::string::npos);
    return 0;
  }
  MonoTime now = image.records.empty() ? kStart : image.records.back().time;
  uint64_t value = 0;
  while (!in.empty()) {
    const uint8_t op = in.Byte();
    now += Millis(10 * (op >> 2));
    if ((op & 3) == 0) {
      history->RecordFailure(now);
    } else {
      value += in.Byte();
      const std::vector<Observation> page = {{"s" + std::to_string(op % 6), value}};
      history->RecordSuccess(now, in.Byte(), page, (op & 3) == 3);
    }
  }
  std::optional<TargetHistory> again =
      TargetHistory::FromImage(windows, max_gap, history->Export(), &error);
  VMQ_FUZZ_CHECK(again.has_value());
  for (const Millis after : {Millis(0), max_gap})
    VMQ_FUZZ_CHECK(SameAnswers(*history, *again, now + after));
  return 0;
}
