// The windowed key layouts against bytes Kafka Streams writes, and the retention
// arithmetic the window stores share.
#include "state/window_key_schema.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "state/internal/segments.h"

namespace rill::state {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out.push_back(kDigits[static_cast<unsigned char>(c) >> 4]);
    out.push_back(kDigits[static_cast<unsigned char>(c) & 0xf]);
  }
  return out;
}

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// WindowKeySchema.toStoreKeyBinary: ByteBuffer.put(key).putLong(start).putInt(seqnum).
TEST(WindowKeySchemaTest, StoreKeyLayoutIsKeyThenBigEndianStartThenSeqnum) {
  EXPECT_EQ(Hex(EncodeWindowStoreKey("key", 1700000000123, 0)),
            "6b6579"
            "0000018bcfe5687b"
            "00000000");
  EXPECT_EQ(Hex(EncodeWindowStoreKey("", 0x0102030405060708, 0x0a0b0c0d)),
            "0102030405060708"
            "0a0b0c0d");
  EXPECT_EQ(Hex(EncodeWindowStoreKey("k", -1, 0x7fffffff)),
            "6b"
            "ffffffffffffffff"
            "7fffffff");
}

TEST(WindowKeySchemaTest, StoreKeyRoundTrips) {
  const std::string binary_key("\x00\xff\x10", 3);
  for (int64_t start : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1700000000123}, kMin, kMax}) {
    for (int32_t seqnum : {0, 1, 0x7fffffff, -1}) {
      std::string bytes = EncodeWindowStoreKey(binary_key, start, seqnum);
      ASSERT_EQ(bytes.size(), binary_key.size() + kWindowStoreKeySuffixBytes);
      absl::StatusOr<WindowStoreKey> decoded = DecodeWindowStoreKey(bytes);
      ASSERT_TRUE(decoded.ok()) << decoded.status();
      EXPECT_EQ(decoded->key, binary_key);
      EXPECT_EQ(decoded->window_start_ms, start);
      EXPECT_EQ(decoded->seqnum, seqnum);
    }
  }
  // An empty key is a valid key: the bytes are the suffix alone.
  const std::string empty_bytes = EncodeWindowStoreKey("", 5, 6);  // decoded views into it
  absl::StatusOr<WindowStoreKey> empty = DecodeWindowStoreKey(empty_bytes);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->key, "");
  EXPECT_EQ(empty->window_start_ms, 5);
  EXPECT_EQ(empty->seqnum, 6);
}

TEST(WindowKeySchemaTest, ShortStoreKeysAreErrors) {
  for (size_t size = 0; size < kWindowStoreKeySuffixBytes; ++size) {
    absl::StatusOr<WindowStoreKey> decoded = DecodeWindowStoreKey(std::string(size, 'x'));
    ASSERT_FALSE(decoded.ok()) << size;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(decoded.status().message().find("12"), std::string_view::npos) << decoded.status();
  }
}

// TimeWindowedSerializer -> WindowKeySchema.toBinary: ByteBuffer.put(key).putLong(start).
TEST(WindowKeySchemaTest, TimeWindowedLayoutIsKeyThenBigEndianStart) {
  EXPECT_EQ(Hex(EncodeTimeWindowedKey("key", 1700000000123)),
            "6b6579"
            "0000018bcfe5687b");
  const std::string bytes = EncodeTimeWindowedKey("user-42", -60000);  // decoded views into it
  absl::StatusOr<TimeWindowedKey> decoded = DecodeTimeWindowedKey(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->key, "user-42");
  EXPECT_EQ(decoded->window_start_ms, -60000);
  // Exactly 8 bytes: an empty key.
  const std::string zeros(8, '\0');
  decoded = DecodeTimeWindowedKey(zeros);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->key, "");
  EXPECT_EQ(decoded->window_start_ms, 0);
}

