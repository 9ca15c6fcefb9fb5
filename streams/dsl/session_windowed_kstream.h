// SessionWindowedKStream<K, V>: a grouped stream cut into sessions
// (KGroupedStream::windowedBy(SessionWindows)), ready for count / reduce / aggregate into a
// KTable<Windowed<K>, VA> backed by a session store and its changelog. A session is a key's
// run of records each within the inactivity gap of the next; a record that bridges two
// sessions merges them (the aggregates combine with the merger).
//
// Every update is forwarded downstream, including the tombstones of sessions merged away
// (Kafka Streams with caching disabled; session stores have no record cache). Records whose
// session would end before the close time — observed stream time - grace - gap — are
// dropped and counted as "window-expired". The session store keeps sessions for
// Materialized::withRetention, default gap + grace (by session end). With
// emitStrategy(onWindowClose()) it keeps them 1 ms longer than that: Rill's stores expire a
// session the moment its end reaches stream time - retention, one step before its final
// result is due (Kafka Streams' segmented store keeps it until its segment goes).
// Windowed<K> keys travel as WindowedSerdes::SessionWindowed (Kafka Streams' layout).
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <type_traits>

#include "streams/dsl/internal/session_window_nodes.h"
#include "streams/dsl/kgrouped_stream.h"
#include "streams/serde/windowed_serde.h"

namespace rill::streams {

template <class K, class V>
class SessionWindowedKStream {
 public:
  SessionWindowedKStream(KGroupedStream<K, V> grouped, SessionWindows windows)
      : grouped_(std::move(grouped)), windows_(windows) {}

  // onWindowClose(): one final result per session, when it closes, instead of every update.
  SessionWindowedKStream emitStrategy(const EmitStrategy& strategy) const {
    SessionWindowedKStream out = *this;
    out.emit_ = strategy;
    return out;
  }

  // Records per key and session (sessions merge by adding their counts).
  KTable<Windowed<K>, int64_t> count(const Materialized<K, int64_t>& materialized = {},
                                     const Named& named = {}) const {
    using Node = internal::SessionWindowAggregateNode<K, V, int64_t>;
    return Build<int64_t>(
        materialized, named, "KSTREAM-AGGREGATE-",
        typename Node::InitFn([] { return std::optional<int64_t>(0); }),
        typename Node::MergeFn([](const K&, const std::optional<int64_t>& agg, const int64_t& other) {
          return std::optional<int64_t>(*agg + other);
        }),
        typename Node::AddFn([](const K&, const V&, const std::optional<int64_t>& agg) {
          return *agg + 1;
        }));
  }

  // aggregator(key, value, aggregate) -> new aggregate, starting from initializer() in each
  // session; merger(key, aggregate1, aggregate2) -> the aggregate of two merged sessions.
  template <class I, class A, class M>
  auto aggregate(I initializer, A aggregator, M merger,
                 const Materialized<K, std::decay_t<std::invoke_result_t<const I&>>>& materialized = {},
                 const Named& named = {}) const {
    using VA = std::decay_t<std::invoke_result_t<const I&>>;
    static_assert(std::is_invocable_r_v<VA, const A&, const K&, const V&, const VA&>,
                  "SessionWindowedKStream::aggregate: the aggregator must be callable as "
                  "VA(const K&, const V&, const VA& aggregate)");
    static_assert(std::is_invocable_r_v<VA, const M&, const K&, const VA&, const VA&>,
                  "SessionWindowedKStream::aggregate: the merger must be callable as "
                  "VA(const K&, const VA& aggregate1, const VA& aggregate2)");
    using Node = internal::SessionWindowAggregateNode<K, V, VA>;
    return Build<VA>(
        materialized, named, "KSTREAM-AGGREGATE-",
        typename Node::InitFn([initializer] { return std::optional<VA>(initializer()); }),
        typename Node::MergeFn([merger](const K& key, const std::optional<VA>& agg, const VA& other) {
          return std::optional<VA>(merger(key, *agg, other));
        }),
        typename Node::AddFn([aggregator](const K& key, const V& value, const std::optional<VA>& agg) {
          return aggregator(key, value, *agg);
        }));
  }

