// Topic administration for applications and examples: create input and output topics
// before starting a KafkaStreams instance (Kafka Streams expects its source topics to
// exist, and so does Rill).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace rill::streams {

struct TopicSpec {
  std::string name;
  int32_t partitions = 1;
  int32_t replication_factor = -1;  // broker default
};

// Creates the topics that do not exist yet; existing ones are left as they are.
absl::Status CreateTopicsIfMissing(const std::string& bootstrap_servers,
                                   const std::vector<TopicSpec>& topics, int timeout_ms = 15000);

}  // namespace rill::streams
