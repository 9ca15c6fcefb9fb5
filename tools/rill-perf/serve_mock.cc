// Serves a mock cluster until a termination signal (see serve_mock.h).
#include "serve_mock.h"

#include <fmt/core.h>
#include <pthread.h>
#include <signal.h>

#include <cstdio>

#include "absl/strings/str_split.h"
#include "mock_cluster.h"

namespace rill::perf {

int ServeMockCluster(int brokers, const std::string& topics, int partitions) {
  // Block the signals before librdkafka starts its threads (they inherit the mask), so
  // sigwait below is the only place they are delivered.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto mock = MockCluster::Start(brokers);
  if (!mock.ok()) {
    fmt::print(stderr, "rill-perf: {}\n", std::string(mock.status().message()));
    return 1;
  }
  for (absl::string_view name : absl::StrSplit(topics, ',', absl::SkipEmpty())) {
    if (auto s = (*mock)->CreateTopic(std::string(name), partitions, 1); !s.ok()) {
      fmt::print(stderr, "rill-perf: {}\n", std::string(s.message()));
      return 1;
    }
  }
  // The mock's listeners are bound before rd_kafka_mock_cluster_new returns.
  fmt::print("bootstrap={}\n", (*mock)->bootstrap());
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  fmt::print(stderr, "rill-perf: mock cluster stopping on signal {}\n", received);
  return 0;
}

}  // namespace rill::perf
