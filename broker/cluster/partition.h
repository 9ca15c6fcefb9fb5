// One partition replica hosted by this node: its log, the state of the idempotent
// producers writing to it, the high watermark, and the waiters (parked Fetch requests)
// that an append must wake. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/log/partition_log.h"
#include "broker/protocol/api_keys.h"
#include "broker/txn/producer_state.h"

namespace rill::broker {

// Something parked until new data arrives on a partition (a long-polling Fetch).
class AppendWaiter {
 public:
  virtual ~AppendWaiter() = default;
  // Called on the appending thread; must not block (post work elsewhere).
  virtual void OnAppend() = 0;
};

// Outcome of appending one batch: an error code for the client, or the batch's offset.
struct PartitionAppend {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  int64_t base_offset = -1;
  int64_t log_append_time_ms = -1;
  bool duplicate = false;  // a retry of a batch already in the log; nothing was appended
};

class Partition {
 public:
  // Takes over `log` and rebuilds the producer state from its batch headers.
  static absl::StatusOr<std::shared_ptr<Partition>> Open(std::string topic, int32_t index,
                                                        std::unique_ptr<log::PartitionLog> log);
  Partition(std::string topic, int32_t index, std::unique_ptr<log::PartitionLog> log);

  const std::string& topic() const { return topic_; }
  int32_t index() const { return index_; }
  log::PartitionLog& log() { return *log_; }

  // Appends one validated batch (ValidateBatches) after the idempotent-producer checks:
  // a retried batch is acknowledged with its original offset and not appended again, a
  // sequence gap or a stale epoch is refused. Wakes every registered waiter.
  PartitionAppend Append(std::string batch, int64_t now_ms);

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
  // Serialises check + append + producer-state update.
  std::mutex append_mu_;
  txn::ProducerStateManager producers_;
  std::mutex waiters_mu_;
  std::vector<std::weak_ptr<AppendWaiter>> waiters_;
};

}  // namespace rill::broker
