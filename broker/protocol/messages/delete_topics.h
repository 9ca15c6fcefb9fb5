// DeleteTopics (key 20), versions 0-1: admin clients delete topics by name. No version in
// this range is flexible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct DeleteTopicsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteTopics;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  std::vector<std::string> topic_names;
  int32_t timeout_ms = 0;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const DeleteTopicsRequest&) const = default;
};

struct DeleteTopicsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteTopics;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 1;

  struct DeletableTopicResult {
    std::string name;
    int16_t error_code = 0;
    bool operator==(const DeletableTopicResult&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v1+
  std::vector<DeletableTopicResult> responses;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const DeleteTopicsResponse&) const = default;
};

}  // namespace rill::broker::protocol
