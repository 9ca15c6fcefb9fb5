#include "broker/txn/transaction_log.h"

#include <map>
#include <vector>

#include "broker/protocol/wire.h"

namespace rill::broker::txn {

using protocol::Reader;
using protocol::Writer;

const char* TxnStatusName(TxnStatus s) {
  switch (s) {
    case TxnStatus::kEmpty: return "Empty";
    case TxnStatus::kOngoing: return "Ongoing";
    case TxnStatus::kPrepareCommit: return "PrepareCommit";
    case TxnStatus::kPrepareAbort: return "PrepareAbort";
    case TxnStatus::kCompleteCommit: return "CompleteCommit";
    case TxnStatus::kCompleteAbort: return "CompleteAbort";
    case TxnStatus::kDead: return "Dead";
    case TxnStatus::kPrepareEpochFence: return "PrepareEpochFence";
  }
  return "Unknown";
}

std::string EncodeTxnKey(const std::string& transactional_id) {
  std::string out;
  Writer w(&out);
  w.Int16(0);
  w.String(transactional_id);
  return out;
}

std::string EncodeTxnValue(const TxnRecord& r) {
  std::string out;
  Writer w(&out);
  w.Int16(0);
  w.Int64(r.producer_id);
  w.Int16(r.producer_epoch);
  w.Int32(r.timeout_ms);
  w.Int8(static_cast<int8_t>(r.status));
  std::map<std::string, std::vector<int32_t>> by_topic;
  for (const auto& [topic, partition] : r.partitions) by_topic[topic].push_back(partition);
  w.Int32(static_cast<int32_t>(by_topic.size()));
  for (const auto& [topic, partitions] : by_topic) {
    w.String(topic);
    w.Int32(static_cast<int32_t>(partitions.size()));
    for (int32_t p : partitions) w.Int32(p);
  }
  w.Int64(r.last_update_ms);
  w.Int64(r.start_ms);
  return out;
}

std::optional<std::string> DecodeTxnKey(std::string_view bytes) {
  Reader r(bytes);
  if (r.Int16() != 0) return std::nullopt;
  std::string id = r.String();
  if (!r.ok()) return std::nullopt;
  return id;
}

std::optional<TxnRecord> DecodeTxnValue(std::string_view bytes) {
  Reader r(bytes);
  TxnRecord rec;
  if (r.Int16() != 0) return std::nullopt;
  rec.producer_id = r.Int64();
  rec.producer_epoch = r.Int16();
  rec.timeout_ms = r.Int32();
  rec.status = static_cast<TxnStatus>(r.Int8());
  int32_t topics = r.ArrayLength(false, 6);
  for (int32_t i = 0; i < topics && r.ok(); ++i) {
    std::string topic = r.String();
    int32_t n = r.ArrayLength(false, 4);
    for (int32_t j = 0; j < n && r.ok(); ++j) rec.partitions.insert({topic, r.Int32()});
  }
  rec.last_update_ms = r.Int64();
  rec.start_ms = r.Int64();
  if (!r.ok()) return std::nullopt;
  return rec;
}

}  // namespace rill::broker::txn
