// The latency workload: produce at a fixed rate while a consumer in the same process reads
// the messages back, measuring send-to-receive time from a timestamp in each payload.
#pragma once

#include "absl/status/statusor.h"
#include "report.h"
#include "workload.h"

namespace rill::perf {

// Smallest payload that holds the embedded header (marker, run id, send time).
inline constexpr int kLatencyHeaderBytes = 24;

// Produces w.rate msgs/s for w.seconds with librdkafka's default producer and consumer
// settings (plus w.acks / w.compression / -X), consuming from the partitions' current ends.
// Latency is measured on the steady clock, which both sides share since they are one process.
absl::StatusOr<LatencyResult> RunLatency(const Target& target, const Workload& w, int partitions);

}  // namespace rill::perf
