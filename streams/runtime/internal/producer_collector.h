// ProducerCollector: the runtime's RecordCollector — sends through the thread's librdkafka
// producer, partitions unkeyed-partition records with murmur2 (librdkafka's
// "murmur2_random", Java's default), and remembers from delivery reports the last offset
// written per partition (changelog offsets stored with the state at commit) and the first
// delivery error (for the production exception handler).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "streams/processor/internal/node.h"

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_topic_s rd_kafka_topic_t;

namespace rill::streams::internal {

class ProducerCollector : public RecordCollector {
 public:
  // Installs itself as the producer's delivery-report target: create the producer with
  // opaque = this collector and dr_msg_cb = DeliveryReport.
  ProducerCollector() = default;
  // Destroys the topic handles: destroy the collector before the producer.
  ~ProducerCollector() override;
  ProducerCollector(const ProducerCollector&) = delete;
  ProducerCollector& operator=(const ProducerCollector&) = delete;
  void set_producer(rd_kafka_t* producer) { producer_ = producer; }
  static void DeliveryReport(rd_kafka_t* rk, const void* message, void* opaque);

  void Send(const std::string& topic, int32_t partition, const std::optional<std::string>& key,
            const std::optional<std::string>& value, int64_t timestamp,
            const Headers& headers) override;

  // Waits until every record sent so far is acknowledged (or failed).
  absl::Status Flush(int timeout_ms);
  // Delivery failures since the last call (topic-partition: error), oldest first.
  std::vector<std::string> TakeErrors();
  // Last acknowledged offset per (topic, partition).
  std::map<std::pair<std::string, int32_t>, int64_t> acked_offsets() const;
  int64_t failed_sends() const { return failed_sends_; }

 private:
  // The producer's handle for `topic`, created on first use. Sending through a handle
  // skips librdkafka's lookup of the topic by name (a list scan under a lock) per record.
  rd_kafka_topic_t* TopicHandle(const std::string& topic);

  rd_kafka_t* producer_ = nullptr;
  absl::flat_hash_map<std::string, rd_kafka_topic_t*> topics_;
  std::string last_topic_;  // the topic of the previous send and its handle
  rd_kafka_topic_t* last_handle_ = nullptr;
  // Keyed by our topic handle, so a delivery report costs a hash lookup, not a name copy.
  absl::flat_hash_map<std::pair<const rd_kafka_topic_t*, int32_t>, int64_t> acked_;
  std::vector<std::string> errors_;
  int64_t failed_sends_ = 0;
};

}  // namespace rill::streams::internal
