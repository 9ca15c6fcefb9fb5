#include "broker/protocol/messages/offset_delete.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool OffsetDeleteRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  group_id = r.String();
  ReadArray(r, false, 6, &topics, [&r](OffsetDeleteRequestTopic& t) {
    t.name = r.String();
    ReadArray(r, false, 4, &t.partitions,
              [&r](OffsetDeleteRequestPartition& p) { p.partition_index = r.Int32(); });
  });
  return r.ok();
}

void OffsetDeleteRequest::Encode(Writer& w, int16_t /*version*/) const {
  w.String(group_id);
  WriteArray(w, false, topics, [&w](const OffsetDeleteRequestTopic& t) {
    w.String(t.name);
    WriteArray(w, false, t.partitions,
               [&w](const OffsetDeleteRequestPartition& p) { w.Int32(p.partition_index); });
  });
}

bool OffsetDeleteResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  error_code = r.Int16();
  throttle_time_ms = r.Int32();
  ReadArray(r, false, 6, &topics, [&r](OffsetDeleteResponseTopic& t) {
    t.name = r.String();
    ReadArray(r, false, 6, &t.partitions, [&r](OffsetDeleteResponsePartition& p) {
      p.partition_index = r.Int32();
      p.error_code = r.Int16();
    });
  });
  return r.ok();
}

void OffsetDeleteResponse::Encode(Writer& w, int16_t /*version*/) const {
  w.Int16(error_code);
  w.Int32(throttle_time_ms);
  WriteArray(w, false, topics, [&w](const OffsetDeleteResponseTopic& t) {
    w.String(t.name);
    WriteArray(w, false, t.partitions, [&w](const OffsetDeleteResponsePartition& p) {
      w.Int32(p.partition_index);
      w.Int16(p.error_code);
    });
  });
}

}  // namespace rill::broker::protocol
