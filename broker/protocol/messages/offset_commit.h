// OffsetCommit (key 8), versions 2-7: a group member stores its consumed positions. The
// coordinator checks generation_id and member_id against the group (generation -1 with an
// empty member id is a commit from outside any generation, which only an empty group
// accepts). v2-4 carry a per-request retention_time_ms that v5 drops again, v6 adds the
// leader epoch of each offset, v7 static membership. No version in this range is flexible
// (v8 is the first).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct OffsetCommitRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetCommit;
  static constexpr int16_t kMinVersion = 2, kMaxVersion = 7;

  struct OffsetCommitRequestPartition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;  // v6+
    std::optional<std::string> committed_metadata;
    bool operator==(const OffsetCommitRequestPartition&) const = default;
  };

  struct OffsetCommitRequestTopic {
    std::string name;
    std::vector<OffsetCommitRequestPartition> partitions;
    bool operator==(const OffsetCommitRequestTopic&) const = default;
  };

  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v7+
  // v2-4 only; -1 means the broker's offsets.retention.minutes.
  int64_t retention_time_ms = -1;
  std::vector<OffsetCommitRequestTopic> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const OffsetCommitRequest&) const = default;
};

struct OffsetCommitResponse {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetCommit;
  static constexpr int16_t kMinVersion = 2, kMaxVersion = 7;

  struct OffsetCommitResponsePartition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    bool operator==(const OffsetCommitResponsePartition&) const = default;
  };

  struct OffsetCommitResponseTopic {
    std::string name;
    std::vector<OffsetCommitResponsePartition> partitions;
    bool operator==(const OffsetCommitResponseTopic&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v3+
  std::vector<OffsetCommitResponseTopic> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const OffsetCommitResponse&) const = default;
};

}  // namespace rill::broker::protocol
