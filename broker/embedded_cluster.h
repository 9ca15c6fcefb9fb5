// EmbeddedCluster starts N broker nodes inside the calling process on free loopback
// ports, each with its own data directory, and tells clients where to connect. It is
// what examples and tests use when no external Kafka is given.
//
//   rill::broker::EmbeddedCluster cluster;            // one node, temp data dir
//   RILL_CHECK_OK(cluster.Start());
//   producer_conf.set("bootstrap.servers", cluster.bootstrap_servers());
//
// Not thread-safe: start, restart and stop it from one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "broker/broker_config.h"

namespace rill::broker {

class Broker;

struct EmbeddedClusterOptions {
  int nodes = 1;  // only 1 until replication lands
  // Parent directory for the node data dirs; empty = a fresh temp dir removed on
  // destruction.
  std::string data_dir;
  // Applied to every node (node id, port and data dir are filled in per node).
  BrokerConfig node_template;
};

class EmbeddedCluster {
 public:
  explicit EmbeddedCluster(EmbeddedClusterOptions options = {});
  ~EmbeddedCluster();

  // Starts every node and returns once each serves requests, committed offsets loaded.
  absl::Status Start();
  // Stops every node; data stays on disk until destruction (temp dirs only).
  void Stop();
  // Stops node `index` and starts it again on the same port and data directory.
  absl::Status RestartNode(int index);

  // "127.0.0.1:p1,127.0.0.1:p2,..."
  std::string bootstrap_servers() const;
  Broker& node(int index);
  const std::string& data_dir() const { return data_dir_; }

 private:
  EmbeddedClusterOptions options_;
  std::string data_dir_;
  bool owns_data_dir_ = false;
  std::vector<std::unique_ptr<Broker>> nodes_;
};

}  // namespace rill::broker
