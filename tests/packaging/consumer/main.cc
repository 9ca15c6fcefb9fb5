// Starts a one-node EmbeddedCluster from an installed Rill, prints where it listens, exits.
#include <iostream>

#include "absl/status/status.h"
#include "broker/embedded_cluster.h"

int main() {
  rill::broker::EmbeddedCluster cluster;
  absl::Status status = cluster.Start();
  if (!status.ok()) {
    std::cerr << "EmbeddedCluster::Start: " << status << "\n";
    return 1;
  }
  std::cout << "bootstrap.servers=" << cluster.bootstrap_servers() << "\n";
  cluster.Stop();
  return 0;
}
