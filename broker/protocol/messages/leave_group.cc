#include "broker/protocol/messages/leave_group.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool LeaveGroupRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  group_id = r.String();
  if (version >= 3) {
    member_id.clear();
    // member_id + group_instance_id, both INT16-length strings.
    ReadArray(r, false, 4, &members, [&r](MemberIdentity& m) {
      m.member_id = r.String();
      m.group_instance_id = r.NullableString();
    });
  } else {
    member_id = r.String();
    members.clear();
  }
  return r.ok();
}

void LeaveGroupRequest::Encode(Writer& w, int16_t version) const {
  w.String(group_id);
  if (version >= 3) {
    WriteArray(w, false, members, [&w](const MemberIdentity& m) {
      w.String(m.member_id);
      w.NullableString(m.group_instance_id);
    });
  } else {
    w.String(member_id);
  }
}

bool LeaveGroupResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = version >= 1 ? r.Int32() : 0;
  error_code = r.Int16();
  if (version >= 3) {
    ReadArray(r, false, 6, &members, [&r](MemberResponse& m) {
      m.member_id = r.String();
      m.group_instance_id = r.NullableString();
      m.error_code = r.Int16();
    });
  } else {
    members.clear();
  }
  return r.ok();
}

void LeaveGroupResponse::Encode(Writer& w, int16_t version) const {
  if (version >= 1) w.Int32(throttle_time_ms);
  w.Int16(error_code);
  if (version >= 3) {
    WriteArray(w, false, members, [&w](const MemberResponse& m) {
      w.String(m.member_id);
      w.NullableString(m.group_instance_id);
      w.Int16(m.error_code);
    });
  }
}

}  // namespace rill::broker::protocol
