// EndTxn (key 26), versions 0-1: a transactional producer asks its transaction coordinator to
// commit or abort the open transaction; the coordinator then writes the markers
// (WriteTxnMarkers) to every partition the transaction touched. v1 is the same as v0. No
// version in this range is flexible (v3 is the first).
#pragma once

#include <cstdint>
#include <string>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct EndTxnRequest {
  static constexpr ApiKey kApiKey = ApiKey::kEndTxn;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  std::string transactional_id;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  bool committed = false;  // true: commit, false: abort

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const EndTxnRequest&) const = default;
};

struct EndTxnResponse {
  static constexpr ApiKey kApiKey = ApiKey::kEndTxn;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const EndTxnResponse&) const = default;
};

}  // namespace rill::broker::protocol
