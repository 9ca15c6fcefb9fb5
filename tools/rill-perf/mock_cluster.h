// An in-process librdkafka mock cluster: the baseline rill-perf measures our broker against,
// and a real-protocol peer for testing scripts (`rill-perf mock-cluster`).
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "kafka_client.h"

namespace rill::perf {

// Owns the mock cluster and the rd_kafka_t it is bound to. The mock serves all its brokers
// from one librdkafka thread. Not thread-safe; destroy it after every client using it.
class MockCluster {
 public:
  static absl::StatusOr<std::unique_ptr<MockCluster>> Start(int brokers);
  ~MockCluster();

  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  // Comma-separated host:port list of the mock brokers.
  std::string bootstrap() const;

  // Creates `topic` directly in the mock: the mock answers no CreateTopics requests.
  absl::Status CreateTopic(const std::string& topic, int partitions, int replication_factor);

 private:
  MockCluster(KafkaPtr owner, rd_kafka_mock_cluster_t* cluster)
      : owner_(std::move(owner)), cluster_(cluster) {}

  KafkaPtr owner_;  // librdkafka requires a handle for the mock's bookkeeping
  rd_kafka_mock_cluster_t* cluster_;
};

}  // namespace rill::perf
