// GlobalStreamThread: keeps an instance's global stores (GlobalKTables) up to date (Kafka
// Streams' GlobalStreamThread). One librdkafka consumer, not a group member, is assigned
// every partition of every global topic. Bootstrap() reads each partition up to the end it
// had when bootstrap began (resuming at the checkpoint for RocksDB stores) and blocks until
// done; KafkaStreams::start() calls it before any stream thread starts, so tasks never see
// a half-loaded global table. Start() then applies new records as they arrive and commits
// (stores, then checkpoint) every commit.interval.ms.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "streams/runtime/global_state.h"
#include "streams/runtime/streams_config.h"
#include "streams/topology/topology.h"

namespace rill::state {
class RocksDbResources;
class StateDirectory;
}  // namespace rill::state

namespace rill::streams::internal {

class GlobalStreamThread {
 public:
  // Opens the global stores under <state dir>/global and creates the consumer.
  static absl::StatusOr<std::unique_ptr<GlobalStreamThread>> Create(
      const Topology& topology, const StreamsConfig& config, state::StateDirectory& state_dir,
      std::shared_ptr<state::RocksDbResources> rocksdb);
  ~GlobalStreamThread();

  // Loads every global topic up to its current end. Errors name the topic (missing topic,
  // timeout after 5 minutes, store failure).
  absl::Status Bootstrap();
  // Applies updates in the background until Stop().
  void Start();
  // Stops the loop, commits and closes the stores.
  void Stop();

  GlobalState& global_state() { return *state_; }
  // Why the loop stopped, empty while healthy.
  std::string error() const;

 private:
  struct Clients;
  GlobalStreamThread() = default;
  absl::Status PollOnce(int timeout_ms);
  void Run();

  const StreamsConfig* config_ = nullptr;
  std::unique_ptr<GlobalState> state_;
  std::unique_ptr<Clients> clients_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::string error_;
};

}  // namespace rill::streams::internal
