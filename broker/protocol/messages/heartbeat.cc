#include "broker/protocol/messages/heartbeat.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

bool HeartbeatRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  group_id = r.String();
  generation_id = r.Int32();
  member_id = r.String();
  group_instance_id = version >= 3 ? r.NullableString() : std::nullopt;
  return r.ok();
}

void HeartbeatRequest::Encode(Writer& w, int16_t version) const {
  w.String(group_id);
  w.Int32(generation_id);
  w.String(member_id);
  if (version >= 3) w.NullableString(group_instance_id);
}

bool HeartbeatResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = r.Int32();
  error_code = r.Int16();
  return r.ok();
}

void HeartbeatResponse::Encode(Writer& w, int16_t /*version*/) const {
  w.Int32(throttle_time_ms);
  w.Int16(error_code);
}

}  // namespace rill::broker::protocol
