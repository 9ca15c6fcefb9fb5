#include "broker/protocol/messages/sync_group.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

bool SyncGroupRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  group_id = r.String();
  generation_id = r.Int32();
  member_id = r.String();
  group_instance_id = version >= 3 ? r.NullableString() : std::nullopt;
  // member_id (INT16 length) + assignment (INT32 length).
  internal::ReadArray(r, false, 6, &assignments, [&r](SyncGroupRequestAssignment& a) {
    a.member_id = r.String();
    a.assignment = std::string(r.Bytes());
  });
  return r.ok();
}

void SyncGroupRequest::Encode(Writer& w, int16_t version) const {
  w.String(group_id);
  w.Int32(generation_id);
  w.String(member_id);
  if (version >= 3) w.NullableString(group_instance_id);
  internal::WriteArray(w, false, assignments, [&w](const SyncGroupRequestAssignment& a) {
    w.String(a.member_id);
    w.Bytes(a.assignment);
  });
}

bool SyncGroupResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = r.Int32();
  error_code = r.Int16();
  assignment = std::string(r.Bytes());
  return r.ok();
}

void SyncGroupResponse::Encode(Writer& w, int16_t /*version*/) const {
  w.Int32(throttle_time_ms);
  w.Int16(error_code);
  w.Bytes(assignment);
}

}  // namespace rill::broker::protocol
