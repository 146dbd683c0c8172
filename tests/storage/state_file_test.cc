// The state file codec on valid and hostile bytes: what it writes it reads back exactly, and
// every truncation, bit flip, other version, other target and oversized count is refused with
// a reason instead of being trusted.

#include "storage/state_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/crc.hpp>

#include <algorithm>
#include <chrono>
#include <string>

namespace vmq::storage {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TargetIdentity kTarget{"vmq-1", "http://127.0.0.1:8888/metrics"};

TimeMap Times() { return {MonoTime(std::chrono::hours(1000)), WallTime(seconds(1'700'000'000))}; }

TargetState SampleState() {
  const TimeMap times = Times();
  TargetState state;
  state.target = kTarget;
  state.sequence = 42;
  for (int i = 0; i < 20; ++i) {
    state.history.records.push_back(
        {times.mono - seconds(100) + milliseconds(5003 * i), i % 7 != 3});
  }
  state.history.last_uptime_ms = 123'456'789;
  state.history.counters = {3, 5, 7};
  state.history.series.push_back({"mqtt_pubcomp_received{mqtt_version=\"4\"}",
                                  77,
                                  0,
                                  {0, 1, 0, 300, 0, 0, 1ULL << 40, 2, 0, 0, 0, 0, 5, 0, 0, 0, 1}});
  state.history.series.push_back({"mqtt_publish_error{}", 3, 2, {}});
  state.alerts.push_back(
      {"VerneMQUnexpectedPubcomp", {"VerneMQ@10.0.0.1", "5"}, alerting::AlertLevel::kCritical});
  return state;
}

void ExpectSame(const TargetState& a, const TargetState& b) {
  EXPECT_EQ(a.target.name, b.target.name);
  EXPECT_EQ(a.target.url, b.target.url);
  EXPECT_EQ(a.sequence, b.sequence);
  ASSERT_EQ(a.history.records.size(), b.history.records.size());
  for (size_t i = 0; i < a.history.records.size(); ++i) {
    EXPECT_EQ(a.history.records[i].time, b.history.records[i].time) << i;
    EXPECT_EQ(a.history.records[i].success, b.history.records[i].success) << i;
  }
  EXPECT_EQ(a.history.last_uptime_ms, b.history.last_uptime_ms);
  EXPECT_EQ(a.history.counters.restarts_detected, b.history.counters.restarts_detected);
  EXPECT_EQ(a.history.counters.counter_resets, b.history.counters.counter_resets);
  EXPECT_EQ(a.history.counters.out_of_order_records, b.history.counters.out_of_order_records);
  ASSERT_EQ(a.history.series.size(), b.history.series.size());
  for (size_t i = 0; i < a.history.series.size(); ++i) {
    EXPECT_EQ(a.history.series[i].key, b.history.series[i].key);
    EXPECT_EQ(a.history.series[i].last_value, b.history.series[i].last_value);
    EXPECT_EQ(a.history.series[i].polls_since_seen, b.history.series[i].polls_since_seen);
    EXPECT_EQ(a.history.series[i].increases, b.history.series[i].increases);
  }
  ASSERT_EQ(a.alerts.size(), b.alerts.size());
  for (size_t i = 0; i < a.alerts.size(); ++i) {
    EXPECT_EQ(a.alerts[i].alert, b.alerts[i].alert);
    EXPECT_EQ(a.alerts[i].series, b.alerts[i].series);
    EXPECT_EQ(a.alerts[i].level, b.alerts[i].level);
  }
}

JournalEntry SampleEntry(uint64_t sequence) {
  return {sequence,
          Times().mono - seconds(1),
          true,
          5000,
          {{"mqtt_pubcomp_received{mqtt_version=\"4\"}", 80}, {"mqtt_publish_error{}", 3}},
          sequence % 2 == 0,
          {{"VerneMQUnexpectedPubcomp", {"n", "4"}, alerting::AlertLevel::kRaised}}};
}

TEST(StateFile, SnapshotRoundTripsExactly) {
  const std::string bytes = EncodeSnapshot(SampleState(), Times());
  LoadError error;
  const auto decoded = DecodeSnapshot(bytes, kTarget, Times(), &error);
  ASSERT_TRUE(decoded) << error.detail;
  ExpectSame(SampleState(), *decoded);
}

TEST(StateFile, EmptyHistoryRoundTrips) {
  TargetState state;
  state.target = kTarget;
  const std::string bytes = EncodeSnapshot(state, Times());
  LoadError error;
  const auto decoded = DecodeSnapshot(bytes, kTarget, Times(), &error);
  ASSERT_TRUE(decoded) << error.detail;
  ExpectSame(state, *decoded);
}

// Times are wall-clock in the file: read back by a process whose monotonic clock has another
// origin (after a reboot), a poll 10 s before the save is 10 s before the save on its clock.
TEST(StateFile, TimesMapThroughTheWallClockToAnotherMonotonicOrigin) {
  const TimeMap at_save = Times();
  const std::string bytes = EncodeSnapshot(SampleState(), at_save);
  const TimeMap at_load{MonoTime(seconds(5)), at_save.wall + seconds(30)};
  LoadError error;
  const auto decoded = DecodeSnapshot(bytes, kTarget, at_load, &error);
  ASSERT_TRUE(decoded) << error.detail;
  const auto& saved = SampleState().history.records;
  for (size_t i = 0; i < saved.size(); ++i) {
    EXPECT_EQ(at_load.mono - decoded->history.records[i].time,
              (at_save.mono - saved[i].time) + seconds(30));
  }
}

TEST(StateFile, EveryTruncationIsRefusedAsCorrupt) {
  const std::string bytes = EncodeSnapshot(SampleState(), Times());
  for (size_t length = 0; length < bytes.size(); ++length) {
    LoadError error;
    EXPECT_FALSE(DecodeSnapshot(bytes.substr(0, length), kTarget, Times(), &error)) << length;
    EXPECT_EQ(error.reason, LoadFailure::kCorrupt) << length;
  }
}

TEST(StateFile, EveryBitFlipIsRefused) {
  const std::string bytes = EncodeSnapshot(SampleState(), Times());
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = bytes;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      LoadError error;
      EXPECT_FALSE(DecodeSnapshot(flipped, kTarget, Times(), &error)) << i << ":" << bit;
    }
  }
}

TEST(StateFile, AnotherFormatVersionIsRefusedAsSuch) {
  for (const char version : {0, 3}) {
    std::string bytes = EncodeSnapshot(SampleState(), Times());
    bytes[8] = version;  // the version, little-endian after the 8-byte magic
    LoadError error;
    EXPECT_FALSE(DecodeSnapshot(bytes, kTarget, Times(), &error));
    EXPECT_EQ(error.reason, LoadFailure::kVersion);
    EXPECT_THAT(error.detail, ::testing::HasSubstr("version " + std::to_string(version)));
  }
}

TEST(StateFile, TheResetBaselineReadsBack) {
  TargetState state = SampleState();
  state.resets = window::ResetBaseline{81'234, {{7, 40}, {1ULL << 63, 0}, {9, 1ULL << 50}}};
  LoadError error;
  const auto decoded = DecodeSnapshot(EncodeSnapshot(state, Times()), kTarget, Times(), &error);
  ASSERT_TRUE(decoded) << error.detail;
  ASSERT_TRUE(decoded->resets);
  EXPECT_EQ(decoded->resets->uptime_ms, 81'234u);
  ASSERT_EQ(decoded->resets->counters.size(), 3u);
  EXPECT_EQ(decoded->resets->counters[1].id, 1ULL << 63);
  EXPECT_EQ(decoded->resets->counters[2].value, 1ULL << 50);
  ExpectSame(state, *decoded);
}

// A version 1 snapshot (before the reset baseline) is still read: an upgrade keeps the history.
TEST(StateFile, AVersionOneSnapshotIsReadWithoutAResetBaseline) {
  std::string bytes = EncodeSnapshot(SampleState(), Times());  // no baseline: a 0 flag
  bytes[8] = 1;
  const size_t crc_at = bytes.size() - 4;
  ASSERT_EQ(bytes[crc_at - 1], 0);
  bytes.erase(crc_at - 1, 5);
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>(crc.checksum() >> (8 * i)));
  LoadError error;
  const auto decoded = DecodeSnapshot(bytes, kTarget, Times(), &error);
  ASSERT_TRUE(decoded) << error.detail;
  EXPECT_FALSE(decoded->resets);
  ExpectSame(SampleState(), *decoded);
}

TEST(StateFile, AnotherTargetsFileIsRefused) {
  const std::string bytes = EncodeSnapshot(SampleState(), Times());
  for (const TargetIdentity& other : {TargetIdentity{"vmq-2", kTarget.url},
                                      TargetIdentity{kTarget.name, "http://other/metrics"}}) {
    LoadError error;
    EXPECT_FALSE(DecodeSnapshot(bytes, other, Times(), &error));
    EXPECT_EQ(error.reason, LoadFailure::kOtherTarget);
  }
}

TEST(StateFile, PollsFromTheFutureAreRefused) {
  const TimeMap at_save = Times();
  const std::string bytes = EncodeSnapshot(SampleState(), at_save);
  // The wall clock went back a minute since: the file's latest polls are "later than now".
  const TimeMap at_load{at_save.mono, at_save.wall - seconds(60)};
  LoadError error;
  EXPECT_FALSE(DecodeSnapshot(bytes, kTarget, at_load, &error));
  EXPECT_EQ(error.reason, LoadFailure::kClock);
}

TEST(StateFile, AFileLargerThanTheCapIsNotDecoded) {
  const std::string bytes(kMaxFileBytes + 1, '\0');
  LoadError error;
  EXPECT_FALSE(DecodeSnapshot(bytes, kTarget, Times(), &error));
  EXPECT_EQ(error.reason, LoadFailure::kTooLarge);
}

// A hand-made file with a valid CRC that claims 2^60 records: refused before allocating.
TEST(StateFile, OversizedCountsAreRefusedBeforeAllocating) {
  for (int field = 0; field < 3; ++field) {
    std::string body;
    body.append("VMQSTATE", 8);
    body.append("\x01\x00\x00\x00", 4);
    auto varint = [&body](uint64_t v) {
      while (v >= 0x80) {
        body.push_back(static_cast<char>(v | 0x80));
        v >>= 7;
      }
      body.push_back(static_cast<char>(v));
    };
    varint(kTarget.name.size());
    body += kTarget.name;
    varint(kTarget.url.size());
    body += kTarget.url;
    varint(1);                              // sequence
    varint(field == 0 ? (1ULL << 60) : 0);  // records
    body.push_back(0);                      // no uptime
    body.append(3, '\0');                   // the history's counters
    varint(field == 1 ? (1ULL << 60) : 1);  // series
    if (field != 1) {
      varint(field == 2 ? (1ULL << 40) : 1);  // key length
    }
    // A CRC that matches, so that only the counts are wrong.
    boost::crc_32_type crc32;
    crc32.process_bytes(body.data(), body.size());
    const uint32_t crc = crc32.checksum();
    for (int i = 0; i < 4; ++i) body.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
    LoadError error;
    EXPECT_FALSE(DecodeSnapshot(body, kTarget, Times(), &error)) << field;
    EXPECT_EQ(error.reason, LoadFailure::kCorrupt) << field;
    EXPECT_THAT(error.detail, ::testing::HasSubstr("count")) << field << ": " << error.detail;
  }
}

TEST(StateFile, JournalRoundTripsEntriesInOrder) {
  std::string bytes = EncodeJournalHeader(kTarget);
  for (uint64_t s = 43; s < 46; ++s) bytes += EncodeJournalEntry(SampleEntry(s), Times());
  const DecodedJournal journal = DecodeJournal(bytes, kTarget, Times());
  EXPECT_FALSE(journal.error);
  ASSERT_EQ(journal.entries.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const JournalEntry expected = SampleEntry(43 + i);
    const JournalEntry& got = journal.entries[i];
    EXPECT_EQ(got.sequence, expected.sequence);
    EXPECT_EQ(got.time, expected.time);
    EXPECT_EQ(got.success, expected.success);
    EXPECT_EQ(got.uptime_ms, expected.uptime_ms);
    EXPECT_EQ(got.counters_reset, expected.counters_reset);
    ASSERT_EQ(got.observations.size(), expected.observations.size());
    EXPECT_EQ(got.observations[0].series, expected.observations[0].series);
    EXPECT_EQ(got.observations[0].value, expected.observations[0].value);
    ASSERT_EQ(got.alerts.size(), 1u);
    EXPECT_EQ(got.alerts[0].level, alerting::AlertLevel::kRaised);
  }
}

// A torn tail (power loss mid-append) keeps every whole entry before it and says why it
// stopped; a truncated header keeps nothing.
TEST(StateFile, EveryJournalTruncationKeepsTheWholeEntriesBeforeIt) {
  const std::string header = EncodeJournalHeader(kTarget);
  std::string bytes = header;
  std::vector<size_t> ends;
  for (uint64_t s = 1; s <= 3; ++s) {
    bytes += EncodeJournalEntry(SampleEntry(s), Times());
    ends.push_back(bytes.size());
  }
  for (size_t length = 0; length <= bytes.size(); ++length) {
    const DecodedJournal journal = DecodeJournal(bytes.substr(0, length), kTarget, Times());
    size_t whole = 0;
    for (const size_t end : ends) whole += end <= length ? 1 : 0;
    EXPECT_EQ(journal.entries.size(), whole) << length;
    const bool clean =
        length == header.size() || std::find(ends.begin(), ends.end(), length) != ends.end();
    EXPECT_EQ(journal.error.has_value(), !clean) << length;
  }
}

TEST(StateFile, JournalBitFlipsNeverYieldAChangedEntry) {
  std::string bytes = EncodeJournalHeader(kTarget);
  bytes += EncodeJournalEntry(SampleEntry(1), Times());
  const size_t header = EncodeJournalHeader(kTarget).size();
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = bytes;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      const DecodedJournal journal = DecodeJournal(flipped, kTarget, Times());
      EXPECT_TRUE(journal.error) << i << ":" << bit;
      if (i < header) {
        EXPECT_TRUE(journal.entries.empty()) << i << ":" << bit;
      }
    }
  }
}

TEST(StateFile, AnotherTargetsJournalIsRefused) {
  std::string bytes = EncodeJournalHeader({"vmq-2", kTarget.url});
  bytes += EncodeJournalEntry(SampleEntry(1), Times());
  const DecodedJournal journal = DecodeJournal(bytes, kTarget, Times());
  ASSERT_TRUE(journal.error);
  EXPECT_EQ(journal.error->reason, LoadFailure::kOtherTarget);
  EXPECT_TRUE(journal.entries.empty());
}

}  // namespace
}  // namespace vmq::storage
