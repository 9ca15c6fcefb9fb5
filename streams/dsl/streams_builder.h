// StreamsBuilder: where a topology starts (Kafka Streams' StreamsBuilder). Read topics as
// streams or tables, add state stores for the Processor API, then build() the Topology.
// Including this header brings in the whole DSL.
//
//   StreamsBuilder builder;
//   builder.stream<std::string, std::string>("text-lines")
//       .flatMapValues([](const std::string& line) { return SplitWords(line); })
//       .groupBy([](const std::string&, const std::string& word) { return word; })
//       .count(Materialized<>::as("counts"))
//       .toStream()
//       .to("word-counts");
//   Topology topology = builder.build();
#pragma once

#include <concepts>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "streams/dsl/branched_kstream.h"
#include "streams/dsl/consumed.h"
#include "streams/dsl/global_ktable.h"
#include "streams/dsl/grouped.h"
#include "streams/dsl/internal/builder_state.h"
#include "streams/dsl/internal/kstream_join_impl.h"
#include "streams/dsl/kgrouped_stream.h"
#include "streams/dsl/kgrouped_table.h"
#include "streams/dsl/kstream.h"
#include "streams/dsl/ktable.h"
#include "streams/dsl/materialized.h"
#include "streams/dsl/named.h"
#include "streams/dsl/produced.h"
#include "streams/dsl/stores.h"
#include "streams/dsl/session_windowed_kstream.h"
#include "streams/dsl/sliding_windowed_kstream.h"
#include "streams/dsl/time_windowed_kstream.h"
#include "streams/topology/topology.h"

namespace rill::streams {

class StreamsBuilder {
 public:
  StreamsBuilder() : state_(std::make_shared<internal::BuilderState>()) {}

  // The records of `topic` as a stream.
  template <class K, class V>
  KStream<K, V> stream(const std::string& topic, const Consumed<K, V>& consumed = {}) {
    return stream<K, V>(std::vector<std::string>{topic}, consumed);
  }
  template <class K, class V>
  KStream<K, V> stream(const std::vector<std::string>& topics,
                       const Consumed<K, V>& consumed = {}) {
    Serde<K> ks = OrDefault(consumed.key_serde);
    Serde<V> vs = OrDefault(consumed.value_serde);
    RequireSerdes(ks, vs, topics.empty() ? "" : topics.front());
    internal::NodeSpec spec;
    spec.kind = internal::NodeKind::kSource;
    spec.name = state_->NameOr(consumed.name, "KSTREAM-SOURCE-");
    spec.topics = topics;
    spec.factory = [ks, vs]() -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::SourceNode<K, V>>(ks, vs);
    };
    std::string name = spec.name;
    state_->topology.AddNode(std::move(spec));
    return KStream<K, V>(state_, name, false, ks, vs);
  }

