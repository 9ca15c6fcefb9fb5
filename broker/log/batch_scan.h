// Visits every record batch of a partition log in offset order. Used wherever state is
// rebuilt from a log on start: producer state and transactions per partition, committed
// offsets (__consumer_offsets), transaction state (__transaction_state).
#pragma once

#include <functional>
#include <string_view>

#include "absl/status/status.h"
#include "broker/log/partition_log.h"
#include "broker/protocol/record_batch.h"

namespace rill::broker::log {

// Calls `visit(header, batch)` for each batch from the log start to the log end; `batch`
// is the whole batch (header included) and is valid only during the call.
absl::Status ForEachBatch(
    const PartitionLog& log,
    const std::function<void(const protocol::RecordBatchHeader&, std::string_view)>& visit);

}  // namespace rill::broker::log
