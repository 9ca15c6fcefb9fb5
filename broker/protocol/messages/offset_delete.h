// OffsetDelete (key 47), version 0 (KIP-496): admin tools delete a group's committed offsets
// for some partitions. Refused per partition with GROUP_SUBSCRIBED_TO_TOPIC while the group
// is actively consuming the topic. Version 0 is not flexible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct OffsetDeleteRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetDelete;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 0;

  struct OffsetDeleteRequestPartition {
    int32_t partition_index = 0;
    bool operator==(const OffsetDeleteRequestPartition&) const = default;
  };

  struct OffsetDeleteRequestTopic {
    std::string name;
    std::vector<OffsetDeleteRequestPartition> partitions;
    bool operator==(const OffsetDeleteRequestTopic&) const = default;
  };

  std::string group_id;
  std::vector<OffsetDeleteRequestTopic> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const OffsetDeleteRequest&) const = default;
};

struct OffsetDeleteResponse {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetDelete;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 0;

  struct OffsetDeleteResponsePartition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    bool operator==(const OffsetDeleteResponsePartition&) const = default;
  };

  struct OffsetDeleteResponseTopic {
    std::string name;
    std::vector<OffsetDeleteResponsePartition> partitions;
    bool operator==(const OffsetDeleteResponseTopic&) const = default;
  };

  // Group-level error; comes BEFORE throttle_time_ms in this API, unlike most others.
  int16_t error_code = 0;
  int32_t throttle_time_ms = 0;
  std::vector<OffsetDeleteResponseTopic> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const OffsetDeleteResponse&) const = default;
};

}  // namespace rill::broker::protocol
