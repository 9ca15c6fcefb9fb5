// WindowedAggregations: what TimeWindowedKStream and SlidingWindowedKStream share — the
// count / aggregate / reduce / emitStrategy API and the building of the timestamped window
// store, its aggregation node and the resulting KTable<Windowed<K>, VA>. A window type
// supplies its store's shape (minimum retention, window size, grace) and its node.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "streams/dsl/internal/value_and_timestamp.h"
#include "streams/dsl/kgrouped_stream.h"
#include "streams/serde/windowed_serde.h"

namespace rill::streams::internal {

// A window type's store: the retention it needs at least (and why, for the error), the
// window size that rebuilds Windowed<K> keys, and the grace suppress(untilWindowCloses)
// waits for.
struct WindowStoreShape {
  int64_t minimum_retention_ms = 0;
  std::string minimum_retention_reason;  // "the window size plus the grace period"
  int64_t window_size_ms = 0;
  int64_t grace_ms = 0;
};

template <class Derived, class K, class V>
class WindowedAggregations {
 public:
  // onWindowClose(): one final result per window, when it closes, instead of every update.
  Derived emitStrategy(const EmitStrategy& strategy) const {
    Derived out = static_cast<const Derived&>(*this);
    out.emit_ = strategy;
    return out;
  }

  // Records per key and window.
  KTable<Windowed<K>, int64_t> count(const Materialized<K, int64_t>& materialized = {},
                                     const Named& named = {}) const {
    return Aggregate<int64_t>([] { return int64_t{0}; },
                              [](const K&, const V&, const int64_t& n) { return n + 1; },
                              materialized, named, "KSTREAM-AGGREGATE-");
  }

  // aggregator(key, value, aggregate) -> new aggregate, starting from initializer() in each
  // window.
  template <class I, class A>
  auto aggregate(I initializer, A aggregator,
                 const Materialized<K, std::decay_t<std::invoke_result_t<const I&>>>& materialized = {},
                 const Named& named = {}) const {
    using VA = std::decay_t<std::invoke_result_t<const I&>>;
    static_assert(std::is_invocable_r_v<VA, const A&, const K&, const V&, const VA&>,
                  "windowedBy(...).aggregate: the aggregator must be callable as "
                  "VA(const K&, const V&, const VA& aggregate)");
    return Aggregate<VA>(std::move(initializer), std::move(aggregator), materialized, named,
                         "KSTREAM-AGGREGATE-");
  }

  // reducer(aggregate, value) -> new aggregate; a window's first value is its aggregate.
  template <class F>
  KTable<Windowed<K>, V> reduce(F reducer, const Materialized<K, V>& materialized = {},
                                const Named& named = {}) const {
    static_assert(std::is_invocable_r_v<V, const F&, const V&, const V&>,
                  "windowedBy(...).reduce: the reducer must be callable as "
                  "V(const V& aggregate, const V& value)");
    Materialized<K, V> m = materialized;
    if (!m.value_serde) {
      m.value_serde = grouped_.grouped_.value_serde ? grouped_.grouped_.value_serde
                                                    : grouped_.stream_.value_serde();
    }
    return Build<V>(m, named, "KSTREAM-REDUCE-",
                    [reducer](const K&, const V& value, const std::optional<V>& agg) {
                      return agg ? reducer(*agg, value) : value;
                    });
  }

 protected:
  explicit WindowedAggregations(KGroupedStream<K, V> grouped) : grouped_(std::move(grouped)) {}

  // The window's new aggregate from a record and its current aggregate (nullopt: new).
  template <class VA>
  using Update = std::function<VA(const K&, const V&, const std::optional<VA>&)>;
  template <class VA>
  using NodeFactory = std::function<std::unique_ptr<ProcessorNode>(
      const std::string& store, Update<VA> update, Serde<VA> value_serde, EmitStrategy emit)>;

  KGroupedStream<K, V> grouped_;
  EmitStrategy emit_ = EmitStrategy::onWindowUpdate();

 private:
  template <class VA, class I, class A>
  KTable<Windowed<K>, VA> Aggregate(I initializer, A aggregator,
                                    const Materialized<K, VA>& materialized, const Named& named,
                                    std::string_view prefix) const {
    return Build<VA>(materialized, named, prefix,
                     [initializer, aggregator](const K& key, const V& value,
                                               const std::optional<VA>& agg) {
                       return aggregator(key, value, agg ? *agg : initializer());
                     });
  }

  template <class VA>
  KTable<Windowed<K>, VA> Build(const Materialized<K, VA>& materialized, const Named& named,
                                std::string_view prefix, Update<VA> update) const {
    const Derived& self = static_cast<const Derived&>(*this);
    const WindowStoreShape shape = self.StoreShape();
    auto state = grouped_.stream_.state();
    const std::string store = materialized.name.empty()
                                  ? state->NewName(std::string(prefix) + "STATE-STORE-")
                                  : materialized.name;
    const int64_t retention =
        materialized.retention ? materialized.retention->count() : shape.minimum_retention_ms;
    if (retention < shape.minimum_retention_ms) {
      throw StreamsException("window store '" + store + "': retention (" +
                             std::to_string(retention) + " ms) must be at least " +
                             shape.minimum_retention_reason + " (" +
                             std::to_string(shape.minimum_retention_ms) + " ms)");
    }
    Materialized<K, VA> m = materialized;
    if (!m.key_serde) {
      m.key_serde = grouped_.grouped_.key_serde ? grouped_.grouped_.key_serde
                                                : grouped_.stream_.key_serde();
    }
    m.caching = false;  // no record cache for window stores yet
    // The store holds [timestamp][aggregate] (Kafka Streams' TimestampedWindowStore); its
    // registered serde shows the aggregate only, its changelog the plain aggregate.
    const Serde<VA> value_serde = OrDefault(m.value_serde);
    if (value_serde) m.value_serde = ValueOnlySerde(value_serde);
    StoreSpec spec = MakeStoreSpec(m, store, !materialized.name.empty());
    spec.kind = StoreKind::kWindow;
    spec.timestamped = true;
    spec.retention_ms = retention;
    spec.window_size_ms = shape.window_size_ms;
    NodeFactory<VA> make_node = self.template MakeNode<VA>();
    const EmitStrategy emit = emit_;
    std::string node = grouped_.Connect(
        std::move(spec), named, prefix,
        [make_node, store, update, value_serde, emit]() {
          return make_node(store, update, value_serde, emit);
        });
    state->window_close_grace_ms[node] = shape.grace_ms;  // for suppress(untilWindowCloses)
    Serde<K> ks = OrDefault(m.key_serde);
    return KTable<Windowed<K>, VA>(state, node, store,
                                   WindowedSerdes::TimeWindowed<K>(ks, shape.window_size_ms),
                                   value_serde);
  }
};

}  // namespace rill::streams::internal
