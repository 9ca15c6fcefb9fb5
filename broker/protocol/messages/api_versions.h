// ApiVersions (key 18), versions 0-3: the first request every client sends, asking which
// API versions the broker implements. v3 is the first flexible version; whatever the version,
// the response goes out with response header v0 (see ResponseHeaderVersion).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker::protocol {

class Reader;
class Writer;

struct ApiVersionsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kApiVersions;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 3;

  std::string client_software_name;     // v3+
  std::string client_software_version;  // v3+

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const ApiVersionsRequest&) const = default;
};

struct ApiVersionsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kApiVersions;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 3;

  struct ApiVersion {
    int16_t api_key = 0;
    int16_t min_version = 0;
    int16_t max_version = 0;
    bool operator==(const ApiVersion&) const = default;
  };

  int16_t error_code = 0;
  std::vector<ApiVersion> api_keys;
  int32_t throttle_time_ms = 0;  // v1+
  // The v3+ tagged fields (supported/finalized features) are skipped on decode and written
  // empty: Rill has no feature flags.

  bool Decode(Reader& r, int16_t version);
  void Encode(Writer& w, int16_t version) const;
  bool operator==(const ApiVersionsResponse&) const = default;
};

}  // namespace rill::broker::protocol
