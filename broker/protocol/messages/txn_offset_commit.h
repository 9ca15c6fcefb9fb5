// TxnOffsetCommit (key 28), versions 0-3: a transactional producer commits consumed offsets to
// the group coordinator as part of its transaction (after AddOffsetsToTxn). The offsets stay
// pending until the transaction's commit marker reaches __consumer_offsets: meanwhile
// OffsetFetch returns the previous offset, or UNSTABLE_OFFSET_COMMIT when the fetcher asks
// for stable offsets. v2 adds the leader epoch of each offset. v3 (KIP-447) is the
// first flexible version (compact strings/arrays, tagged fields) and adds the consumer's
// generation, member id and group instance id, so the coordinator can fence a zombie
// producer whose consumer has been kicked out of the group.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct TxnOffsetCommitRequest {
  static constexpr ApiKey kApiKey = ApiKey::kTxnOffsetCommit;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 3;

  struct TxnOffsetCommitRequestPartition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;  // v2+
    std::optional<std::string> committed_metadata;
    bool operator==(const TxnOffsetCommitRequestPartition&) const = default;
  };

  struct TxnOffsetCommitRequestTopic {
    std::string name;
    std::vector<TxnOffsetCommitRequestPartition> partitions;
    bool operator==(const TxnOffsetCommitRequestTopic&) const = default;
  };

  // Note the wire order: the transactional id comes before the group id.
  std::string transactional_id;
  std::string group_id;
  int64_t producer_id = 0;
  int16_t producer_epoch = 0;
  // v3+. -1 / "" / null (the defaults, and what older versions imply) skip the member and
  // generation check: the coordinator only checks them when one of them is set.
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<TxnOffsetCommitRequestTopic> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const TxnOffsetCommitRequest&) const = default;
};

struct TxnOffsetCommitResponse {
  static constexpr ApiKey kApiKey = ApiKey::kTxnOffsetCommit;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 3;

  struct TxnOffsetCommitResponsePartition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    bool operator==(const TxnOffsetCommitResponsePartition&) const = default;
  };

  struct TxnOffsetCommitResponseTopic {
    std::string name;
    std::vector<TxnOffsetCommitResponsePartition> partitions;
    bool operator==(const TxnOffsetCommitResponseTopic&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<TxnOffsetCommitResponseTopic> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const TxnOffsetCommitResponse&) const = default;
};

}  // namespace rill::broker::protocol
