// `rill-perf mock-cluster`: a librdkafka mock cluster served until SIGTERM/SIGINT, so
// scripts (tests/conformance) can be exercised against a real-protocol peer.
#pragma once

#include <string>

namespace rill::perf {

// Creates `topic` with `partitions` (the mock answers no CreateTopics, so rill-perf runs
// against it need the topic made up front), prints `bootstrap=<host:port,...>` on stdout
// once the mock accepts connections, then blocks until SIGTERM or SIGINT. Returns the
// process exit code.
int ServeMockCluster(int brokers, const std::string& topic, int partitions);

}  // namespace rill::perf
