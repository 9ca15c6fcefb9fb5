#include "broker/protocol/messages/describe_groups.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool DescribeGroupsRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  internal::ReadStringArray(r, false, &groups);
  include_authorized_operations = version >= 3 ? r.Bool() : false;
  return r.ok();
}

void DescribeGroupsRequest::Encode(Writer& w, int16_t version) const {
  internal::WriteStringArray(w, false, groups);
  if (version >= 3) w.Bool(include_authorized_operations);
}

bool DescribeGroupsResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = version >= 1 ? r.Int32() : 0;
  // error_code + four INT16-length strings + members length.
  ReadArray(r, false, 14, &groups, [&](DescribedGroup& g) {
    g.error_code = r.Int16();
    g.group_id = r.String();
    g.group_state = r.String();
    g.protocol_type = r.String();
    g.protocol_data = r.String();
    // Three INT16-length strings + two INT32-length byte fields in v0.
    ReadArray(r, false, 14, &g.members, [&](DescribedGroupMember& m) {
      m.member_id = r.String();
      m.group_instance_id = version >= 4 ? r.NullableString() : std::nullopt;
      m.client_id = r.String();
      m.client_host = r.String();
      m.member_metadata = std::string(r.Bytes());
      m.member_assignment = std::string(r.Bytes());
    });
    g.authorized_operations = version >= 3 ? r.Int32() : kAuthorizedOperationsOmitted;
  });
  return r.ok();
}

void DescribeGroupsResponse::Encode(Writer& w, int16_t version) const {
  if (version >= 1) w.Int32(throttle_time_ms);
  WriteArray(w, false, groups, [&](const DescribedGroup& g) {
    w.Int16(g.error_code);
    w.String(g.group_id);
    w.String(g.group_state);
    w.String(g.protocol_type);
    w.String(g.protocol_data);
    WriteArray(w, false, g.members, [&](const DescribedGroupMember& m) {
      w.String(m.member_id);
      if (version >= 4) w.NullableString(m.group_instance_id);
      w.String(m.client_id);
      w.String(m.client_host);
      w.Bytes(m.member_metadata);
      w.Bytes(m.member_assignment);
    });
    if (version >= 3) w.Int32(g.authorized_operations);
  });
}

}  // namespace rill::broker::protocol
