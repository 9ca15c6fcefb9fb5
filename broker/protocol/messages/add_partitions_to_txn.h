// AddPartitionsToTxn (key 24), versions 0-1: a transactional producer registers each
// partition with its transaction coordinator before the first write to it inside a
// transaction, so the coordinator knows where to send the commit/abort markers. v1 is the same
// as v0 (throttling moves ahead of the response). No version in this range is flexible (v3 is
// the first); v2 only allows PRODUCER_FENCED, and v4+ is the broker-only batched form
// (KIP-890, several transactions per request), which clients never send.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct AddPartitionsToTxnRequest {
  static constexpr ApiKey kApiKey = ApiKey::kAddPartitionsToTxn;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  struct AddPartitionsToTxnTopic {
    std::string name;
    std::vector<int32_t> partitions;  // partition indexes
    bool operator==(const AddPartitionsToTxnTopic&) const = default;
  };

  std::string transactional_id;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  std::vector<AddPartitionsToTxnTopic> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const AddPartitionsToTxnRequest&) const = default;
};

struct AddPartitionsToTxnResponse {
  static constexpr ApiKey kApiKey = ApiKey::kAddPartitionsToTxn;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  struct AddPartitionsToTxnPartitionResult {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    bool operator==(const AddPartitionsToTxnPartitionResult&) const = default;
  };

  struct AddPartitionsToTxnTopicResult {
    std::string name;
    std::vector<AddPartitionsToTxnPartitionResult> results;
    bool operator==(const AddPartitionsToTxnTopicResult&) const = default;
  };

  int32_t throttle_time_ms = 0;
  // One entry per requested topic. There is no top-level error code in this range: a
  // request-wide failure is repeated in every partition (OPERATION_NOT_ATTEMPTED for the
  // partitions that were fine when only some failed).
  std::vector<AddPartitionsToTxnTopicResult> results;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const AddPartitionsToTxnResponse&) const = default;
};

}  // namespace rill::broker::protocol
