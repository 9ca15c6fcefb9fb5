// The produce workload: as many fixed-size messages as fast as librdkafka will take them.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "report.h"
#include "workload.h"

namespace rill::perf {

// Producer settings every rill-perf producer uses (acks, compression), before -X overrides.
KafkaProps ProducerSettings(const Workload& w);

enum class Partitioning {
  kDefault,     // null keys through librdkafka's default (sticky) partitioner, as apps do
  kRoundRobin,  // message i to partition i % partitions: even, for filling a topic
};

// Produces `messages` messages of w.size payload bytes with null keys. Timed from the first
// send to the last delivery report; connecting and fetching metadata happen before.
// `quiet` suppresses the settings line (used when filling a topic for the consumer).
absl::StatusOr<ThroughputResult> RunProduce(const Target& target, const Workload& w,
                                            int64_t messages, Partitioning partitioning,
                                            bool quiet);

}  // namespace rill::perf
