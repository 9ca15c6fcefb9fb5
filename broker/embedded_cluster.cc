#include "broker/embedded_cluster.h"

#include <stdlib.h>

#include <filesystem>

#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/txn/transaction_coordinator.h"

namespace rill::broker {
namespace fs = std::filesystem;

EmbeddedCluster::EmbeddedCluster(EmbeddedClusterOptions options) : options_(std::move(options)) {}

EmbeddedCluster::~EmbeddedCluster() {
  Stop();
  nodes_.clear();
  if (owns_data_dir_) {
    std::error_code ec;
    fs::remove_all(data_dir_, ec);
  }
}

absl::Status EmbeddedCluster::Start() {
  if (options_.nodes != 1) {
    return absl::UnimplementedError("EmbeddedCluster supports one node until replication lands");
  }
  if (data_dir_.empty()) {
    if (options_.data_dir.empty()) {
      std::string tmpl = (fs::temp_directory_path() / "rill-cluster-XXXXXX").string();
      if (::mkdtemp(tmpl.data()) == nullptr) return absl::InternalError("mkdtemp failed");
      data_dir_ = tmpl;
      owns_data_dir_ = true;
    } else {
      data_dir_ = options_.data_dir;
    }
  }
  for (int i = 0; i < options_.nodes; ++i) {
    BrokerConfig config = options_.node_template;
    config.node_id = i + 1;
    config.host = "127.0.0.1";
    config.port = 0;
    config.data_dir = (fs::path(data_dir_) / ("node-" + std::to_string(i + 1))).string();
    auto node = std::make_unique<Broker>(config);
    if (absl::Status s = node->Start(); !s.ok()) return s;
    // Embedded users expect a ready cluster: wait for committed offsets to load rather
    // than let the first group requests see COORDINATOR_LOAD_IN_PROGRESS.
    node->groups().WaitLoaded();
    node->transactions().WaitLoaded();
    nodes_.push_back(std::move(node));
  }
  return absl::OkStatus();
}

void EmbeddedCluster::Stop() {
  for (auto& node : nodes_) node->Stop();
}

absl::Status EmbeddedCluster::RestartNode(int index) {
  Broker& old = *nodes_.at(index);
  BrokerConfig config = old.config();
  config.port = old.port();
  old.Stop();
  nodes_[index] = std::make_unique<Broker>(config);
  absl::Status s = nodes_[index]->Start();
  if (s.ok()) {
    nodes_[index]->groups().WaitLoaded();
    nodes_[index]->transactions().WaitLoaded();
  }
  return s;
}

std::string EmbeddedCluster::bootstrap_servers() const {
  std::string out;
  for (const auto& node : nodes_) {
    if (!out.empty()) out += ",";
    out += node->bootstrap_address();
  }
  return out;
}

Broker& EmbeddedCluster::node(int index) { return *nodes_.at(index); }

}  // namespace rill::broker