  // The records of `topic` as a table (null values delete), materialized in a store.
  // Nodes as in Kafka Streams: a source, then a KTABLE-SOURCE processor owning the store
  // (named "<name>-table-source" when Consumed names the source).
  template <class K, class V>
  KTable<K, V> table(const std::string& topic, const Consumed<K, V>& consumed = {},
                     const Materialized<K, V>& materialized = {}) {
    Serde<K> ks = OrDefault(consumed.key_serde ? consumed.key_serde : materialized.key_serde);
    Serde<V> vs = OrDefault(consumed.value_serde ? consumed.value_serde : materialized.value_serde);
    RequireSerdes(ks, vs, topic);
    std::string store = materialized.name.empty() ? state_->NewName(topic + "-STATE-STORE-")
                                                  : materialized.name;
    std::string source = state_->NameOr(consumed.name, "KSTREAM-SOURCE-");
    std::string table_source = consumed.name.empty() ? state_->NewName("KTABLE-SOURCE-")
                                                     : consumed.name + "-table-source";
    Materialized<K, V> m = materialized;
    m.key_serde = ks;
    m.value_serde = vs;
    state_->topology.AddStore(
        internal::MakeTimestampedStoreSpec(m, store, !materialized.name.empty()));
    // The source reads null values as nullopt: tombstones.
    Serde<std::optional<V>> nullable = Serdes::Nullable(vs);
    internal::NodeSpec spec;
    spec.kind = internal::NodeKind::kSource;
    spec.name = source;
    spec.topics = {topic};
    spec.factory = [ks, nullable]() -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::SourceNode<K, std::optional<V>>>(ks, nullable);
    };
    state_->topology.AddNode(std::move(spec));
    internal::NodeSpec processor;
    processor.name = table_source;
    processor.parents = {source};
    processor.stores = {store};
    processor.factory = [store]() -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::TableSourceNode<K, V>>(store);
    };
    state_->topology.AddNode(std::move(processor));
    return KTable<K, V>(state_, table_source, store, ks, vs);
  }

  // The records of `topic`, all partitions, as a table every instance holds in full (see
  // GlobalKTable). Always materialized (a generated store name unless Materialized names
  // one); the topic is the store's changelog, so Materialized's logging settings do not
  // apply. Nodes as Kafka Streams names them: the store, a source, a KTABLE-SOURCE.
  template <class K, class V>
  GlobalKTable<K, V> globalTable(const std::string& topic, const Consumed<K, V>& consumed = {},
                                 const Materialized<K, V>& materialized = {}) {
    Serde<K> ks = OrDefault(consumed.key_serde ? consumed.key_serde : materialized.key_serde);
    Serde<V> vs = OrDefault(consumed.value_serde ? consumed.value_serde : materialized.value_serde);
    RequireSerdes(ks, vs, topic);
    std::string store = materialized.name.empty() ? state_->NewName(topic + "-STATE-STORE-")
                                                  : materialized.name;
    internal::GlobalStore global;
    global.store = store;
    global.topic = topic;
    global.source_node = state_->NameOr(consumed.name, "KSTREAM-SOURCE-");
    global.processor_node = consumed.name.empty() ? state_->NewName("KTABLE-SOURCE-")
                                                  : consumed.name + "-table-source";
    Materialized<K, V> m = materialized;
    m.key_serde = ks;
    m.value_serde = vs;
    internal::StoreSpec spec = internal::MakeStoreSpec(m, store, true);
    spec.global = true;
    spec.logging = false;
    spec.caching = false;
    spec.changelog_configs.clear();
    state_->topology.AddGlobalStore(std::move(spec), std::move(global));
    return GlobalKTable<K, V>(store, ks, vs);
  }

  // A store for the Processor API; connect it by name in process()/processValues().
  template <class K, class V>
  StreamsBuilder& addStateStore(const StoreBuilder<K, V>& builder) {
    state_->topology.AddStore(internal::MakeKeyValueStoreSpec<K, V>(
        builder.supplier.name, builder.supplier.type == StoreType::kRocksDb, builder.logging,
        builder.caching, builder.changelog_configs, builder.key_serde, builder.value_serde,
        true));
    return *this;
  }

  // Checks the graph and returns the topology. Throws StreamsException naming the problem
  // (unknown store, duplicate node name, missing serde, ...). The builder can't be reused.
  Topology build();

 private:
  template <class K, class V>
  static void RequireSerdes(const Serde<K>& ks, const Serde<V>& vs, const std::string& topic) {
    if (!ks || !vs) {
      throw StreamsException("source of '" + topic + "': no serde for <" +
                             internal::TypeName<K>() + ", " + internal::TypeName<V>() +
                             ">; pass Consumed::with(key_serde, value_serde)");
    }
  }

  std::shared_ptr<internal::BuilderState> state_;
};

// ---- KStream / KTable operators that need the other handle types complete ----

template <class K, class V>
BranchedKStream<K, V> KStream<K, V>::split(const Named& named) const {
  return BranchedKStream<K, V>(*this, state_->NameOr(named.name, "KSTREAM-BRANCH-"));
}

