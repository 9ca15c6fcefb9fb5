#include "broker/cluster/partition.h"

#include <algorithm>

#include "broker/log/batch_scan.h"
#include "broker/protocol/control_batch.h"

namespace rill::broker {

Partition::Partition(std::string topic, int32_t index, std::unique_ptr<log::PartitionLog> log)
    : topic_(std::move(topic)), index_(index), log_(std::move(log)) {}

absl::StatusOr<std::shared_ptr<Partition>> Partition::Open(std::string topic, int32_t index,
                                                           std::unique_ptr<log::PartitionLog> log) {
  auto partition = std::make_shared<Partition>(std::move(topic), index, std::move(log));
  // Replay the batches so retries of batches written before a restart are still
  // recognised as duplicates, and transactions left open or aborted before a restart
  // (or kill -9) keep the LSO and the aborted index right.
  absl::Status s = log::ForEachBatch(
      *partition->log_, [&](const protocol::RecordBatchHeader& header, std::string_view batch) {
        partition->producers_.OnAppended(header, header.base_offset);
        if (header.producer_id < 0 || !header.is_transactional()) return;
        if (header.is_control()) {
          if (auto marker = protocol::ParseControlMarker(batch)) {
            partition->txns_.OnMarker(marker->producer_id, marker->commit, header.base_offset);
          }
        } else {
          partition->txns_.OnTransactionalBatch(header.producer_id, header.base_offset);
        }
      });
  if (!s.ok()) return s;
  return partition;
}

PartitionAppend Partition::Append(std::string batch, int64_t now_ms) {
  PartitionAppend out;
  auto header = protocol::ParseRecordBatchHeader(batch);
  if (!header) {
    out.error = protocol::ErrorCode::kCorruptMessage;
    return out;
  }
  const bool has_producer = header->producer_id >= 0;
  const bool txn_data = has_producer && header->is_transactional() && !header->is_control();
  std::optional<protocol::ControlMarker> marker;
  if (has_producer && header->is_control()) marker = protocol::ParseControlMarker(batch);
  {
    std::lock_guard<std::mutex> lock(append_mu_);
    txn::SequenceCheck check = producers_.Check(*header);
    if (check.error != protocol::ErrorCode::kNone) {
      out.error = check.error;
      return out;
    }
    if (check.duplicate_of) {
      out.base_offset = *check.duplicate_of;
      out.duplicate = true;
      return out;
    }
    bool opened = false;
    {
      std::lock_guard<std::mutex> txn_lock(txn_mu_);
      if (has_producer && !header->is_transactional() &&
          txns_.OpenTransaction(header->producer_id)) {
        // Kafka: a producer inside a transaction writes transactionally or not at all.
        out.error = protocol::ErrorCode::kInvalidTxnState;
        return out;
      }
      // Open the transaction before the data becomes visible in the log, so no reader
      // ever sees a high watermark past this batch with an LSO that ignores it. Appends
      // are serialised by append_mu_, so the batch lands at the current log end.
      if (txn_data) {
        opened = txns_.OnTransactionalBatch(header->producer_id, log_->log_end_offset());
      }
    }
    auto appended = log_->Append(std::move(batch), now_ms);
    if (!appended.ok()) {
      if (opened) {
        std::lock_guard<std::mutex> txn_lock(txn_mu_);
        txns_.ForgetOpened(header->producer_id);
      }
      out.error = protocol::ErrorCode::kKafkaStorageError;
      return out;
    }
    producers_.OnAppended(*header, appended->base_offset);
    if (marker) {
      // Closed only after the marker is in the log: until then the LSO stays put, which
      // errs on the safe side for readers.
      std::lock_guard<std::mutex> txn_lock(txn_mu_);
      txns_.OnMarker(marker->producer_id, marker->commit, appended->base_offset);
    }
    out.base_offset = appended->base_offset;
    out.log_append_time_ms = appended->log_append_time_ms;
  }
  WakeWaiters();
  return out;
}

PartitionAppend Partition::WriteMarker(int64_t producer_id, int16_t producer_epoch, bool commit,
                                       int32_t coordinator_epoch, int64_t now_ms) {
  return Append(
      protocol::BuildControlBatch(producer_id, producer_epoch, commit, coordinator_epoch, now_ms),
      now_ms);
}

int64_t Partition::last_stable_offset() const {
  std::lock_guard<std::mutex> lock(txn_mu_);
  // The log end is read under txn_mu_: a transaction is registered (under txn_mu_)
  // before its first batch is appended, so this never sees the batch without it.
  return txns_.LastStableOffset(log_->log_end_offset());
}

std::vector<txn::AbortedTxn> Partition::AbortedTransactions(int64_t from_offset,
                                                            int64_t upper_bound) const {
  std::lock_guard<std::mutex> lock(txn_mu_);
  return txns_.AbortedTransactions(from_offset, upper_bound);
}

std::optional<int64_t> Partition::OpenTransaction(int64_t producer_id) const {
  std::lock_guard<std::mutex> lock(txn_mu_);
  return txns_.OpenTransaction(producer_id);
}

void Partition::WakeWaiters() {
  std::vector<std::weak_ptr<AppendWaiter>> to_wake;
  {
    std::lock_guard<std::mutex> lock(waiters_mu_);
    to_wake.swap(waiters_);
  }
  for (auto& weak : to_wake) {
    if (auto waiter = weak.lock()) waiter->OnAppend();
  }
}

void Partition::AddWaiter(std::weak_ptr<AppendWaiter> waiter) {
  std::lock_guard<std::mutex> lock(waiters_mu_);
  // Fetches that timed out leave expired entries behind on idle partitions; prune them
  // here so the list stays bounded by the number of live waiters.
  if (waiters_.size() >= 16) {
    waiters_.erase(
        std::remove_if(waiters_.begin(), waiters_.end(), [](const auto& w) { return w.expired(); }),
        waiters_.end());
  }
  waiters_.push_back(std::move(waiter));
}

size_t Partition::live_waiters() {
  std::lock_guard<std::mutex> lock(waiters_mu_);
  size_t n = 0;
  for (const auto& w : waiters_) n += w.expired() ? 0 : 1;
  return n;
}

}  // namespace rill::broker
