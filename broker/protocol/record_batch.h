// Kafka record batches (message format v2, "magic 2"): the 61-byte batch header, the
// records inside, validation of what a producer sends, a builder for batches the broker
// writes itself (control markers, __consumer_offsets) and tests, and the in-place patches
// the log applies on append. Layout: Kafka's DefaultRecordBatch / DefaultRecord.
//
//   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 |
//   crc uint32 (CRC-32C of attributes..end) | attributes int16 | lastOffsetDelta int32 |
//   baseTimestamp int64 | maxTimestamp int64 | producerId int64 | producerEpoch int16 |
//   baseSequence int32 | recordsCount int32 | records (compressed as one blob)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/protocol/api_keys.h"
#include "broker/protocol/compression.h"

namespace rill::broker::protocol {

constexpr size_t kRecordBatchHeaderSize = 61;
// Bytes before batchLength starts counting (baseOffset + batchLength).
constexpr size_t kBatchLogOverhead = 12;

// Field positions inside a batch.
namespace batch_layout {
constexpr size_t kBaseOffset = 0;
constexpr size_t kBatchLength = 8;
constexpr size_t kPartitionLeaderEpoch = 12;
constexpr size_t kMagic = 16;
constexpr size_t kCrc = 17;
constexpr size_t kAttributes = 21;  // the CRC covers from here to the end of the batch
constexpr size_t kLastOffsetDelta = 23;
constexpr size_t kBaseTimestamp = 27;
constexpr size_t kMaxTimestamp = 35;
constexpr size_t kProducerId = 43;
constexpr size_t kProducerEpoch = 51;
constexpr size_t kBaseSequence = 53;
constexpr size_t kRecordsCount = 57;
}  // namespace batch_layout

// Attribute bits.
constexpr int16_t kAttrCompressionMask = 0x07;
constexpr int16_t kAttrLogAppendTime = 0x08;
constexpr int16_t kAttrTransactional = 0x10;
constexpr int16_t kAttrControl = 0x20;

struct RecordBatchHeader {
  int64_t base_offset;
  int32_t batch_length;
  int32_t partition_leader_epoch;
  int8_t magic;
  uint32_t crc;
  int16_t attributes;
  int32_t last_offset_delta;
  int64_t base_timestamp;
  int64_t max_timestamp;
  int64_t producer_id;
  int16_t producer_epoch;
  int32_t base_sequence;
  int32_t records_count;

  Compression compression() const {
    return static_cast<Compression>(attributes & kAttrCompressionMask);
  }
  bool is_transactional() const { return (attributes & kAttrTransactional) != 0; }
  bool is_control() const { return (attributes & kAttrControl) != 0; }
  bool log_append_time() const { return (attributes & kAttrLogAppendTime) != 0; }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  // The whole batch on the wire / on disk.
  size_t total_size() const { return kBatchLogOverhead + static_cast<size_t>(batch_length); }
};

// Decodes the header fields from the first 61 bytes of `bytes`; nullopt if shorter. Does
// not check anything (magic, length, CRC): see ValidateBatches.
std::optional<RecordBatchHeader> ParseRecordBatchHeader(std::string_view bytes);

struct Record {
  int64_t offset_delta = 0;
  int64_t timestamp_delta = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  int8_t attributes = 0;  // unused by Kafka so far; kept as read
};

// The outcome of validating the `records` field of one produce partition.
struct BatchValidation {
  ErrorCode error = ErrorCode::kNone;
  std::string message;                     // why, for logs and the error_message field
  std::vector<RecordBatchHeader> batches;  // headers of the batches, in order
  int64_t record_count = 0;                // records in all batches
};

// Checks that `records` is a sequence of one or more whole, intact v2 batches, each at
// most `max_message_bytes`. Errors, as Kafka reports them:
//   kCorruptMessage: empty input, a partial batch or trailing bytes, an insane batch
//     length, a CRC mismatch, a compressed payload that does not decompress;
//   kUnsupportedForMessageFormat: magic 0 or 1 (an old MessageSet);
//   kMessageTooLarge: a batch larger than max_message_bytes;
//   kInvalidRecord: no records, lastOffsetDelta != recordsCount - 1, records that do not
//     parse or do not fill the batch exactly, or whose count or offset deltas disagree
//     with the header.
// Every record's framing is walked (after decompression for compressed batches) but no
// record is copied. Does not judge control/transactional flags or sequence numbers:
// callers decide what a producer may send (Kafka refuses client control batches, and since
// Produce v3 wants exactly one batch per partition).
BatchValidation ValidateBatches(std::string_view records, int32_t max_message_bytes);

// Decodes every record of one batch (`one_batch` starts at its baseOffset field),
// decompressing if needed. Checks framing, not the CRC. InvalidArgument when malformed.
absl::StatusOr<std::vector<Record>> DecodeRecords(std::string_view one_batch);

// Builds one v2 batch. Records get offset deltas 0, 1, 2, ...; base timestamp is the first
// record's and max timestamp the largest. Not thread-safe.
class RecordBatchBuilder {
 public:
  using Header = std::pair<std::string, std::optional<std::string>>;

