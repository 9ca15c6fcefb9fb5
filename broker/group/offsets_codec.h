// The record formats Kafka uses in the compacted __consumer_offsets topic (keys: offset
// commit v1, group metadata v2; values: offset commit v3), so offsets written by Rill can
// be read by Kafka's own tools and vice versa.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rill::broker::group {

struct OffsetKey {
  std::string group;
  std::string topic;
  int32_t partition = 0;
};

struct OffsetValue {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp_ms = 0;
};

// A decoded __consumer_offsets key: an offset commit or a group metadata record.
struct OffsetsTopicKey {
  enum class Kind { kOffset, kGroupMetadata, kUnknown } kind = Kind::kUnknown;
  OffsetKey offset;   // kOffset
  std::string group;  // both kinds
};

std::string EncodeOffsetKey(const OffsetKey& key);
std::string EncodeGroupMetadataKey(const std::string& group);
std::string EncodeOffsetValue(const OffsetValue& value);

OffsetsTopicKey DecodeOffsetsTopicKey(std::string_view bytes);
// Reads value versions 0-3; nullopt when malformed.
std::optional<OffsetValue> DecodeOffsetValue(std::string_view bytes);

// Kafka's choice of __consumer_offsets partition: abs(String.hashCode(group)) % partitions.
int32_t OffsetsPartitionFor(const std::string& group, int32_t partitions);

}  // namespace rill::broker::group
