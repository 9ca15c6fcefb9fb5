// StreamTask: one (sub-topology, partition) — its node instances, its stores and its record
// queues. Not a template and not thread-safe: one stream thread (or the test driver) owns a
// task and calls it from that thread only. The runtime and TopologyTestDriver share this
// code path, so what the driver proves holds for the runtime.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "state/changelog_writer.h"
#include "state/key_value_store.h"
#include "state/session_store.h"
#include "state/window_store.h"
#include "streams/processor/internal/node.h"
#include "streams/topology/topology.h"

namespace rill::state {
class CacheBudget;
}

namespace rill::streams::internal {

enum class ExceptionPolicy { kLogAndContinue, kFail };

// Thrown when the deserialization policy is kFail; the processing policy never skips it.
class DeserializationFailure : public StreamsException {
 public:
  using StreamsException::StreamsException;
};

// What a task needs from whoever runs it.
struct TaskEnvironment {
  std::string application_id;
  RecordCollector* collector = nullptr;
  // Opens the innermost byte store for `spec` in this task (RocksDB or in-memory).
  std::function<absl::StatusOr<std::unique_ptr<state::KeyValueStore>>(const StoreSpec& spec,
                                                                      const TaskId& task)>
      open_store;
  // Opens the innermost window store for `spec` (RocksDB or in-memory).
  std::function<absl::StatusOr<std::unique_ptr<state::WindowStore>>(const StoreSpec& spec,
                                                                    const TaskId& task)>
      open_window_store;
  // Opens the innermost session store for `spec` (RocksDB or in-memory).
  std::function<absl::StatusOr<std::unique_ptr<state::SessionStore>>(const StoreSpec& spec,
                                                                     const TaskId& task)>
      open_session_store;
  // The global stores (GlobalKTables) every task may read; null when there are none.
  std::function<StoreInstance*(std::string_view name)> global_store;
  std::shared_ptr<state::CacheBudget> cache;  // null or zero budget: no caching
  std::function<int64_t()> wall_clock_ms;
  // Internal topics (repartition, changelog) are named <application.id>-<name>.
  std::function<std::string(const std::string& topic, bool internal)> resolve_topic;
  ExceptionPolicy deserialization_policy = ExceptionPolicy::kLogAndContinue;
  ExceptionPolicy processing_policy = ExceptionPolicy::kFail;
  // StreamsConfig::max_task_idle_ms; -1 (never wait) suits the test driver, whose inputs
  // are complete whenever it processes.
  int64_t max_task_idle_ms = -1;
  // Called for each dropped record: (task, reason).
  std::function<void(const TaskId&, std::string_view)> on_dropped;
  // Called with the raw record a handler skipped and why (the dead-letter topic).
  std::function<void(const RawRecord&, const RecordMetadata&, const std::string& error)>
      dead_letter;
};

class StreamTask : public TaskContext {
 public:
  // Instantiates the sub-topology's nodes and opens its stores (not yet restored: the
  // caller restores them from their changelogs, then calls Initialize()).
  static absl::StatusOr<std::unique_ptr<StreamTask>> Create(const Topology& topology,
                                                           TaskId id, TaskEnvironment env);
  ~StreamTask() override;

  // Stores of this task with their changelog topics (already resolved), for restoration.
  struct StoreEntry {
    std::string name;
    std::string changelog_topic;  // empty: not logged
    state::StateStore* store = nullptr;  // outermost layer
    // Timestamped store: restore prefixes each value with its record's timestamp.
    bool timestamped = false;
  };
  std::vector<StoreEntry> Stores() const;
  StoreInstance* FindStore(std::string_view name);

  // Runs every node's init (after restoration).
  absl::Status Initialize();

  // Queues a record read from `topic` (as the runtime names it) / `partition` at `offset`.
  void AddRecord(const std::string& topic, int32_t partition, int64_t offset, RawRecord record);
  // The same for a record of this task's partition from the input queue QueueIndex(topic)
  // returned (the runtime resolves it once per partition, not per record).
  void AddRecord(int queue, int64_t offset, RawRecord record);
  // The input queue of `topic` (as the runtime names it); -1 when the task does not read it.
  int QueueIndex(std::string_view topic) const;
  size_t buffered() const { return buffered_; }
  // A store asks for an early commit (state::StateStore::WantsCommit).
  bool StoresWantCommit() const;
  // The consumer reached the end of this input queue's partition: what it had is queued.
  // The next record added clears the mark.
  void MarkEndOfPartition(int queue) { queues_[queue].at_end = true; }
  // The last ProcessOne() held records back, waiting for an empty partition (see
  // StreamsConfig::max_task_idle_ms): the thread must keep polling for it.
  bool waiting_for_input() const { return waiting_for_input_; }

  // Processes the next record by timestamp across the task's partitions. Returns false when
  // nothing is buffered, or while max.task.idle.ms holds the records back. Throws StreamsException when a policy says fail.
  bool ProcessOne();
  // Fires due wall-clock punctuations.
  void PunctuateWallClock(int64_t now_ms);

