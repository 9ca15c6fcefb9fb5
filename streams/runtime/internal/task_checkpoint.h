// The task checkpoint file: <state dir>/<application id>/<task>/.checkpoint, in Kafka Streams'
// OffsetCheckpoint format ("0", the entry count, then "<topic> <partition> <offset>" lines).
// It records the changelog offsets a task's persistent stores committed, so a rebalance can
// tell the assignor how much state each instance holds for each task (the offset sums in
// the subscription) without opening the stores. The stores themselves stay the authority
// for restoration: their committed offset lives inside RocksDB, written atomically with
// the data; this file is only a summary and may lag it by one commit after a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace rill::streams::internal {

struct CheckpointEntry {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

// Replaces the task's checkpoint atomically (write to a temporary file, then rename).
absl::Status WriteTaskCheckpoint(const std::string& task_dir,
                                 const std::vector<CheckpointEntry>& entries);

// The checkpoint's entries; nullopt when there is no readable checkpoint.
std::optional<std::vector<CheckpointEntry>> ReadTaskCheckpoint(const std::string& task_dir);

// The sum of the checkpointed offsets; nullopt when there is no readable checkpoint.
std::optional<int64_t> ReadTaskOffsetSum(const std::string& task_dir);

}  // namespace rill::streams::internal
