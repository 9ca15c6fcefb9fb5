#include "broker/protocol/messages/list_offsets.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool ListOffsetsRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  replica_id = r.Int32();
  isolation_level = version >= 2 ? r.Int8() : 0;
  ReadArray(r, false, 6, &topics, [&r](ListOffsetsTopic& t) {
    t.name = r.String();
    ReadArray(r, false, 12, &t.partitions, [&r](ListOffsetsPartition& p) {
      p.partition_index = r.Int32();
      p.timestamp = r.Int64();
    });
  });
  return r.ok();
}

void ListOffsetsRequest::Encode(Writer& w, int16_t version) const {
  w.Int32(replica_id);
  if (version >= 2) w.Int8(isolation_level);
  WriteArray(w, false, topics, [&w](const ListOffsetsTopic& t) {
    w.String(t.name);
    WriteArray(w, false, t.partitions, [&w](const ListOffsetsPartition& p) {
      w.Int32(p.partition_index);
      w.Int64(p.timestamp);
    });
  });
}

bool ListOffsetsResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = version >= 2 ? r.Int32() : 0;
  ReadArray(r, false, 6, &topics, [&r](ListOffsetsTopicResponse& t) {
    t.name = r.String();
    ReadArray(r, false, 22, &t.partitions, [&r](ListOffsetsPartitionResponse& p) {
      p.partition_index = r.Int32();
      p.error_code = r.Int16();
      p.timestamp = r.Int64();  // v1+
      p.offset = r.Int64();     // v1+
    });
  });
  return r.ok();
}

void ListOffsetsResponse::Encode(Writer& w, int16_t version) const {
  if (version >= 2) w.Int32(throttle_time_ms);
  WriteArray(w, false, topics, [&w](const ListOffsetsTopicResponse& t) {
    w.String(t.name);
    WriteArray(w, false, t.partitions, [&w](const ListOffsetsPartitionResponse& p) {
      w.Int32(p.partition_index);
      w.Int16(p.error_code);
      w.Int64(p.timestamp);
      w.Int64(p.offset);
    });
  });
}

}  // namespace rill::broker::protocol
