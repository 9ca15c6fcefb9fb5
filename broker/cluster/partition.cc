#include "broker/cluster/partition.h"

#include <algorithm>

namespace rill::broker {

Partition::Partition(std::string topic, int32_t index, std::unique_ptr<log::PartitionLog> log)
    : topic_(std::move(topic)), index_(index), log_(std::move(log)) {}

absl::StatusOr<std::shared_ptr<Partition>> Partition::Open(std::string topic, int32_t index,
                                                          std::unique_ptr<log::PartitionLog> log) {
  auto partition = std::make_shared<Partition>(std::move(topic), index, std::move(log));
  // Replay batch headers so retries of batches written before a restart are still
  // recognised as duplicates.
  log::PartitionLog& l = *partition->log_;
  int64_t offset = l.log_start_offset();
  const int64_t end = l.log_end_offset();
  std::string chunk;
  while (offset < end) {
    absl::Status s = l.Read(offset, 4 << 20, end, &chunk);
    if (!s.ok()) return s;
    if (chunk.empty()) break;
    size_t pos = 0;
    int64_t next = offset;
    while (pos + protocol::kRecordBatchHeaderSize <= chunk.size()) {
      auto header = protocol::ParseRecordBatchHeader(std::string_view(chunk).substr(pos));
      if (!header || pos + header->total_size() > chunk.size()) break;
      partition->producers_.OnAppended(*header, header->base_offset);
      next = header->last_offset() + 1;
      pos += header->total_size();
    }
    if (next <= offset) break;
    offset = next;
  }
  return partition;
}

PartitionAppend Partition::Append(std::string batch, int64_t now_ms) {
  PartitionAppend out;
  auto header = protocol::ParseRecordBatchHeader(batch);
  if (!header) {
    out.error = protocol::ErrorCode::kCorruptMessage;
    return out;
  }
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
    auto appended = log_->Append(std::move(batch), now_ms);
    if (!appended.ok()) {
      out.error = protocol::ErrorCode::kKafkaStorageError;
      return out;
    }
    producers_.OnAppended(*header, appended->base_offset);
    out.base_offset = appended->base_offset;
    out.log_append_time_ms = appended->log_append_time_ms;
  }
  std::vector<std::weak_ptr<AppendWaiter>> to_wake;
  {
    std::lock_guard<std::mutex> lock(waiters_mu_);
    to_wake.swap(waiters_);
  }
  for (auto& weak : to_wake) {
    if (auto waiter = weak.lock()) waiter->OnAppend();
  }
  return out;
}

void Partition::AddWaiter(std::weak_ptr<AppendWaiter> waiter) {
  std::lock_guard<std::mutex> lock(waiters_mu_);
  // Fetches that timed out leave expired entries behind on idle partitions; prune them
  // here so the list stays bounded by the number of live waiters.
  if (waiters_.size() >= 16) {
    waiters_.erase(std::remove_if(waiters_.begin(), waiters_.end(),
                                  [](const auto& w) { return w.expired(); }),
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
