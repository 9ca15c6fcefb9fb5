#include "broker/protocol/messages/create_topics.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool CreateTopicsRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  // name, num_partitions, replication_factor, assignments and configs lengths.
  ReadArray(r, false, 16, &topics, [&r](CreatableTopic& t) {
    t.name = r.String();
    t.num_partitions = r.Int32();
    t.replication_factor = r.Int16();
    ReadArray(r, false, 8, &t.assignments, [&r](CreatableReplicaAssignment& a) {
      a.partition_index = r.Int32();
      internal::ReadInt32Array(r, false, &a.broker_ids);
    });
    ReadArray(r, false, 4, &t.configs, [&r](CreatableTopicConfig& c) {
      c.name = r.String();
      c.value = r.NullableString();
    });
  });
  timeout_ms = r.Int32();
  validate_only = version >= 1 ? r.Bool() : false;
  return r.ok();
}

void CreateTopicsRequest::Encode(Writer& w, int16_t version) const {
  WriteArray(w, false, topics, [&w](const CreatableTopic& t) {
    w.String(t.name);
    w.Int32(t.num_partitions);
    w.Int16(t.replication_factor);
    WriteArray(w, false, t.assignments, [&w](const CreatableReplicaAssignment& a) {
      w.Int32(a.partition_index);
      internal::WriteInt32Array(w, false, a.broker_ids);
    });
    WriteArray(w, false, t.configs, [&w](const CreatableTopicConfig& c) {
      w.String(c.name);
      w.NullableString(c.value);
    });
  });
  w.Int32(timeout_ms);
  if (version >= 1) w.Bool(validate_only);
}

bool CreateTopicsResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = version >= 2 ? r.Int32() : 0;
  ReadArray(r, false, 4, &topics, [&](CreatableTopicResult& t) {
    t.name = r.String();
    t.error_code = r.Int16();
    t.error_message = version >= 1 ? r.NullableString() : std::nullopt;
  });
  return r.ok();
}

void CreateTopicsResponse::Encode(Writer& w, int16_t version) const {
  if (version >= 2) w.Int32(throttle_time_ms);
  WriteArray(w, false, topics, [&](const CreatableTopicResult& t) {
    w.String(t.name);
    w.Int16(t.error_code);
    if (version >= 1) w.NullableString(t.error_message);
  });
}

}  // namespace rill::broker::protocol
