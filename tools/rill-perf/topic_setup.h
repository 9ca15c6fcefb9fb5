// Makes sure the benchmark topic exists with the requested partitions before a workload
// starts, so topic creation and leader election are never part of a measurement.
#pragma once

#include "absl/status/statusor.h"
#include "workload.h"

namespace rill::perf {

// Creates the topic (admin CreateTopics on a real broker, directly on the mock) unless it
// exists, then waits for every partition to have a leader. Returns the partition count,
// which is the existing topic's when it was already there.
absl::StatusOr<int> PrepareTopic(const Target& target, const Workload& workload);

}  // namespace rill::perf
