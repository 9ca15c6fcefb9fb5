// libFuzzer target for request decoding: every input is treated as one request frame
// body (header + body, without the size prefix), decoded with the header codec and then
// with the request codec of that API and version, for every API the broker handles, and
// every record batch inside a Produce request is run through batch validation. Decoding
// must never crash, hang or read out of bounds, whatever the bytes.
//   make fuzz            (clang + libFuzzer; not part of CI)
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "broker/protocol/messages/api_versions.h"
#include "broker/protocol/messages/create_partitions.h"
#include "broker/protocol/messages/create_topics.h"
#include "broker/protocol/messages/delete_groups.h"
#include "broker/protocol/messages/delete_records.h"
#include "broker/protocol/messages/delete_topics.h"
#include "broker/protocol/messages/describe_configs.h"
#include "broker/protocol/messages/describe_groups.h"
#include "broker/protocol/messages/fetch.h"
#include "broker/protocol/messages/find_coordinator.h"
#include "broker/protocol/messages/heartbeat.h"
#include "broker/protocol/messages/init_producer_id.h"
#include "broker/protocol/messages/join_group.h"
#include "broker/protocol/messages/leave_group.h"
#include "broker/protocol/messages/list_groups.h"
#include "broker/protocol/messages/list_offsets.h"
#include "broker/protocol/messages/metadata.h"
#include "broker/protocol/messages/offset_commit.h"
#include "broker/protocol/messages/offset_delete.h"
#include "broker/protocol/messages/offset_fetch.h"
#include "broker/protocol/messages/produce.h"
#include "broker/protocol/messages/sync_group.h"
#include "broker/protocol/record_batch.h"
#include "broker/protocol/request_header.h"
#include "broker/protocol/wire.h"

namespace p = rill::broker::protocol;

namespace {

template <typename Request>
void Decode(p::Reader r, int16_t version) {
  if (version < Request::kMinVersion || version > Request::kMaxVersion) return;
  Request request;
  if (request.Decode(r, version)) {
    // Whatever decoded must encode again.
    std::string out;
    p::Writer w(&out);
    request.Encode(w, version);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  p::Reader r(input);
  p::RequestHeader header;
  if (!p::DecodeRequestHeader(r, &header)) return 0;
  p::Reader body(input.substr(r.position()));
  const int16_t v = header.api_version;
  switch (static_cast<p::ApiKey>(header.api_key)) {
    case p::ApiKey::kProduce: {
      Decode<p::ProduceRequest>(body, v);
      p::ProduceRequest request;
      if (v >= 3 && v <= 7 && request.Decode(body, v)) {
        for (const auto& t : request.topics) {
          for (const auto& part : t.partitions) {
            if (part.records) p::ValidateBatches(*part.records, 1 << 20);
          }
        }
      }
      break;
    }
    case p::ApiKey::kFetch: Decode<p::FetchRequest>(body, v); break;
    case p::ApiKey::kListOffsets: Decode<p::ListOffsetsRequest>(body, v); break;
    case p::ApiKey::kMetadata: Decode<p::MetadataRequest>(body, v); break;
    case p::ApiKey::kOffsetCommit: Decode<p::OffsetCommitRequest>(body, v); break;
    case p::ApiKey::kOffsetFetch: Decode<p::OffsetFetchRequest>(body, v); break;
    case p::ApiKey::kFindCoordinator: Decode<p::FindCoordinatorRequest>(body, v); break;
    case p::ApiKey::kJoinGroup: Decode<p::JoinGroupRequest>(body, v); break;
    case p::ApiKey::kHeartbeat: Decode<p::HeartbeatRequest>(body, v); break;
    case p::ApiKey::kLeaveGroup: Decode<p::LeaveGroupRequest>(body, v); break;
    case p::ApiKey::kSyncGroup: Decode<p::SyncGroupRequest>(body, v); break;
    case p::ApiKey::kDescribeGroups: Decode<p::DescribeGroupsRequest>(body, v); break;
    case p::ApiKey::kListGroups: Decode<p::ListGroupsRequest>(body, v); break;
    case p::ApiKey::kApiVersions: Decode<p::ApiVersionsRequest>(body, v); break;
    case p::ApiKey::kCreateTopics: Decode<p::CreateTopicsRequest>(body, v); break;
    case p::ApiKey::kDeleteTopics: Decode<p::DeleteTopicsRequest>(body, v); break;
    case p::ApiKey::kDeleteRecords: Decode<p::DeleteRecordsRequest>(body, v); break;
    case p::ApiKey::kDescribeConfigs: Decode<p::DescribeConfigsRequest>(body, v); break;
    case p::ApiKey::kCreatePartitions: Decode<p::CreatePartitionsRequest>(body, v); break;
    case p::ApiKey::kDeleteGroups: Decode<p::DeleteGroupsRequest>(body, v); break;
    case p::ApiKey::kOffsetDelete: Decode<p::OffsetDeleteRequest>(body, v); break;
    case p::ApiKey::kInitProducerId: Decode<p::InitProducerIdRequest>(body, v); break;
    default: break;
  }
  return 0;
}
