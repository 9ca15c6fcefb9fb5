#include "broker/protocol/messages/offset_commit.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

namespace {
// RetentionTimeMs exists in v2-4 only ("versions": "2-4" in Kafka's schema).
bool HasRetentionTime(int16_t version) { return version >= 2 && version <= 4; }
}  // namespace

bool OffsetCommitRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  group_id = r.String();
  generation_id = r.Int32();
  member_id = r.String();
  group_instance_id = version >= 7 ? r.NullableString() : std::nullopt;
  retention_time_ms = HasRetentionTime(version) ? r.Int64() : -1;
  // name + partitions length.
  ReadArray(r, false, 6, &topics, [&](OffsetCommitRequestTopic& t) {
    t.name = r.String();
    // partition_index + committed_offset + committed_metadata (at least its length).
    ReadArray(r, false, 14, &t.partitions, [&](OffsetCommitRequestPartition& p) {
      p.partition_index = r.Int32();
      p.committed_offset = r.Int64();
      p.committed_leader_epoch = version >= 6 ? r.Int32() : -1;
      p.committed_metadata = r.NullableString();
    });
  });
  return r.ok();
}

void OffsetCommitRequest::Encode(Writer& w, int16_t version) const {
  w.String(group_id);
  w.Int32(generation_id);
  w.String(member_id);
  if (version >= 7) w.NullableString(group_instance_id);
  if (HasRetentionTime(version)) w.Int64(retention_time_ms);
  WriteArray(w, false, topics, [&](const OffsetCommitRequestTopic& t) {
    w.String(t.name);
    WriteArray(w, false, t.partitions, [&](const OffsetCommitRequestPartition& p) {
      w.Int32(p.partition_index);
      w.Int64(p.committed_offset);
      if (version >= 6) w.Int32(p.committed_leader_epoch);
      w.NullableString(p.committed_metadata);
    });
  });
}

bool OffsetCommitResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = version >= 3 ? r.Int32() : 0;
  ReadArray(r, false, 6, &topics, [&r](OffsetCommitResponseTopic& t) {
    t.name = r.String();
    ReadArray(r, false, 6, &t.partitions, [&r](OffsetCommitResponsePartition& p) {
      p.partition_index = r.Int32();
      p.error_code = r.Int16();
    });
  });
  return r.ok();
}

void OffsetCommitResponse::Encode(Writer& w, int16_t version) const {
  if (version >= 3) w.Int32(throttle_time_ms);
  WriteArray(w, false, topics, [&w](const OffsetCommitResponseTopic& t) {
    w.String(t.name);
    WriteArray(w, false, t.partitions, [&w](const OffsetCommitResponsePartition& p) {
      w.Int32(p.partition_index);
      w.Int16(p.error_code);
    });
  });
}

}  // namespace rill::broker::protocol
