// Per-partition transaction state: the open transaction of each producer (the offset of
// its first transactional batch), the last stable offset that read_committed consumers
// may read up to, and the index of aborted transactions that a read_committed Fetch
// returns so the consumer can drop their records. Kafka keeps the same state in
// ProducerStateManager (open transactions) and the per-segment .txnindex files; here it
// lives in memory and is rebuilt by replaying the log on start.
//
// Not thread-safe: the owning Partition serialises updates and guards reads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace rill::broker::txn {

// One aborted transaction: its first data offset and the offset of its abort marker.
struct AbortedTxn {
  int64_t producer_id = -1;
  int64_t first_offset = -1;
  int64_t last_offset = -1;
  bool operator==(const AbortedTxn&) const = default;
};

class TransactionIndex {
 public:
  // A transactional data batch of `producer_id` starting at `base_offset` was appended.
  // Opens the producer's transaction unless one is already open. Returns true if it
  // opened one.
  bool OnTransactionalBatch(int64_t producer_id, int64_t base_offset);
  // Undoes an OnTransactionalBatch that returned true, for an append that then failed.
  void ForgetOpened(int64_t producer_id);
  // A commit or abort marker of `producer_id` was appended at `marker_offset`. Closes the
  // producer's open transaction; an abort of an open transaction is added to the aborted
  // index. A marker with no open transaction changes nothing (Kafka writes it anyway).
  void OnMarker(int64_t producer_id, bool commit, int64_t marker_offset);

  // First offset of the open transaction of `producer_id`, if any.
  std::optional<int64_t> OpenTransaction(int64_t producer_id) const;
  const std::map<int64_t, int64_t>& open_transactions() const { return open_; }
  // min(first offset of every open transaction, high_watermark).
  int64_t LastStableOffset(int64_t high_watermark) const;
  // Aborted transactions overlapping [from_offset, upper_bound): last_offset >=
  // from_offset and first_offset < upper_bound, in the order their markers were written.
  std::vector<AbortedTxn> AbortedTransactions(int64_t from_offset, int64_t upper_bound) const;
  const std::vector<AbortedTxn>& aborted() const { return aborted_; }

 private:
  std::map<int64_t, int64_t> open_;                 // producer id -> first offset
  std::set<std::pair<int64_t, int64_t>> by_first_;  // (first offset, producer id)
  // Ordered by marker offset (last_offset), since markers are appended in offset order.
  std::vector<AbortedTxn> aborted_;
};

}  // namespace rill::broker::txn
