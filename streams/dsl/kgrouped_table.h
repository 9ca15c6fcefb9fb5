// KGroupedTable<K, V>: a table re-grouped by a new key; count / reduce / aggregate add each
// new value and subtract each old one (Kafka Streams' KGroupedTable).
#pragma once

#include <string>
#include <type_traits>

#include "streams/dsl/internal/change.h"
#include "streams/dsl/ktable.h"

namespace rill::streams {

template <class K, class V>
class KGroupedTable {
 public:
  // `source`: the node forwarding Record<K, Change<V>> already keyed by the new key.
  KGroupedTable(std::shared_ptr<internal::BuilderState> state, std::string source,
                Grouped<K, V> grouped)
      : state_(std::move(state)), source_(std::move(source)), grouped_(std::move(grouped)) {}

  KTable<K, int64_t> count(const Materialized<K, int64_t>& materialized = {},
                           const Named& named = {}) const {
    return aggregate([] { return int64_t{0}; },
                     [](const K&, const V&, const int64_t& n) { return n + 1; },
                     [](const K&, const V&, const int64_t& n) { return n - 1; }, materialized,
                     named);
  }

  // adder(aggregate, value) and subtractor(aggregate, value) -> new aggregate.
  template <class A, class S>
  KTable<K, V> reduce(A adder, S subtractor, const Materialized<K, V>& materialized = {},
                      const Named& named = {}) const {
    static_assert(std::is_invocable_r_v<V, const A&, const V&, const V&> &&
                      std::is_invocable_r_v<V, const S&, const V&, const V&>,
                  "KGroupedTable::reduce: adder and subtractor must be callable as "
                  "V(const V& aggregate, const V& value)");
    Materialized<K, V> m = materialized;
    if (!m.value_serde) m.value_serde = grouped_.value_serde;
    // Reduce = aggregate whose initial value is "absent": model it with the first value.
    return aggregate([] { return V{}; },
                     [adder](const K&, const V& v, const V& agg) { return adder(agg, v); },
                     [subtractor](const K&, const V& v, const V& agg) { return subtractor(agg, v); },
                     m, named);
  }

  // adder(key, value, aggregate), subtractor(key, value, aggregate), from initializer().
  template <class I, class A, class S>
  auto aggregate(I initializer, A adder, S subtractor,
                 const Materialized<K, std::decay_t<std::invoke_result_t<const I&>>>& materialized = {},
                 const Named& named = {}) const {
    using VA = std::decay_t<std::invoke_result_t<const I&>>;
    static_assert(std::is_invocable_r_v<VA, const A&, const K&, const V&, const VA&> &&
                      std::is_invocable_r_v<VA, const S&, const K&, const V&, const VA&>,
                  "KGroupedTable::aggregate: adder and subtractor must be callable as "
                  "VA(const K&, const V&, const VA& aggregate)");
    std::string store = materialized.name.empty()
                            ? state_->NewName("KTABLE-AGGREGATE-STATE-STORE-")
                            : materialized.name;
    Materialized<K, VA> m = materialized;
    if (!m.key_serde) m.key_serde = grouped_.key_serde;
    state_->topology.AddStore(internal::MakeStoreSpec(m, store, !materialized.name.empty()));
    internal::NodeSpec spec;
    spec.name = state_->NameOr(named.name, "KTABLE-AGGREGATE-");
    spec.parents = {source_};
    spec.stores = {store};
    typename internal::TableAggregateNode<K, V, VA>::Initializer init = initializer;
    typename internal::TableAggregateNode<K, V, VA>::Aggregator add = adder, sub = subtractor;
    spec.factory = [store, init, add, sub]() -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::TableAggregateNode<K, V, VA>>(store, init, add, sub);
    };
    std::string node = spec.name;
    state_->topology.AddNode(std::move(spec));
    return KTable<K, VA>(state_, node, store, m.key_serde, m.value_serde);
  }

 private:
  std::shared_ptr<internal::BuilderState> state_;
  std::string source_;
  Grouped<K, V> grouped_;
};

}  // namespace rill::streams
