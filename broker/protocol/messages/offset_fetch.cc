#include "broker/protocol/messages/offset_fetch.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

namespace {
constexpr int16_t kFirstFlexible = 6;
}  // namespace

bool OffsetFetchRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  const bool flexible = version >= kFirstFlexible;
  group_id = r.String(flexible);
  // name + partition_indexes length (+ tagged fields when flexible).
  auto decode_topic = [&r, flexible](OffsetFetchRequestTopic& t) {
    t.name = r.String(flexible);
    internal::ReadInt32Array(r, flexible, &t.partition_indexes);
    if (flexible) r.SkipTaggedFields();
  };
  const size_t min_topic_size = flexible ? 3 : 6;
  if (version >= 2) {
    internal::ReadNullableArray(r, flexible, min_topic_size, &topics, decode_topic);
  } else {
    topics.emplace();
    ReadArray(r, flexible, min_topic_size, &*topics, decode_topic);
  }
  require_stable = version >= 7 ? r.Bool() : false;
  if (flexible) r.SkipTaggedFields();
  return r.ok();
}

void OffsetFetchRequest::Encode(Writer& w, int16_t version) const {
  const bool flexible = version >= kFirstFlexible;
  w.String(group_id, flexible);
  auto encode_topic = [&w, flexible](const OffsetFetchRequestTopic& t) {
    w.String(t.name, flexible);
    internal::WriteInt32Array(w, flexible, t.partition_indexes);
    if (flexible) w.EmptyTaggedFields();
  };
  if (version >= 2) {
    internal::WriteNullableArray(w, flexible, topics, encode_topic);
  } else {
    static const std::vector<OffsetFetchRequestTopic> kNoTopics;  // v1 cannot say "all"
    WriteArray(w, flexible, topics ? *topics : kNoTopics, encode_topic);
  }
  if (version >= 7) w.Bool(require_stable);
  if (flexible) w.EmptyTaggedFields();
}

bool OffsetFetchResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  const bool flexible = version >= kFirstFlexible;
  throttle_time_ms = version >= 3 ? r.Int32() : 0;
  ReadArray(r, flexible, flexible ? 3 : 6, &topics, [&](OffsetFetchResponseTopic& t) {
    t.name = r.String(flexible);
    // partition_index + committed_offset + metadata length + error_code in v1.
    ReadArray(r, flexible, 16, &t.partitions, [&](OffsetFetchResponsePartition& p) {
      p.partition_index = r.Int32();
      p.committed_offset = r.Int64();
      p.committed_leader_epoch = version >= 5 ? r.Int32() : -1;
      p.metadata = r.NullableString(flexible);
      p.error_code = r.Int16();
      if (flexible) r.SkipTaggedFields();
    });
    if (flexible) r.SkipTaggedFields();
  });
  error_code = version >= 2 ? r.Int16() : 0;
  if (flexible) r.SkipTaggedFields();
  return r.ok();
}

void OffsetFetchResponse::Encode(Writer& w, int16_t version) const {
  const bool flexible = version >= kFirstFlexible;
  if (version >= 3) w.Int32(throttle_time_ms);
  WriteArray(w, flexible, topics, [&](const OffsetFetchResponseTopic& t) {
    w.String(t.name, flexible);
    WriteArray(w, flexible, t.partitions, [&](const OffsetFetchResponsePartition& p) {
      w.Int32(p.partition_index);
      w.Int64(p.committed_offset);
      if (version >= 5) w.Int32(p.committed_leader_epoch);
      w.NullableString(p.metadata, flexible);
      w.Int16(p.error_code);
      if (flexible) w.EmptyTaggedFields();
    });
    if (flexible) w.EmptyTaggedFields();
  });
  if (version >= 2) w.Int16(error_code);
  if (flexible) w.EmptyTaggedFields();
}

}  // namespace rill::broker::protocol
