// DeleteRecords (key 21), versions 0-1: admin clients advance a partition's log start offset
// (Kafka Streams purges consumed repartition-topic data this way). No version in this range
// is flexible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct DeleteRecordsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteRecords;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  struct DeleteRecordsPartition {
    int32_t partition_index = 0;
    int64_t offset = 0;  // delete everything before this; -1 means the high watermark
    bool operator==(const DeleteRecordsPartition&) const = default;
  };

  struct DeleteRecordsTopic {
    std::string name;
    std::vector<DeleteRecordsPartition> partitions;
    bool operator==(const DeleteRecordsTopic&) const = default;
  };

  std::vector<DeleteRecordsTopic> topics;
  int32_t timeout_ms = 0;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const DeleteRecordsRequest&) const = default;
};

struct DeleteRecordsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteRecords;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  struct DeleteRecordsPartitionResult {
    int32_t partition_index = 0;
    int64_t low_watermark = 0;
    int16_t error_code = 0;
    bool operator==(const DeleteRecordsPartitionResult&) const = default;
  };

  struct DeleteRecordsTopicResult {
    std::string name;
    std::vector<DeleteRecordsPartitionResult> partitions;
    bool operator==(const DeleteRecordsTopicResult&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<DeleteRecordsTopicResult> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const DeleteRecordsResponse&) const = default;
};

}  // namespace rill::broker::protocol
