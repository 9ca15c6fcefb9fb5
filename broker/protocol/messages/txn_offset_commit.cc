#include "broker/protocol/messages/txn_offset_commit.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

namespace {
constexpr int16_t kFirstFlexible = 3;
}  // namespace

bool TxnOffsetCommitRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  const bool flexible = version >= kFirstFlexible;
  transactional_id = r.String(flexible);
  group_id = r.String(flexible);
  producer_id = r.Int64();
  producer_epoch = r.Int16();
  if (version >= 3) {
    generation_id = r.Int32();
    member_id = r.String(flexible);
    group_instance_id = r.NullableString(flexible);
  } else {
    generation_id = -1;
    member_id.clear();
    group_instance_id.reset();
  }
  // name + partitions length (+ tagged fields when flexible).
  ReadArray(r, flexible, flexible ? 3 : 6, &topics, [&](TxnOffsetCommitRequestTopic& t) {
    t.name = r.String(flexible);
    // partition_index + committed_offset + committed_metadata (at least its length).
    ReadArray(r, flexible, 14, &t.partitions, [&](TxnOffsetCommitRequestPartition& p) {
      p.partition_index = r.Int32();
      p.committed_offset = r.Int64();
      p.committed_leader_epoch = version >= 2 ? r.Int32() : -1;
      p.committed_metadata = r.NullableString(flexible);
      if (flexible) r.SkipTaggedFields();
    });
    if (flexible) r.SkipTaggedFields();
  });
  if (flexible) r.SkipTaggedFields();
  return r.ok();
}

void TxnOffsetCommitRequest::Encode(Writer& w, int16_t version) const {
  const bool flexible = version >= kFirstFlexible;
  w.String(transactional_id, flexible);
  w.String(group_id, flexible);
  w.Int64(producer_id);
  w.Int16(producer_epoch);
  if (version >= 3) {
    w.Int32(generation_id);
    w.String(member_id, flexible);
    w.NullableString(group_instance_id, flexible);
  }
  WriteArray(w, flexible, topics, [&](const TxnOffsetCommitRequestTopic& t) {
    w.String(t.name, flexible);
    WriteArray(w, flexible, t.partitions, [&](const TxnOffsetCommitRequestPartition& p) {
      w.Int32(p.partition_index);
      w.Int64(p.committed_offset);
      if (version >= 2) w.Int32(p.committed_leader_epoch);
      w.NullableString(p.committed_metadata, flexible);
      if (flexible) w.EmptyTaggedFields();
    });
    if (flexible) w.EmptyTaggedFields();
  });
  if (flexible) w.EmptyTaggedFields();
}

bool TxnOffsetCommitResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  const bool flexible = version >= kFirstFlexible;
  throttle_time_ms = r.Int32();
  ReadArray(r, flexible, flexible ? 3 : 6, &topics, [&](TxnOffsetCommitResponseTopic& t) {
    t.name = r.String(flexible);
    ReadArray(r, flexible, 6, &t.partitions, [&](TxnOffsetCommitResponsePartition& p) {
      p.partition_index = r.Int32();
      p.error_code = r.Int16();
      if (flexible) r.SkipTaggedFields();
    });
    if (flexible) r.SkipTaggedFields();
  });
  if (flexible) r.SkipTaggedFields();
  return r.ok();
}

void TxnOffsetCommitResponse::Encode(Writer& w, int16_t version) const {
  const bool flexible = version >= kFirstFlexible;
  w.Int32(throttle_time_ms);
  WriteArray(w, flexible, topics, [&](const TxnOffsetCommitResponseTopic& t) {
    w.String(t.name, flexible);
    WriteArray(w, flexible, t.partitions, [&](const TxnOffsetCommitResponsePartition& p) {
      w.Int32(p.partition_index);
      w.Int16(p.error_code);
      if (flexible) w.EmptyTaggedFields();
    });
    if (flexible) w.EmptyTaggedFields();
  });
  if (flexible) w.EmptyTaggedFields();
}

}  // namespace rill::broker::protocol
