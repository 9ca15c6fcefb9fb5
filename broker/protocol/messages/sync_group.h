// SyncGroup (key 14), versions 1-3: the second step of a classic-protocol rebalance. The
// leader sends the assignment it computed for every member; every member (the leader too)
// gets its own assignment back. v3 adds static membership (group_instance_id). No version in
// this range is flexible (v4 is the first); the ProtocolType/ProtocolName check (v5+) is out
// of range.
//
// Assignments are copied out of the frame: the coordinator holds them until every member of
// the generation has synced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct SyncGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kSyncGroup;
  static constexpr int16_t kMinVersion = 1, kMaxVersion = 3;

  struct SyncGroupRequestAssignment {
    std::string member_id;
    std::string assignment;
    bool operator==(const SyncGroupRequestAssignment&) const = default;
  };

  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+
  // Filled in by the leader only; followers send an empty array.
  std::vector<SyncGroupRequestAssignment> assignments;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const SyncGroupRequest&) const = default;
};

struct SyncGroupResponse {
  static constexpr ApiKey kApiKey = ApiKey::kSyncGroup;
  static constexpr int16_t kMinVersion = 1, kMaxVersion = 3;

  int32_t throttle_time_ms = 0;  // v1+, so always present in this range
  int16_t error_code = 0;
  std::string assignment;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const SyncGroupResponse&) const = default;
};

}  // namespace rill::broker::protocol
