// DescribeGroups (key 15), versions 0-4: admin tools (kafka-consumer-groups --describe,
// AdminClient.describeConsumerGroups) read a group's state, chosen protocol and members with
// their metadata and assignments. v3 can ask for the group's authorized operations, v4
// reports each member's group_instance_id. No version in this range is flexible (v5 is the
// first).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct DescribeGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeGroups;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 4;

  std::vector<std::string> groups;
  bool include_authorized_operations = false;  // v3+

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const DescribeGroupsRequest&) const = default;
};

struct DescribeGroupsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeGroups;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 4;

  // Kafka's "not requested / unknown" value for authorized_operations.
  static constexpr int32_t kAuthorizedOperationsOmitted = std::numeric_limits<int32_t>::min();

  struct DescribedGroupMember {
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v4+
    std::string client_id;
    std::string client_host;
    // Only filled in while the group is Stable; copied out of the frame.
    std::string member_metadata;
    std::string member_assignment;
    bool operator==(const DescribedGroupMember&) const = default;
  };

  struct DescribedGroup {
    int16_t error_code = 0;
    std::string group_id;
    std::string group_state;    // "Empty", "PreparingRebalance", "Stable", "Dead", ...
    std::string protocol_type;  // "" when unknown
    std::string protocol_data;  // the chosen protocol's name (a string, not bytes)
    std::vector<DescribedGroupMember> members;
    int32_t authorized_operations = kAuthorizedOperationsOmitted;  // v3+; a bit field
    bool operator==(const DescribedGroup&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v1+
  std::vector<DescribedGroup> groups;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const DescribeGroupsResponse&) const = default;
};

}  // namespace rill::broker::protocol
