// Uses an installed Rill: starts a one-node EmbeddedCluster (rill::broker), prints where it
// listens, round-trips a value through a built-in serde (rill::streams), exits.
#include <cstdint>
#include <iostream>
#include <string>

#include "absl/status/status.h"
#include "broker/embedded_cluster.h"
#include "streams/serde/serde.h"

int main() {
  rill::broker::EmbeddedCluster cluster;
  absl::Status status = cluster.Start();
  if (!status.ok()) {
    std::cerr << "EmbeddedCluster::Start: " << status << "\n";
    return 1;
  }
  std::cout << "bootstrap.servers=" << cluster.bootstrap_servers() << "\n";
  cluster.Stop();

  rill::streams::Serde<int64_t> serde = rill::streams::Serdes::Long();
  std::string bytes;
  serde.serialize(42, bytes);
  auto value = serde.deserialize(bytes);
  if (!value.ok()) {
    std::cerr << "Serdes::Long round trip: " << value.status() << "\n";
    return 1;
  }
  std::cout << "serde.long=" << *value << " bytes=" << bytes.size() << "\n";
  return 0;
}
