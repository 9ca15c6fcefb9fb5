// Internals of the Processor API: the type-erased node a task runs, and the task services
// nodes use. The DSL and the typed Processor API are thin templates over these; the task
// and runtime code are not templates.
//
// A node's Process() receives a pointer to a Record<K, V> of exactly the types its parent
// forwards: the typed DSL guarantees it at compile time, so the cast is safe.
#pragma once

#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streams/processor/record.h"
#include "streams/runtime/task_id.h"

namespace rill::state {
class KeyValueStore;
class WindowStore;
class SessionStore;
struct CacheFlushEntry;
}  // namespace rill::state

namespace rill::streams {

enum class PunctuationType { kStreamTime, kWallClockTime };

namespace internal {

struct StoreSpec;

// A store as a task holds it: the outermost byte layer and its specification (serdes).
struct StoreInstance {
  const StoreSpec* spec = nullptr;
  state::KeyValueStore* store = nullptr;          // key-value stores
  state::WindowStore* window_store = nullptr;     // window stores
  state::SessionStore* session_store = nullptr;   // session stores
  // Set by the processor that owns a caching store: called for each entry the cache flushes.
  std::function<void(const state::CacheFlushEntry&)>* flush_listener = nullptr;
};

// A record as it comes off a topic, before the source node deserializes it.
struct RawRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp = 0;
  Headers headers;
};

// Where sinks send records. The runtime implements it with the thread's producer, the test
// driver with in-memory topics.
class RecordCollector {
 public:
  virtual ~RecordCollector() = default;
  // partition -1: the collector partitions by the key bytes (murmur2, as Kafka's Java
  // default partitioner, so Java Kafka Streams and Rill agree on co-partitioning).
  virtual void Send(const std::string& topic, int32_t partition,
                    const std::optional<std::string>& key,
                    const std::optional<std::string>& value, int64_t timestamp,
                    const Headers& headers) = 0;
};

// Services of the task a node runs in.
class TaskContext {
 public:
  virtual ~TaskContext() = default;
  virtual const TaskId& task_id() const = 0;
  virtual const std::string& application_id() const = 0;
  virtual const std::optional<RecordMetadata>& record_metadata() const = 0;
  virtual int64_t stream_time() const = 0;
  virtual int64_t wall_clock_ms() const = 0;
  // nullptr when no store of that name is connected to this task.
  virtual StoreInstance* GetStore(std::string_view name) = 0;
  virtual void Schedule(std::chrono::milliseconds interval, PunctuationType type,
                        std::function<void(int64_t)> callback) = 0;
  virtual void RequestCommit() = 0;
  virtual RecordCollector& collector() = 0;
  // A record was dropped (null key for an aggregation, late, ...): counted in the
  // dropped-records metric and logged with the current record's position.
  virtual void RecordDropped(std::string_view reason) = 0;
  // A source could not deserialize the current record: the deserialization exception
  // handler decides (log and continue: counted, logged with topic/partition/offset; fail:
  // throws).
  virtual void OnDeserializationError(std::string_view node, const std::string& error) = 0;
  // Topic names as the runtime sees them: internal topics get the application id prefix.
  virtual std::string ResolveTopic(const std::string& topic, bool internal) const = 0;
};

class ProcessorNode;

// One node instance's view of its place in the task: its name, children and task.
struct NodeContext {
  std::string name;
  TaskContext* task = nullptr;
  std::vector<ProcessorNode*> children;
  std::vector<std::string> child_names;

  inline void Forward(const void* record) const;
  inline void ForwardTo(const void* record, std::string_view child) const;
};

class ProcessorNode {
 public:
  virtual ~ProcessorNode() = default;
  virtual void Init(NodeContext& context) { context_ = &context; }
  virtual void Process(const void* record) = 0;
  virtual void Close() {}

 protected:
  NodeContext* context_ = nullptr;
};

inline void NodeContext::Forward(const void* record) const {
  for (ProcessorNode* child : children) child->Process(record);
}

inline void NodeContext::ForwardTo(const void* record, std::string_view child) const {
  for (size_t i = 0; i < children.size(); ++i) {
    if (child_names[i] == child) {
      children[i]->Process(record);
      return;
    }
  }
  throw StreamsException("forward to unknown child node '" + std::string(child) + "'");
}

}  // namespace internal
}  // namespace rill::streams
