// DescribeConfigs: every known topic config with its effective value and source, and a
// few broker configs; configuration_keys narrows the list.
#include "broker/protocol/messages/describe_configs.h"

#include <algorithm>

#include "broker/cluster/topic_config.h"
#include "broker/protocol/wire.h"
#include "broker/server/handlers/handlers.h"
#include "broker/server/request_context.h"

namespace rill::broker {
namespace {

using protocol::DescribeConfigsResponse;
using protocol::ErrorCode;

constexpr int8_t kTopicResource = 2;
constexpr int8_t kBrokerResource = 4;
// ConfigSource values (Kafka's DescribeConfigsResponse.ConfigSource).
constexpr int8_t kDynamicTopicConfig = 1;
constexpr int8_t kStaticBrokerConfig = 4;
constexpr int8_t kDefaultConfig = 5;

bool Wanted(const std::optional<std::vector<std::string>>& keys, const std::string& name) {
  return !keys || keys->empty() || std::find(keys->begin(), keys->end(), name) != keys->end();
}

DescribeConfigsResponse::DescribeConfigsResourceResult Entry(const std::string& name,
                                                             const std::string& value,
                                                             bool is_default, int8_t source,
                                                             bool synonyms) {
  DescribeConfigsResponse::DescribeConfigsResourceResult out;
  out.name = name;
  out.value = value;
  out.is_default = is_default;
  out.config_source = source;
  if (synonyms) out.synonyms.push_back({name, value, source});
  return out;
}

}  // namespace

void HandleDescribeConfigs(std::shared_ptr<RequestContext> ctx) {
  protocol::DescribeConfigsRequest request;
  if (!ctx->Decode(&request)) return;
  BrokerServices& services = ctx->services();
  DescribeConfigsResponse response;
  for (const auto& resource : request.resources) {
    auto& out = response.results.emplace_back();
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    if (resource.resource_type == kTopicResource) {
      auto topic = services.topics.GetTopic(resource.resource_name);
      if (!topic) {
        out.error_code = protocol::ToWire(ErrorCode::kUnknownTopicOrPartition);
        out.error_message = "Topic " + resource.resource_name + " does not exist";
        continue;
      }
      for (const TopicConfigEntry& e :
           DescribeTopicConfigs(services.config.log_defaults, topic->configs)) {
        if (!Wanted(resource.configuration_keys, e.name)) continue;
        out.configs.push_back(Entry(e.name, e.value, e.is_default,
                                    e.is_default ? kDefaultConfig : kDynamicTopicConfig,
                                    request.include_synonyms));
      }
    } else if (resource.resource_type == kBrokerResource) {
      if (resource.resource_name != std::to_string(services.config.node_id) &&
          !resource.resource_name.empty()) {
        out.error_code = protocol::ToWire(ErrorCode::kInvalidRequest);
        out.error_message = "Unexpected broker id " + resource.resource_name;
        continue;
      }
      const std::vector<std::pair<std::string, std::string>> broker_configs = {
          {"broker.id", std::to_string(services.config.node_id)},
          {"num.partitions", std::to_string(services.config.default_partitions)},
          {"auto.create.topics.enable", services.config.auto_create_topics ? "true" : "false"},
          {"default.replication.factor", std::to_string(services.config.default_replication_factor)},
          {"socket.request.max.bytes", std::to_string(services.config.max_request_bytes)},
          {"log.dirs", services.config.data_dir},
      };
      for (const auto& [name, value] : broker_configs) {
        if (!Wanted(resource.configuration_keys, name)) continue;
        auto e = Entry(name, value, false, kStaticBrokerConfig, request.include_synonyms);
        e.read_only = true;
        out.configs.push_back(std::move(e));
      }
    } else {
      out.error_code = protocol::ToWire(ErrorCode::kInvalidRequest);
      out.error_message = "Unsupported resource type " + std::to_string(resource.resource_type);
    }
  }
  ctx->Respond(response);
}

}  // namespace rill::broker
