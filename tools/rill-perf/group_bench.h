// The group workload: how long consumer-group membership changes take as librdkafka
// consumers see them — the first join of N members, a clean leave (LeaveGroup) and a member
// killed without one (found by the session timeout) — until every partition is held again.
#pragma once

#include "absl/status/statusor.h"
#include "report.h"
#include "workload.h"

namespace rill::perf {

// Runs the scenarios of `g` on `target`, each with a fresh group id subscribed to w.topic
// (`partitions` partitions). Every member polls on its own thread and assigns what its
// rebalance callback hands it; a scenario ends when the live members hold every partition
// exactly once (and each holds at least one, when there are enough partitions). Times run
// on the steady clock from the trigger: the first member's subscribe (join), the start of
// rd_kafka_consumer_close (leave) or of rd_kafka_destroy without consumer close (kill).
absl::StatusOr<GroupResult> RunGroup(const Target& target, const Workload& w,
                                     const GroupWorkload& g, int partitions);

}  // namespace rill::perf