  RecordBatchBuilder() = default;

  RecordBatchBuilder& set_compression(Compression c) {
    compression_ = c;
    return *this;
  }
  RecordBatchBuilder& set_base_offset(int64_t o) {
    base_offset_ = o;
    return *this;
  }
  RecordBatchBuilder& set_partition_leader_epoch(int32_t e) {
    leader_epoch_ = e;
    return *this;
  }
  // Idempotent/transactional producer identity; the default (-1, -1, -1) means none.
  RecordBatchBuilder& set_producer(int64_t id, int16_t epoch, int32_t base_sequence) {
    producer_id_ = id;
    producer_epoch_ = epoch;
    base_sequence_ = base_sequence;
    return *this;
  }
  RecordBatchBuilder& set_transactional(bool t) {
    transactional_ = t;
    return *this;
  }
  RecordBatchBuilder& set_control(bool c) {
    control_ = c;
    return *this;
  }
  RecordBatchBuilder& set_log_append_time(bool l) {
    log_append_time_ = l;
    return *this;
  }

  RecordBatchBuilder& Add(std::optional<std::string_view> key,
                          std::optional<std::string_view> value, int64_t timestamp,
                          const std::vector<Header>& headers = {});

  size_t count() const { return count_; }
  bool empty() const { return count_ == 0; }

  // The finished batch with batchLength and CRC filled in. If compression fails the batch
  // is written uncompressed (as librdkafka does). An empty builder yields a batch with no
  // records (lastOffsetDelta -1), which ValidateBatches refuses but Kafka's log tolerates.
  std::string Build() const;

 private:
  Compression compression_ = Compression::kNone;
  int64_t base_offset_ = 0;
  int32_t leader_epoch_ = -1;
  int64_t producer_id_ = -1;
  int16_t producer_epoch_ = -1;
  int32_t base_sequence_ = -1;
  bool transactional_ = false;
  bool control_ = false;
  bool log_append_time_ = false;
  size_t count_ = 0;
  int64_t base_timestamp_ = -1;
  int64_t max_timestamp_ = -1;
  std::string records_;  // serialized records, uncompressed
};

// In-place patches the log applies on append. `batch` points at a whole batch.
// Writes the base offset. The CRC does not cover it, so the CRC stays valid.
void SetBaseOffset(char* batch, int64_t base_offset);
// Writes the partition leader epoch (KIP-101), also outside the CRC.
void SetPartitionLeaderEpoch(char* batch, int32_t epoch);
// Marks the batch LogAppendTime and sets its max timestamp to `ts`, then recomputes the
// CRC. Like Kafka's DefaultRecordBatch.setMaxTimestamp, the base timestamp and the records
// are left alone: readers use the max timestamp for every record of such a batch.
void SetLogAppendTime(char* batch, int64_t ts);

}  // namespace rill::broker::protocol
