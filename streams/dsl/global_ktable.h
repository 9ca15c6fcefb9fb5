// GlobalKTable: a table every instance holds in full (Kafka Streams' GlobalKTable). Its
// topic is read from all partitions by the instance's global thread, bootstrapped before
// any task processes, and kept up to date while the application runs; the topic itself is
// the store's changelog. Streams join it by a key they compute from each record
// (KStream::join / leftJoin with a key selector), so neither side needs co-partitioning or
// repartitioning. Create one with StreamsBuilder::globalTable().
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "state/key_value_store.h"
#include "streams/dsl/internal/dsl_nodes.h"
#include "streams/processor/record.h"
#include "streams/serde/serde.h"

namespace rill::streams {

template <class K, class V>
class GlobalKTable {
 public:
  GlobalKTable(std::string store, Serde<K> key_serde, Serde<V> value_serde)
      : store_(std::move(store)), key_serde_(std::move(key_serde)),
        value_serde_(std::move(value_serde)) {}

  // The store interactive queries (and processors) read it through.
  const std::string& queryableStoreName() const { return store_; }
  const Serde<K>& key_serde() const { return key_serde_; }
  const Serde<V>& value_serde() const { return value_serde_; }

 private:
  std::string store_;
  Serde<K> key_serde_;
  Serde<V> value_serde_;
};

namespace internal {

// KStream-GlobalKTable join: maps each record to the table's key, looks it up in the global
// store and forwards joiner(value, tableValue). As Kafka Streams: records with a null value
// are dropped; a selector that yields no key (nullopt) drops the record for an inner join
// and joins it with no table value for a left join.
template <class K, class V, class GK, class GV, class VR, bool kLeft>
class StreamGlobalTableJoinNode : public ProcessorNode {
 public:
  using KeySelector = std::function<std::optional<GK>(const K&, const V&)>;
  using Joiner = std::function<VR(const V&, const std::optional<GV>&)>;
  StreamGlobalTableJoinNode(std::string store, Serde<GK> key_serde, Serde<GV> value_serde,
                            KeySelector selector, Joiner joiner)
      : store_name_(std::move(store)), key_serde_(std::move(key_serde)),
        value_serde_(std::move(value_serde)), selector_(std::move(selector)),
        joiner_(std::move(joiner)) {}

  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    StoreInstance* instance = context.task->GetStore(store_name_);
    if (instance == nullptr || instance->store == nullptr) {
      throw StreamsException("join node '" + context.name + "': global store '" + store_name_ +
                             "' is not available");
    }
    store_ = instance->store;
  }

  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, V>*>(record);
    if constexpr (kIsOptional<V>) {
      if (!r.value) {
        context_->task->RecordDropped("null-value");
        return;
      }
    }
    std::optional<GK> table_key = selector_(r.key, r.value);
    std::optional<GV> table_value;
    if (table_key) table_value = Lookup(*table_key);
    if (!kLeft && !table_value) {
      if (!table_key) context_->task->RecordDropped("null-key");
      return;
    }
    Record<K, VR> out{r.key, joiner_(r.value, table_value), r.timestamp, r.headers};
    context_->Forward(&out);
  }

 private:
  std::optional<GV> Lookup(const GK& key) {
    key_bytes_.clear();
    if (!key_serde_.serialize(key, key_bytes_)) return std::nullopt;
    auto bytes = store_->Get(key_bytes_);
    if (!bytes.ok()) {
      throw StreamsException("join node '" + context_->name + "': reading global store '" +
                             store_name_ + "': " + std::string(bytes.status().message()));
    }
    if (!*bytes) return std::nullopt;
    auto value = value_serde_.deserialize(std::optional<std::string_view>(**bytes));
    if (!value.ok()) {
      throw StreamsException("join node '" + context_->name + "': global store '" +
                             store_name_ + "' holds a value that does not deserialize: " +
                             std::string(value.status().message()));
    }
    return std::move(*value);
  }

  std::string store_name_;
  Serde<GK> key_serde_;
  Serde<GV> value_serde_;
  KeySelector selector_;
  Joiner joiner_;
  state::KeyValueStore* store_ = nullptr;
  std::string key_bytes_;
};

}  // namespace internal
}  // namespace rill::streams
