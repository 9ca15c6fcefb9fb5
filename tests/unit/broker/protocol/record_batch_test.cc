#include "broker/protocol/record_batch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "broker/protocol/crc32c.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {
namespace {

namespace L = batch_layout;

// Recomputes the CRC after a test edits a batch, so the edit reaches the later checks.
void FixCrc(std::string* batch) {
  StoreBigEndian32(batch->data() + L::kCrc,
                   Crc32c(std::string_view(*batch).substr(L::kAttributes)));
}

void SetInt32(std::string* batch, size_t at, int32_t v) {
  StoreBigEndian32(batch->data() + at, static_cast<uint32_t>(v));
}

std::string ThreeRecordBatch(Compression c = Compression::kNone) {
  RecordBatchBuilder b;
  b.set_compression(c);
  b.Add("k0", "v0", 1000);
  b.Add(std::nullopt, "v1", 1005, {{"h", "x"}, {"n", std::nullopt}});
  b.Add("k2", std::nullopt, 990);
  return b.Build();
}

class BuilderRoundTrip : public ::testing::TestWithParam<Compression> {};

TEST_P(BuilderRoundTrip, ValidatesAndDecodes) {
  RecordBatchBuilder b;
  b.set_compression(GetParam()).set_base_offset(0).set_producer(77, 3, 10);
  std::string big(5000, 'z');
  b.Add("key", "value", 1000, {{"h1", "a"}, {"h2", std::nullopt}, {"", ""}});
  b.Add(std::nullopt, std::nullopt, 1003);
  b.Add("", big, 999);
  for (int i = 0; i < 50; ++i) b.Add("k" + std::to_string(i), "v", 1010 + i);
  std::string batch = b.Build();

  BatchValidation v = ValidateBatches(batch, 1 << 20);
  ASSERT_EQ(v.error, ErrorCode::kNone) << v.message;
  ASSERT_EQ(v.batches.size(), 1u);
  EXPECT_EQ(v.record_count, 53);
  const RecordBatchHeader& h = v.batches[0];
  EXPECT_EQ(h.magic, 2);
  EXPECT_EQ(h.compression(), GetParam());
  EXPECT_EQ(h.records_count, 53);
  EXPECT_EQ(h.last_offset_delta, 52);
  EXPECT_EQ(h.base_timestamp, 1000);
  EXPECT_EQ(h.max_timestamp, 1059);
  EXPECT_EQ(h.producer_id, 77);
  EXPECT_EQ(h.producer_epoch, 3);
  EXPECT_EQ(h.base_sequence, 10);
  EXPECT_FALSE(h.is_transactional());
  EXPECT_FALSE(h.is_control());
  EXPECT_FALSE(h.log_append_time());
  EXPECT_EQ(h.total_size(), batch.size());

  absl::StatusOr<std::vector<Record>> records = DecodeRecords(batch);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 53u);
  const Record& r0 = (*records)[0];
  EXPECT_EQ(r0.offset_delta, 0);
  EXPECT_EQ(r0.timestamp_delta, 0);
  EXPECT_EQ(r0.key, "key");
  EXPECT_EQ(r0.value, "value");
  ASSERT_EQ(r0.headers.size(), 3u);
  EXPECT_EQ(r0.headers[0].first, "h1");
  EXPECT_EQ(r0.headers[0].second, "a");
  EXPECT_EQ(r0.headers[1].first, "h2");
  EXPECT_EQ(r0.headers[1].second, std::nullopt);
  EXPECT_EQ(r0.headers[2].first, "");
  EXPECT_EQ(r0.headers[2].second, "");
  const Record& r1 = (*records)[1];
  EXPECT_EQ(r1.offset_delta, 1);
  EXPECT_EQ(r1.timestamp_delta, 3);
  EXPECT_EQ(r1.key, std::nullopt);
  EXPECT_EQ(r1.value, std::nullopt);
  EXPECT_TRUE(r1.headers.empty());
  const Record& r2 = (*records)[2];
  EXPECT_EQ(r2.timestamp_delta, -1);
  EXPECT_EQ(r2.key, "");
  EXPECT_EQ(r2.value, big);
  EXPECT_EQ((*records)[52].key, "k49");
  EXPECT_EQ((*records)[52].offset_delta, 52);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, BuilderRoundTrip,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kSnappy, Compression::kLz4,
                                           Compression::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

TEST(RecordBatchTest, BuilderFlags) {
  RecordBatchBuilder b;
  b.set_transactional(true).set_control(true).set_base_offset(500).set_partition_leader_epoch(4);
  b.Add(std::string("\0\0\0\1", 4), std::string("\0\0\0\0\0\0", 6), 42);
  std::string batch = b.Build();
  std::optional<RecordBatchHeader> h = ParseRecordBatchHeader(batch);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->base_offset, 500);
  EXPECT_EQ(h->last_offset(), 500);
  EXPECT_EQ(h->partition_leader_epoch, 4);
  EXPECT_TRUE(h->is_transactional());
  EXPECT_TRUE(h->is_control());
  EXPECT_EQ(h->producer_id, -1);
  EXPECT_EQ(h->base_sequence, -1);
  EXPECT_EQ(ValidateBatches(batch, 1 << 20).error, ErrorCode::kNone);
}