namespace internal {

// KStream-KTable join: looks the record's key up in the table and forwards the joined value.
template <class K, class V, class VT, class VR, bool kLeft>
class StreamTableJoinNode : public ProcessorNode {
 public:
  using Joiner = std::function<VR(const V&, const std::optional<VT>&)>;
  StreamTableJoinNode(std::shared_ptr<const ValueGetterSupplier<K, VT>> table, Joiner joiner)
      : table_(std::move(table)), joiner_(std::move(joiner)) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    lookup_ = table_->bind(context);
  }
  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, V>*>(record);
    if (DropNullKeyOrValue(r, *context_)) return;
    std::optional<VT> table_value = ValueOf(lookup_(r.key));
    if (!kLeft && !table_value) return;
    Record<K, VR> out{r.key, joiner_(r.value, table_value), r.timestamp, r.headers};
    context_->Forward(&out);
  }

 private:
  std::shared_ptr<const ValueGetterSupplier<K, VT>> table_;
  Joiner joiner_;
  std::function<std::optional<ValueAndTimestamp<VT>>(const K&)> lookup_;
};

}  // namespace internal

template <class K, class V>
template <class VT, class F>
auto KStream<K, V>::join(const KTable<K, VT>& table, F joiner, const Named& named) const {
  static_assert(std::is_invocable_v<const F&, const V&, const VT&>,
                "KStream::join(KTable): the joiner must be callable as VR(const V& value, "
                "const VT& tableValue)");
  using VR = std::decay_t<std::invoke_result_t<const F&, const V&, const VT&>>;
  return JoinTable<VT, VR, false>(
      table, [joiner](const V& v, const std::optional<VT>& t) { return joiner(v, *t); }, named);
}

template <class K, class V>
template <class VT, class F>
auto KStream<K, V>::leftJoin(const KTable<K, VT>& table, F joiner, const Named& named) const {
  static_assert(std::is_invocable_v<const F&, const V&, const std::optional<VT>&>,
                "KStream::leftJoin(KTable): the joiner must be callable as VR(const V& value, "
                "const std::optional<VT>& tableValue)");
  using VR = std::decay_t<std::invoke_result_t<const F&, const V&, const std::optional<VT>&>>;
  return JoinTable<VT, VR, true>(table, std::function<VR(const V&, const std::optional<VT>&)>(joiner),
                                 named);
}

template <class K, class V>
template <class VT, class VR, bool kLeft>
KStream<K, VR> KStream<K, V>::JoinTable(const KTable<K, VT>& table,
                                        std::function<VR(const V&, const std::optional<VT>&)> joiner,
                                        const Named& named) const {
  auto supplier = table.valueGetterSupplier();
  if (!supplier) {
    throw StreamsException("KStream::" + std::string(kLeft ? "leftJoin" : "join") + ": table '" +
                           table.node() +
                           "' is not materialized; materialize it (Materialized::as) or join a "
                           "table derived from a materialized one");
  }
  std::string node = state_->NameOr(named.name, "KSTREAM-JOIN-");
  KStream input = *this;
  if (repartition_required_) {
    input = KStream(state_, RepartitionThrough(node, key_serde_, value_serde_), false, key_serde_,
                    value_serde_);
  }
  input.Add("", Named::as(node),
            [supplier, joiner]() -> std::unique_ptr<internal::ProcessorNode> {
              return std::make_unique<internal::StreamTableJoinNode<K, V, VT, VR, kLeft>>(supplier,
                                                                                       joiner);
            },
            supplier->stores);
  state_->topology.MarkCopartitioned(node);
  return KStream<K, VR>(state_, node, false, key_serde_, {});
}

namespace internal {

// A key selector's result as the join node wants it: std::optional<GK> (nullopt = no key).
template <class GK, class KS, class K, class V>
std::function<std::optional<GK>(const K&, const V&)> OptionalKeySelector(KS selector) {
  return [selector](const K& k, const V& v) -> std::optional<GK> { return selector(k, v); };
}

template <class R>
struct SelectedKey {
  using type = R;
};
template <class R>
struct SelectedKey<std::optional<R>> {
  using type = R;
};

}  // namespace internal

