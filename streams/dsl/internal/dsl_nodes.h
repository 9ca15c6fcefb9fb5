// The processor nodes the DSL operators create: sources, sinks, stateless lambdas, table
// sources and aggregations. Each is a small template over the record types it handles.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "state/caching_key_value_store.h"
#include "streams/dsl/internal/callable_traits.h"
#include "streams/dsl/internal/change.h"
#include "streams/dsl/internal/value_and_timestamp.h"
#include "streams/processor/internal/node.h"
#include "streams/processor/key_value_store.h"
#include "streams/processor/processor.h"
#include "streams/serde/serde.h"

namespace rill::streams::internal {

// Reads raw records, deserializes them and forwards Record<K, V>.
template <class K, class V>
class SourceNode : public ProcessorNode {
 public:
  SourceNode(Serde<K> ks, Serde<V> vs) : ks_(std::move(ks)), vs_(std::move(vs)) {}
  void Process(const void* record) override {
    const auto& raw = *static_cast<const RawRecord*>(record);
    auto key = ks_.deserialize(raw.key);
    if (!key.ok()) return context_->task->OnDeserializationError(context_->name, "key: " + std::string(key.status().message()));
    auto value = vs_.deserialize(raw.value);
    if (!value.ok()) return context_->task->OnDeserializationError(context_->name, "value: " + std::string(value.status().message()));
    Record<K, V> out{std::move(*key), std::move(*value), raw.timestamp, raw.headers};
    context_->Forward(&out);
  }

 private:
  Serde<K> ks_;
  Serde<V> vs_;
};

// Serializes Record<K, V> and hands it to the record collector.
template <class K, class V>
class SinkNode : public ProcessorNode {
 public:
  using TopicExtractor = std::function<std::string(const K&, const V&, const RecordMetadata*)>;
  SinkNode(std::string topic, TopicExtractor extractor, bool internal, Serde<K> ks, Serde<V> vs)
      : topic_(std::move(topic)),
        extractor_(std::move(extractor)),
        internal_(internal),
        ks_(std::move(ks)),
        vs_(std::move(vs)) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    if (!topic_.empty()) resolved_ = context.task->ResolveTopic(topic_, internal_);
  }
  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, V>*>(record);
    std::optional<std::string> key, value;
    std::string buf;
    if (ks_.serialize(r.key, buf)) key = std::move(buf);
    buf.clear();
    if (vs_.serialize(r.value, buf)) value = std::move(buf);
    if (extractor_) {
      const auto& md = context_->task->record_metadata();
      std::string topic = extractor_(r.key, r.value, md ? &*md : nullptr);
      context_->task->collector().Send(topic, -1, key, value, r.timestamp, r.headers);
    } else {
      context_->task->collector().Send(resolved_, -1, key, value, r.timestamp, r.headers);
    }
  }

 private:
  std::string topic_;
  TopicExtractor extractor_;
  bool internal_;
  std::string resolved_;
  Serde<K> ks_;
  Serde<V> vs_;
};

// A stateless operator: F(const Record<K, V>&, NodeContext&) decides what to forward.
template <class K, class V, class F>
class LambdaNode : public ProcessorNode {
 public:
  explicit LambdaNode(F f) : f_(std::move(f)) {}
  void Process(const void* record) override {
    f_(*static_cast<const Record<K, V>*>(record), *context_);
  }

 private:
  F f_;
};

template <class K, class V, class F>
std::function<std::unique_ptr<ProcessorNode>()> LambdaFactory(F f) {
  return [f]() -> std::unique_ptr<ProcessorNode> { return std::make_unique<LambdaNode<K, V, F>>(f); };
}

// A plain value serde viewed as timestamped: timestamps are not stored and read as -1.
template <class V>
class PlainAsTimestampedImpl final : public Serde<ValueAndTimestamp<V>>::Impl {
 public:
  explicit PlainAsTimestampedImpl(Serde<V> inner) : inner_(std::move(inner)) {}
  bool Serialize(const ValueAndTimestamp<V>& v, std::string& out) const override {
    return inner_.serialize(v.value, out);
  }
  absl::StatusOr<ValueAndTimestamp<V>> Deserialize(
      std::optional<std::string_view> bytes) const override {
    auto v = inner_.deserialize(bytes);
    if (!v.ok()) return v.status();
    return ValueAndTimestamp<V>{std::move(*v), -1};
  }

 private:
  Serde<V> inner_;
};
template <class V>
Serde<ValueAndTimestamp<V>> PlainAsTimestamped(Serde<V> inner) {
  return Serde<ValueAndTimestamp<V>>(std::make_shared<PlainAsTimestampedImpl<V>>(std::move(inner)));
}

