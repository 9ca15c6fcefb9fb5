#include "broker/cluster/partition.h"

#include <algorithm>

namespace rill::broker {

Partition::Partition(std::string topic, int32_t index, std::unique_ptr<log::PartitionLog> log)
    : topic_(std::move(topic)), index_(index), log_(std::move(log)) {}

absl::StatusOr<log::AppendResult> Partition::Append(std::string batches, int64_t now_ms) {
  auto result = log_->Append(std::move(batches), now_ms);
  if (!result.ok()) return result;
  std::vector<std::weak_ptr<AppendWaiter>> to_wake;
  {
    std::lock_guard<std::mutex> lock(waiters_mu_);
    to_wake.swap(waiters_);
  }
  for (auto& weak : to_wake) {
    if (auto waiter = weak.lock()) waiter->OnAppend();
  }
  return result;
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
