// Starts and stops librdkafka's in-process mock cluster (see mock_cluster.h).
#include "mock_cluster.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rill::perf {

absl::StatusOr<std::unique_ptr<MockCluster>> MockCluster::Start(int brokers) {
  ClientSpec spec;
  spec.type = RD_KAFKA_PRODUCER;
  // The owner never talks to a broker; keep it from logging about a missing bootstrap.
  spec.settings = {{"log_level", "3"}};
  auto owner = NewClient(spec);
  if (!owner.ok()) return owner.status();
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(owner->get(), brokers);
  if (cluster == nullptr) return absl::InternalError("rd_kafka_mock_cluster_new failed");
  return std::unique_ptr<MockCluster>(new MockCluster(*std::move(owner), cluster));
}

MockCluster::~MockCluster() {
  rd_kafka_mock_cluster_destroy(cluster_);
  // owner_ is destroyed after the cluster, as librdkafka requires.
}

std::string MockCluster::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

absl::Status MockCluster::CreateTopic(const std::string& topic, int partitions,
                                      int replication_factor) {
  rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication_factor);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(
        absl::StrCat("mock: creating topic ", topic, ": ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

}  // namespace rill::perf
