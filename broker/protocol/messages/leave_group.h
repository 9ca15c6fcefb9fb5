// LeaveGroup (key 13), versions 0-3: members leave a group on clean shutdown so the
// coordinator rebalances at once instead of waiting for the session timeout. v0-2 name one
// member (member_id); v3 replaces it with a batch of identities (members), which is how
// static members are removed by group.instance.id, and answers per member. No version in
// this range is flexible (v4 is the first).
//
// The codec writes only the form the version has: member_id for v0-2, members for v3. The
// handler that serves both forms maps one onto the other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct LeaveGroupRequest {
  static constexpr ApiKey kApiKey = ApiKey::kLeaveGroup;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 3;

  struct MemberIdentity {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    bool operator==(const MemberIdentity&) const = default;
  };

  std::string group_id;
  std::string member_id;                // v0-2 only
  std::vector<MemberIdentity> members;  // v3+

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const LeaveGroupRequest&) const = default;
};

struct LeaveGroupResponse {
  static constexpr ApiKey kApiKey = ApiKey::kLeaveGroup;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 3;

  struct MemberResponse {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    int16_t error_code = 0;
    bool operator==(const MemberResponse&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v1+
  int16_t error_code = 0;
  std::vector<MemberResponse> members;  // v3+

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const LeaveGroupResponse&) const = default;
};

}  // namespace rill::broker::protocol
