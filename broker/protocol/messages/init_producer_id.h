// InitProducerId (key 22), versions 0-4: an idempotent or transactional producer asks for a
// producer id and epoch before it sends anything. With a transactional id the request goes to
// the transaction coordinator, which fences older instances by bumping the epoch and aborts
// their open transaction; without one any broker hands out a fresh id. v2 is the first
// flexible version (KIP-482: compact strings, tagged fields). v3 (KIP-360) adds the producer's
// current id and epoch so a producer can bump its epoch and carry on after
// UNKNOWN_PRODUCER_ID / INVALID_PRODUCER_EPOCH instead of starting over; v4 only allows the
// PRODUCER_FENCED error. The response is the same in every version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct InitProducerIdRequest {
  static constexpr ApiKey kApiKey = ApiKey::kInitProducerId;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 4;

  // Null for a producer that is only idempotent.
  std::optional<std::string> transactional_id;
  int32_t transaction_timeout_ms = 0;
  // v3+. -1/-1 asks for a new id; the current id and epoch ask to bump that epoch.
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const InitProducerIdRequest&) const = default;
};

struct InitProducerIdResponse {
  static constexpr ApiKey kApiKey = ApiKey::kInitProducerId;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 4;

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = 0;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const InitProducerIdResponse&) const = default;
};

}  // namespace rill::broker::protocol
