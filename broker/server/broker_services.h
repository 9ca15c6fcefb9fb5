// What request handlers may use from the node they run on: its config, its topics and
// its advertised address. Handlers hold no state of their own.
#pragma once

#include <cstdint>
#include <string>

#include "broker/broker_config.h"
#include "broker/cluster/topic_manager.h"

namespace rill::broker::group {
class GroupCoordinator;
}
namespace rill::broker::txn {
class ProducerIdManager;
class TransactionCoordinator;
}

namespace rill::broker {

struct BrokerServices {
  const BrokerConfig& config;
  TopicManager& topics;
  group::GroupCoordinator& groups;
  txn::ProducerIdManager& producer_ids;
  txn::TransactionCoordinator& transactions;
  std::string advertised_host;
  int32_t advertised_port = 0;
};

// Wall-clock milliseconds since the epoch (record timestamps, retention).
int64_t NowMs();

}  // namespace rill::broker
