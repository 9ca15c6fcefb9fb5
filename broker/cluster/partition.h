// One partition replica hosted by this node: its log, the state of the idempotent and
// transactional producers writing to it (sequences, open transactions, last stable
// offset, aborted-transaction index), the high watermark, and the waiters (parked Fetch
// requests) that an append must wake. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "broker/log/partition_log.h"
#include "broker/protocol/api_keys.h"
#include "broker/txn/producer_state.h"
#include "broker/txn/transaction_index.h"

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
  // Takes over `log` and rebuilds the producer state, the open transactions and the
  // aborted-transaction index from its batches.
  static absl::StatusOr<std::shared_ptr<Partition>> Open(std::string topic, int32_t index,
                                                        std::unique_ptr<log::PartitionLog> log);
  Partition(std::string topic, int32_t index, std::unique_ptr<log::PartitionLog> log);

  const std::string& topic() const { return topic_; }
  int32_t index() const { return index_; }
  log::PartitionLog& log() { return *log_; }

  // Appends one validated batch (ValidateBatches) after the idempotent-producer checks:
  // a retried batch is acknowledged with its original offset and not appended again, a
  // sequence gap or a stale epoch is refused, and a non-transactional batch from a
  // producer with an open transaction gets INVALID_TXN_STATE. A transactional batch
  // opens its producer's transaction; a control batch is handled as by WriteMarker.
  // Wakes every registered waiter.
  PartitionAppend Append(std::string batch, int64_t now_ms);

  // Appends a commit or abort marker (a control batch) for the open transaction of
  // `producer_id`, closing it: the last stable offset moves on, an abort is added to the
  // aborted-transaction index, and waiters are woken. A marker from an epoch older than
  // the producer's current one is refused with INVALID_PRODUCER_EPOCH, so a delayed
  // marker can never end a later transaction of the same producer. With no transaction
  // open the marker is still written (as Kafka does) but changes nothing else.
  PartitionAppend WriteMarker(int64_t producer_id, int16_t producer_epoch, bool commit,
                              int32_t coordinator_epoch, int64_t now_ms);

  // With a single replica the high watermark is the log end offset; replication will
  // make it the minimum ISR offset.
  int64_t high_watermark() const { return log_->log_end_offset(); }
  // min(first offset of every open transaction, high watermark): read_committed
  // consumers read below it.
  int64_t last_stable_offset() const;
  // Aborted transactions overlapping [from_offset, upper_bound), as a read_committed
  // Fetch reports them.
  std::vector<txn::AbortedTxn> AbortedTransactions(int64_t from_offset,
                                                   int64_t upper_bound) const;
  // First offset of the open transaction of `producer_id`, if any.
  std::optional<int64_t> OpenTransaction(int64_t producer_id) const;

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
  // Guards txns_ for readers; writers hold append_mu_ too. Never held across disk I/O,
  // so fetches computing the LSO do not wait for an append.
  mutable std::mutex txn_mu_;
  txn::TransactionIndex txns_;
  std::mutex waiters_mu_;
  std::vector<std::weak_ptr<AppendWaiter>> waiters_;

  void WakeWaiters();
};

}  // namespace rill::broker
