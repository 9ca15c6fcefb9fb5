// Topology: what StreamsBuilder::build() (or the Processor API) produces — the named nodes,
// stores and internal topics, split into sub-topologies. describe() prints Kafka Streams'
// text form. A Topology is immutable once built; every task instantiates its own nodes
// from it.
#pragma once

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "streams/processor/internal/node.h"

namespace rill::streams {

namespace internal {

// How a store is built and how interactive queries read it (type-erased by the DSL).
// kSession: session stores (retention_ms by session end; window_size_ms unused).
enum class StoreKind { kKeyValue, kWindow, kSession };

struct StoreSpec {
  std::string name;
  StoreKind kind = StoreKind::kKeyValue;
  // Window stores: how long windows are kept (by window start, against the store's observed
  // stream time), the window size (to rebuild Windowed<K> keys for queries), and whether
  // every put is kept as its own entry (stream-stream join stores).
  int64_t retention_ms = 0;
  int64_t window_size_ms = 0;
  bool retain_duplicates = false;
  bool persistent = true;  // RocksDB; false: in-memory
  bool logging = true;     // backed by <application.id>-<name>-changelog
  std::map<std::string, std::string> changelog_configs;
  bool caching = true;
  bool queryable = true;
  // A global store (GlobalKTable): every instance holds all partitions of its source topic,
  // which doubles as its changelog; any task may read it, none may write it.
  bool global = false;
  // A DSL key-value store that keeps each value's timestamp (Kafka Streams'
  // TimestampedKeyValueStore): bytes [timestamp: 8, big-endian][value]. value_serde is then
  // a facade that reads and writes plain values (queries, the Processor API, the test
  // driver), timestamped_value_serde the Serde<ValueAndTimestamp<V>> the DSL uses. The
  // changelog carries the plain value with the timestamp as record timestamp, as Kafka's.
  bool timestamped = false;
  std::any timestamped_value_serde;
  std::any key_serde;    // Serde<K>
  std::any value_serde;  // Serde<V>
  std::string type_names;  // "<K, V>" for error messages
  std::function<absl::StatusOr<std::string>(std::string_view text)> key_text_to_bytes;
  std::function<std::string(std::string_view bytes)> key_bytes_to_text;
  std::function<nlohmann::json(std::string_view bytes)> value_bytes_to_json;
};

enum class NodeKind { kSource, kProcessor, kSink };

struct NodeSpec {
  NodeKind kind = NodeKind::kProcessor;
  std::string name;
  std::vector<std::string> parents;
  std::vector<std::string> stores;
  // Source: the topics it reads. Sink: its fixed topic (empty when a topic extractor picks).
  std::vector<std::string> topics;
  bool internal_topics = false;  // repartition topics: prefixed with the application id
  // A join: every source topic of its sub-topology must have the same partition count.
  bool copartitioned = false;
  std::function<std::unique_ptr<ProcessorNode>()> factory;
};

// A global store and the nodes that describe how it is fed (Kafka Streams' global
// sub-topology): the source reads every partition of `topic`, the processor keeps the
// latest value per key in `store` (null values delete).
struct GlobalStore {
  std::string store;
  std::string topic;
  std::string source_node;
  std::string processor_node;
};

struct InternalTopic {
  std::string name;  // without the application id prefix
  enum class Kind { kRepartition, kChangelog } kind;
  int32_t partitions = -1;  // -1: decided at run time from the sub-topology's inputs
  std::map<std::string, std::string> configs;
};

struct Subtopology {
  int32_t id = 0;
  std::vector<std::string> nodes;          // in creation order
  std::vector<std::string> source_topics;  // as named in the topology
  std::vector<std::string> repartition_sources;  // the subset that is internal
  bool copartitioned = false;  // holds a join: its source topics are co-partitioned
  std::vector<std::string> sink_topics;
  std::vector<std::string> stores;
};

}  // namespace internal

class Topology {
 public:
  Topology() = default;
  Topology(Topology&&) = default;
  Topology& operator=(Topology&&) = default;

  // Kafka Streams' TopologyDescription text.
  std::string describe() const;

  // --- for the runtime and the test driver ---
  const std::vector<internal::NodeSpec>& nodes() const { return nodes_; }
  const internal::NodeSpec* FindNode(std::string_view name) const;
  const std::map<std::string, internal::StoreSpec>& stores() const { return stores_; }
  const std::vector<internal::Subtopology>& subtopologies() const { return subtopologies_; }
  const std::vector<internal::InternalTopic>& internal_topics() const { return internal_topics_; }
  const std::vector<internal::GlobalStore>& global_stores() const { return global_stores_; }
  // Every source topic (user and internal) -> sub-topology id.
  const std::map<std::string, int32_t>& topic_to_subtopology() const {
    return topic_to_subtopology_;
  }
  bool IsInternalTopic(std::string_view topic) const;
  // The changelog topic of `store`, without the application id prefix.
  static std::string ChangelogTopic(std::string_view store) {
    return std::string(store) + "-changelog";
  }

  // Used by the builder: adds nodes and stores, then Finish() splits sub-topologies.
  void AddNode(internal::NodeSpec node);
  void AddStore(internal::StoreSpec store);
  void ConnectStore(const std::string& node, const std::string& store);
  // `node` joins its inputs: their topics must be co-partitioned.
  void MarkCopartitioned(const std::string& node);
  void AddInternalTopic(internal::InternalTopic topic);
  // A global store fed from `global.topic`; `store.global` must be set.
  void AddGlobalStore(internal::StoreSpec store, internal::GlobalStore global);
  // Checks names and connections, splits sub-topologies. Errors name the offending node.
  absl::Status Finish();

 private:
  std::vector<internal::NodeSpec> nodes_;
  std::map<std::string, size_t> node_index_;
  std::map<std::string, internal::StoreSpec> stores_;
  std::vector<std::string> duplicate_stores_;  // added twice: Finish() reports them
  std::vector<internal::InternalTopic> internal_topics_;
  std::vector<internal::GlobalStore> global_stores_;
  std::vector<internal::Subtopology> subtopologies_;
  std::map<std::string, int32_t> topic_to_subtopology_;
};

}  // namespace rill::streams
