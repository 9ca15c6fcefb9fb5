#include "broker/protocol/messages/api_versions.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

namespace {
constexpr int16_t kFirstFlexible = 3;
}  // namespace

bool ApiVersionsRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  if (version >= 3) {
    client_software_name = r.CompactString();
    client_software_version = r.CompactString();
    r.SkipTaggedFields();
  } else {
    client_software_name.clear();
    client_software_version.clear();
  }
  return r.ok();
}

void ApiVersionsRequest::Encode(Writer& w, int16_t version) const {
  if (version >= 3) {
    w.CompactString(client_software_name);
    w.CompactString(client_software_version);
    w.EmptyTaggedFields();
  }
}

bool ApiVersionsResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  const bool flexible = version >= kFirstFlexible;
  error_code = r.Int16();
  internal::ReadArray(r, flexible, flexible ? 7 : 6, &api_keys, [&](ApiVersion& e) {
    e.api_key = r.Int16();
    e.min_version = r.Int16();
    e.max_version = r.Int16();
    if (flexible) r.SkipTaggedFields();
  });
  throttle_time_ms = version >= 1 ? r.Int32() : 0;
  if (flexible) r.SkipTaggedFields();
  return r.ok();
}

void ApiVersionsResponse::Encode(Writer& w, int16_t version) const {
  const bool flexible = version >= kFirstFlexible;
  w.Int16(error_code);
  internal::WriteArray(w, flexible, api_keys, [&](const ApiVersion& e) {
    w.Int16(e.api_key);
    w.Int16(e.min_version);
    w.Int16(e.max_version);
    if (flexible) w.EmptyTaggedFields();
  });
  if (version >= 1) w.Int32(throttle_time_ms);
  if (flexible) w.EmptyTaggedFields();
}

}  // namespace rill::broker::protocol
