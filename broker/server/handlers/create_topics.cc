// CreateTopics: partitions, replication factor (or an explicit assignment to this node),
// configs and validate_only.
#include "broker/protocol/messages/create_topics.h"

#include <set>

#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {
namespace {

using protocol::ErrorCode;

AdminResult CreateOne(TopicManager& topics, int32_t node_id,
                      const protocol::CreateTopicsRequest::CreatableTopic& t, bool validate_only) {
  int32_t partitions = t.num_partitions;
  int16_t replication = t.replication_factor;
  if (!t.assignments.empty()) {
    if (partitions != -1 || replication != -1) {
      return {ErrorCode::kInvalidRequest,
              "Both numPartitions or replicationFactor and replicasAssignments were set. Both "
              "cannot be used at the same time."};
    }
    std::set<int32_t> indexes;
    for (const auto& a : t.assignments) {
      indexes.insert(a.partition_index);
      for (int32_t b : a.broker_ids) {
        if (b != node_id) {
          return {ErrorCode::kInvalidReplicaAssignment,
                  "Unknown broker " + std::to_string(b) + " in replica assignment"};
        }
      }
      if (a.broker_ids.size() != 1) {
        return {ErrorCode::kInvalidReplicaAssignment, "Each partition needs exactly one replica"};
      }
    }
    partitions = static_cast<int32_t>(t.assignments.size());
    if (*indexes.begin() != 0 || *indexes.rbegin() != partitions - 1) {
      return {ErrorCode::kInvalidReplicaAssignment,
              "Partitions should be a consecutive 0-based integer sequence"};
    }
    replication = 1;
  }
  std::map<std::string, std::string> configs;
  for (const auto& c : t.configs) {
    if (!c.value) return {ErrorCode::kInvalidConfig, "Null value not supported for " + c.name};
    configs[c.name] = *c.value;
  }
  return topics.CreateTopic(t.name, partitions, replication, configs, validate_only);
}

}  // namespace

void HandleCreateTopics(std::shared_ptr<RequestContext> ctx) {
  protocol::CreateTopicsRequest request;
  if (!ctx->Decode(&request)) return;
  protocol::CreateTopicsResponse response;
  std::set<std::string> seen;
  for (const auto& t : request.topics) {
    AdminResult result;
    if (!seen.insert(t.name).second) {
      result = {ErrorCode::kInvalidRequest, "Duplicate topic name in request: " + t.name};
    } else {
      result = CreateOne(ctx->services().topics, ctx->services().config.node_id, t,
                         request.validate_only);
    }
    auto& out = response.topics.emplace_back();
    out.name = t.name;
    out.error_code = protocol::ToWire(result.error);
    if (!result.ok()) out.error_message = result.message;
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