template <class K, class V>
template <class GK, class GV, class KS, class F>
auto KStream<K, V>::join(const GlobalKTable<GK, GV>& table, KS keySelector, F joiner,
                         const Named& named) const {
  static_assert(std::is_invocable_v<const KS&, const K&, const V&>,
                "KStream::join(GlobalKTable): the key selector must be callable as "
                "GK(const K& key, const V& value)");
  using Selected = std::decay_t<std::invoke_result_t<const KS&, const K&, const V&>>;
  static_assert(std::is_same_v<typename internal::SelectedKey<Selected>::type, GK>,
                "KStream::join(GlobalKTable): the key selector must return the table's key "
                "type (or std::optional of it)");
  static_assert(std::is_invocable_v<const F&, const V&, const GV&>,
                "KStream::join(GlobalKTable): the joiner must be callable as VR(const V& value, "
                "const GV& tableValue)");
  using VR = std::decay_t<std::invoke_result_t<const F&, const V&, const GV&>>;
  return JoinGlobalTable<GK, GV, VR, false>(
      table, internal::OptionalKeySelector<GK, KS, K, V>(std::move(keySelector)),
      [joiner](const V& v, const std::optional<GV>& t) { return joiner(v, *t); }, named);
}

template <class K, class V>
template <class GK, class GV, class KS, class F>
auto KStream<K, V>::leftJoin(const GlobalKTable<GK, GV>& table, KS keySelector, F joiner,
                             const Named& named) const {
  static_assert(std::is_invocable_v<const KS&, const K&, const V&>,
                "KStream::leftJoin(GlobalKTable): the key selector must be callable as "
                "GK(const K& key, const V& value)");
  using Selected = std::decay_t<std::invoke_result_t<const KS&, const K&, const V&>>;
  static_assert(std::is_same_v<typename internal::SelectedKey<Selected>::type, GK>,
                "KStream::leftJoin(GlobalKTable): the key selector must return the table's "
                "key type (or std::optional of it)");
  static_assert(std::is_invocable_v<const F&, const V&, const std::optional<GV>&>,
                "KStream::leftJoin(GlobalKTable): the joiner must be callable as VR(const V& "
                "value, const std::optional<GV>& tableValue)");
  using VR = std::decay_t<std::invoke_result_t<const F&, const V&, const std::optional<GV>&>>;
  return JoinGlobalTable<GK, GV, VR, true>(
      table, internal::OptionalKeySelector<GK, KS, K, V>(std::move(keySelector)),
      std::function<VR(const V&, const std::optional<GV>&)>(joiner), named);
}

template <class K, class V>
template <class GK, class GV, class VR, bool kLeft>
KStream<K, VR> KStream<K, V>::JoinGlobalTable(
    const GlobalKTable<GK, GV>& table, std::function<std::optional<GK>(const K&, const V&)> selector,
    std::function<VR(const V&, const std::optional<GV>&)> joiner, const Named& named) const {
  std::string store = table.queryableStoreName();
  Serde<GK> ks = table.key_serde();
  Serde<GV> vs = table.value_serde();
  std::string node = Add("KSTREAM-JOIN-", named,
                         [store, ks, vs, selector, joiner]() -> std::unique_ptr<internal::ProcessorNode> {
                           return std::make_unique<
                               internal::StreamGlobalTableJoinNode<K, V, GK, GV, VR, kLeft>>(
                               store, ks, vs, selector, joiner);
                         });
  // The key is unchanged, so a pending repartition stays pending.
  return KStream<K, VR>(state_, node, repartition_required_, key_serde_, {});
}

