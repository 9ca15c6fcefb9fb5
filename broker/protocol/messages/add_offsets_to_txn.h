// AddOffsetsToTxn (key 25), versions 0-1: before a transactional producer commits consumed
// offsets with TxnOffsetCommit (sendOffsetsToTransaction), it tells its transaction
// coordinator which consumer group is involved, so the coordinator adds that group's
// __consumer_offsets partition to the transaction and the offsets become visible only on
// commit. v1 is the same as v0. No version in this range is flexible (v3 is the first).
#pragma once

#include <cstdint>
#include <string>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct AddOffsetsToTxnRequest {
  static constexpr ApiKey kApiKey = ApiKey::kAddOffsetsToTxn;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  std::string transactional_id;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  std::string group_id;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const AddOffsetsToTxnRequest&) const = default;
};

struct AddOffsetsToTxnResponse {
  static constexpr ApiKey kApiKey = ApiKey::kAddOffsetsToTxn;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const AddOffsetsToTxnResponse&) const = default;
};

}  // namespace rill::broker::protocol
