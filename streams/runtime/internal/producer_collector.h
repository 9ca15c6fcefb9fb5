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

#include "absl/status/status.h"
#include "streams/processor/internal/node.h"

typedef struct rd_kafka_s rd_kafka_t;

namespace rill::streams::internal {

class ProducerCollector : public RecordCollector {
 public:
  // Installs itself as the producer's delivery-report target: create the producer with
  // opaque = this collector and dr_msg_cb = DeliveryReport.
  ProducerCollector() = default;
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
  const std::map<std::pair<std::string, int32_t>, int64_t>& acked_offsets() const {
    return acked_;
  }
  int64_t failed_sends() const { return failed_sends_; }

 private:
  rd_kafka_t* producer_ = nullptr;
  std::map<std::pair<std::string, int32_t>, int64_t> acked_;
  std::vector<std::string> errors_;
  int64_t failed_sends_ = 0;
};

}  // namespace rill::streams::internal
