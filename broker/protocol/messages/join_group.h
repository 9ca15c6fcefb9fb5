// JoinGroup (key 11), versions 2-5: the first step of a classic-protocol rebalance. Each
// member offers the protocols (assignors) it supports with opaque per-protocol metadata; the
// coordinator picks one, a generation and a leader, and sends the leader every member's
// metadata. v4+ members without an id are told to rejoin with the id the coordinator
// assigns (MEMBER_ID_REQUIRED); v5 adds static membership (group_instance_id). No version in
// this range is flexible (v6 is the first).
//
// Metadata is copied out of the frame (std::string, not a view): the coordinator keeps it
// for the life of the generation, long after the request buffer is gone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct JoinGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kJoinGroup;
  static constexpr int16_t kMinVersion = 2, kMaxVersion = 5;

  struct JoinGroupRequestProtocol {
    std::string name;
    std::string metadata;
    bool operator==(const JoinGroupRequestProtocol&) const = default;
  };

  std::string group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;             // v1+, so always present in this range
  std::string member_id;                         // "" on the first join
  std::optional<std::string> group_instance_id;  // v5+; null unless static membership
  std::string protocol_type;                     // "consumer" for consumers
  std::vector<JoinGroupRequestProtocol> protocols;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const JoinGroupRequest&) const = default;
};

struct JoinGroupResponse {
  static constexpr ApiKey kApiKey = ApiKey::kJoinGroup;
  static constexpr int16_t kMinVersion = 2, kMaxVersion = 5;

  struct JoinGroupResponseMember {
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v5+
    std::string metadata;
    bool operator==(const JoinGroupResponseMember&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v2+, so always present in this range
  int16_t error_code = 0;
  int32_t generation_id = -1;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  // Every member's metadata for the chosen protocol; empty for everyone but the leader.
  std::vector<JoinGroupResponseMember> members;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const JoinGroupResponse&) const = default;
};

}  // namespace rill::broker::protocol
