#include "broker/protocol/messages/list_groups.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

namespace {
constexpr int16_t kFirstFlexible = 3;
}  // namespace

bool ListGroupsRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  const bool flexible = version >= kFirstFlexible;
  if (version >= 4) {
    internal::ReadStringArray(r, flexible, &states_filter);
  } else {
    states_filter.clear();
  }
  if (flexible) r.SkipTaggedFields();
  return r.ok();
}

void ListGroupsRequest::Encode(Writer& w, int16_t version) const {
  const bool flexible = version >= kFirstFlexible;
  if (version >= 4) internal::WriteStringArray(w, flexible, states_filter);
  if (flexible) w.EmptyTaggedFields();
}

bool ListGroupsResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  const bool flexible = version >= kFirstFlexible;
  throttle_time_ms = version >= 1 ? r.Int32() : 0;
  error_code = r.Int16();
  // Two strings (+ tagged fields when flexible).
  internal::ReadArray(r, flexible, flexible ? 3 : 4, &groups, [&](ListedGroup& g) {
    g.group_id = r.String(flexible);
    g.protocol_type = r.String(flexible);
    if (version >= 4) {
      g.group_state = r.String(flexible);
    } else {
      g.group_state.clear();
    }
    if (flexible) r.SkipTaggedFields();
  });
  if (flexible) r.SkipTaggedFields();
  return r.ok();
}

void ListGroupsResponse::Encode(Writer& w, int16_t version) const {
  const bool flexible = version >= kFirstFlexible;
  if (version >= 1) w.Int32(throttle_time_ms);
  w.Int16(error_code);
  internal::WriteArray(w, flexible, groups, [&](const ListedGroup& g) {
    w.String(g.group_id, flexible);
    w.String(g.protocol_type, flexible);
    if (version >= 4) w.String(g.group_state, flexible);
    if (flexible) w.EmptyTaggedFields();
  });
  if (flexible) w.EmptyTaggedFields();
}

}  // namespace rill::broker::protocol
