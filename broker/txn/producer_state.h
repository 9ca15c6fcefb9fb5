// Per-partition state of idempotent (and, later, transactional) producers: for each
// producer id its epoch and the sequence ranges and offsets of its last five batches.
// It is what lets the broker acknowledge a retried batch with its original offset instead
// of appending it twice, refuse a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER, and
// fence an old epoch. Rebuilt on start by replaying the batch headers of the log.
//
// Not thread-safe: the owning Partition serialises check + append + update.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "broker/protocol/api_keys.h"
#include "broker/protocol/record_batch.h"

namespace rill::broker::txn {

// Kafka keeps the last five batches per producer because producers have at most five
// requests in flight when idempotence is on.
inline constexpr size_t kCachedBatchesPerProducer = 5;

struct CachedBatch {
  int32_t first_sequence;
  int32_t last_sequence;
  int64_t first_offset;
  int64_t last_offset;
};

struct ProducerEntry {
  int16_t epoch = -1;
  std::deque<CachedBatch> batches;  // oldest first
  int64_t last_timestamp = -1;
};

struct SequenceCheck {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  // Set when the batch duplicates one already in the log: acknowledge with this offset
  // and append nothing.
  std::optional<int64_t> duplicate_of;
};

class ProducerStateManager {
 public:
  // Checks a batch about to be appended. Batches without a producer id pass; control
  // batches (transaction markers) are only checked against the producer's epoch.
  SequenceCheck Check(const protocol::RecordBatchHeader& batch) const;
  // Records an appended batch (with its assigned base offset).
  void OnAppended(const protocol::RecordBatchHeader& batch, int64_t base_offset);

  const std::map<int64_t, ProducerEntry>& producers() const { return producers_; }

 private:
  std::map<int64_t, ProducerEntry> producers_;
};

// Sequence numbers wrap from INT32_MAX to 0.
int32_t NextSequence(int32_t sequence, int32_t increment = 1);

}  // namespace rill::broker::txn
