// Metadata (key 3), versions 0-4: brokers, topics and partition leaders. Clients send it at
// start-up and whenever a leader moves. No version in this range is flexible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct MetadataRequest {
  static constexpr ApiKey kApiKey = ApiKey::kMetadata;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 4;

  struct MetadataRequestTopic {
    std::string name;
    bool operator==(const MetadataRequestTopic&) const = default;
  };

  // Which topics to describe. v0: never null, and an EMPTY array means all topics. v1+: null
  // means all topics and an empty array means none. Encoding null at v0 writes an empty array
  // (the v0 way of saying "all").
  std::optional<std::vector<MetadataRequestTopic>> topics;
  bool allow_auto_topic_creation = true;  // v4+; earlier versions imply true

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const MetadataRequest&) const = default;
};

struct MetadataResponse {
  static constexpr ApiKey kApiKey = ApiKey::kMetadata;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 4;

  struct MetadataResponseBroker {
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;  // v1+
    bool operator==(const MetadataResponseBroker&) const = default;
  };

  struct MetadataResponsePartition {
    int16_t error_code = 0;
    int32_t partition_index = 0;
    int32_t leader_id = 0;
    std::vector<int32_t> replica_nodes;
    std::vector<int32_t> isr_nodes;
    bool operator==(const MetadataResponsePartition&) const = default;
  };

  struct MetadataResponseTopic {
    int16_t error_code = 0;
    std::string name;
    bool is_internal = false;  // v1+
    std::vector<MetadataResponsePartition> partitions;
    bool operator==(const MetadataResponseTopic&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v3+
  std::vector<MetadataResponseBroker> brokers;
  std::optional<std::string> cluster_id;  // v2+
  int32_t controller_id = -1;             // v1+
  std::vector<MetadataResponseTopic> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const MetadataResponse&) const = default;
};

}  // namespace rill::broker::protocol
