// The request handlers, one per Kafka API (one file each under handlers/), and the table
// of what this broker advertises in ApiVersions. A handler decodes its request, asks the
// domain objects (topics, partitions, later groups and transactions), and responds.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "broker/protocol/api_keys.h"

namespace rill::broker {

class RequestContext;
using Handler = void (*)(std::shared_ptr<RequestContext> ctx);

struct HandlerEntry {
  protocol::ApiKey api_key;
  int16_t min_version;
  int16_t max_version;
  Handler handler;
};

// Every API the broker implements, in api-key order. ApiVersions advertises exactly this.
const std::vector<HandlerEntry>& HandlerTable();
// The entry for `api_key`, or null when the broker does not implement it.
const HandlerEntry* FindHandler(int16_t api_key);

void HandleApiVersions(std::shared_ptr<RequestContext> ctx);
void HandleMetadata(std::shared_ptr<RequestContext> ctx);
void HandleProduce(std::shared_ptr<RequestContext> ctx);
void HandleFetch(std::shared_ptr<RequestContext> ctx);
void HandleListOffsets(std::shared_ptr<RequestContext> ctx);
void HandleCreateTopics(std::shared_ptr<RequestContext> ctx);
void HandleDeleteTopics(std::shared_ptr<RequestContext> ctx);
void HandleDescribeConfigs(std::shared_ptr<RequestContext> ctx);
void HandleCreatePartitions(std::shared_ptr<RequestContext> ctx);
void HandleDeleteRecords(std::shared_ptr<RequestContext> ctx);
void HandleFindCoordinator(std::shared_ptr<RequestContext> ctx);
void HandleJoinGroup(std::shared_ptr<RequestContext> ctx);
void HandleSyncGroup(std::shared_ptr<RequestContext> ctx);
void HandleHeartbeat(std::shared_ptr<RequestContext> ctx);
void HandleLeaveGroup(std::shared_ptr<RequestContext> ctx);
void HandleOffsetCommit(std::shared_ptr<RequestContext> ctx);
void HandleOffsetFetch(std::shared_ptr<RequestContext> ctx);
void HandleDescribeGroups(std::shared_ptr<RequestContext> ctx);
void HandleListGroups(std::shared_ptr<RequestContext> ctx);
void HandleDeleteGroups(std::shared_ptr<RequestContext> ctx);
void HandleOffsetDelete(std::shared_ptr<RequestContext> ctx);
void HandleInitProducerId(std::shared_ptr<RequestContext> ctx);
void HandleAddPartitionsToTxn(std::shared_ptr<RequestContext> ctx);
void HandleAddOffsetsToTxn(std::shared_ptr<RequestContext> ctx);
void HandleEndTxn(std::shared_ptr<RequestContext> ctx);
void HandleTxnOffsetCommit(std::shared_ptr<RequestContext> ctx);

}  // namespace rill::broker
