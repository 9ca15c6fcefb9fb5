#include "broker/protocol/messages/produce.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool ProduceRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  transactional_id = r.NullableString();  // v3+, and v3 is our oldest
  acks = r.Int16();
  timeout_ms = r.Int32();
  ReadArray(r, false, 6, &topics, [&r](TopicProduceData& t) {
    t.name = r.String();
    ReadArray(r, false, 8, &t.partitions, [&r](PartitionProduceData& p) {
      p.index = r.Int32();
      p.records = r.NullableBytes();
    });
  });
  return r.ok();
}

void ProduceRequest::Encode(Writer& w, int16_t /*version*/) const {
  w.NullableString(transactional_id);
  w.Int16(acks);
  w.Int32(timeout_ms);
  WriteArray(w, false, topics, [&w](const TopicProduceData& t) {
    w.String(t.name);
    WriteArray(w, false, t.partitions, [&w](const PartitionProduceData& p) {
      w.Int32(p.index);
      w.NullableBytes(p.records);
    });
  });
}

bool ProduceResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  ReadArray(r, false, 6, &responses, [&](TopicProduceResponse& t) {
    t.name = r.String();
    // index, error_code, base_offset, log_append_time_ms (v2+, so always here).
    ReadArray(r, false, 22, &t.partitions, [&](PartitionProduceResponse& p) {
      p.index = r.Int32();
      p.error_code = r.Int16();
      p.base_offset = r.Int64();
      p.log_append_time_ms = r.Int64();
      p.log_start_offset = version >= 5 ? r.Int64() : -1;
    });
  });
  throttle_time_ms = r.Int32();  // v1+
  return r.ok();
}

void ProduceResponse::Encode(Writer& w, int16_t version) const {
  WriteArray(w, false, responses, [&](const TopicProduceResponse& t) {
    w.String(t.name);
    WriteArray(w, false, t.partitions, [&](const PartitionProduceResponse& p) {
      w.Int32(p.index);
      w.Int16(p.error_code);
      w.Int64(p.base_offset);
      w.Int64(p.log_append_time_ms);
      if (version >= 5) w.Int64(p.log_start_offset);
    });
  });
  w.Int32(throttle_time_ms);
}

}  // namespace rill::broker::protocol
