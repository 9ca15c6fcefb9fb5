#include "broker/protocol/messages/add_partitions_to_txn.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool AddPartitionsToTxnRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  transactional_id = r.String();
  producer_id = r.Int64();
  producer_epoch = r.Int16();
  // name (INT16 length) + partitions (INT32 length).
  ReadArray(r, false, 6, &topics, [&r](AddPartitionsToTxnTopic& t) {
    t.name = r.String();
    internal::ReadInt32Array(r, false, &t.partitions);
  });
  return r.ok();
}

void AddPartitionsToTxnRequest::Encode(Writer& w, int16_t /*version*/) const {
  w.String(transactional_id);
  w.Int64(producer_id);
  w.Int16(producer_epoch);
  WriteArray(w, false, topics, [&w](const AddPartitionsToTxnTopic& t) {
    w.String(t.name);
    internal::WriteInt32Array(w, false, t.partitions);
  });
}

bool AddPartitionsToTxnResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = r.Int32();
  ReadArray(r, false, 6, &results, [&r](AddPartitionsToTxnTopicResult& t) {
    t.name = r.String();
    ReadArray(r, false, 6, &t.results, [&r](AddPartitionsToTxnPartitionResult& p) {
      p.partition_index = r.Int32();
      p.error_code = r.Int16();
    });
  });
  return r.ok();
}

void AddPartitionsToTxnResponse::Encode(Writer& w, int16_t /*version*/) const {
  w.Int32(throttle_time_ms);
  WriteArray(w, false, results, [&w](const AddPartitionsToTxnTopicResult& t) {
    w.String(t.name);
    WriteArray(w, false, t.results, [&w](const AddPartitionsToTxnPartitionResult& p) {
      w.Int32(p.partition_index);
      w.Int16(p.error_code);
    });
  });
}

}  // namespace rill::broker::protocol
