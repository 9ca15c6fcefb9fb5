// CreatePartitions (key 37), versions 0-1: admin clients raise a topic's partition count,
// optionally placing the new partitions' replicas. No version in this range is flexible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct CreatePartitionsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kCreatePartitions;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  struct CreatePartitionsAssignment {
    std::vector<int32_t> broker_ids;
    bool operator==(const CreatePartitionsAssignment&) const = default;
  };

  struct CreatePartitionsTopic {
    std::string name;
    int32_t count = 0;  // the new total partition count
    // One entry per new partition, or null to let the broker place them.
    std::optional<std::vector<CreatePartitionsAssignment>> assignments;
    bool operator==(const CreatePartitionsTopic&) const = default;
  };

  std::vector<CreatePartitionsTopic> topics;
  int32_t timeout_ms = 0;
  bool validate_only = false;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const CreatePartitionsRequest&) const = default;
};

struct CreatePartitionsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kCreatePartitions;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  struct CreatePartitionsTopicResult {
    std::string name;
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    bool operator==(const CreatePartitionsTopicResult&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<CreatePartitionsTopicResult> results;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const CreatePartitionsResponse&) const = default;
};

}  // namespace rill::broker::protocol
