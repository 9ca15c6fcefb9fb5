#include "broker/protocol/messages/find_coordinator.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

bool FindCoordinatorRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  key = r.String();
  key_type = version >= 1 ? r.Int8() : kGroup;
  return r.ok();
}

void FindCoordinatorRequest::Encode(Writer& w, int16_t version) const {
  w.String(key);
  if (version >= 1) w.Int8(key_type);
}

bool FindCoordinatorResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = version >= 1 ? r.Int32() : 0;
  error_code = r.Int16();
  error_message = version >= 1 ? r.NullableString() : std::nullopt;
  node_id = r.Int32();
  host = r.String();
  port = r.Int32();
  return r.ok();
}

void FindCoordinatorResponse::Encode(Writer& w, int16_t version) const {
  if (version >= 1) w.Int32(throttle_time_ms);
  w.Int16(error_code);
  if (version >= 1) w.NullableString(error_message);
  w.Int32(node_id);
  w.String(host);
  w.Int32(port);
}

}  // namespace rill::broker::protocol
