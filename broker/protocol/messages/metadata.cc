#include "broker/protocol/messages/metadata.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool MetadataRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  auto decode_topic = [&r](MetadataRequestTopic& t) { t.name = r.String(); };
  if (version >= 1) {
    internal::ReadNullableArray(r, false, 2, &topics, decode_topic);
  } else {
    topics.emplace();
    ReadArray(r, false, 2, &*topics, decode_topic);
  }
  allow_auto_topic_creation = version >= 4 ? r.Bool() : true;
  return r.ok();
}

void MetadataRequest::Encode(Writer& w, int16_t version) const {
  auto encode_topic = [&w](const MetadataRequestTopic& t) { w.String(t.name); };
  if (version >= 1) {
    internal::WriteNullableArray(w, false, topics, encode_topic);
  } else {
    static const std::vector<MetadataRequestTopic> kAllTopics;  // v0: empty means all
    WriteArray(w, false, topics ? *topics : kAllTopics, encode_topic);
  }
  if (version >= 4) w.Bool(allow_auto_topic_creation);
}

bool MetadataResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = version >= 3 ? r.Int32() : 0;
  ReadArray(r, false, 10, &brokers, [&](MetadataResponseBroker& b) {
    b.node_id = r.Int32();
    b.host = r.String();
    b.port = r.Int32();
    b.rack = version >= 1 ? r.NullableString() : std::nullopt;
  });
  cluster_id = version >= 2 ? r.NullableString() : std::nullopt;
  controller_id = version >= 1 ? r.Int32() : -1;
  ReadArray(r, false, 8, &topics, [&](MetadataResponseTopic& t) {
    t.error_code = r.Int16();
    t.name = r.String();
    t.is_internal = version >= 1 ? r.Bool() : false;
    ReadArray(r, false, 18, &t.partitions, [&](MetadataResponsePartition& p) {
      p.error_code = r.Int16();
      p.partition_index = r.Int32();
      p.leader_id = r.Int32();
      internal::ReadInt32Array(r, false, &p.replica_nodes);
      internal::ReadInt32Array(r, false, &p.isr_nodes);
    });
  });
  return r.ok();
}

void MetadataResponse::Encode(Writer& w, int16_t version) const {
  if (version >= 3) w.Int32(throttle_time_ms);
  WriteArray(w, false, brokers, [&](const MetadataResponseBroker& b) {
    w.Int32(b.node_id);
    w.String(b.host);
    w.Int32(b.port);
    if (version >= 1) w.NullableString(b.rack);
  });
  if (version >= 2) w.NullableString(cluster_id);
  if (version >= 1) w.Int32(controller_id);
  WriteArray(w, false, topics, [&](const MetadataResponseTopic& t) {
    w.Int16(t.error_code);
    w.String(t.name);
    if (version >= 1) w.Bool(t.is_internal);
    WriteArray(w, false, t.partitions, [&](const MetadataResponsePartition& p) {
      w.Int16(p.error_code);
      w.Int32(p.partition_index);
      w.Int32(p.leader_id);
      internal::WriteInt32Array(w, false, p.replica_nodes);
      internal::WriteInt32Array(w, false, p.isr_nodes);
    });
  });
}

}  // namespace rill::broker::protocol
