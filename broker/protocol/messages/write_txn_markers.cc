#include "broker/protocol/messages/write_txn_markers.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

namespace {
constexpr int16_t kFirstFlexible = 1;
}  // namespace

bool WriteTxnMarkersRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  const bool flexible = version >= kFirstFlexible;
  // producer_id + producer_epoch + transaction_result + topics length + coordinator_epoch
  // (+ tagged fields when flexible, where the topics length shrinks to one byte).
  ReadArray(r, flexible, flexible ? 17 : 19, &markers, [&](WritableTxnMarker& m) {
    m.producer_id = r.Int64();
    m.producer_epoch = r.Int16();
    m.transaction_result = r.Bool();
    ReadArray(r, flexible, flexible ? 3 : 6, &m.topics, [&](WritableTxnMarkerTopic& t) {
      t.name = r.String(flexible);
      internal::ReadInt32Array(r, flexible, &t.partition_indexes);
      if (flexible) r.SkipTaggedFields();
    });
    m.coordinator_epoch = r.Int32();
    if (flexible) r.SkipTaggedFields();
  });
  if (flexible) r.SkipTaggedFields();
  return r.ok();
}

void WriteTxnMarkersRequest::Encode(Writer& w, int16_t version) const {
  const bool flexible = version >= kFirstFlexible;
  WriteArray(w, flexible, markers, [&](const WritableTxnMarker& m) {
    w.Int64(m.producer_id);
    w.Int16(m.producer_epoch);
    w.Bool(m.transaction_result);
    WriteArray(w, flexible, m.topics, [&](const WritableTxnMarkerTopic& t) {
      w.String(t.name, flexible);
      internal::WriteInt32Array(w, flexible, t.partition_indexes);
      if (flexible) w.EmptyTaggedFields();
    });
    w.Int32(m.coordinator_epoch);
    if (flexible) w.EmptyTaggedFields();
  });
  if (flexible) w.EmptyTaggedFields();
}

bool WriteTxnMarkersResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  const bool flexible = version >= kFirstFlexible;
  // producer_id + topics length (+ tagged fields when flexible).
  ReadArray(r, flexible, flexible ? 10 : 12, &markers, [&](WritableTxnMarkerResult& m) {
    m.producer_id = r.Int64();
    ReadArray(r, flexible, flexible ? 3 : 6, &m.topics, [&](WritableTxnMarkerTopicResult& t) {
      t.name = r.String(flexible);
      ReadArray(r, flexible, 6, &t.partitions, [&](WritableTxnMarkerPartitionResult& p) {
        p.partition_index = r.Int32();
        p.error_code = r.Int16();
        if (flexible) r.SkipTaggedFields();
      });
      if (flexible) r.SkipTaggedFields();
    });
    if (flexible) r.SkipTaggedFields();
  });
  if (flexible) r.SkipTaggedFields();
  return r.ok();
}

void WriteTxnMarkersResponse::Encode(Writer& w, int16_t version) const {
  const bool flexible = version >= kFirstFlexible;
  WriteArray(w, flexible, markers, [&](const WritableTxnMarkerResult& m) {
    w.Int64(m.producer_id);
    WriteArray(w, flexible, m.topics, [&](const WritableTxnMarkerTopicResult& t) {
      w.String(t.name, flexible);
      WriteArray(w, flexible, t.partitions, [&](const WritableTxnMarkerPartitionResult& p) {
        w.Int32(p.partition_index);
        w.Int16(p.error_code);
        if (flexible) w.EmptyTaggedFields();
      });
      if (flexible) w.EmptyTaggedFields();
    });
    if (flexible) w.EmptyTaggedFields();
  });
  if (flexible) w.EmptyTaggedFields();
}

}  // namespace rill::broker::protocol
