#include "broker/txn/transaction_coordinator.h"

#include <limits>

#include "broker/cluster/topic_manager.h"
#include "broker/group/group_coordinator.h"
#include "broker/group/offsets_codec.h"
#include "broker/log/batch_scan.h"
#include "broker/protocol/record_batch.h"
#include "broker/txn/producer_id_manager.h"
#include "spdlog/spdlog.h"

namespace rill::broker::txn {
namespace {

constexpr char kStateTopic[] = "__transaction_state";
constexpr char kOffsetsTopic[] = "__consumer_offsets";
// A single node is its own coordinator for ever: its coordinator epoch never changes.
constexpr int32_t kCoordinatorEpoch = 0;

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsComplete(TxnStatus s) {
  return s == TxnStatus::kEmpty || s == TxnStatus::kCompleteCommit ||
         s == TxnStatus::kCompleteAbort;
}

}  // namespace

TransactionCoordinator::TransactionCoordinator(TopicManager& topics,
                                               group::GroupCoordinator& groups,
                                               ProducerIdManager& producer_ids, TxnConfig config)
    : topics_(topics), groups_(groups), producer_ids_(producer_ids), config_(config) {}

TransactionCoordinator::~TransactionCoordinator() { WaitLoaded(); }

void TransactionCoordinator::StartLoading() {
  if (!topics_.GetTopic(kStateTopic)) {
    AdminResult r =
        topics_.CreateTopic(kStateTopic, config_.state_topic_partitions, 1,
                            {{"cleanup.policy", "compact"}, {"segment.bytes", "104857600"}}, false);
    if (!r.ok() && r.error != ErrorCode::kTopicAlreadyExists) {
      spdlog::error("cannot create {}: {}", kStateTopic, r.message);
    }
  }
  loader_ = std::thread([this] { Load(); });
}

void TransactionCoordinator::WaitLoaded() {
  if (loader_.joinable()) loader_.join();
}

void TransactionCoordinator::Load() {
  std::map<std::string, TxnRecord> state;
  if (auto topic = topics_.GetTopic(kStateTopic)) {
    for (int32_t p = 0; p < topic->partition_count; ++p) {
      auto partition = topics_.GetPartition(kStateTopic, p);
      if (!partition) continue;
      absl::Status scanned = log::ForEachBatch(
          partition->log(), [&](const protocol::RecordBatchHeader&, std::string_view batch) {
            auto records = protocol::DecodeRecords(batch);
            if (!records.ok()) return;
            for (const auto& rec : *records) {
              if (!rec.key) continue;
              auto id = DecodeTxnKey(*rec.key);
              if (!id) continue;
              std::optional<TxnRecord> value;
              if (rec.value) value = DecodeTxnValue(*rec.value);
              if (value) {
                state[*id] = *value;
              } else {
                state.erase(*id);
              }
            }
          });
      if (!scanned.ok()) spdlog::error("{}-{}: {}", kStateTopic, p, scanned.ToString());
    }
  }
  // Completing a prepared transaction hands its offsets to the group coordinator, which
  // must have loaded its own state first.
  while (groups_.loading()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = SystemNowMs();
  for (auto& [id, record] : state) {
    Txn& txn = txns_[id];
    txn.record = record;
    txn.began = std::chrono::steady_clock::now();
    // A crash between Prepare and Complete: the decision was durable, finish it.
    if (record.status == TxnStatus::kPrepareCommit || record.status == TxnStatus::kPrepareAbort) {
      Complete(id, txn, record.status == TxnStatus::kPrepareCommit, now);
    } else if (record.status == TxnStatus::kOngoing) {
      // The timeout counts again from the restart.
      txn.record.start_ms = now;
    }
  }
  loading_ = false;
  spdlog::info("transaction coordinator loaded {} transactional ids", txns_.size());
}

ErrorCode TransactionCoordinator::Persist(const std::string& transactional_id,
                                          const TxnRecord& record) {
  const int32_t index =
      group::OffsetsPartitionFor(transactional_id, config_.state_topic_partitions);
  auto partition = topics_.GetPartition(kStateTopic, index);
  if (!partition) return ErrorCode::kCoordinatorNotAvailable;
  protocol::RecordBatchBuilder builder;
  const std::string key = EncodeTxnKey(transactional_id);
  const std::string value = EncodeTxnValue(record);
  builder.Add(std::string_view(key), std::string_view(value), record.last_update_ms);
  PartitionAppend appended = partition->Append(builder.Build(), record.last_update_ms);
  if (appended.error != ErrorCode::kNone) {
    spdlog::error("cannot persist transaction state of {}: error {}", transactional_id,
                  protocol::ToWire(appended.error));
  }
  return appended.error;
}

ErrorCode TransactionCoordinator::CheckProducer(const Txn& txn, int64_t producer_id,
                                                int16_t producer_epoch) const {
  if (txn.record.producer_id != producer_id) return ErrorCode::kInvalidProducerIdMapping;
  // An older epoch is a zombie; a newer one cannot come from a real client.
  if (txn.record.producer_epoch != producer_epoch) return ErrorCode::kProducerFenced;
  return ErrorCode::kNone;
}

ErrorCode TransactionCoordinator::Complete(const std::string& transactional_id, Txn& txn,
                                           bool commit, int64_t now) {
  TxnRecord& r = txn.record;
  r.status = commit ? TxnStatus::kPrepareCommit : TxnStatus::kPrepareAbort;
  r.last_update_ms = now;
  // The decision is durable before any marker is written: after a crash, Load() finishes
  // what was decided.
  if (ErrorCode e = Persist(transactional_id, r); e != ErrorCode::kNone) return e;
  for (const auto& [topic, index] : r.partitions) {
    auto partition = topics_.GetPartition(topic, index);
    if (!partition) continue;  // deleted meanwhile: nothing left to mark
    PartitionAppend marker =
        partition->WriteMarker(r.producer_id, r.producer_epoch, commit, kCoordinatorEpoch, now);
    if (marker.error != ErrorCode::kNone && marker.error != ErrorCode::kInvalidProducerEpoch) {
      spdlog::error("cannot write {} marker for {} to {}-{}: error {}", commit ? "commit" : "abort",
                    transactional_id, topic, index, protocol::ToWire(marker.error));
      return marker.error;
    }
    if (topic == kOffsetsTopic) groups_.CompleteTransaction(r.producer_id, commit, index);
  }
  r.status = commit ? TxnStatus::kCompleteCommit : TxnStatus::kCompleteAbort;
  r.partitions.clear();
  r.last_update_ms = now;
  return Persist(transactional_id, r);
}

ErrorCode TransactionCoordinator::FenceAndAbort(const std::string& transactional_id, Txn& txn,
                                                int64_t now) {
  // Markers under the bumped epoch fence the old producer on every partition it wrote.
  if (txn.record.producer_epoch < std::numeric_limits<int16_t>::max()) {
    ++txn.record.producer_epoch;
  }
  return Complete(transactional_id, txn, /*commit=*/false, now);
}

InitProducerIdResult TransactionCoordinator::InitProducerId(const std::string& transactional_id,
                                                            int32_t timeout_ms, int64_t producer_id,
                                                            int16_t producer_epoch) {
  InitProducerIdResult result;
  std::lock_guard<std::mutex> lock(mu_);
  if (loading_) {
    result.error = ErrorCode::kCoordinatorLoadInProgress;
    return result;
  }
  if (timeout_ms <= 0 || timeout_ms > config_.max_timeout_ms) {
    result.error = ErrorCode::kInvalidTransactionTimeout;
    return result;
  }
  const int64_t now = SystemNowMs();
  auto it = txns_.find(transactional_id);
  if (it == txns_.end()) {
    auto id = producer_ids_.NextId();
    if (!id.ok()) {
      result.error = ErrorCode::kUnknownServerError;
      return result;
    }
    Txn txn;
    txn.record.producer_id = *id;
    txn.record.producer_epoch = 0;
    txn.record.timeout_ms = timeout_ms;
    txn.record.status = TxnStatus::kEmpty;
    txn.record.last_update_ms = now;
    if (ErrorCode e = Persist(transactional_id, txn.record); e != ErrorCode::kNone) {
      result.error = e;
      return result;
    }
    txns_[transactional_id] = txn;
    result.producer_id = *id;
    result.producer_epoch = 0;
    return result;
  }
  Txn& txn = it->second;
  if (producer_id >= 0) {
    // KIP-360: the client names the id and epoch it has; only the current ones may bump.
    if (producer_id != txn.record.producer_id || producer_epoch != txn.record.producer_epoch) {
      result.error = ErrorCode::kProducerFenced;
      return result;
    }
  }
  if (txn.record.status == TxnStatus::kOngoing) {
    // A new incarnation of the producer: abort what the old one left open.
    if (ErrorCode e = FenceAndAbort(transactional_id, txn, now); e != ErrorCode::kNone) {
      result.error = e;
      return result;
    }
  } else if (!IsComplete(txn.record.status)) {
    result.error = ErrorCode::kConcurrentTransactions;
    return result;
  } else if (txn.record.producer_epoch < std::numeric_limits<int16_t>::max() - 1) {
    ++txn.record.producer_epoch;
  } else {
    // Epoch exhausted: a fresh producer id.
    auto id = producer_ids_.NextId();
    if (!id.ok()) {
      result.error = ErrorCode::kUnknownServerError;
      return result;
    }
    txn.record.producer_id = *id;
    txn.record.producer_epoch = 0;
  }
  txn.record.timeout_ms = timeout_ms;
  txn.record.status = TxnStatus::kEmpty;
  txn.record.last_update_ms = now;
  if (ErrorCode e = Persist(transactional_id, txn.record); e != ErrorCode::kNone) {
    result.error = e;
    return result;
  }
  result.producer_id = txn.record.producer_id;
  result.producer_epoch = txn.record.producer_epoch;
  return result;
}

ErrorCode TransactionCoordinator::AddLocked(const std::string& transactional_id, Txn& txn,
                                            const std::vector<TopicPartition>& partitions,
                                            int64_t now) {
  if (txn.record.status == TxnStatus::kPrepareCommit ||
      txn.record.status == TxnStatus::kPrepareAbort) {
    return ErrorCode::kConcurrentTransactions;
  }
  bool changed = false;
  if (txn.record.status != TxnStatus::kOngoing) {
    txn.record.status = TxnStatus::kOngoing;
    txn.record.start_ms = now;
    txn.began = std::chrono::steady_clock::now();
    changed = true;
  }
  for (const auto& tp : partitions) changed = txn.record.partitions.insert(tp).second || changed;
  if (!changed) return ErrorCode::kNone;
  txn.record.last_update_ms = now;
  return Persist(transactional_id, txn.record);
}

std::vector<ErrorCode> TransactionCoordinator::AddPartitions(
    const std::string& transactional_id, int64_t producer_id, int16_t producer_epoch,
    const std::vector<TopicPartition>& partitions) {
  auto all = [&](ErrorCode e) { return std::vector<ErrorCode>(partitions.size(), e); };
  std::lock_guard<std::mutex> lock(mu_);
  if (loading_) return all(ErrorCode::kCoordinatorLoadInProgress);
  auto it = txns_.find(transactional_id);
  if (it == txns_.end()) return all(ErrorCode::kInvalidProducerIdMapping);
  if (ErrorCode e = CheckProducer(it->second, producer_id, producer_epoch); e != ErrorCode::kNone) {
    return all(e);
  }
  // Unknown partitions fail the whole request, the others are "not attempted" (Kafka).
  std::vector<ErrorCode> errors(partitions.size(), ErrorCode::kNone);
  bool any_unknown = false;
  for (size_t i = 0; i < partitions.size(); ++i) {
    if (!topics_.GetPartition(partitions[i].first, partitions[i].second)) {
      errors[i] = ErrorCode::kUnknownTopicOrPartition;
      any_unknown = true;
    }
  }
  if (any_unknown) {
    for (auto& e : errors) {
      if (e == ErrorCode::kNone) e = ErrorCode::kOperationNotAttempted;
    }
    return errors;
  }
  return all(AddLocked(transactional_id, it->second, partitions, SystemNowMs()));
}

ErrorCode TransactionCoordinator::AddOffsets(const std::string& transactional_id,
                                             int64_t producer_id, int16_t producer_epoch,
                                             const std::string& group_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (loading_) return ErrorCode::kCoordinatorLoadInProgress;
  if (group_id.empty()) return ErrorCode::kInvalidGroupId;
  auto it = txns_.find(transactional_id);
  if (it == txns_.end()) return ErrorCode::kInvalidProducerIdMapping;
  if (ErrorCode e = CheckProducer(it->second, producer_id, producer_epoch); e != ErrorCode::kNone) {
    return e;
  }
  const int32_t index =
      group::OffsetsPartitionFor(group_id, groups_.config().offsets_topic_partitions);
  return AddLocked(transactional_id, it->second, {{kOffsetsTopic, index}}, SystemNowMs());
}

ErrorCode TransactionCoordinator::EndTxn(const std::string& transactional_id, int64_t producer_id,
                                         int16_t producer_epoch, bool commit, SteadyTime received) {
  std::lock_guard<std::mutex> lock(mu_);
  if (loading_) return ErrorCode::kCoordinatorLoadInProgress;
  auto it = txns_.find(transactional_id);
  if (it == txns_.end()) return ErrorCode::kInvalidProducerIdMapping;
  Txn& txn = it->second;
  if (ErrorCode e = CheckProducer(txn, producer_id, producer_epoch); e != ErrorCode::kNone) {
    return e;
  }
  switch (txn.record.status) {
    case TxnStatus::kOngoing:
      // The late-EndTxn hazard: a request that arrived before this transaction began was
      // meant for an earlier one (a timed-out call whose retry already succeeded).
      if (received < txn.began) return ErrorCode::kInvalidTxnState;
      return Complete(transactional_id, txn, commit, SystemNowMs());
    case TxnStatus::kCompleteCommit:
      // A retry of the call that already finished is answered the same way.
      return commit ? ErrorCode::kNone : ErrorCode::kInvalidTxnState;
    case TxnStatus::kCompleteAbort:
      return commit ? ErrorCode::kInvalidTxnState : ErrorCode::kNone;
    case TxnStatus::kPrepareCommit:
    case TxnStatus::kPrepareAbort:
      return ErrorCode::kConcurrentTransactions;
    default:
      return ErrorCode::kInvalidTxnState;
  }
}

std::vector<TxnDescription> TransactionCoordinator::ListTransactions() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<TxnDescription> out;
  for (const auto& [id, txn] : txns_) out.push_back({id, txn.record});
  return out;
}

void TransactionCoordinator::Tick(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (loading_) return;
  for (auto& [id, txn] : txns_) {
    if (txn.record.status == TxnStatus::kOngoing &&
        now_ms - txn.record.start_ms > txn.record.timeout_ms) {
      spdlog::info("transaction of {} timed out after {} ms: aborting", id, txn.record.timeout_ms);
      FenceAndAbort(id, txn, now_ms);
    }
  }
}

}  // namespace rill::broker::txn
