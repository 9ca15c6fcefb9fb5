// GlobalState: the global stores (GlobalKTables) of one KafkaStreams instance or test driver,
// and how far each got in its source topic. A global store holds every partition of its
// topic; the topic is its changelog, so applying a record is a plain upsert of the raw key
// and value bytes (null value: delete), exactly what restoring would do. That is Kafka
// Streams' behaviour for DSL global tables, and it makes bootstrap and live updates one path.
//
// Positions are checkpointed per (topic, partition) in <directory>/.checkpoint (Kafka's
// OffsetCheckpoint format) after the stores commit; a crash in between replays a suffix of
// the topic, which converges to the same contents because records are applied in order.
//
// Threads: Apply/Commit/NextOffset from one updating thread; the stores themselves are
// thread-safe, so tasks and interactive queries read them concurrently through Find().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "state/key_value_store.h"
#include "streams/processor/internal/node.h"
#include "streams/topology/topology.h"

namespace rill::streams::internal {

class GlobalState {
 public:
  using OpenStore = std::function<absl::StatusOr<std::unique_ptr<state::KeyValueStore>>(
      const StoreSpec& spec)>;

  // Opens every global store of `topology`. `directory` holds the checkpoint (empty: none,
  // every start reads the topics from the beginning).
  static absl::StatusOr<std::unique_ptr<GlobalState>> Open(const Topology& topology,
                                                           const OpenStore& open,
                                                           std::string directory);
  ~GlobalState();

  bool empty() const { return stores_.empty(); }
  // The source topics of the global stores.
  std::vector<std::string> topics() const;
  bool Reads(const std::string& topic) const { return by_topic_.count(topic) > 0; }

  // Applies one record of a global topic at `offset`. Records without a key are skipped
  // (as Kafka's table source does).
  absl::Status Apply(const std::string& topic, int32_t partition, int64_t offset,
                     std::optional<std::string_view> key, std::optional<std::string_view> value);
  // Where reading (topic, partition) resumes: the offset after the last applied record,
  // nullopt when nothing was applied or checkpointed.
  std::optional<int64_t> NextOffset(const std::string& topic, int32_t partition) const;
  // Makes applied records durable, then checkpoints the positions.
  absl::Status Commit();

  // The store named `name`, nullptr when no global store has that name.
  StoreInstance* Find(std::string_view name);
  void Close();

 private:
  struct Store {
    std::unique_ptr<state::KeyValueStore> store;
    StoreInstance instance;
  };
  GlobalState() = default;

  std::string directory_;
  std::map<std::string, Store, std::less<>> stores_;
  std::map<std::string, Store*> by_topic_;
  std::map<std::pair<std::string, int32_t>, int64_t> next_offsets_;
  bool dirty_ = false;
};

}  // namespace rill::streams::internal