TEST(RecordBatchTest, EmptyBuilderMakesEmptyBatch) {
  RecordBatchBuilder b;
  std::string batch = b.Build();
  EXPECT_EQ(batch.size(), kRecordBatchHeaderSize);
  std::optional<RecordBatchHeader> h = ParseRecordBatchHeader(batch);
  EXPECT_EQ(h->records_count, 0);
  EXPECT_EQ(h->last_offset_delta, -1);
  EXPECT_EQ(ValidateBatches(batch, 1 << 20).error, ErrorCode::kInvalidRecord);
  absl::StatusOr<std::vector<Record>> records = DecodeRecords(batch);
  ASSERT_TRUE(records.ok());
  EXPECT_TRUE(records->empty());
}

TEST(RecordBatchTest, ParseHeaderNeedsWholeHeader) {
  std::string batch = ThreeRecordBatch();
  EXPECT_FALSE(ParseRecordBatchHeader(std::string_view(batch).substr(0, 60)).has_value());
  EXPECT_TRUE(ParseRecordBatchHeader(std::string_view(batch).substr(0, 61)).has_value());
}

TEST(RecordBatchTest, SeveralBatches) {
  std::string all = ThreeRecordBatch() + ThreeRecordBatch(Compression::kZstd) +
                    ThreeRecordBatch(Compression::kLz4);
  BatchValidation v = ValidateBatches(all, 1 << 20);
  ASSERT_EQ(v.error, ErrorCode::kNone) << v.message;
  EXPECT_EQ(v.batches.size(), 3u);
  EXPECT_EQ(v.record_count, 9);
}

TEST(RecordBatchValidationTest, Empty) {
  EXPECT_EQ(ValidateBatches("", 1 << 20).error, ErrorCode::kCorruptMessage);
}

TEST(RecordBatchValidationTest, FlippedByteIsCrcError) {
  std::string good = ThreeRecordBatch();
  // Anywhere the CRC covers: attributes, timestamps, the records.
  for (size_t at :
       {L::kAttributes + 1, L::kMaxTimestamp + 7, kRecordBatchHeaderSize + 3, good.size() - 1}) {
    std::string bad = good;
    bad[at] ^= 0x01;
    BatchValidation v = ValidateBatches(bad, 1 << 20);
    EXPECT_EQ(v.error, ErrorCode::kCorruptMessage) << "byte " << at;
    EXPECT_NE(v.message.find("CRC"), std::string::npos) << v.message;
  }
  std::string bad = good;
  bad[L::kCrc] ^= 0x80;
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kCorruptMessage);
  // The base offset and partition leader epoch are outside the CRC (the broker rewrites
  // them), so changing them is fine.
  bad = good;
  bad[L::kBaseOffset + 7] = 9;
  bad[L::kPartitionLeaderEpoch] = 1;
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kNone);
}

