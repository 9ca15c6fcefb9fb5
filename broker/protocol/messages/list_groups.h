// ListGroups (key 16), versions 0-4: admin tools list the groups a broker coordinates. v3 is
// the first flexible version (KIP-482: compact strings/arrays, tagged fields); v4 (KIP-518)
// lets the caller filter by state and reports each group's state. The group-type filter
// (v5+) is out of range.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct ListGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kListGroups;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 4;

  // v4+: the states to list ("Stable", "Empty", ...); empty means every group.
  std::vector<std::string> states_filter;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const ListGroupsRequest&) const = default;
};

struct ListGroupsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kListGroups;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 4;

  struct ListedGroup {
    std::string group_id;
    std::string protocol_type;
    std::string group_state;  // v4+
    bool operator==(const ListedGroup&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v1+
  int16_t error_code = 0;
  std::vector<ListedGroup> groups;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const ListGroupsResponse&) const = default;
};

}  // namespace rill::broker::protocol
