// librdkafka plumbing for the runtime: creating consumers and producers from config maps,
// topic metadata, internal-topic creation, DeleteRecords and watermarks. Every call is
// bounded by a timeout and reports failures as absl::Status naming the topic.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

typedef struct rd_kafka_s rd_kafka_t;

namespace rill::streams::internal {

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const;
};
using RdKafkaHandle = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;

enum class ClientKind { kConsumer, kProducer };

// `settings` are librdkafka properties. `opaque` and `dr_msg_cb` (producer delivery reports)
// are optional.
absl::StatusOr<RdKafkaHandle> NewKafkaClient(ClientKind kind,
                                             const std::map<std::string, std::string>& settings,
                                             void* opaque = nullptr,
                                             void (*dr_msg_cb)(rd_kafka_t*, const void*, void*) = nullptr);

// Partition counts of the topics that exist (absent topics are missing from the map).
absl::StatusOr<std::map<std::string, int32_t>> PartitionCounts(rd_kafka_t* rk, int timeout_ms);

struct NewTopic {
  std::string name;
  int32_t partitions = 1;
  int32_t replication_factor = -1;
  std::map<std::string, std::string> configs;
};
// Creates the topics; ones that already exist are fine.
absl::Status CreateTopics(rd_kafka_t* rk, const std::vector<NewTopic>& topics, int timeout_ms);

// Deletes records before `offset` in each (topic, partition) (repartition topic purge).
absl::Status DeleteRecordsBefore(rd_kafka_t* rk,
                                 const std::map<std::pair<std::string, int32_t>, int64_t>& offsets,
                                 int timeout_ms);

// Low and high watermark of a partition.
absl::StatusOr<std::pair<int64_t, int64_t>> Watermarks(rd_kafka_t* rk, const std::string& topic,
                                                       int32_t partition, int timeout_ms);

}  // namespace rill::streams::internal