TEST(RecordBatchValidationTest, OldMagicIsUnsupported) {
  // A v1 MessageSet entry: offset, size, crc, magic 1, attributes, timestamp, key, value.
  std::string v1;
  Writer w(&v1);
  w.Int64(0);
  w.Int32(4 + 1 + 1 + 8 + 4 + 4 + 5);
  w.Uint32(0xdeadbeef);
  w.Int8(1);
  w.Int8(0);
  w.Int64(1000);
  w.Int32(-1);
  w.Int32(5);
  w.Raw("hello");
  BatchValidation v = ValidateBatches(v1, 1 << 20);
  EXPECT_EQ(v.error, ErrorCode::kUnsupportedForMessageFormat) << v.message;
  v1[16] = 0;  // magic 0
  EXPECT_EQ(ValidateBatches(v1, 1 << 20).error, ErrorCode::kUnsupportedForMessageFormat);
  // An old message after a good v2 batch is reported too.
  v1[16] = 1;
  EXPECT_EQ(ValidateBatches(ThreeRecordBatch() + v1, 1 << 20).error,
            ErrorCode::kUnsupportedForMessageFormat);
  std::string bad = ThreeRecordBatch();
  bad[L::kMagic] = 3;
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kCorruptMessage);
}

TEST(RecordBatchValidationTest, TruncatedOrTrailingBytes) {
  std::string good = ThreeRecordBatch();
  for (size_t keep : {size_t{1}, size_t{12}, size_t{40}, size_t{60}, size_t{61}, good.size() - 1}) {
    EXPECT_EQ(ValidateBatches(std::string_view(good).substr(0, keep), 1 << 20).error,
              ErrorCode::kCorruptMessage)
        << "kept " << keep;
  }
  EXPECT_EQ(ValidateBatches(good + "xyz", 1 << 20).error, ErrorCode::kCorruptMessage);
  EXPECT_EQ(ValidateBatches(good + good.substr(0, 70), 1 << 20).error, ErrorCode::kCorruptMessage);
  std::string bad = good;
  SetInt32(&bad, L::kBatchLength, 10);  // shorter than a header
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kCorruptMessage);
  SetInt32(&bad, L::kBatchLength, -5);
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kCorruptMessage);
}

TEST(RecordBatchValidationTest, TooLarge) {
  std::string good = ThreeRecordBatch();
  EXPECT_EQ(ValidateBatches(good, static_cast<int32_t>(good.size())).error, ErrorCode::kNone);
  BatchValidation v = ValidateBatches(good, static_cast<int32_t>(good.size() - 1));
  EXPECT_EQ(v.error, ErrorCode::kMessageTooLarge);
}

TEST(RecordBatchValidationTest, WrongCounts) {
  std::string good = ThreeRecordBatch();
  std::string bad = good;
  SetInt32(&bad, L::kRecordsCount, 4);
  SetInt32(&bad, L::kLastOffsetDelta, 3);
  FixCrc(&bad);
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kInvalidRecord);
  SetInt32(&bad, L::kRecordsCount, 2);
  SetInt32(&bad, L::kLastOffsetDelta, 1);
  FixCrc(&bad);
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kInvalidRecord);
  bad = good;
  SetInt32(&bad, L::kLastOffsetDelta, 5);  // count stays 3
  FixCrc(&bad);
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kInvalidRecord);
  bad = good;
  SetInt32(&bad, L::kRecordsCount, 0);
  SetInt32(&bad, L::kLastOffsetDelta, -1);
  FixCrc(&bad);
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kInvalidRecord);
  // The same count lie inside a compressed batch is caught after decompression.
  bad = ThreeRecordBatch(Compression::kGzip);
  SetInt32(&bad, L::kRecordsCount, 4);
  SetInt32(&bad, L::kLastOffsetDelta, 3);
  FixCrc(&bad);
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kInvalidRecord);
}

