// StreamThread: one processing thread of a KafkaStreams instance — a librdkafka consumer
// (manual assign), a producer, a membership in the application's group (Rill's own client
// of the classic protocol, DESIGN.md §4) and the tasks the group assigned to it.
//
// Loop: poll records -> route to tasks -> process in timestamp order -> punctuate ->
// commit every commit.interval.ms (flush stores -> flush producer -> store changelog
// offsets with the state -> commit input offsets with the member's generation). A
// rebalance drains and commits first, so a task that moves away leaves nothing half done.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "streams/runtime/group_membership.h"
#include "streams/runtime/stream_task.h"
#include "streams/runtime/streams_config.h"
#include "streams/topology/topology.h"

struct rd_kafka_message_s;

namespace rill::state {
class CacheBudget;
class RocksDbResources;
class StateDirectory;
class WindowStore;
class SessionStore;
}  // namespace rill::state

namespace rill::streams {
class StreamsMetrics;
}

namespace rill::streams::internal {

class GlobalState;

class StreamThread {
 public:
  enum class State { kCreated, kRebalancing, kRunning, kPendingShutdown, kDead, kError };

  // What the instance shares with its threads.
  struct Shared {
    const Topology* topology = nullptr;
    const StreamsConfig* config = nullptr;
    std::string process_id;
    state::StateDirectory* state_dir = nullptr;
    std::shared_ptr<state::RocksDbResources> rocksdb;
    std::shared_ptr<state::CacheBudget> cache;
    StreamsMetrics* metrics = nullptr;
    // The instance's global stores (GlobalKTables); null when it has none.
    GlobalState* global = nullptr;
    // Resolved source topics (user and repartition) of every sub-topology.
    std::vector<std::vector<std::string>> subtopology_sources;
    // Called on state changes and after each assignment (for instance-level state and
    // host metadata).
    std::function<void()> on_state_change;
    std::function<void(const MembershipAssignment&)> on_assignment;
  };

  StreamThread(int index, Shared shared);
  ~StreamThread();

  void Start();
  // Asks the loop to commit, close its tasks and leave the group.
  void RequestStop();
  void Join();
  State state() const { return state_.load(); }
  // Why the thread died when state() == kError.
  std::string error() const;

  // Runs `f(store)` for the store `name` of every active task, holding the task lock so
  // tasks are not closed meanwhile (interactive queries).
  void ForEachStore(const std::string& name,
                    const std::function<void(const TaskId&, state::KeyValueStore*)>& f);
  // The same for window stores.
  void ForEachWindowStore(const std::string& name,
                          const std::function<void(const TaskId&, state::WindowStore*)>& f);
  // The same for session stores.
  void ForEachSessionStore(const std::string& name,
                           const std::function<void(const TaskId&, state::SessionStore*)>& f);
  std::vector<TaskId> ActiveTasks();

 private:
  void Run();
  absl::Status Setup();
  absl::Status Rebalance();
  absl::Status CreateTask(const TaskId& id);
  absl::Status Restore(StreamTask& task);
  absl::Status AssignConsumer();
  void PollOnce();
  // Queues a consumed record in the task that reads its partition; returns that task (null
  // for errors and partitions no task reads).
  StreamTask* Route(rd_kafka_message_s* m);
  bool ProcessSome();
  absl::Status Commit();
  void CloseAll();
  // Records the task's committed changelog offsets in its checkpoint file (offset sums).
  void WriteCheckpoint(StreamTask& task);
  void SetState(State s);
  std::map<std::string, TaskAssignment> LeaderAssign(const std::vector<ClientSubscription>& members);
  TaskEnvironment MakeEnvironment();

  int index_;
  Shared shared_;
  std::string client_id_;
  std::atomic<State> state_{State::kCreated};
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex error_mu_;
  std::string error_;

  struct Clients;
  std::unique_ptr<Clients> clients_;
  std::unique_ptr<GroupMembership> membership_;
  std::mutex tasks_mu_;  // guards tasks_ against interactive queries
  std::map<TaskId, std::unique_ptr<StreamTask>> tasks_;
  std::map<std::pair<std::string, int32_t>, StreamTask*> partition_to_task_;
  // Consumer topic handle -> (task, input queue) per partition (PollOnce's per-record
  // lookup); queue -1: no task reads that partition.
  struct QueueRef {
    StreamTask* task = nullptr;
    int queue = -1;
  };
  std::map<const void*, std::vector<QueueRef>> topic_cache_;
  int64_t last_commit_ms_ = 0;
  int64_t last_purge_ms_ = 0;
  int64_t last_delivery_poll_ms_ = 0;
};

}  // namespace rill::streams::internal