  // Commit, step 1: flush caches and stores (sends changelog records).
  absl::Status FlushStores();
  // Commit, step 2 (after the producer flushed): makes store writes durable with the
  // changelog offset each reached. `changelog_offsets`: resolved changelog topic -> offset.
  absl::Status CommitStores(const std::map<std::string, int64_t>& changelog_offsets);
  // Next offsets to commit per input partition (offset of last processed record + 1),
  // keyed by resolved topic.
  std::map<std::pair<std::string, int32_t>, int64_t> ConsumedOffsets() const;
  bool commit_requested() const { return commit_requested_; }
  void ClearCommitRequest() { commit_requested_ = false; }
  bool processed_since_commit() const { return processed_since_commit_; }
  // Records processed since the last call (the runner adds them to its metrics in batches:
  // a metric update per record costs more than some operators).
  int64_t TakeProcessedCount() { return std::exchange(processed_count_, 0); }
  void ClearProcessed() { processed_since_commit_ = false; }

  // Closes nodes and stores. Uncommitted store writes are dropped.
  void Close();

  // The resolved topics this task reads; its input partition is id().partition.
  const std::vector<std::string>& input_topics() const { return input_topics_; }
  const TaskId& id() const { return id_; }

  // TaskContext
  const TaskId& task_id() const override { return id_; }
  const std::string& application_id() const override { return env_.application_id; }
  const std::optional<RecordMetadata>& record_metadata() const override;
  int64_t stream_time() const override { return stream_time_; }
  int64_t wall_clock_ms() const override { return env_.wall_clock_ms(); }
  // The task's own stores, then the global stores.
  StoreInstance* GetStore(std::string_view name) override {
    StoreInstance* store = FindStore(name);
    if (store == nullptr && env_.global_store) store = env_.global_store(name);
    return store;
  }
  void Schedule(std::chrono::milliseconds interval, PunctuationType type,
                std::function<void(int64_t)> callback) override;
  void RequestCommit() override { commit_requested_ = true; }
  RecordCollector& collector() override { return *env_.collector; }
  void RecordDropped(std::string_view reason) override;
  void OnDeserializationError(std::string_view node, const std::string& error) override;
  std::string ResolveTopic(const std::string& topic, bool internal) const override {
    return env_.resolve_topic(topic, internal);
  }

 private:
  bool ReadyToProcess();
  class TaskChangelogWriter;
  struct Queue {
    std::string topic;
    std::deque<std::pair<int64_t, RawRecord>> records;  // (offset, record)
    ProcessorNode* source = nullptr;
    int64_t next_offset = -1;  // to commit
    bool at_end = false;       // fetched to the partition's end since the last record
  };
  struct Punctuation {
    std::chrono::milliseconds interval;
    PunctuationType type;
    std::function<void(int64_t)> callback;
    int64_t next = 0;  // when it is due next
  };
  struct Store {
    StoreInstance instance;
    std::string changelog_topic;
    std::unique_ptr<TaskChangelogWriter> writer;
    std::unique_ptr<state::KeyValueStore> outer;          // key-value stores
    std::unique_ptr<state::WindowStore> window_outer;     // window stores
    std::unique_ptr<state::SessionStore> session_outer;   // session stores
    state::StateStore* lifecycle() const;
    std::function<void(const state::CacheFlushEntry&)> listener;
  };

  StreamTask(const Topology& topology, TaskId id, TaskEnvironment env);
  absl::Status Build();
  // Fires the punctuations of `type` due at `now`.
  void Punctuate(PunctuationType type, int64_t now);

  const Topology& topology_;
  TaskId id_;
  TaskEnvironment env_;
  std::vector<std::unique_ptr<ProcessorNode>> nodes_;
  std::vector<std::unique_ptr<NodeContext>> contexts_;
  std::map<std::string, Store, std::less<>> stores_;
  std::vector<Queue> queues_;  // one per resolved input topic; fixed after Build()
  std::vector<std::string> input_topics_;
  std::deque<Punctuation> punctuations_;  // a deque: callbacks may schedule more
  // The record being processed: its queue and offset. Its RecordMetadata (a topic-name
  // copy) is built only when asked for.
  const Queue* current_queue_ = nullptr;
  int64_t current_offset_ = 0;
  mutable std::optional<RecordMetadata> metadata_;
  int64_t stream_time_ = -1;
  int64_t current_timestamp_ = 0;
  const RawRecord* current_raw_ = nullptr;
  size_t buffered_ = 0;
  bool waiting_for_input_ = false;
  int64_t idle_since_ms_ = -1;  // when every empty partition was first seen at its end
  int64_t processed_count_ = 0;
  bool commit_requested_ = false;
  bool processed_since_commit_ = false;
  bool initialized_ = false;
  bool closed_ = false;
};

}  // namespace rill::streams::internal
