// One broker node: its topics and partition logs on disk, its Kafka-protocol listener and
// its background maintenance (retention). Start() recovers the data directory, then
// listens; Stop() closes the listener and the logs. Thread-safe for Start/Stop from one
// owner thread.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "broker/broker_config.h"

namespace rill::broker {

class TopicManager;
class Server;
namespace group {
class GroupCoordinator;
}
namespace txn {
class ProducerIdManager;
class TransactionCoordinator;
}
struct BrokerServices;

class Broker {
 public:
  explicit Broker(BrokerConfig config);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Recovers the data directory and starts listening. Fails if the data directory cannot
  // be used or the port cannot be bound.
  absl::Status Start();
  // Stops serving and closes every log (flushing it). Idempotent.
  void Stop();

  // The bound port (useful when the config asked for port 0).
  int port() const;
  // "host:port" to give clients.
  std::string bootstrap_address() const;
  const BrokerConfig& config() const { return config_; }
  TopicManager& topics();
  group::GroupCoordinator& groups();
  txn::TransactionCoordinator& transactions();
  // Closes every client connection (clients reconnect and retry): fault injection for
  // tests of retries and idempotence.
  void DropConnections();

 private:
  BrokerConfig config_;
  std::unique_ptr<TopicManager> topics_;
  std::unique_ptr<group::GroupCoordinator> groups_;
  std::unique_ptr<txn::ProducerIdManager> producer_ids_;
  std::unique_ptr<txn::TransactionCoordinator> transactions_;
  std::unique_ptr<BrokerServices> services_;
  std::unique_ptr<Server> server_;
  bool started_ = false;
};

}  // namespace rill::broker