  // reducer(aggregate, value) -> new aggregate; a session's first value is its aggregate,
  // and merged sessions combine as reducer(aggregate1, aggregate2) (Kafka Streams' merger
  // for reduce).
  template <class F>
  KTable<Windowed<K>, V> reduce(F reducer, const Materialized<K, V>& materialized = {},
                                const Named& named = {}) const {
    static_assert(std::is_invocable_r_v<V, const F&, const V&, const V&>,
                  "SessionWindowedKStream::reduce: the reducer must be callable as "
                  "V(const V& aggregate, const V& value)");
    Materialized<K, V> m = materialized;
    if (!m.value_serde) {
      m.value_serde = grouped_.grouped_.value_serde ? grouped_.grouped_.value_serde
                                                    : grouped_.stream_.value_serde();
    }
    using Node = internal::SessionWindowAggregateNode<K, V, V>;
    auto combine = [reducer](const std::optional<V>& agg, const V& value) {
      return agg ? reducer(*agg, value) : value;
    };
    return Build<V>(
        m, named, "KSTREAM-REDUCE-", typename Node::InitFn([] { return std::optional<V>(); }),
        typename Node::MergeFn([combine](const K&, const std::optional<V>& agg, const V& other) {
          return std::optional<V>(combine(agg, other));
        }),
        typename Node::AddFn([combine](const K&, const V& value, const std::optional<V>& agg) {
          return combine(agg, value);
        }));
  }

 private:
  template <class VA>
  KTable<Windowed<K>, VA> Build(const Materialized<K, VA>& materialized, const Named& named,
                                std::string_view prefix,
                                typename internal::SessionWindowAggregateNode<K, V, VA>::InitFn init,
                                typename internal::SessionWindowAggregateNode<K, V, VA>::MergeFn merge,
                                typename internal::SessionWindowAggregateNode<K, V, VA>::AddFn add) const {
    auto state = grouped_.stream_.state();
    const std::string store = materialized.name.empty()
                                  ? state->NewName(std::string(prefix) + "STATE-STORE-")
                                  : materialized.name;
    const int64_t minimum = windows_.inactivity_gap_ms() + windows_.grace_ms();
    int64_t retention = materialized.retention ? materialized.retention->count() : minimum;
    if (retention < minimum) {
      throw StreamsException("session store '" + store + "': retention (" +
                             std::to_string(retention) +
                             " ms) must be at least the inactivity gap plus the grace period (" +
                             std::to_string(minimum) + " ms)");
    }
    // See the header comment: a session's final result is read one step after the store
    // would expire it.
    if (emit_.on_window_close()) retention = std::max(retention, minimum + 1);
    Materialized<K, VA> m = materialized;
    if (!m.key_serde) {
      m.key_serde = grouped_.grouped_.key_serde ? grouped_.grouped_.key_serde
                                                : grouped_.stream_.key_serde();
    }
    m.caching = false;  // no record cache for session stores (see the header comment)
    internal::StoreSpec spec = internal::MakeStoreSpec(m, store, !materialized.name.empty());
    spec.kind = internal::StoreKind::kSession;
    spec.retention_ms = retention;
    SessionWindows windows = windows_;
    EmitStrategy emit = emit_;
    std::string node = grouped_.Connect(
        std::move(spec), named, prefix,
        [store, windows, init, merge, add, emit]() -> std::unique_ptr<internal::ProcessorNode> {
          return std::make_unique<internal::SessionWindowAggregateNode<K, V, VA>>(
              store, windows, init, merge, add, emit);
        });
    // suppress(untilWindowCloses): a session closes gap + grace after its end (Kafka Streams).
    state->window_close_grace_ms[node] = windows.inactivity_gap_ms() + windows.grace_ms();
    Serde<K> ks = OrDefault(m.key_serde);
    return KTable<Windowed<K>, VA>(state, node, store, WindowedSerdes::SessionWindowed<K>(ks),
                                   OrDefault(m.value_serde));
  }

  KGroupedStream<K, V> grouped_;
  SessionWindows windows_;
  EmitStrategy emit_ = EmitStrategy::onWindowUpdate();
};

}  // namespace rill::streams
