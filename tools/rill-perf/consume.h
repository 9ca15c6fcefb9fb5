// The consume workload: read w.messages messages from the start of every partition, with
// no consumer group (our broker has none yet, and a group would add join time to the run).
#pragma once

#include "absl/status/statusor.h"
#include "report.h"
#include "workload.h"

namespace rill::perf {

// Consumer settings every rill-perf consumer uses, before -X overrides.
KafkaProps ConsumerSettings();

// Reads w.messages messages from offset 0 of each of `partitions`. With w.fill, produces
// (untimed) whatever the topic lacks first, so `--mock` and `--compare` runs are
// self-contained. Timed from starting the partition fetchers to the last message.
// `quiet` suppresses the settings line (for repeated passes).
absl::StatusOr<ThroughputResult> RunConsume(const Target& target, const Workload& w, int partitions,
                                            bool quiet);

}  // namespace rill::perf