// Typed access to a store from a DSL node, plus forwarding of cache flushes as changes. A
// timestamped store (StoreSpec::timestamped) keeps each value's timestamp: Get() returns
// it, PutAndForward stores the timestamp it forwards, and flushed entries are forwarded
// with their value's timestamp. Other stores read as timestamp -1.
template <class K, class V>
class StoreAccess {
 public:
  // Connects to `store`; when the store caches, flushed entries are forwarded downstream as
  // Record<K, Change<V>> through `context` (otherwise the node forwards itself).
  void Connect(NodeContext& context, const std::string& store) {
    StoreInstance* instance = context.task->GetStore(store);
    if (instance == nullptr) throw StreamsException("store '" + store + "' missing in task");
    Serde<K> ks = std::any_cast<Serde<K>>(instance->spec->key_serde);
    Serde<ValueAndTimestamp<V>> vs;
    if (instance->spec->timestamped) {
      vs = std::any_cast<Serde<ValueAndTimestamp<V>>>(instance->spec->timestamped_value_serde);
    } else {
      vs = PlainAsTimestamped(std::any_cast<Serde<V>>(instance->spec->value_serde));
    }
    store_.emplace(instance->store, ks, vs);
    caching_ = instance->spec->caching;
    if (caching_) {
      NodeContext* ctx = &context;
      *instance->flush_listener = [ctx, ks, vs](const state::CacheFlushEntry& e) {
        auto key = ks.deserialize(e.key);
        if (!key.ok()) return;
        Change<V> change;
        int64_t timestamp = e.timestamp;
        if (e.new_value) {
          auto v = vs.deserialize(*e.new_value);
          if (v.ok()) {
            if (v->timestamp >= 0) timestamp = v->timestamp;
            change.new_value = std::move(v->value);
          }
        }
        if (e.old_value) {
          auto v = vs.deserialize(*e.old_value);
          if (v.ok()) change.old_value = std::move(v->value);
        }
        Record<K, Change<V>> out{std::move(*key), std::move(change), timestamp, {}};
        ctx->Forward(&out);
      };
    }
  }
  std::optional<ValueAndTimestamp<V>> Get(const K& key) const { return store_->get(key); }
  // Writes the new value (nullopt deletes) with `timestamp` and forwards the change at that
  // timestamp unless the cache will.
  void PutAndForward(NodeContext& context, const K& key, std::optional<V> new_value,
                     std::optional<V> old_value, int64_t timestamp, const Headers& headers) {
    if (new_value) {
      store_->put(key, ValueAndTimestamp<V>{*new_value, timestamp});
    } else {
      store_->remove(key);
    }
    if (!caching_) {
      Record<K, Change<V>> out{key, Change<V>{std::move(new_value), std::move(old_value)},
                               timestamp, headers};
      context.Forward(&out);
    }
  }

 private:
  std::optional<KeyValueStore<K, ValueAndTimestamp<V>>> store_;
  bool caching_ = false;
};

// A store's values with their timestamps (-1 for a store that does not keep them).
template <class K, class V>
KeyValueStore<K, ValueAndTimestamp<V>> TimestampedView(const StoreInstance& instance) {
  Serde<K> ks = std::any_cast<Serde<K>>(instance.spec->key_serde);
  if (instance.spec->timestamped) {
    return KeyValueStore<K, ValueAndTimestamp<V>>(
        instance.store, ks,
        std::any_cast<Serde<ValueAndTimestamp<V>>>(instance.spec->timestamped_value_serde));
  }
  return KeyValueStore<K, ValueAndTimestamp<V>>(
      instance.store, ks, PlainAsTimestamped(std::any_cast<Serde<V>>(instance.spec->value_serde)));
}

// The timestamp of an aggregate updated by a record: the larger of both (Kafka Streams'
// KStreamAggregate / KTableAggregate / KStreamWindowAggregate).
template <class V>
int64_t AggregateTimestamp(const std::optional<ValueAndTimestamp<V>>& old, int64_t record_ts) {
  return old ? std::max(old->timestamp, record_ts) : record_ts;
}

// True (and the record counted as dropped) when a store-backed operator cannot take the
// record: a null key (only an optional key can be null), as Kafka Streams skips them.
template <class K>
bool DropNullKey(const K& key, NodeContext& context) {
  if constexpr (kIsOptional<K>) {
    if (!key) {
      context.task->RecordDropped("null-key");
      return true;
    }
  }
  (void)key;
  (void)context;
  return false;
}

