#include "broker/protocol/messages/delete_records.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool DeleteRecordsRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  ReadArray(r, false, 6, &topics, [&r](DeleteRecordsTopic& t) {
    t.name = r.String();
    ReadArray(r, false, 12, &t.partitions, [&r](DeleteRecordsPartition& p) {
      p.partition_index = r.Int32();
      p.offset = r.Int64();
    });
  });
  timeout_ms = r.Int32();
  return r.ok();
}

void DeleteRecordsRequest::Encode(Writer& w, int16_t /*version*/) const {
  WriteArray(w, false, topics, [&w](const DeleteRecordsTopic& t) {
    w.String(t.name);
    WriteArray(w, false, t.partitions, [&w](const DeleteRecordsPartition& p) {
      w.Int32(p.partition_index);
      w.Int64(p.offset);
    });
  });
  w.Int32(timeout_ms);
}

bool DeleteRecordsResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = r.Int32();
  ReadArray(r, false, 6, &topics, [&r](DeleteRecordsTopicResult& t) {
    t.name = r.String();
    ReadArray(r, false, 14, &t.partitions, [&r](DeleteRecordsPartitionResult& p) {
      p.partition_index = r.Int32();
      p.low_watermark = r.Int64();
      p.error_code = r.Int16();
    });
  });
  return r.ok();
}

void DeleteRecordsResponse::Encode(Writer& w, int16_t /*version*/) const {
  w.Int32(throttle_time_ms);
  WriteArray(w, false, topics, [&w](const DeleteRecordsTopicResult& t) {
    w.String(t.name);
    WriteArray(w, false, t.partitions, [&w](const DeleteRecordsPartitionResult& p) {
      w.Int32(p.partition_index);
      w.Int64(p.low_watermark);
      w.Int16(p.error_code);
    });
  });
}

}  // namespace rill::broker::protocol
