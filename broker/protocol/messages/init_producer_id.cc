#include "broker/protocol/messages/init_producer_id.h"

#include "broker/protocol/internal/array_codec.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

namespace {
constexpr int16_t kFirstFlexible = 2;
}  // namespace

bool InitProducerIdRequest::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  const bool flexible = version >= kFirstFlexible;
  transactional_id = r.NullableString(flexible);
  transaction_timeout_ms = r.Int32();
  producer_id = version >= 3 ? r.Int64() : -1;
  producer_epoch = version >= 3 ? r.Int16() : int16_t{-1};
  if (flexible) r.SkipTaggedFields();
  return r.ok();
}

void InitProducerIdRequest::Encode(Writer& w, int16_t version) const {
  const bool flexible = version >= kFirstFlexible;
  w.NullableString(transactional_id, flexible);
  w.Int32(transaction_timeout_ms);
  if (version >= 3) {
    w.Int64(producer_id);
    w.Int16(producer_epoch);
  }
  if (flexible) w.EmptyTaggedFields();
}

bool InitProducerIdResponse::Decode(Reader& r, int16_t version) {
  if (!internal::CheckVersion(r, version, kMinVersion, kMaxVersion)) return false;
  throttle_time_ms = r.Int32();
  error_code = r.Int16();
  producer_id = r.Int64();
  producer_epoch = r.Int16();
  if (version >= kFirstFlexible) r.SkipTaggedFields();
  return r.ok();
}

void InitProducerIdResponse::Encode(Writer& w, int16_t version) const {
  w.Int32(throttle_time_ms);
  w.Int16(error_code);
  w.Int64(producer_id);
  w.Int16(producer_epoch);
  if (version >= kFirstFlexible) w.EmptyTaggedFields();
}

}  // namespace rill::broker::protocol