template <class K, class V>
KTable<K, V> KStream<K, V>::toTable(const Materialized<K, V>& materialized,
                                    const Named& named) const {
  // Kafka Streams' order of generated names: the node, then its store.
  std::string node = state_->NameOr(named.name, "KSTREAM-TOTABLE-");
  std::string store = materialized.name.empty() ? state_->NewName("KSTREAM-TOTABLE-STATE-STORE-")
                                                : materialized.name;
  Materialized<K, V> m = materialized;
  if (!m.key_serde) m.key_serde = key_serde_;
  if (!m.value_serde) m.value_serde = value_serde_;
  KStream input = *this;
  if (repartition_required_) {
    input = KStream(state_, RepartitionThrough(node, m.key_serde, m.value_serde), false,
                    m.key_serde, m.value_serde);
  }
  state_->topology.AddStore(internal::MakeTimestampedStoreSpec(m, store, !materialized.name.empty()));
  input.Add("", Named::as(node),
            [store]() -> std::unique_ptr<internal::ProcessorNode> {
              return std::make_unique<internal::StreamToTableNode<K, V>>(store);
            },
            {store});
  return KTable<K, V>(state_, node, store, m.key_serde, m.value_serde);
}

template <class K, class V>
KGroupedStream<K, V> KStream<K, V>::groupByKey(const Grouped<K, V>& grouped) const {
  return KGroupedStream<K, V>(*this, grouped);
}

template <class K, class V>
template <class F>
auto KStream<K, V>::groupBy(
    F selector,
    const Grouped<std::decay_t<std::invoke_result_t<const F&, const K&, const V&>>, V>& grouped)
    const {
  using K2 = std::decay_t<std::invoke_result_t<const F&, const K&, const V&>>;
  // Kafka Streams names the key selector after the grouping.
  KStream<K2, V> keyed = selectKey(std::move(selector), Named::as(grouped.name));
  return KGroupedStream<K2, V>(keyed, grouped);
}

template <class K, class V>
template <class F>
auto KTable<K, V>::groupBy(
    F selector,
    const Grouped<typename internal::PairTypes<std::decay_t<std::invoke_result_t<const F&, const K&, const V&>>>::Key,
                  typename internal::PairTypes<std::decay_t<std::invoke_result_t<const F&, const K&, const V&>>>::Value>& grouped) const {
  using R = std::decay_t<std::invoke_result_t<const F&, const K&, const V&>>;
  using P = internal::PairTypes<R>;
  static_assert(P::kValid, "KTable::groupBy: the selector must return KeyValue<K2, V2> or std::pair");
  using K2 = typename P::Key;
  using V2 = typename P::Value;
  using C = internal::Change<V2>;
  // Old and new value each go to the partition of their (possibly different) new key; when
  // the key stays the same they travel together, so the subtraction and the addition reach
  // the aggregation as one update (as in Kafka Streams since 3.5).
  auto select_fn = [selector](const Record<K, internal::Change<V>>& r,
                              internal::NodeContext& ctx) {
    std::optional<R> old_kv, new_kv;
    if (r.value.old_value) old_kv = selector(r.key, *r.value.old_value);
    if (r.value.new_value) new_kv = selector(r.key, *r.value.new_value);
    if constexpr (std::equality_comparable<K2>) {
      if (old_kv && new_kv && P::key(*old_kv) == P::key(*new_kv)) {
        Record<K2, C> out{P::key(*new_kv), C{P::value(*new_kv), P::value(*old_kv)}, r.timestamp,
                          r.headers};
        return ctx.Forward(&out);
      }
    }
    if (old_kv) {
      Record<K2, C> out{P::key(*old_kv), C{std::nullopt, P::value(*old_kv)}, r.timestamp,
                        r.headers};
      ctx.Forward(&out);
    }
    if (new_kv) {
      Record<K2, C> out{P::key(*new_kv), C{P::value(*new_kv), std::nullopt}, r.timestamp,
                        r.headers};
      ctx.Forward(&out);
    }
  };
  std::string select = Add("KTABLE-SELECT-", Named::as(grouped.name),
                           internal::LambdaFactory<K, internal::Change<V>>(select_fn));
  Grouped<K2, V2> g = grouped;
  g.key_serde = OrDefault(grouped.key_serde);
  g.value_serde = OrDefault(grouped.value_serde);
  if (!g.key_serde || !g.value_serde) {
    throw StreamsException("KTable::groupBy: no serde for the new key or value type; pass "
                           "Grouped::with");
  }
  // The aggregation adds the repartition topic, named after its store.
  return KGroupedTable<K2, V2>(state_, select, g);
}

}  // namespace rill::streams
