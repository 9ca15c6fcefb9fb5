// FindCoordinator (key 10), versions 0-2: a client asks which broker coordinates a consumer
// group (key_type 0) or a transactional id (key_type 1, v1+) before it sends any group or
// transaction request. No version in this range is flexible (v3 is the first), and the
// batched CoordinatorKeys form (v4+) is out of range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct FindCoordinatorRequest {
  static constexpr ApiKey kApiKey = ApiKey::kFindCoordinator;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 2;

  // Key types (Kafka's CoordinatorType).
  static constexpr int8_t kGroup = 0;
  static constexpr int8_t kTransaction = 1;

  std::string key;
  int8_t key_type = kGroup;  // v1+; v0 can only look up groups

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const FindCoordinatorRequest&) const = default;
};

struct FindCoordinatorResponse {
  static constexpr ApiKey kApiKey = ApiKey::kFindCoordinator;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 2;

  int32_t throttle_time_ms = 0;  // v1+
  int16_t error_code = 0;
  std::optional<std::string> error_message;  // v1+
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const FindCoordinatorResponse&) const = default;
};

}  // namespace rill::broker::protocol
