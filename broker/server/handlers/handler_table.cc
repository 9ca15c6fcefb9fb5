// The table of implemented APIs. Versions come from each message's codec, so what the
// broker advertises is exactly what it can decode and encode.
#include "broker/protocol/messages/api_versions.h"
#include "broker/protocol/messages/create_partitions.h"
#include "broker/protocol/messages/create_topics.h"
#include "broker/protocol/messages/delete_records.h"
#include "broker/protocol/messages/delete_topics.h"
#include "broker/protocol/messages/describe_configs.h"
#include "broker/protocol/messages/fetch.h"
#include "broker/protocol/messages/list_offsets.h"
#include "broker/protocol/messages/metadata.h"
#include "broker/protocol/messages/produce.h"
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
      Entry<protocol::ApiVersionsRequest>(&HandleApiVersions),
      Entry<protocol::CreateTopicsRequest>(&HandleCreateTopics),
      Entry<protocol::DeleteTopicsRequest>(&HandleDeleteTopics),
      Entry<protocol::DeleteRecordsRequest>(&HandleDeleteRecords),
      Entry<protocol::DescribeConfigsRequest>(&HandleDescribeConfigs),
      Entry<protocol::CreatePartitionsRequest>(&HandleCreatePartitions),
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
