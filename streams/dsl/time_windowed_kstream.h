// TimeWindowedKStream<K, V>: a grouped stream cut into tumbling or hopping windows
// (KGroupedStream::windowedBy(TimeWindows)), ready for count / reduce / aggregate into a
// KTable<Windowed<K>, VA> backed by a window store and its changelog.
//
// Every update of a window is forwarded downstream (Kafka Streams with caching disabled;
// the window store has no record cache yet). Records for windows that closed — window end
// <= observed stream time - grace — are dropped and counted as "window-expired".
// The window store keeps windows for Materialized::withRetention, default size + grace.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <type_traits>

#include "streams/dsl/internal/window_nodes.h"
#include "streams/dsl/kgrouped_stream.h"
#include "streams/serde/windowed_serde.h"

namespace rill::streams {

template <class K, class V>
class TimeWindowedKStream {
 public:
  TimeWindowedKStream(KGroupedStream<K, V> grouped, TimeWindows windows)
      : grouped_(std::move(grouped)), windows_(windows) {}

  // onWindowClose(): one final result per window, when it closes, instead of every update.
  TimeWindowedKStream emitStrategy(const EmitStrategy& strategy) const {
    TimeWindowedKStream out = *this;
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
                  "TimeWindowedKStream::aggregate: the aggregator must be callable as "
                  "VA(const K&, const V&, const VA& aggregate)");
    return Aggregate<VA>(std::move(initializer), std::move(aggregator), materialized, named,
                         "KSTREAM-AGGREGATE-");
  }

  // reducer(aggregate, value) -> new aggregate; a window's first value is its aggregate.
  template <class F>
  KTable<Windowed<K>, V> reduce(F reducer, const Materialized<K, V>& materialized = {},
                                const Named& named = {}) const {
    static_assert(std::is_invocable_r_v<V, const F&, const V&, const V&>,
                  "TimeWindowedKStream::reduce: the reducer must be callable as "
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
      typename internal::TimeWindowAggregateNode<K, V, VA>::Update update) const {
    auto state = grouped_.stream_.state();
    const std::string store = materialized.name.empty()
                                  ? state->NewName(std::string(prefix) + "STATE-STORE-")
                                  : materialized.name;
    const int64_t minimum = windows_.size_ms() + windows_.grace_ms();
    const int64_t retention = materialized.retention ? materialized.retention->count() : minimum;
    if (retention < minimum) {
      throw StreamsException("window store '" + store + "': retention (" +
                             std::to_string(retention) +
                             " ms) must be at least the window size plus the grace period (" +
                             std::to_string(minimum) + " ms)");
    }
    Materialized<K, VA> m = materialized;
    if (!m.key_serde) {
      m.key_serde = grouped_.grouped_.key_serde ? grouped_.grouped_.key_serde
                                                : grouped_.stream_.key_serde();
    }
    m.caching = false;  // no record cache for window stores yet (see the header comment)
    // The store holds [timestamp][aggregate] (Kafka Streams' TimestampedWindowStore); its
    // registered serde shows the aggregate only.
    const Serde<VA> value_serde = OrDefault(m.value_serde);
    if (value_serde) m.value_serde = internal::ValueOnlySerde(value_serde);
    internal::StoreSpec spec = internal::MakeStoreSpec(m, store, !materialized.name.empty());
    spec.kind = internal::StoreKind::kWindow;
    spec.timestamped = true;
    spec.retention_ms = retention;
    spec.window_size_ms = windows_.size_ms();
    TimeWindows windows = windows_;
    EmitStrategy emit = emit_;
    std::string node = grouped_.Connect(
        std::move(spec), named, prefix,
        [store, windows, update, value_serde, emit]() -> std::unique_ptr<internal::ProcessorNode> {
          return std::make_unique<internal::TimeWindowAggregateNode<K, V, VA>>(
              store, windows, update, value_serde, emit);
        });
    state->window_close_grace_ms[node] = windows_.grace_ms();  // for suppress(untilWindowCloses)
    Serde<K> ks = OrDefault(m.key_serde);
    return KTable<Windowed<K>, VA>(state, node, store,
                                   WindowedSerdes::TimeWindowed<K>(ks, windows_.size_ms()),
                                   value_serde);
  }

  KGroupedStream<K, V> grouped_;
  TimeWindows windows_;
  EmitStrategy emit_ = EmitStrategy::onWindowUpdate();
};

}  // namespace rill::streams
