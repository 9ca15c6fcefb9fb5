// Settings of the transaction coordinator, named after the Kafka broker configs they
// mirror.
#pragma once

#include <cstdint>

namespace rill::broker::txn {

struct TxnConfig {
  int32_t state_topic_partitions = 10;  // transaction.state.log.num.partitions
  int32_t max_timeout_ms = 900000;      // transaction.max.timeout.ms
};

}  // namespace rill::broker::txn
