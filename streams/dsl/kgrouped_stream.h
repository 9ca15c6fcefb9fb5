// KGroupedStream<K, V>: a stream grouped by key, ready for count / reduce / aggregate into
// a KTable backed by a state store (and its changelog).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include "streams/dsl/kstream.h"
#include "streams/dsl/ktable.h"
#include "streams/dsl/windows.h"

namespace rill::streams {

namespace internal {
template <class Derived, class K, class V>
class WindowedAggregations;
}  // namespace internal

template <class K, class V>
class TimeWindowedKStream;
template <class K, class V>
class SlidingWindowedKStream;
template <class K, class V>
class SessionWindowedKStream;

template <class K, class V>
class KGroupedStream {
 public:
  KGroupedStream(KStream<K, V> stream, Grouped<K, V> grouped)
      : stream_(std::move(stream)), grouped_(std::move(grouped)) {}

  // Records per key, as int64_t.
  KTable<K, int64_t> count(const Materialized<K, int64_t>& materialized = {},
                           const Named& named = {}) const {
    return aggregate([] { return int64_t{0}; },
                     [](const K&, const V&, const int64_t& n) { return n + 1; }, materialized,
                     named, "KSTREAM-AGGREGATE-");
  }

  // reducer(aggregate, value) -> new aggregate; the first value of a key is its aggregate.
  template <class F>
  KTable<K, V> reduce(F reducer, const Materialized<K, V>& materialized = {},
                      const Named& named = {}) const {
    static_assert(std::is_invocable_r_v<V, const F&, const V&, const V&>,
                  "KGroupedStream::reduce: the reducer must be callable as V(const V& aggregate, "
                  "const V& value)");
    // An absent aggregate is modelled as "first value": keep it in an optional.
    auto store_name = StoreName(materialized, "KSTREAM-REDUCE-");
    Materialized<K, V> m = materialized;
    if (!m.value_serde) m.value_serde = grouped_.value_serde ? grouped_.value_serde : stream_.value_serde();
    return AggregateInto<V>(
        m, store_name, named, "KSTREAM-REDUCE-",
        [reducer](std::string store) {
          struct ReduceNode : internal::ProcessorNode {
            ReduceNode(std::string s, F f) : store(std::move(s)), reducer(std::move(f)) {}
            void Init(internal::NodeContext& c) override {
              ProcessorNode::Init(c);
              access.Connect(c, store);
            }
            void Process(const void* record) override {
              const auto& r = *static_cast<const Record<K, V>*>(record);
              if (internal::DropNullKeyOrValue(r, *context_)) return;
              std::optional<internal::ValueAndTimestamp<V>> stored = access.Get(r.key);
              const int64_t timestamp = internal::AggregateTimestamp(stored, r.timestamp);
              std::optional<V> old = internal::ValueOf(std::move(stored));
              V next = old ? reducer(*old, r.value) : r.value;
              access.PutAndForward(*context_, r.key, std::move(next), std::move(old), timestamp,
                                   r.headers);
            }
            std::string store;
            F reducer;
            internal::StoreAccess<K, V> access;
          };
          return [store, reducer]() -> std::unique_ptr<internal::ProcessorNode> {
            return std::make_unique<ReduceNode>(store, reducer);
          };
        });
  }

  // aggregator(key, value, aggregate) -> new aggregate, starting from initializer().
  template <class I, class A>
  auto aggregate(I initializer, A aggregator,
                 const Materialized<K, std::decay_t<std::invoke_result_t<const I&>>>& materialized = {},
                 const Named& named = {}) const {
    return aggregate(std::move(initializer), std::move(aggregator), materialized, named,
                     "KSTREAM-AGGREGATE-");
  }

 private:
  template <class I, class A>
  auto aggregate(I initializer, A aggregator,
                 const Materialized<K, std::decay_t<std::invoke_result_t<const I&>>>& materialized,
                 const Named& named, std::string_view prefix) const {
    using VA = std::decay_t<std::invoke_result_t<const I&>>;
    static_assert(std::is_invocable_r_v<VA, const A&, const K&, const V&, const VA&>,
                  "KGroupedStream::aggregate: the aggregator must be callable as "
                  "VA(const K&, const V&, const VA& aggregate)");
    std::string store_name = StoreName(materialized, "KSTREAM-AGGREGATE-");
    return AggregateInto<VA>(
        materialized, store_name, named, prefix,
        [initializer, aggregator](std::string store) {
          return [store, initializer, aggregator]() -> std::unique_ptr<internal::ProcessorNode> {
            return std::make_unique<internal::StreamAggregateNode<K, V, VA>>(
                store, initializer, aggregator);
          };
        });
  }