TEST(RecordBatchValidationTest, BrokenRecordFraming) {
  std::string good = ThreeRecordBatch();
  // The first record's length varint (zig-zag): make it claim more than the batch holds.
  std::string bad = good;
  bad[kRecordBatchHeaderSize] = 0x7e;
  FixCrc(&bad);
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kInvalidRecord);
  // One byte shorter than the fields need.
  bad = good;
  bad[kRecordBatchHeaderSize] = static_cast<char>(bad[kRecordBatchHeaderSize] - 2);
  FixCrc(&bad);
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kInvalidRecord);
  // Offset delta of the first record not 0 (byte after length, attributes, ts delta 0).
  bad = good;
  bad[kRecordBatchHeaderSize + 3] = 2;  // zig-zag 1
  FixCrc(&bad);
  BatchValidation v = ValidateBatches(bad, 1 << 20);
  EXPECT_EQ(v.error, ErrorCode::kInvalidRecord);
  EXPECT_NE(v.message.find("offset delta"), std::string::npos) << v.message;
  EXPECT_FALSE(DecodeRecords(bad).ok());
}

TEST(RecordBatchValidationTest, UndecompressablePayload) {
  std::string bad = ThreeRecordBatch(Compression::kZstd);
  bad[kRecordBatchHeaderSize + 1] ^= 0x55;  // inside the zstd magic
  FixCrc(&bad);
  BatchValidation v = ValidateBatches(bad, 1 << 20);
  EXPECT_EQ(v.error, ErrorCode::kCorruptMessage) << v.message;
  bad = ThreeRecordBatch();
  bad[L::kAttributes + 1] = 0x06;  // codec 6 does not exist
  FixCrc(&bad);
  EXPECT_EQ(ValidateBatches(bad, 1 << 20).error, ErrorCode::kCorruptMessage);
}

TEST(RecordBatchPatchTest, SetBaseOffsetKeepsCrc) {
  std::string batch = ThreeRecordBatch();
  SetBaseOffset(batch.data(), 123456789012);
  EXPECT_EQ(ParseRecordBatchHeader(batch)->base_offset, 123456789012);
  EXPECT_EQ(ParseRecordBatchHeader(batch)->last_offset(), 123456789014);
  EXPECT_EQ(ValidateBatches(batch, 1 << 20).error, ErrorCode::kNone);
}

TEST(RecordBatchPatchTest, SetPartitionLeaderEpochKeepsCrc) {
  std::string batch = ThreeRecordBatch();
  SetPartitionLeaderEpoch(batch.data(), 17);
  EXPECT_EQ(ParseRecordBatchHeader(batch)->partition_leader_epoch, 17);
  EXPECT_EQ(ValidateBatches(batch, 1 << 20).error, ErrorCode::kNone);
}

TEST(RecordBatchPatchTest, SetLogAppendTime) {
  for (Compression c : {Compression::kNone, Compression::kSnappy}) {
    std::string batch = ThreeRecordBatch(c);
    SetLogAppendTime(batch.data(), 5555);
    std::optional<RecordBatchHeader> h = ParseRecordBatchHeader(batch);
    EXPECT_TRUE(h->log_append_time());
    EXPECT_EQ(h->compression(), c);
    EXPECT_EQ(h->max_timestamp, 5555);
    EXPECT_EQ(h->base_timestamp, 1000);  // Kafka leaves the base timestamp alone
    EXPECT_EQ(ValidateBatches(batch, 1 << 20).error, ErrorCode::kNone);
    std::string again = batch;
    SetLogAppendTime(again.data(), 5555);
    EXPECT_EQ(again, batch);
  }
}

}  // namespace
}  // namespace rill::broker::protocol
