// The transaction workload: the cost of exactly-once on the produce path. The same messages
// are produced twice in one run, once by a plain idempotent producer and once by a
// transactional producer committing every `txn_ms` (100 ms by default, Kafka Streams'
// commit interval under exactly-once); the result is both throughputs and the overhead.
#pragma once

#include "absl/status/statusor.h"
#include "workload.h"

namespace rill::perf {

struct TxnResult {
  std::string label;
  double idempotent_msgs_per_sec = 0;
  double transactional_msgs_per_sec = 0;
  double payload_mb_per_sec_idempotent = 0;
  double payload_mb_per_sec_transactional = 0;
  int64_t transactions = 0;
  int64_t errors = 0;
};

absl::StatusOr<TxnResult> RunTxn(const Target& target, const Workload& w, int txn_ms);
void PrintTxn(const TxnResult& r);

}  // namespace rill::perf
