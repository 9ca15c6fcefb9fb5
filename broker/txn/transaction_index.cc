#include "broker/txn/transaction_index.h"

#include <algorithm>

namespace rill::broker::txn {

bool TransactionIndex::OnTransactionalBatch(int64_t producer_id, int64_t base_offset) {
  if (!open_.emplace(producer_id, base_offset).second) return false;
  by_first_.emplace(base_offset, producer_id);
  return true;
}

void TransactionIndex::ForgetOpened(int64_t producer_id) {
  auto it = open_.find(producer_id);
  if (it == open_.end()) return;
  by_first_.erase({it->second, producer_id});
  open_.erase(it);
}

void TransactionIndex::OnMarker(int64_t producer_id, bool commit, int64_t marker_offset) {
  auto it = open_.find(producer_id);
  if (it == open_.end()) return;
  const int64_t first = it->second;
  by_first_.erase({first, producer_id});
  open_.erase(it);
  if (!commit) aborted_.push_back({producer_id, first, marker_offset});
}

std::optional<int64_t> TransactionIndex::OpenTransaction(int64_t producer_id) const {
  auto it = open_.find(producer_id);
  if (it == open_.end()) return std::nullopt;
  return it->second;
}

int64_t TransactionIndex::LastStableOffset(int64_t high_watermark) const {
  if (by_first_.empty()) return high_watermark;
  return std::min(by_first_.begin()->first, high_watermark);
}

std::vector<AbortedTxn> TransactionIndex::AbortedTransactions(int64_t from_offset,
                                                              int64_t upper_bound) const {
  std::vector<AbortedTxn> out;
  // Entries ending before from_offset cannot overlap; skip them by binary search. After
  // that, first offsets are in no particular order (transactions interleave), so every
  // remaining entry is checked. Kafka's collectAbortedTxns stops at the first entry
  // ending at or past upper_bound, which can miss a later-aborted transaction that began
  // inside the range; checking them all costs little and misses nothing.
  auto it = std::lower_bound(aborted_.begin(), aborted_.end(), from_offset,
                             [](const AbortedTxn& a, int64_t o) { return a.last_offset < o; });
  for (; it != aborted_.end(); ++it) {
    if (it->first_offset < upper_bound) out.push_back(*it);
  }
  return out;
}

}  // namespace rill::broker::txn
