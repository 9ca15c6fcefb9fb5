// ListOffsets (key 2), versions 1-2: the offset for a timestamp, or the earliest (-2) /
// latest (-1) offset of a partition. Consumers use it to reset positions. No version in
// this range is flexible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct ListOffsetsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kListOffsets;
  static constexpr int16_t kMinVersion = 1, kMaxVersion = 2;

  struct ListOffsetsPartition {
    int32_t partition_index = 0;
    int64_t timestamp = 0;  // -1 latest, -2 earliest, else a timestamp in ms
    bool operator==(const ListOffsetsPartition&) const = default;
  };

  struct ListOffsetsTopic {
    std::string name;
    std::vector<ListOffsetsPartition> partitions;
    bool operator==(const ListOffsetsTopic&) const = default;
  };

  int32_t replica_id = -1;
  int8_t isolation_level = 0;  // v2+
  std::vector<ListOffsetsTopic> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const ListOffsetsRequest&) const = default;
};

struct ListOffsetsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kListOffsets;
  static constexpr int16_t kMinVersion = 1, kMaxVersion = 2;

  struct ListOffsetsPartitionResponse {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int64_t timestamp = -1;
    int64_t offset = -1;
    bool operator==(const ListOffsetsPartitionResponse&) const = default;
  };

  struct ListOffsetsTopicResponse {
    std::string name;
    std::vector<ListOffsetsPartitionResponse> partitions;
    bool operator==(const ListOffsetsTopicResponse&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v2+
  std::vector<ListOffsetsTopicResponse> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const ListOffsetsResponse&) const = default;
};

}  // namespace rill::broker::protocol