TEST(WindowKeySchemaTest, ShortTimeWindowedKeysAreErrors) {
  for (size_t size = 0; size < kWindowTimestampBytes; ++size) {
    absl::StatusOr<TimeWindowedKey> decoded = DecodeTimeWindowedKey(std::string(size, 'x'));
    ASSERT_FALSE(decoded.ok()) << size;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

// Sorted by CompareWindowStoreKeys: key bytewise (unsigned), then start (signed), then
// seqnum — not the layout's plain bytewise order.
TEST(WindowKeySchemaTest, CompareOrdersByKeyThenStartThenSeqnum) {
  const std::vector<std::string> ordered = {
      EncodeWindowStoreKey("", 7, 0),           EncodeWindowStoreKey("a", kMin, 0),
      EncodeWindowStoreKey("a", -1, 0),  // bytewise, 0xff... would sort after "ab"
      EncodeWindowStoreKey("a", 0, 0),          EncodeWindowStoreKey("a", 0, 1),
      EncodeWindowStoreKey("a", 0, 0x7fffffff), EncodeWindowStoreKey("a", kMax, 0),
      EncodeWindowStoreKey("ab", 0, 0),         EncodeWindowStoreKey("b", 0, 0),
      EncodeWindowStoreKey("\x80", 0, 0),  // unsigned bytes: 0x80 after 'b'
  };
  for (size_t i = 0; i < ordered.size(); ++i) {
    for (size_t j = 0; j < ordered.size(); ++j) {
      const int c = CompareWindowStoreKeys(ordered[i], ordered[j]);
      const int want = i < j ? -1 : (i == j ? 0 : 1);
      EXPECT_EQ((c > 0) - (c < 0), want) << i << " vs " << j;
    }
  }
  // The plain byte order disagrees, which is why the stores need this comparison.
  EXPECT_GT(ordered[2], ordered[7]);
}

TEST(WindowKeySchemaTest, UpperBoundIsTheFirstKeyAfterEveryDuplicate) {
  const std::string bound = WindowStoreKeyUpperBound("a", 10);
  EXPECT_LT(CompareWindowStoreKeys(EncodeWindowStoreKey("a", 10, 0x7fffffff), bound), 0);
  EXPECT_LT(CompareWindowStoreKeys(EncodeWindowStoreKey("a", 10, -1), bound), 0);
  EXPECT_EQ(CompareWindowStoreKeys(EncodeWindowStoreKey("a", 11, 0), bound), 0);

  const std::string last = WindowStoreKeyUpperBound("a", kMax);
  EXPECT_LT(CompareWindowStoreKeys(EncodeWindowStoreKey("a", kMax, -1), last), 0);
  EXPECT_GT(CompareWindowStoreKeys(EncodeWindowStoreKey(std::string("a\0", 2), kMin, 1), last), 0);
  EXPECT_GT(CompareWindowStoreKeys(EncodeWindowStoreKey("ab", kMin, 0), last), 0);
}

TEST(WindowSegmentsTest, DefaultIntervalIsHalfTheRetentionAtLeastAMinute) {
  EXPECT_EQ(internal::DefaultSegmentInterval(1000), 60'000);
  EXPECT_EQ(internal::DefaultSegmentInterval(119'999), 60'000);
  EXPECT_EQ(internal::DefaultSegmentInterval(24 * 3600 * 1000), 12 * 3600 * 1000);
  EXPECT_EQ(*internal::ResolveSegmentInterval("s", 600'000, 0), 300'000);
  EXPECT_EQ(*internal::ResolveSegmentInterval("s", 600'000, 7), 7);
  EXPECT_EQ(internal::ResolveSegmentInterval("s", 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(internal::ResolveSegmentInterval("s", 10, -1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(WindowSegmentsTest, SegmentIdsFloorSoNegativeStartsDoNotShareSegmentZero) {
  internal::Segments segments(/*retention_ms=*/1000, /*segment_interval_ms=*/100);
  EXPECT_EQ(segments.SegmentId(0), 0);
  EXPECT_EQ(segments.SegmentId(99), 0);
  EXPECT_EQ(segments.SegmentId(100), 1);
  EXPECT_EQ(segments.SegmentId(-1), -1);
  EXPECT_EQ(segments.SegmentId(-100), -1);
  EXPECT_EQ(segments.SegmentId(-101), -2);
  EXPECT_EQ(segments.SegmentId(kMin), kMin / 100 - 1);
}

TEST(WindowSegmentsTest, ExpiryFollowsTheLargestObservedStart) {
  internal::Segments segments(/*retention_ms=*/1000, /*segment_interval_ms=*/100);
  EXPECT_EQ(segments.observed_stream_time(), std::nullopt);
  EXPECT_FALSE(segments.IsExpired(kMin));
  segments.Observe(5000);
  segments.Observe(10);  // never goes back
  EXPECT_EQ(segments.observed_stream_time(), 5000);
  // Expired: start <= stream time - retention, as Kafka Streams.
  EXPECT_TRUE(segments.IsExpired(4000));
  EXPECT_FALSE(segments.IsExpired(4001));
  EXPECT_EQ(segments.MinLiveTime(), 4001);
  // Segment 40 ([4000, 4100)) still holds the live 4001..4099.
  EXPECT_EQ(segments.MinLiveSegment(), 40);
  segments.Observe(5099);
  EXPECT_EQ(segments.MinLiveSegment(), 41);  // 4000..4099 all expired now

  // Near the int64 limits nothing wraps around.
  internal::Segments extreme(/*retention_ms=*/kMax, /*segment_interval_ms=*/1);
  extreme.Observe(kMin + 5);
  EXPECT_EQ(extreme.MinLiveTime(), kMin);
  EXPECT_FALSE(extreme.IsExpired(kMin));
}

}  // namespace
}  // namespace rill::state
