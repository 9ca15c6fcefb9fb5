#include "broker/protocol/messages/join_group.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool JoinGroupRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  group_id = r.String();
  session_timeout_ms = r.Int32();
  rebalance_timeout_ms = r.Int32();
  member_id = r.String();
  group_instance_id = version >= 5 ? r.NullableString() : std::nullopt;
  protocol_type = r.String();
  // name (INT16 length) + metadata (INT32 length).
  ReadArray(r, false, 6, &protocols, [&r](JoinGroupRequestProtocol& p) {
    p.name = r.String();
    p.metadata = std::string(r.Bytes());
  });
  return r.ok();
}

void JoinGroupRequest::Encode(Writer& w, int16_t version) const {
  w.String(group_id);
  w.Int32(session_timeout_ms);
  w.Int32(rebalance_timeout_ms);
  w.String(member_id);
  if (version >= 5) w.NullableString(group_instance_id);
  w.String(protocol_type);
  WriteArray(w, false, protocols, [&w](const JoinGroupRequestProtocol& p) {
    w.String(p.name);
    w.Bytes(p.metadata);
  });
}

bool JoinGroupResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = r.Int32();
  error_code = r.Int16();
  generation_id = r.Int32();
  protocol_name = r.String();
  leader = r.String();
  member_id = r.String();
  ReadArray(r, false, 6, &members, [&](JoinGroupResponseMember& m) {
    m.member_id = r.String();
    m.group_instance_id = version >= 5 ? r.NullableString() : std::nullopt;
    m.metadata = std::string(r.Bytes());
  });
  return r.ok();
}

void JoinGroupResponse::Encode(Writer& w, int16_t version) const {
  w.Int32(throttle_time_ms);
  w.Int16(error_code);
  w.Int32(generation_id);
  w.String(protocol_name);
  w.String(leader);
  w.String(member_id);
  WriteArray(w, false, members, [&](const JoinGroupResponseMember& m) {
    w.String(m.member_id);
    if (version >= 5) w.NullableString(m.group_instance_id);
    w.Bytes(m.metadata);
  });
}

}  // namespace rill::broker::protocol
