// Owning handles and a configuration builder over librdkafka's C API, shared by every
// rill-perf workload so they all start from the same defaults plus the user's -X overrides.
#pragma once

#include <librdkafka/rdkafka.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kafka_props.h"

namespace rill::perf {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
  void operator()(rd_kafka_queue_t* rkqu) const { rd_kafka_queue_destroy(rkqu); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, KafkaDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, KafkaDeleter>;
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, KafkaDeleter>;

struct ClientSpec {
  rd_kafka_type_t type = RD_KAFKA_PRODUCER;
  std::string bootstrap;
  // Workload settings, applied before the user's properties so -X always has the last word.
  KafkaProps settings;
  KafkaProps user_props;
  // Installs callbacks / opaque on the conf before the handle is created.
  std::function<void(rd_kafka_conf_t*)> customize;
};

// Creates a client; errors name the offending property.
absl::StatusOr<KafkaPtr> NewClient(const ClientSpec& spec);

// The effective value of a configuration property on a live handle ("?" if unknown).
std::string EffectiveConfig(rd_kafka_t* rk, const char* key);

// Polls metadata until `topic` exists with every partition led, or the timeout passes
// (a timeout of 0 asks once). Returns the partition count.
absl::StatusOr<int> WaitForTopic(rd_kafka_t* rk, const std::string& topic, int timeout_ms);

// Fetches metadata for an existing topic handle so its partitions' leaders are known
// before a measurement starts.
absl::Status WarmUpTopic(rd_kafka_t* rk, rd_kafka_topic_t* rkt, int timeout_ms);

// Sums high - low watermarks over partitions [0, partitions).
absl::StatusOr<int64_t> CountMessages(rd_kafka_t* rk, const std::string& topic, int partitions,
                                      int timeout_ms);

// The high watermark of each partition, i.e. the offset the next message will get.
absl::StatusOr<std::vector<int64_t>> HighWatermarks(rd_kafka_t* rk, const std::string& topic,
                                                    int partitions, int timeout_ms);

}  // namespace rill::perf
