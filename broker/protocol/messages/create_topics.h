// CreateTopics (key 19), versions 0-4: admin clients (and rill-topics) create topics with a
// partition count and replication factor, or an explicit replica assignment, plus configs.
// No version in this range is flexible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct CreateTopicsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kCreateTopics;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 4;

  struct CreatableReplicaAssignment {
    int32_t partition_index = 0;
    std::vector<int32_t> broker_ids;
    bool operator==(const CreatableReplicaAssignment&) const = default;
  };

  struct CreatableTopicConfig {
    std::string name;
    std::optional<std::string> value;
    bool operator==(const CreatableTopicConfig&) const = default;
  };

  struct CreatableTopic {
    std::string name;
    int32_t num_partitions = -1;      // -1: use assignments or the broker default (v4+)
    int16_t replication_factor = -1;  // -1: use assignments or the broker default (v4+)
    std::vector<CreatableReplicaAssignment> assignments;
    std::vector<CreatableTopicConfig> configs;
    bool operator==(const CreatableTopic&) const = default;
  };

  std::vector<CreatableTopic> topics;
  int32_t timeout_ms = 60000;
  bool validate_only = false;  // v1+

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const CreateTopicsRequest&) const = default;
};

struct CreateTopicsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kCreateTopics;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 4;

  struct CreatableTopicResult {
    std::string name;
    int16_t error_code = 0;
    std::optional<std::string> error_message;  // v1+
    bool operator==(const CreatableTopicResult&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v2+
  std::vector<CreatableTopicResult> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const CreateTopicsResponse&) const = default;
};

}  // namespace rill::broker::protocol
