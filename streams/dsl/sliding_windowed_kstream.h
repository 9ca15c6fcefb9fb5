// SlidingWindowedKStream<K, V>: a grouped stream cut into sliding windows
// (KGroupedStream::windowedBy(SlidingWindows)), ready for count / reduce / aggregate into a
// KTable<Windowed<K>, VA> backed by a window store and its changelog — Kafka Streams'
// SlidingWindowedKStreamImpl.
//
// A window is [start, start + time difference], both ends inclusive; windows exist where
// records define them (sliding_window_nodes.h). Every update of a window is forwarded, with
// the window's largest record timestamp, unless emitStrategy(onWindowClose()). Records for
// windows that closed — window end < observed stream time - grace — are dropped and counted
// as "window-expired". The window store keeps windows for Materialized::withRetention,
// default 2 * time difference + grace (the algorithm reads windows starting up to
// 2 * time difference before a record); a shorter retention is refused.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <type_traits>

#include "streams/dsl/internal/sliding_window_nodes.h"
#include "streams/dsl/internal/value_and_timestamp.h"
#include "streams/dsl/kgrouped_stream.h"
#include "streams/serde/windowed_serde.h"

namespace rill::streams {

template <class K, class V>
class SlidingWindowedKStream {
 public:
  SlidingWindowedKStream(KGroupedStream<K, V> grouped, SlidingWindows windows)
      : grouped_(std::move(grouped)), windows_(windows) {}

  // onWindowClose(): one final result per window, when it closes, instead of every update.
  SlidingWindowedKStream emitStrategy(const EmitStrategy& strategy) const {
    SlidingWindowedKStream out = *this;
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
                  "SlidingWindowedKStream::aggregate: the aggregator must be callable as "
                  "VA(const K&, const V&, const VA& aggregate)");
    return Aggregate<VA>(std::move(initializer), std::move(aggregator), materialized, named,
                         "KSTREAM-AGGREGATE-");
  }

  // reducer(aggregate, value) -> new aggregate; a window's first value is its aggregate.
  template <class F>
  KTable<Windowed<K>, V> reduce(F reducer, const Materialized<K, V>& materialized = {},
                                const Named& named = {}) const {
    static_assert(std::is_invocable_r_v<V, const F&, const V&, const V&>,
                  "SlidingWindowedKStream::reduce: the reducer must be callable as "
                  "V(const V& aggregate, const V& value)");
    Materialized<K, V> m = materialized;
    if (!m.value_serde) m.value_serde = ValueSerde();
    return AggregateWith<V>(m, named, "KSTREAM-REDUCE-",
                            [reducer](const K&, const V& value, const std::optional<V>& agg) {
                              return agg ? reducer(*agg, value) : value;
                            });
  }

 private:
  Serde<V> ValueSerde() const {
    return grouped_.grouped_.value_serde ? grouped_.grouped_.value_serde
                                         : grouped_.stream_.value_serde();
  }

  template <class VA, class I, class A>
  KTable<Windowed<K>, VA> Aggregate(I initializer, A aggregator,
                                    const Materialized<K, VA>& materialized, const Named& named,
                                    std::string_view prefix) const {
    return AggregateWith<VA>(materialized, named, prefix,
                             [initializer, aggregator](const K& key, const V& value,
                                                       const std::optional<VA>& agg) {
                               return aggregator(key, value, agg ? *agg : initializer());
                             });
  }

  template <class VA>
  KTable<Windowed<K>, VA> AggregateWith(
      const Materialized<K, VA>& materialized, const Named& named, std::string_view prefix,
      typename internal::SlidingWindowAggregateNode<K, V, VA>::Update update) const {
    auto state = grouped_.stream_.state();
    const std::string store = materialized.name.empty()
                                  ? state->NewName(std::string(prefix) + "STATE-STORE-")
                                  : materialized.name;
    const int64_t difference = windows_.time_difference_ms();
    const int64_t minimum = 2 * difference + windows_.grace_ms();
    const int64_t retention = materialized.retention ? materialized.retention->count() : minimum;
    if (retention < minimum) {
      throw StreamsException("window store '" + store + "': retention (" +
                             std::to_string(retention) +
                             " ms) must be at least 2 * the time difference plus the grace "
                             "period (" + std::to_string(minimum) + " ms)");
    }
    Materialized<K, VA> m = materialized;
    if (!m.key_serde) {
      m.key_serde = grouped_.grouped_.key_serde ? grouped_.grouped_.key_serde
                                                : grouped_.stream_.key_serde();
    }
    m.caching = false;  // no record cache for window stores yet
    // The store holds [timestamp][aggregate]; its registered serde shows the aggregate only.
    const Serde<VA> value_serde = OrDefault(m.value_serde);
    if (value_serde) m.value_serde = internal::ValueOnlySerde(value_serde);
    internal::StoreSpec spec = internal::MakeStoreSpec(m, store, !materialized.name.empty());
    spec.kind = internal::StoreKind::kWindow;
    spec.timestamped = true;  // the changelog: plain aggregates at their timestamps
    spec.retention_ms = retention;
    spec.window_size_ms = difference;
    SlidingWindows windows = windows_;
    EmitStrategy emit = emit_;
    std::string node = grouped_.Connect(
        std::move(spec), named, prefix,
        [store, windows, update, value_serde, emit]() -> std::unique_ptr<internal::ProcessorNode> {
          return std::make_unique<internal::SlidingWindowAggregateNode<K, V, VA>>(
              store, windows, update, value_serde, emit);
        });
    Serde<K> ks = OrDefault(m.key_serde);
    return KTable<Windowed<K>, VA>(state, node, store,
                                   WindowedSerdes::TimeWindowed<K>(ks, difference), value_serde);
  }

  KGroupedStream<K, V> grouped_;
  SlidingWindows windows_;
  EmitStrategy emit_ = EmitStrategy::onWindowUpdate();
};

}  // namespace rill::streams
