#include "broker/protocol/request_header.h"

#include "broker/protocol/api_keys.h"
#include "broker/protocol/wire.h"

namespace rill::broker::protocol {

int16_t FirstFlexibleVersion(int16_t api_key) {
  // "flexibleVersions" of each request schema in Apache Kafka's
  // clients/src/main/resources/common/message/. The response schemas always agree.
  switch (static_cast<ApiKey>(api_key)) {
    case ApiKey::kProduce:
      return 9;
    case ApiKey::kFetch:
      return 12;
    case ApiKey::kListOffsets:
      return 6;
    case ApiKey::kMetadata:
      return 9;
    case ApiKey::kOffsetCommit:
      return 8;
    case ApiKey::kOffsetFetch:
      return 6;
    case ApiKey::kFindCoordinator:
      return 3;
    case ApiKey::kJoinGroup:
      return 6;
    case ApiKey::kHeartbeat:
      return 4;
    case ApiKey::kLeaveGroup:
      return 4;
    case ApiKey::kSyncGroup:
      return 4;
    case ApiKey::kDescribeGroups:
      return 5;
    case ApiKey::kListGroups:
      return 3;
    case ApiKey::kSaslHandshake:
      return -1;
    case ApiKey::kApiVersions:
      return 3;
    case ApiKey::kCreateTopics:
      return 5;
    case ApiKey::kDeleteTopics:
      return 4;
    case ApiKey::kDeleteRecords:
      return 2;
    case ApiKey::kInitProducerId:
      return 2;
    case ApiKey::kAddPartitionsToTxn:
      return 3;
    case ApiKey::kAddOffsetsToTxn:
      return 3;
    case ApiKey::kEndTxn:
      return 3;
    case ApiKey::kWriteTxnMarkers:
      return 1;
    case ApiKey::kTxnOffsetCommit:
      return 3;
    case ApiKey::kDescribeConfigs:
      return 4;
    case ApiKey::kCreatePartitions:
      return 2;
    case ApiKey::kDeleteGroups:
      return 2;
    case ApiKey::kOffsetDelete:
      return -1;
  }
  return -1;
}

bool IsFlexibleVersion(int16_t api_key, int16_t api_version) {
  int16_t first = FirstFlexibleVersion(api_key);
  return first >= 0 && api_version >= first;
}

int16_t RequestHeaderVersion(int16_t api_key, int16_t api_version) {
  return IsFlexibleVersion(api_key, api_version) ? 2 : 1;
}

int16_t ResponseHeaderVersion(int16_t api_key, int16_t api_version) {
  if (api_key == static_cast<int16_t>(ApiKey::kApiVersions)) return 0;
  return IsFlexibleVersion(api_key, api_version) ? 1 : 0;
}

bool DecodeRequestHeader(Reader& r, RequestHeader* out) {
  out->api_key = r.Int16();
  out->api_version = r.Int16();
  out->correlation_id = r.Int32();
  if (!r.ok()) return false;
  int16_t header_version = RequestHeaderVersion(out->api_key, out->api_version);
  out->client_id = r.NullableString();
  if (header_version >= 2) r.SkipTaggedFields();
  return r.ok();
}

void EncodeRequestHeader(Writer& w, const RequestHeader& h) {
  w.Int16(h.api_key);
  w.Int16(h.api_version);
  w.Int32(h.correlation_id);
  w.NullableString(h.client_id);
  if (RequestHeaderVersion(h.api_key, h.api_version) >= 2) w.EmptyTaggedFields();
}

void EncodeResponseHeader(Writer& w, int32_t correlation_id, int16_t header_version) {
  w.Int32(correlation_id);
  if (header_version >= 1) w.EmptyTaggedFields();
}

}  // namespace rill::broker::protocol
