// The transaction coordinator: maps transactional ids to producer ids and epochs, tracks
// each transaction through Empty -> Ongoing -> PrepareCommit/PrepareAbort ->
// CompleteCommit/CompleteAbort, writes the commit/abort markers to every partition of a
// transaction (data partitions and __consumer_offsets), aborts transactions that outlive
// their timeout, and fences old producers by bumping the epoch. Its state lives in the
// compacted __transaction_state topic (Kafka's record formats) and is reloaded on start;
// a transaction found in a Prepare state is completed then.
//
// Knows nothing about wire versions. Thread-safe; every operation finishes (markers
// included) before it returns.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker/protocol/api_keys.h"
#include "broker/txn/transaction_log.h"
#include "broker/txn/txn_config.h"

namespace rill::broker {
class TopicManager;
namespace group {
class GroupCoordinator;
}
}  // namespace rill::broker

namespace rill::broker::txn {

class ProducerIdManager;

using protocol::ErrorCode;
using SteadyTime = std::chrono::steady_clock::time_point;

struct InitProducerIdResult {
  ErrorCode error = ErrorCode::kNone;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
};

struct TxnDescription {
  std::string transactional_id;
  TxnRecord record;
};

class TransactionCoordinator {
 public:
  TransactionCoordinator(TopicManager& topics, group::GroupCoordinator& groups,
                         ProducerIdManager& producer_ids, TxnConfig config);
  ~TransactionCoordinator();

  // Creates __transaction_state if needed and loads it on a background thread (requests
  // meanwhile get COORDINATOR_LOAD_IN_PROGRESS); transactions left in a Prepare state are
  // completed.
  void StartLoading();
  void WaitLoaded();

  // `producer_id`/`producer_epoch` are -1 unless a v3+ client asks to bump its epoch.
  InitProducerIdResult InitProducerId(const std::string& transactional_id, int32_t timeout_ms,
                                      int64_t producer_id, int16_t producer_epoch);
  // One error per partition, in input order.
  std::vector<ErrorCode> AddPartitions(const std::string& transactional_id, int64_t producer_id,
                                       int16_t producer_epoch,
                                       const std::vector<TopicPartition>& partitions);
  ErrorCode AddOffsets(const std::string& transactional_id, int64_t producer_id,
                       int16_t producer_epoch, const std::string& group_id);
  // `received` is when the request arrived: an EndTxn that arrived before the current
  // transaction began belongs to an earlier one and must not end this one.
  ErrorCode EndTxn(const std::string& transactional_id, int64_t producer_id,
                   int16_t producer_epoch, bool commit, SteadyTime received);

  std::vector<TxnDescription> ListTransactions();
  // Aborts transactions past their timeout (bumping the epoch, which fences the producer).
  void Tick(int64_t now_ms);

 private:
  struct Txn {
    TxnRecord record;
    SteadyTime began;  // when the current transaction became Ongoing
  };

  ErrorCode CheckProducer(const Txn& txn, int64_t producer_id, int16_t producer_epoch) const;
  ErrorCode Persist(const std::string& transactional_id, const TxnRecord& record);
  // PrepareX -> markers -> CompleteX, with the transaction's current epoch.
  ErrorCode Complete(const std::string& transactional_id, Txn& txn, bool commit, int64_t now);
  // Aborts an ongoing transaction under a bumped epoch (fencing its producer).
  ErrorCode FenceAndAbort(const std::string& transactional_id, Txn& txn, int64_t now);
  ErrorCode AddLocked(const std::string& transactional_id, Txn& txn,
                      const std::vector<TopicPartition>& partitions, int64_t now);
  void Load();

  TopicManager& topics_;
  group::GroupCoordinator& groups_;
  ProducerIdManager& producer_ids_;
  const TxnConfig config_;
  std::mutex mu_;
  std::map<std::string, Txn> txns_;
  bool loading_ = true;
  std::thread loader_;
};

}  // namespace rill::broker::txn
