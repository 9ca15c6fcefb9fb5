// Fetch (key 1), versions 4-11: consumers and followers read record batches. v7+ adds fetch
// sessions (KIP-227), v11 rack-aware replica selection. The response's record data is not
// copied: `records` views point into buffers the server keeps alive until the response has
// been written. No version in this range is flexible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct FetchRequest {
  static constexpr ApiKey kApiKey = ApiKey::kFetch;
  static constexpr int16_t kMinVersion = 4, kMaxVersion = 11;

  struct FetchPartition {
    int32_t partition = 0;
    int32_t current_leader_epoch = -1;  // v9+
    int64_t fetch_offset = 0;
    int64_t log_start_offset = -1;  // v5+; only followers set it
    int32_t partition_max_bytes = 0;
    bool operator==(const FetchPartition&) const = default;
  };

  struct FetchTopic {
    std::string topic;
    std::vector<FetchPartition> partitions;
    bool operator==(const FetchTopic&) const = default;
  };

  struct ForgottenTopic {  // v7+
    std::string topic;
    std::vector<int32_t> partitions;
    bool operator==(const ForgottenTopic&) const = default;
  };

  int32_t replica_id = -1;  // -1 for consumers
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = 0x7fffffff;  // v3+
  int8_t isolation_level = 0;      // v4+; 0 read_uncommitted, 1 read_committed
  int32_t session_id = 0;          // v7+
  int32_t session_epoch = -1;      // v7+
  std::vector<FetchTopic> topics;
  std::vector<ForgottenTopic> forgotten_topics_data;  // v7+
  std::string rack_id;                                // v11+

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const FetchRequest&) const = default;
};

struct FetchResponse {
  static constexpr ApiKey kApiKey = ApiKey::kFetch;
  static constexpr int16_t kMinVersion = 4, kMaxVersion = 11;

  struct AbortedTransaction {
    int64_t producer_id = 0;
    int64_t first_offset = 0;
    bool operator==(const AbortedTransaction&) const = default;
  };

  struct PartitionData {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int64_t high_watermark = 0;
    int64_t last_stable_offset = -1;  // v4+
    int64_t log_start_offset = -1;    // v5+
    // v4+; null unless the fetch was read_committed.
    std::optional<std::vector<AbortedTransaction>> aborted_transactions;
    int32_t preferred_read_replica = -1;  // v11+
    // Record batches, or null; not owned.
    std::optional<std::string_view> records;
    bool operator==(const PartitionData&) const = default;
  };

  struct FetchableTopicResponse {
    std::string topic;
    std::vector<PartitionData> partitions;
    bool operator==(const FetchableTopicResponse&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v1+
  int16_t error_code = 0;        // v7+
  int32_t session_id = 0;        // v7+
  std::vector<FetchableTopicResponse> responses;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const FetchResponse&) const = default;
};

}  // namespace rill::broker::protocol
