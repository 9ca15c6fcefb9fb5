// CreateTopicsIfMissing over the runtime's librdkafka admin helpers.
#include "streams/runtime/topic_admin.h"

#include "streams/runtime/internal/kafka_clients.h"

namespace rill::streams {

absl::Status CreateTopicsIfMissing(const std::string& bootstrap_servers,
                                   const std::vector<TopicSpec>& topics, int timeout_ms) {
  auto admin = internal::NewKafkaClient(internal::ClientKind::kProducer,
                                        {{"bootstrap.servers", bootstrap_servers}});
  if (!admin.ok()) return admin.status();
  std::vector<internal::NewTopic> create;
  for (const auto& t : topics) create.push_back({t.name, t.partitions, t.replication_factor, {}});
  return internal::CreateTopics(admin->get(), create, timeout_ms);
}

}  // namespace rill::streams
