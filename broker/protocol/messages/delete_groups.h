// DeleteGroups (key 42), versions 0-1: admin tools delete empty groups and their committed
// offsets (a group with members gets NON_EMPTY_GROUP). No version in this range is flexible
// (v2 is the first).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct DeleteGroupsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteGroups;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  std::vector<std::string> groups_names;  // sic: Kafka's schema name

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const DeleteGroupsRequest&) const = default;
};

struct DeleteGroupsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteGroups;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  struct DeletableGroupResult {
    std::string group_id;
    int16_t error_code = 0;
    bool operator==(const DeletableGroupResult&) const = default;
  };

  int32_t throttle_time_ms = 0;  // every version, v0 included
  std::vector<DeletableGroupResult> results;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const DeleteGroupsResponse&) const = default;
};

}  // namespace rill::broker::protocol
