// One partition replica hosted by this node: its log plus the high watermark and the
// waiters (parked Fetch requests) that an append must wake. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/log/partition_log.h"

namespace rill::broker {

// Something parked until new data arrives on a partition (a long-polling Fetch).
class AppendWaiter {
 public:
  virtual ~AppendWaiter() = default;
  // Called on the appending thread; must not block (post work elsewhere).
  virtual void OnAppend() = 0;
};

class Partition {
 public:
  Partition(std::string topic, int32_t index, std::unique_ptr<log::PartitionLog> log);

  const std::string& topic() const { return topic_; }
  int32_t index() const { return index_; }
  log::PartitionLog& log() { return *log_; }

  // Appends validated batches and wakes every registered waiter.
  absl::StatusOr<log::AppendResult> Append(std::string batches, int64_t now_ms);

  // With a single replica the high watermark is the log end offset; replication will
  // make it the minimum ISR offset.
  int64_t high_watermark() const { return log_->log_end_offset(); }
  // No transactions yet: the last stable offset equals the high watermark.
  int64_t last_stable_offset() const { return high_watermark(); }

  // Registers `waiter` to be woken by the next append. Held weakly: a waiter that has
  // gone away is simply dropped.
  void AddWaiter(std::weak_ptr<AppendWaiter> waiter);
  // Waiters still alive (parked fetches), for tests and metrics.
  size_t live_waiters();

 private:
  const std::string topic_;
  const int32_t index_;
  std::unique_ptr<log::PartitionLog> log_;
  std::mutex waiters_mu_;
  std::vector<std::weak_ptr<AppendWaiter>> waiters_;
};

}  // namespace rill::broker
