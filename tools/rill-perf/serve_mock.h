// `rill-perf mock-cluster`: a librdkafka mock cluster served until SIGTERM/SIGINT, so
// scripts (tests/conformance) can be exercised against a real-protocol peer.
#pragma once

#include <string>

namespace rill::perf {

// Creates each of the comma-separated `topics` with `partitions` (the mock answers no
// CreateTopics, so rill-perf runs against it need their topics made up front), prints
// `bootstrap=<host:port,...>` on stdout once the mock accepts connections, then blocks until
// SIGTERM or SIGINT. Returns the process exit code.
int ServeMockCluster(int brokers, const std::string& topics, int partitions);

}  // namespace rill::perf
