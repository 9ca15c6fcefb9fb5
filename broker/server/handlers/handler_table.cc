// The table of implemented APIs. Versions come from each message's codec, so what the
// broker advertises is exactly what it can decode and encode.
#include "broker/protocol/messages/add_offsets_to_txn.h"
#include "broker/protocol/messages/add_partitions_to_txn.h"
#include "broker/protocol/messages/api_versions.h"
#include "broker/protocol/messages/create_partitions.h"
#include "broker/protocol/messages/create_topics.h"
#include "broker/protocol/messages/delete_records.h"
#include "broker/protocol/messages/delete_topics.h"
#include "broker/protocol/messages/describe_configs.h"
#include "broker/protocol/messages/delete_groups.h"
#include "broker/protocol/messages/describe_groups.h"
#include "broker/protocol/messages/end_txn.h"
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
#include "broker/protocol/messages/txn_offset_commit.h"
#include "broker/server/handlers/handlers.h"

namespace rill::broker {
namespace {

template <typename Request>
HandlerEntry Entry(Handler handler) {
  return {Request::kApiKey, Request::kMinVersion, Request::kMaxVersion, handler};
}

}  // namespace

const std::vector<HandlerEntry>& HandlerTable() {
  static const auto* table = new std::vector<HandlerEntry>{
      Entry<protocol::ProduceRequest>(&HandleProduce),
      Entry<protocol::FetchRequest>(&HandleFetch),
      Entry<protocol::ListOffsetsRequest>(&HandleListOffsets),
      Entry<protocol::MetadataRequest>(&HandleMetadata),
      Entry<protocol::OffsetCommitRequest>(&HandleOffsetCommit),
      Entry<protocol::OffsetFetchRequest>(&HandleOffsetFetch),
      Entry<protocol::FindCoordinatorRequest>(&HandleFindCoordinator),
      Entry<protocol::JoinGroupRequest>(&HandleJoinGroup),
      Entry<protocol::HeartbeatRequest>(&HandleHeartbeat),
      Entry<protocol::LeaveGroupRequest>(&HandleLeaveGroup),
      Entry<protocol::SyncGroupRequest>(&HandleSyncGroup),
      Entry<protocol::DescribeGroupsRequest>(&HandleDescribeGroups),
      Entry<protocol::ListGroupsRequest>(&HandleListGroups),
      Entry<protocol::ApiVersionsRequest>(&HandleApiVersions),
      Entry<protocol::CreateTopicsRequest>(&HandleCreateTopics),
      Entry<protocol::DeleteTopicsRequest>(&HandleDeleteTopics),
      Entry<protocol::DeleteRecordsRequest>(&HandleDeleteRecords),
      Entry<protocol::InitProducerIdRequest>(&HandleInitProducerId),
      Entry<protocol::AddPartitionsToTxnRequest>(&HandleAddPartitionsToTxn),
      Entry<protocol::AddOffsetsToTxnRequest>(&HandleAddOffsetsToTxn),
      Entry<protocol::EndTxnRequest>(&HandleEndTxn),
      Entry<protocol::TxnOffsetCommitRequest>(&HandleTxnOffsetCommit),
      Entry<protocol::DescribeConfigsRequest>(&HandleDescribeConfigs),
      Entry<protocol::CreatePartitionsRequest>(&HandleCreatePartitions),
      Entry<protocol::DeleteGroupsRequest>(&HandleDeleteGroups),
      Entry<protocol::OffsetDeleteRequest>(&HandleOffsetDelete),
  };
  return *table;
}

const HandlerEntry* FindHandler(int16_t api_key) {
  for (const HandlerEntry& e : HandlerTable()) {
    if (static_cast<int16_t>(e.api_key) == api_key) return &e;
  }
  return nullptr;
}

}  // namespace rill::broker
