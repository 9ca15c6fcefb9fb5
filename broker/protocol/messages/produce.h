// Produce (key 0), versions 3-7: record batches (message format v2) for partitions. The
// record data is not copied: `records` views alias the request frame, which the caller keeps
// alive while the request is handled. No version in this range is flexible.
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

struct ProduceRequest {
  static constexpr ApiKey kApiKey = ApiKey::kProduce;
  static constexpr int16_t kMinVersion = 3, kMaxVersion = 7;

  struct PartitionProduceData {
    int32_t index = 0;
    // One or more record batches, or null; aliases the decoded input.
    std::optional<std::string_view> records;
    bool operator==(const PartitionProduceData&) const = default;
  };

  struct TopicProduceData {
    std::string name;
    std::vector<PartitionProduceData> partitions;
    bool operator==(const TopicProduceData&) const = default;
  };

  std::optional<std::string> transactional_id;
  int16_t acks = 0;
  int32_t timeout_ms = 0;
  std::vector<TopicProduceData> topics;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const ProduceRequest&) const = default;
};

struct ProduceResponse {
  static constexpr ApiKey kApiKey = ApiKey::kProduce;
  static constexpr int16_t kMinVersion = 3, kMaxVersion = 7;

  struct PartitionProduceResponse {
    int32_t index = 0;
    int16_t error_code = 0;
    int64_t base_offset = 0;
    int64_t log_append_time_ms = -1;  // v2+; -1 unless the topic uses LogAppendTime
    int64_t log_start_offset = -1;    // v5+
    bool operator==(const PartitionProduceResponse&) const = default;
  };

  struct TopicProduceResponse {
    std::string name;
    std::vector<PartitionProduceResponse> partitions;
    bool operator==(const TopicProduceResponse&) const = default;
  };

  std::vector<TopicProduceResponse> responses;
  int32_t throttle_time_ms = 0;  // v1+

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const ProduceResponse&) const = default;
};

}  // namespace rill::broker::protocol
