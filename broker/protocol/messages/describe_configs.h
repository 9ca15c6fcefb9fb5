// DescribeConfigs (key 32), versions 0-2: topic and broker configuration, as shown by admin
// tools (kafka-configs, AdminClient.describeConfigs). No version in this range is flexible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct DescribeConfigsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeConfigs;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 2;

  struct DescribeConfigsResource {
    int8_t resource_type = 0;  // 2 topic, 4 broker
    std::string resource_name;
    // Keys to describe, or null for all of them.
    std::optional<std::vector<std::string>> configuration_keys;
    bool operator==(const DescribeConfigsResource&) const = default;
  };

  std::vector<DescribeConfigsResource> resources;
  bool include_synonyms = false;  // v1+ (Kafka's schema spells it "IncludeSynoyms")

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const DescribeConfigsRequest&) const = default;
};

struct DescribeConfigsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeConfigs;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 2;

  struct DescribeConfigsSynonym {  // v1+
    std::string name;
    std::optional<std::string> value;
    int8_t source = 0;
    bool operator==(const DescribeConfigsSynonym&) const = default;
  };

  struct DescribeConfigsResourceResult {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false;
    bool is_default = false;    // v0 only; v1+ expresses it through config_source
    int8_t config_source = -1;  // v1+
    bool is_sensitive = false;
    std::vector<DescribeConfigsSynonym> synonyms;  // v1+
    bool operator==(const DescribeConfigsResourceResult&) const = default;
  };

  struct DescribeConfigsResult {
    int16_t error_code = 0;
    std::optional<std::string> error_message;
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<DescribeConfigsResourceResult> configs;
    bool operator==(const DescribeConfigsResult&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<DescribeConfigsResult> results;

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const DescribeConfigsResponse&) const = default;
};

}  // namespace rill::broker::protocol
