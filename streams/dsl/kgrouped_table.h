// KGroupedTable<K, V>: a table re-grouped by a new key; count / reduce / aggregate add each
// new value and subtract each old one (Kafka Streams' KGroupedTable).
#pragma once

#include <memory>
#include <string>
#include <type_traits>

#include "streams/dsl/internal/change.h"
#include "streams/dsl/ktable.h"

namespace rill::streams {

template <class K, class V>
class KGroupedTable {
 public:
  // `select`: the node forwarding Record<K, Change<V>> keyed by the new key. Each
  // aggregation reads it through a repartition topic "<store>-repartition" (or
  // "<grouped name>-repartition", then shared by the aggregations). `grouped` has serdes.
  KGroupedTable(std::shared_ptr<internal::BuilderState> state, std::string select,
                Grouped<K, V> grouped)
      : state_(std::move(state)),
        select_(std::move(select)),
        grouped_(std::move(grouped)),
        named_repartition_source_(std::make_shared<std::string>()) {}

  KTable<K, int64_t> count(const Materialized<K, int64_t>& materialized = {},
                           const Named& named = {}) const {
    return Aggregate<int64_t>([] { return int64_t{0}; },
                              [](const K&, const V&, const int64_t& n) { return n + 1; },
                              [](const K&, const V&, const int64_t& n) { return n - 1; },
                              materialized, named, "KTABLE-AGGREGATE-");
  }

  // adder(aggregate, value) and subtractor(aggregate, value) -> new aggregate; the first
  // value of a key is its aggregate.
  template <class A, class S>
  KTable<K, V> reduce(A adder, S subtractor, const Materialized<K, V>& materialized = {},
                      const Named& named = {}) const {
    static_assert(std::is_invocable_r_v<V, const A&, const V&, const V&> &&
                      std::is_invocable_r_v<V, const S&, const V&, const V&>,
                  "KGroupedTable::reduce: adder and subtractor must be callable as "
                  "V(const V& aggregate, const V& value)");
    Materialized<K, V> m = materialized;
    if (!m.value_serde) m.value_serde = grouped_.value_serde;
    return Aggregate<V>(nullptr,  // no initializer: reduce semantics
                        [adder](const K&, const V& v, const V& agg) { return adder(agg, v); },
                        [subtractor](const K&, const V& v, const V& agg) {
                          return subtractor(agg, v);
                        },
                        m, named, "KTABLE-REDUCE-");
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
    return Aggregate<VA>(std::move(initializer), std::move(adder), std::move(subtractor),
                         materialized, named, "KTABLE-AGGREGATE-");
  }

 private:
  template <class VA>
  KTable<K, VA> Aggregate(typename internal::TableAggregateNode<K, V, VA>::Initializer init,
                          typename internal::TableAggregateNode<K, V, VA>::Aggregator add,
                          typename internal::TableAggregateNode<K, V, VA>::Aggregator sub,
                          const Materialized<K, VA>& materialized, const Named& named,
                          std::string_view prefix) const {
    // Kafka Streams' order of generated names: store, sink, source, aggregation.
    std::string store = materialized.name.empty()
                            ? state_->NewName(std::string(prefix) + "STATE-STORE-")
                            : materialized.name;
    std::string sink = named.name.empty() ? state_->NewName("KSTREAM-SINK-") : named.name + "-sink";
    std::string source =
        named.name.empty() ? state_->NewName("KSTREAM-SOURCE-") : named.name + "-source";
    std::string node = state_->NameOr(named.name, prefix);
    if (grouped_.name.empty() || named_repartition_source_->empty()) {
      std::string topic = (grouped_.name.empty() ? store : grouped_.name) + "-repartition";
      Serde<internal::Change<V>> cs(
          std::make_shared<internal::ChangeSerdeImpl<V>>(grouped_.value_serde));
      source = internal::AddRepartition<K, internal::Change<V>>(*state_, select_, "", sink, source,
                                                                topic, grouped_.key_serde, cs);
      if (!grouped_.name.empty()) *named_repartition_source_ = source;
    } else {
      source = *named_repartition_source_;
    }
    Materialized<K, VA> m = materialized;
    if (!m.key_serde) m.key_serde = grouped_.key_serde;
    state_->topology.AddStore(
        internal::MakeTimestampedStoreSpec(m, store, !materialized.name.empty()));
    internal::NodeSpec spec;
    spec.name = node;
    spec.parents = {source};
    spec.stores = {store};
    spec.factory = [store, init, add, sub]() -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::TableAggregateNode<K, V, VA>>(store, init, add, sub);
    };
    state_->topology.AddNode(std::move(spec));
    return KTable<K, VA>(state_, node, store, m.key_serde, m.value_serde);
  }

  std::shared_ptr<internal::BuilderState> state_;
  std::string select_;
  Grouped<K, V> grouped_;
  // With a Grouped name, the one repartition source all aggregations read (Kafka Streams
  // reuses a user-named repartition topic).
  std::shared_ptr<std::string> named_repartition_source_;
};

}  // namespace rill::streams