// Stream aggregations also skip null values (only an optional value can be null).
template <class K, class V>
bool DropNullKeyOrValue(const Record<K, V>& r, NodeContext& context) {
  if (DropNullKey(r.key, context)) return true;
  if constexpr (kIsOptional<V>) {
    if (!r.value) {
      context.task->RecordDropped("null-value");
      return true;
    }
  }
  return false;
}

// KTable source: materializes a changelog read by the source before it (nullopt value =
// delete) and forwards Change<V>.
template <class K, class V>
class TableSourceNode : public ProcessorNode {
 public:
  explicit TableSourceNode(std::string store) : store_name_(std::move(store)) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    access_.Connect(context, store_name_);
  }
  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, std::optional<V>>*>(record);
    if (DropNullKey(r.key, *context_)) return;
    std::optional<ValueAndTimestamp<V>> old = access_.Get(r.key);
    if (!old && !r.value) return;  // deleting an absent key changes nothing
    access_.PutAndForward(*context_, r.key, r.value, ValueOf(std::move(old)), r.timestamp,
                          r.headers);
  }

 private:
  std::string store_name_;
  StoreAccess<K, V> access_;
};

// KStream -> KTable (toTable): each record upserts its key.
template <class K, class V>
class StreamToTableNode : public ProcessorNode {
 public:
  explicit StreamToTableNode(std::string store) : store_name_(std::move(store)) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    access_.Connect(context, store_name_);
  }
  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, V>*>(record);
    if (DropNullKey(r.key, *context_)) return;
    access_.PutAndForward(*context_, r.key, r.value, ValueOf(access_.Get(r.key)), r.timestamp,
                          r.headers);
  }

 private:
  std::string store_name_;
  StoreAccess<K, V> access_;
};

// KGroupedStream aggregate: agg = aggregator(key, value, agg or initializer()).
template <class K, class V, class VA>
class StreamAggregateNode : public ProcessorNode {
 public:
  using Initializer = std::function<VA()>;
  using Aggregator = std::function<VA(const K&, const V&, const VA&)>;
  StreamAggregateNode(std::string store, Initializer init, Aggregator agg)
      : store_name_(std::move(store)), init_(std::move(init)), agg_(std::move(agg)) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    access_.Connect(context, store_name_);
  }
  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, V>*>(record);
    if (DropNullKeyOrValue(r, *context_)) return;
    std::optional<ValueAndTimestamp<VA>> stored = access_.Get(r.key);
    const int64_t timestamp = AggregateTimestamp(stored, r.timestamp);
    std::optional<VA> old = ValueOf(std::move(stored));
    VA next = agg_(r.key, r.value, old ? *old : init_());
    access_.PutAndForward(*context_, r.key, std::move(next), std::move(old), timestamp,
                          r.headers);
  }

 private:
  std::string store_name_;
  Initializer init_;
  Aggregator agg_;
  StoreAccess<K, VA> access_;
};

// KGroupedTable aggregate (Kafka Streams' KTableAggregate / KTableReduce): the old value is
// subtracted from the aggregate, then the new value added. Without an initializer it
// reduces: the first value of a key is its aggregate.
template <class K, class V, class VA>
class TableAggregateNode : public ProcessorNode {
 public:
  using Initializer = std::function<VA()>;
  using Aggregator = std::function<VA(const K&, const V&, const VA&)>;
  TableAggregateNode(std::string store, Initializer init, Aggregator adder, Aggregator subtractor)
      : store_name_(std::move(store)),
        init_(std::move(init)),
        adder_(std::move(adder)),
        subtractor_(std::move(subtractor)) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    access_.Connect(context, store_name_);
  }
  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, Change<V>>*>(record);
    if (DropNullKey(r.key, *context_)) return;
    std::optional<ValueAndTimestamp<VA>> stored = access_.Get(r.key);
    const int64_t timestamp = AggregateTimestamp(stored, r.timestamp);
    std::optional<VA> old = ValueOf(std::move(stored));
    std::optional<VA> agg = old;
    if (r.value.old_value && agg) agg = subtractor_(r.key, *r.value.old_value, *agg);
    if (r.value.new_value) {
      if (agg) {
        agg = adder_(r.key, *r.value.new_value, *agg);
      } else if (init_) {
        agg = adder_(r.key, *r.value.new_value, init_());
      } else if constexpr (std::is_same_v<V, VA>) {
        agg = *r.value.new_value;
      }
    }
    if (!agg && !old) return;
    access_.PutAndForward(*context_, r.key, std::move(agg), std::move(old), timestamp, r.headers);
  }

 private:
  std::string store_name_;
  Initializer init_;
  Aggregator adder_;
  Aggregator subtractor_;
  StoreAccess<K, VA> access_;
};

}  // namespace rill::streams::internal
