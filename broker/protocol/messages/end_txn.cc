#include "broker/protocol/messages/end_txn.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

bool EndTxnRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  transactional_id = r.String();
  producer_id = r.Int64();
  producer_epoch = r.Int16();
  // Kafka reads any non-zero byte as true; re-encoding normalises it to 1.
  committed = r.Bool();
  return r.ok();
}

void EndTxnRequest::Encode(Writer& w, int16_t /*version*/) const {
  w.String(transactional_id);
  w.Int64(producer_id);
  w.Int16(producer_epoch);
  w.Bool(committed);
}

bool EndTxnResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = r.Int32();
  error_code = r.Int16();
  return r.ok();
}

void EndTxnResponse::Encode(Writer& w, int16_t /*version*/) const {
  w.Int32(throttle_time_ms);
  w.Int16(error_code);
}

}  // namespace rill::broker::protocol
