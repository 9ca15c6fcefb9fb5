#include "broker/protocol/messages/delete_groups.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

bool DeleteGroupsRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  internal::ReadStringArray(r, false, &groups_names);
  return r.ok();
}

void DeleteGroupsRequest::Encode(Writer& w, int16_t /*version*/) const {
  internal::WriteStringArray(w, false, groups_names);
}

bool DeleteGroupsResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = r.Int32();
  internal::ReadArray(r, false, 4, &results, [&r](DeletableGroupResult& g) {
    g.group_id = r.String();
    g.error_code = r.Int16();
  });
  return r.ok();
}

void DeleteGroupsResponse::Encode(Writer& w, int16_t /*version*/) const {
  w.Int32(throttle_time_ms);
  internal::WriteArray(w, false, results, [&w](const DeletableGroupResult& g) {
    w.String(g.group_id);
    w.Int16(g.error_code);
  });
}

}  // namespace rill::broker::protocol
