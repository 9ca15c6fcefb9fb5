// OffsetFetch (key 9), versions 1-7: a member reads the committed positions of its group
// when it is assigned partitions. v2 allows a null topic list (every topic the group has
// offsets for) and adds a group-level error code, v3 throttling, v5 the leader epoch of each
// offset, v7 require_stable (KIP-447: answer UNSTABLE_OFFSET_COMMIT rather than an offset a
// pending transaction may still change). v6 is the first flexible version (KIP-482), so
// v6-7 use compact strings/arrays and carry tagged-field sections. The multi-group form
// (v8+) is out of range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct OffsetFetchRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetFetch;
  static constexpr int16_t kMinVersion = 1, kMaxVersion = 7;

  struct OffsetFetchRequestTopic {
    std::string name;
    std::vector<int32_t> partition_indexes;
    bool operator==(const OffsetFetchRequestTopic&) const = default;
  };

  std::string group_id;
  // Null (v2+) means every topic the group has committed offsets for. v1 has no null: there
  // a null is written as an empty array, which asks for nothing, so a caller that wants all
  // topics must use v2+. A null read at v1 fails the reader, as in Kafka.
  std::optional<std::vector<OffsetFetchRequestTopic>> topics;
  bool require_stable = false;  // v7+

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const OffsetFetchRequest&) const = default;
};

struct OffsetFetchResponse {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetFetch;
  static constexpr int16_t kMinVersion = 1, kMaxVersion = 7;

  struct OffsetFetchResponsePartition {
    int32_t partition_index = 0;
    int64_t committed_offset = -1;        // -1: nothing committed
    int32_t committed_leader_epoch = -1;  // v5+
    std::optional<std::string> metadata;
    int16_t error_code = 0;
    bool operator==(const OffsetFetchResponsePartition&) const = default;
  };

  struct OffsetFetchResponseTopic {
    std::string name;
    std::vector<OffsetFetchResponsePartition> partitions;
    bool operator==(const OffsetFetchResponseTopic&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v3+
  std::vector<OffsetFetchResponseTopic> topics;
  // v2+. v1 clients only see per-partition errors, so a group-level failure has to be
  // repeated in every partition for them.
  int16_t error_code = 0;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const OffsetFetchResponse&) const = default;
};

}  // namespace rill::broker::protocol
