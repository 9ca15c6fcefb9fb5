#include "broker/protocol/messages/create_partitions.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool CreatePartitionsRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  ReadArray(r, false, 10, &topics, [&r](CreatePartitionsTopic& t) {
    t.name = r.String();
    t.count = r.Int32();
    internal::ReadNullableArray(r, false, 4, &t.assignments, [&r](CreatePartitionsAssignment& a) {
      internal::ReadInt32Array(r, false, &a.broker_ids);
    });
  });
  timeout_ms = r.Int32();
  validate_only = r.Bool();
  return r.ok();
}

void CreatePartitionsRequest::Encode(Writer& w, int16_t /*version*/) const {
  WriteArray(w, false, topics, [&w](const CreatePartitionsTopic& t) {
    w.String(t.name);
    w.Int32(t.count);
    internal::WriteNullableArray(w, false, t.assignments,
                                 [&w](const CreatePartitionsAssignment& a) {
                                   internal::WriteInt32Array(w, false, a.broker_ids);
                                 });
  });
  w.Int32(timeout_ms);
  w.Bool(validate_only);
}

bool CreatePartitionsResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = r.Int32();
  ReadArray(r, false, 6, &results, [&r](CreatePartitionsTopicResult& t) {
    t.name = r.String();
    t.error_code = r.Int16();
    t.error_message = r.NullableString();
  });
  return r.ok();
}

void CreatePartitionsResponse::Encode(Writer& w, int16_t /*version*/) const {
  w.Int32(throttle_time_ms);
  WriteArray(w, false, results, [&w](const CreatePartitionsTopicResult& t) {
    w.String(t.name);
    w.Int16(t.error_code);
    w.NullableString(t.error_message);
  });
}

}  // namespace rill::broker::protocol
