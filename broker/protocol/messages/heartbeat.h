// Heartbeat (key 12), versions 1-3: a member tells the coordinator it is alive between
// rebalances; the answer (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, ...) is how a member
// learns it must rejoin. v3 adds static membership (group_instance_id). No version in this
// range is flexible (v4 is the first).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct HeartbeatRequest {
  static constexpr ApiKey kApiKey = ApiKey::kHeartbeat;
  static constexpr int16_t kMinVersion = 1, kMaxVersion = 3;

  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const HeartbeatRequest&) const = default;
};

struct HeartbeatResponse {
  static constexpr ApiKey kApiKey = ApiKey::kHeartbeat;
  static constexpr int16_t kMinVersion = 1, kMaxVersion = 3;

  int32_t throttle_time_ms = 0;  // v1+, so always present in this range
  int16_t error_code = 0;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const HeartbeatResponse&) const = default;
};

}  // namespace rill::broker::protocol
