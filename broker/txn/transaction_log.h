// The record formats Kafka uses in the compacted __transaction_state topic, so the
// coordinator's state can be read by Kafka's tools: key version 0 (transactional id) and
// value version 0 (producer id and epoch, timeout, status, partitions, timestamps).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace rill::broker::txn {

// Kafka's TransactionState ids.
enum class TxnStatus : int8_t {
  kEmpty = 0,
  kOngoing = 1,
  kPrepareCommit = 2,
  kPrepareAbort = 3,
  kCompleteCommit = 4,
  kCompleteAbort = 5,
  kDead = 6,
  kPrepareEpochFence = 7,
};

const char* TxnStatusName(TxnStatus s);

using TopicPartition = std::pair<std::string, int32_t>;

struct TxnRecord {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t timeout_ms = 60000;
  TxnStatus status = TxnStatus::kEmpty;
  std::set<TopicPartition> partitions;
  int64_t last_update_ms = 0;
  int64_t start_ms = -1;
};

std::string EncodeTxnKey(const std::string& transactional_id);
std::string EncodeTxnValue(const TxnRecord& record);
std::optional<std::string> DecodeTxnKey(std::string_view bytes);
std::optional<TxnRecord> DecodeTxnValue(std::string_view bytes);

}  // namespace rill::broker::txn
