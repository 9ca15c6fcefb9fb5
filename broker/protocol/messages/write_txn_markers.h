// WriteTxnMarkers (key 27), versions 0-1: broker-to-broker. When a transaction ends, its
// coordinator asks the leader of every partition the transaction touched to append a COMMIT
// or ABORT control record for the producer; one request carries the markers of several
// transactions. v1 is the first flexible version (KIP-482: compact strings/arrays, tagged
// fields). Clients never send it, and the broker does not advertise it yet; the codec is here
// for replication. The TransactionVersion field (v2+, KIP-890) is out of range.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct WriteTxnMarkersRequest {
  static constexpr ApiKey kApiKey = ApiKey::kWriteTxnMarkers;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  struct WritableTxnMarkerTopic {
    std::string name;
    std::vector<int32_t> partition_indexes;
    bool operator==(const WritableTxnMarkerTopic&) const = default;
  };

  struct WritableTxnMarker {
    int64_t producer_id = 0;
    int16_t producer_epoch = 0;
    bool transaction_result = false;  // true: COMMIT, false: ABORT
    std::vector<WritableTxnMarkerTopic> topics;
    // Epoch of the __transaction_state partition the coordinator owns; the partition leader
    // keeps the highest one seen per producer and rejects older ones
    // (TRANSACTION_COORDINATOR_FENCED). On the wire it follows the topics array.
    int32_t coordinator_epoch = 0;
    bool operator==(const WritableTxnMarker&) const = default;
  };

  std::vector<WritableTxnMarker> markers;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const WriteTxnMarkersRequest&) const = default;
};

struct WriteTxnMarkersResponse {
  static constexpr ApiKey kApiKey = ApiKey::kWriteTxnMarkers;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  struct WritableTxnMarkerPartitionResult {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    bool operator==(const WritableTxnMarkerPartitionResult&) const = default;
  };

  struct WritableTxnMarkerTopicResult {
    std::string name;
    std::vector<WritableTxnMarkerPartitionResult> partitions;
    bool operator==(const WritableTxnMarkerTopicResult&) const = default;
  };

  struct WritableTxnMarkerResult {
    int64_t producer_id = 0;
    std::vector<WritableTxnMarkerTopicResult> topics;
    bool operator==(const WritableTxnMarkerResult&) const = default;
  };

  // No throttle time and no top-level error code in any version: errors are per partition.
  std::vector<WritableTxnMarkerResult> markers;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const WriteTxnMarkersResponse&) const = default;
};

}  // namespace rill::broker::protocol