  // "<prefix>STATE-STORE-<index>" unless Materialized names the store.
  template <class VA>
  std::string StoreName(const Materialized<K, VA>& m, std::string_view prefix) const {
    return m.name.empty() ? stream_.state()->NewName(std::string(prefix) + "STATE-STORE-")
                          : m.name;
  }

  // Repartitions when needed, adds the store and the aggregation node.
  template <class VA, class MakeFactory>
  KTable<K, VA> AggregateInto(const Materialized<K, VA>& materialized, const std::string& store,
                              const Named& named, std::string_view prefix,
                              MakeFactory make_factory) const {
    Materialized<K, VA> m = materialized;
    if (!m.key_serde) m.key_serde = grouped_.key_serde ? grouped_.key_serde : stream_.key_serde();
    std::string node = Connect(internal::MakeTimestampedStoreSpec(m, store, !materialized.name.empty()),
                               named, prefix, make_factory(store));
    return KTable<K, VA>(stream_.state(), node, store, m.key_serde, m.value_serde);
  }

  template <class D, class K2, class V2>
  friend class internal::WindowedAggregations;
  template <class K2, class V2>
  friend class TimeWindowedKStream;
  template <class K2, class V2>
  friend class SlidingWindowedKStream;
  template <class K2, class V2>
  friend class SessionWindowedKStream;

  // Repartitions when needed, then adds `spec` and an aggregation node made by `factory`
  // reading the (repartitioned) stream. Returns the node's name.
  std::string Connect(internal::StoreSpec spec, const Named& named, std::string_view prefix,
                      std::function<std::unique_ptr<internal::ProcessorNode>()> factory) const {
    const std::string store = spec.name;
    auto state = stream_.state();
    Serde<K> ks = grouped_.key_serde ? grouped_.key_serde : stream_.key_serde();
    Serde<V> vs = grouped_.value_serde ? grouped_.value_serde : stream_.value_serde();
    // Kafka Streams' order of generated names: store, aggregation, repartition nodes.
    std::string node = state->NameOr(named.name, prefix);
    KStream<K, V> input = stream_;
    if (stream_.repartition_required()) {
      // A repartition topic named by Grouped is shared by every aggregation of this
      // grouping; otherwise each aggregation gets one named after its store.
      if (grouped_.name.empty() || named_repartition_source_->empty()) {
        std::string base = grouped_.name.empty() ? store : grouped_.name;
        std::string source = stream_.RepartitionThrough(base, ks, vs);
        if (!grouped_.name.empty()) *named_repartition_source_ = source;
        input = KStream<K, V>(state, source, false, ks, vs);
      } else {
        // Kafka Streams generates the repartition node names (unused) here too.
        for (int i = 0; i < 3; ++i) state->NewName("");
        input = KStream<K, V>(state, *named_repartition_source_, false, ks, vs);
      }
    }
    state->topology.AddStore(std::move(spec));
    input.Add("", Named::as(node), std::move(factory), {store});
    return node;
  }

  KStream<K, V> stream_;
  Grouped<K, V> grouped_;

 public:
  // Windowed aggregations over tumbling or hopping windows.
  TimeWindowedKStream<K, V> windowedBy(const TimeWindows& windows) const {
    return TimeWindowedKStream<K, V>(*this, windows);
  }
  // Windowed aggregations over sliding windows (streams/dsl/sliding_windowed_kstream.h).
  SlidingWindowedKStream<K, V> windowedBy(const SlidingWindows& windows) const {
    return SlidingWindowedKStream<K, V>(*this, windows);
  }
  // Aggregations over sessions (streams/dsl/session_windowed_kstream.h).
  SessionWindowedKStream<K, V> windowedBy(const SessionWindows& windows) const {
    return SessionWindowedKStream<K, V>(*this, windows);
  }

 private:
  std::shared_ptr<std::string> named_repartition_source_ = std::make_shared<std::string>();
};

}  // namespace rill::streams
