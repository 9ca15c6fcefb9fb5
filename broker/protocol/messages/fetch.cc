#include "broker/protocol/messages/fetch.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

using internal::ReadArray;
using internal::WriteArray;

bool FetchRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  replica_id = r.Int32();
  max_wait_ms = r.Int32();
  min_bytes = r.Int32();
  max_bytes = r.Int32();       // v3+
  isolation_level = r.Int8();  // v4+
  session_id = version >= 7 ? r.Int32() : 0;
  session_epoch = version >= 7 ? r.Int32() : -1;
  ReadArray(r, false, 6, &topics, [&](FetchTopic& t) {
    t.topic = r.String();
    // partition, fetch_offset, log_start_offset (v5+), partition_max_bytes.
    ReadArray(r, false, 16, &t.partitions, [&](FetchPartition& p) {
      p.partition = r.Int32();
      p.current_leader_epoch = version >= 9 ? r.Int32() : -1;
      p.fetch_offset = r.Int64();
      p.log_start_offset = version >= 5 ? r.Int64() : -1;
      p.partition_max_bytes = r.Int32();
    });
  });
  if (version >= 7) {
    ReadArray(r, false, 6, &forgotten_topics_data, [&](ForgottenTopic& t) {
      t.topic = r.String();
      internal::ReadInt32Array(r, false, &t.partitions);
    });
  } else {
    forgotten_topics_data.clear();
  }
  if (version >= 11) {
    rack_id = r.String();
  } else {
    rack_id.clear();
  }
  return r.ok();
}

void FetchRequest::Encode(Writer& w, int16_t version) const {
  w.Int32(replica_id);
  w.Int32(max_wait_ms);
  w.Int32(min_bytes);
  w.Int32(max_bytes);
  w.Int8(isolation_level);
  if (version >= 7) {
    w.Int32(session_id);
    w.Int32(session_epoch);
  }
  WriteArray(w, false, topics, [&](const FetchTopic& t) {
    w.String(t.topic);
    WriteArray(w, false, t.partitions, [&](const FetchPartition& p) {
      w.Int32(p.partition);
      if (version >= 9) w.Int32(p.current_leader_epoch);
      w.Int64(p.fetch_offset);
      if (version >= 5) w.Int64(p.log_start_offset);
      w.Int32(p.partition_max_bytes);
    });
  });
  if (version >= 7) {
    WriteArray(w, false, forgotten_topics_data, [&](const ForgottenTopic& t) {
      w.String(t.topic);
      internal::WriteInt32Array(w, false, t.partitions);
    });
  }
  if (version >= 11) w.String(rack_id);
}

bool FetchResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = r.Int32();  // v1+
  error_code = version >= 7 ? r.Int16() : 0;
  session_id = version >= 7 ? r.Int32() : 0;
  ReadArray(r, false, 6, &responses, [&](FetchableTopicResponse& t) {
    t.topic = r.String();
    // partition_index, error_code, high_watermark, last_stable_offset, aborted_transactions
    // (v4+, length only), records (length only).
    ReadArray(r, false, 30, &t.partitions, [&](PartitionData& p) {
      p.partition_index = r.Int32();
      p.error_code = r.Int16();
      p.high_watermark = r.Int64();
      p.last_stable_offset = r.Int64();  // v4+
      p.log_start_offset = version >= 5 ? r.Int64() : -1;
      internal::ReadNullableArray(r, false, 16, &p.aborted_transactions,
                                  [&](AbortedTransaction& a) {
                                    a.producer_id = r.Int64();
                                    a.first_offset = r.Int64();
                                  });
      p.preferred_read_replica = version >= 11 ? r.Int32() : -1;
      p.records = r.NullableBytes();
    });
  });
  return r.ok();
}

void FetchResponse::Encode(Writer& w, int16_t version) const {
  w.Int32(throttle_time_ms);
  if (version >= 7) {
    w.Int16(error_code);
    w.Int32(session_id);
  }
  WriteArray(w, false, responses, [&](const FetchableTopicResponse& t) {
    w.String(t.topic);
    WriteArray(w, false, t.partitions, [&](const PartitionData& p) {
      w.Int32(p.partition_index);
      w.Int16(p.error_code);
      w.Int64(p.high_watermark);
      w.Int64(p.last_stable_offset);
      if (version >= 5) w.Int64(p.log_start_offset);
      internal::WriteNullableArray(w, false, p.aborted_transactions,
                                   [&](const AbortedTransaction& a) {
                                     w.Int64(a.producer_id);
                                     w.Int64(a.first_offset);
                                   });
      if (version >= 11) w.Int32(p.preferred_read_replica);
      w.NullableBytes(p.records);
    });
  });
}

}  // namespace rill::broker::protocol
