#include "broker/protocol/messages/delete_topics.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

bool DeleteTopicsRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  internal::ReadStringArray(r, false, &topic_names);
  timeout_ms = r.Int32();
  return r.ok();
}

void DeleteTopicsRequest::Encode(Writer& w, int16_t /*version*/) const {
  internal::WriteStringArray(w, false, topic_names);
  w.Int32(timeout_ms);
}

bool DeleteTopicsResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = version >= 1 ? r.Int32() : 0;
  internal::ReadArray(r, false, 4, &responses, [&r](DeletableTopicResult& t) {
    t.name = r.String();
    t.error_code = r.Int16();
  });
  return r.ok();
}

void DeleteTopicsResponse::Encode(Writer& w, int16_t version) const {
  if (version >= 1) w.Int32(throttle_time_ms);
  internal::WriteArray(w, false, responses, [&w](const DeletableTopicResult& t) {
    w.String(t.name);
    w.Int16(t.error_code);
  });
}

}  // namespace rill::broker::protocol
