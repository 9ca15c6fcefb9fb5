#include "broker/txn/producer_state.h"

#include <limits>

namespace rill::broker::txn {

using protocol::ErrorCode;

int32_t NextSequence(int32_t sequence, int32_t increment) {
  const int64_t next = static_cast<int64_t>(sequence) + increment;
  const int64_t wrap = static_cast<int64_t>(std::numeric_limits<int32_t>::max()) + 1;
  return static_cast<int32_t>(next % wrap);
}

SequenceCheck ProducerStateManager::Check(const protocol::RecordBatchHeader& batch) const {
  SequenceCheck result;
  if (batch.producer_id < 0) return result;
  const int32_t first = batch.base_sequence;
  const int32_t last = NextSequence(first, batch.last_offset_delta);
  auto it = producers_.find(batch.producer_id);
  if (it == producers_.end()) {
    // No state: a new producer, or one whose batches retention has removed. Kafka (since
    // KIP-360) accepts either at any sequence rather than failing a live producer.
    return result;
  }
  const ProducerEntry& entry = it->second;
  if (batch.producer_epoch < entry.epoch) {
    result.error = ErrorCode::kInvalidProducerEpoch;
    return result;
  }
  // Transaction markers and transactional offset commits carry no sequence (-1); only
  // the epoch fence applies (Kafka's appendEndTxnMarker). A newer epoch is accepted and
  // becomes the producer's epoch.
  if (batch.is_control() || batch.base_sequence < 0) return result;
  if (batch.producer_epoch > entry.epoch) {
    // A bumped epoch restarts the sequence.
    if (first != 0) result.error = ErrorCode::kOutOfOrderSequenceNumber;
    return result;
  }
  for (const CachedBatch& cached : entry.batches) {
    if (cached.first_sequence == first && cached.last_sequence == last) {
      result.duplicate_of = cached.first_offset;
      return result;
    }
  }
  const int32_t expected =
      entry.batches.empty() ? 0 : NextSequence(entry.batches.back().last_sequence);
  if (first != expected) result.error = ErrorCode::kOutOfOrderSequenceNumber;
  return result;
}

void ProducerStateManager::OnAppended(const protocol::RecordBatchHeader& batch,
                                      int64_t base_offset) {
  if (batch.producer_id < 0) return;
  ProducerEntry& entry = producers_[batch.producer_id];
  if (batch.producer_epoch != entry.epoch) {
    entry.epoch = batch.producer_epoch;
    entry.batches.clear();
  }
  // Control batches (transaction markers) carry no sequence.
  if (!batch.is_control() && batch.base_sequence >= 0) {
    entry.batches.push_back({batch.base_sequence,
                             NextSequence(batch.base_sequence, batch.last_offset_delta),
                             base_offset, base_offset + batch.last_offset_delta});
    if (entry.batches.size() > kCachedBatchesPerProducer) entry.batches.pop_front();
  }
  entry.last_timestamp = batch.max_timestamp;
}

}  // namespace rill::broker::txn
