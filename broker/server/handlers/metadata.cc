// Metadata: this node as the only broker, leader of every partition; unknown topics are
// auto-created when both the broker and the request allow it.
#include "broker/protocol/messages/metadata.h"

#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {
namespace {

using protocol::ErrorCode;
using protocol::ToWire;

protocol::MetadataResponse::MetadataResponseTopic DescribeTopic(const TopicSnapshot& topic,
                                                                int32_t node_id) {
  protocol::MetadataResponse::MetadataResponseTopic out;
  out.name = topic.name;
  out.is_internal = topic.is_internal;
  for (int32_t p = 0; p < topic.partition_count; ++p) {
    protocol::MetadataResponse::MetadataResponsePartition partition;
    partition.partition_index = p;
    partition.leader_id = node_id;
    partition.replica_nodes = {node_id};
    partition.isr_nodes = {node_id};
    out.partitions.push_back(std::move(partition));
  }
  return out;
}

}  // namespace

void HandleMetadata(std::shared_ptr<RequestContext> ctx) {
  protocol::MetadataRequest request;
  if (!ctx->Decode(&request)) return;
  BrokerServices& services = ctx->services();
  const int32_t node_id = services.config.node_id;

  protocol::MetadataResponse response;
  response.brokers.push_back({node_id, services.advertised_host, services.advertised_port, {}});
  response.cluster_id = services.config.cluster_id;
  response.controller_id = node_id;

  // v0 uses an empty list for "all topics"; from v1 that is a null list.
  bool all_topics = !request.topics.has_value() || (ctx->version() == 0 && request.topics->empty());
  if (all_topics) {
    for (const TopicSnapshot& topic : services.topics.ListTopics()) {
      response.topics.push_back(DescribeTopic(topic, node_id));
    }
  } else {
    for (const auto& wanted : *request.topics) {
      AdminResult valid = TopicManager::ValidateTopicName(wanted.name);
      std::optional<TopicSnapshot> topic;
      if (valid.ok()) {
        topic = services.topics.GetTopic(wanted.name);
        if (!topic && request.allow_auto_topic_creation && services.topics.AutoCreate(wanted.name)) {
          topic = services.topics.GetTopic(wanted.name);
        }
      }
      if (topic) {
        response.topics.push_back(DescribeTopic(*topic, node_id));
      } else {
        protocol::MetadataResponse::MetadataResponseTopic missing;
        missing.name = wanted.name;
        missing.error_code = ToWire(valid.ok() ? ErrorCode::kUnknownTopicOrPartition
                                               : ErrorCode::kInvalidTopicException);
        response.topics.push_back(std::move(missing));
      }
    }
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
