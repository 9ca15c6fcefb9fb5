// KTable<K, V>: a changelog stream read as a table — the latest value per key (Kafka
// Streams' KTable). Internally it forwards Change<V> (new and old value) so downstream
// operators can retract old values.
#pragma once

#include <any>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "streams/dsl/internal/change.h"
#include "streams/dsl/internal/foreign_key_join_nodes.h"
#include "streams/dsl/internal/suppress_node.h"
#include "streams/dsl/internal/table_join_nodes.h"
#include "streams/dsl/kstream.h"
#include "streams/dsl/suppressed.h"
#include "streams/processor/key_value_store.h"

namespace rill::streams {

namespace internal {

// How a join looks up a table's current value and its timestamp by key (Kafka Streams'
// KTableValueGetterSupplier): the stores it reads, and a function that binds a lookup to
// the running task's stores. A materialized table reads its store; filter and mapValues
// wrap their parent's lookup, so they need no store of their own.
template <class K, class V>
struct ValueGetterSupplier {
  std::vector<std::string> stores;
  std::function<std::function<std::optional<ValueAndTimestamp<V>>(const K&)>(NodeContext&)> bind;
};

// A foreign-key extractor: KO or std::optional<KO> (nullopt: no foreign key) from
// (const V&) or (const K&, const V&).
template <class FX, class K, class V>
auto CallForeignKeyExtractor(const FX& extractor, const K& key, const V& value) {
  if constexpr (std::is_invocable_v<const FX&, const K&, const V&>) {
    return extractor(key, value);
  } else {
    return extractor(value);
  }
}
template <class FX, class K, class V, class KO>
concept ForeignKeyExtractor =
    (std::is_invocable_v<const FX&, const K&, const V&> ||
     std::is_invocable_v<const FX&, const V&>) &&
    (std::is_same_v<std::decay_t<decltype(CallForeignKeyExtractor(
                        std::declval<const FX&>(), std::declval<const K&>(),
                        std::declval<const V&>()))>,
                    KO> ||
     std::is_same_v<std::decay_t<decltype(CallForeignKeyExtractor(
                        std::declval<const FX&>(), std::declval<const K&>(),
                        std::declval<const V&>()))>,
                    std::optional<KO>>);

}  // namespace internal

template <class K, class V>
class KTable {
 public:
  KTable(std::shared_ptr<internal::BuilderState> state, std::string node, std::string store,
         Serde<K> key_serde, Serde<V> value_serde,
         std::shared_ptr<const internal::ValueGetterSupplier<K, V>> getter = nullptr)
      : state_(std::move(state)),
        node_(std::move(node)),
        store_(std::move(store)),
        key_serde_(std::move(key_serde)),
        value_serde_(std::move(value_serde)),
        getter_(std::move(getter)) {}

  // The lookup joins use; nullptr when the table has neither a key-value store nor a parent
  // with one.
  std::shared_ptr<const internal::ValueGetterSupplier<K, V>> valueGetterSupplier() const {
    if (getter_ || store_.empty()) return getter_;
    auto supplier = std::make_shared<internal::ValueGetterSupplier<K, V>>();
    supplier->stores = {store_};
    std::string store = store_;
    supplier->bind = [store](internal::NodeContext& ctx)
        -> std::function<std::optional<internal::ValueAndTimestamp<V>>(const K&)> {
      internal::StoreInstance* instance = ctx.task->GetStore(store);
      if (instance == nullptr || instance->store == nullptr) {
        throw StreamsException("table store '" + store + "' is not a key-value store in this task");
      }
      auto kv = internal::TimestampedView<K, V>(*instance);
      return [kv](const K& key) { return kv.get(key); };
    };
    return supplier;
  }

  // The store's name ("" when the table is not materialized).
  const std::string& queryableStoreName() const { return store_; }

  // Keys whose value satisfies predicate(key, value); other keys read as deleted.
  template <class P>
  KTable filter(P predicate, const Named& named = {}) const {
    static_assert(std::is_invocable_r_v<bool, const P&, const K&, const V&>,
                  "KTable::filter: the predicate must be callable as bool(const K&, const V&)");
    return Filtered(predicate, false, named);
  }
  template <class P>
  KTable filterNot(P predicate, const Named& named = {}) const {
    static_assert(std::is_invocable_r_v<bool, const P&, const K&, const V&>,
                  "KTable::filterNot: the predicate must be callable as bool(const K&, const V&)");
    return Filtered(predicate, true, named);
  }

  // mapper(value) or mapper(key, value) -> V2.
  template <class F>
  auto mapValues(F mapper, const Named& named = {}) const {
    using V2 = typename internal::ValueMapperResult<F, K, V>::type;
    static_assert(!std::is_void_v<V2>,
                  "KTable::mapValues: the mapper must be callable as V2(const V&) or "
                  "V2(const K&, const V&)");
    auto node = Add("KTABLE-MAPVALUES-", named,
                    internal::LambdaFactory<K, internal::Change<V>>(
                        [mapper](const Record<K, internal::Change<V>>& r,
                                 internal::NodeContext& ctx) {
                          internal::Change<V2> c;
                          if (r.value.new_value) c.new_value = internal::CallValueMapper(mapper, r.key, *r.value.new_value);
                          if (r.value.old_value) c.old_value = internal::CallValueMapper(mapper, r.key, *r.value.old_value);
                          Record<K, internal::Change<V2>> out{r.key, std::move(c), r.timestamp, r.headers};
                          ctx.Forward(&out);
                        }));
    std::shared_ptr<const internal::ValueGetterSupplier<K, V2>> getter;
    if (auto parent = valueGetterSupplier()) {
      auto g = std::make_shared<internal::ValueGetterSupplier<K, V2>>();
      g->stores = parent->stores;
      g->bind = [parent, mapper](internal::NodeContext& ctx)
          -> std::function<std::optional<internal::ValueAndTimestamp<V2>>(const K&)> {
        auto get = parent->bind(ctx);
        return [get, mapper](const K& key) -> std::optional<internal::ValueAndTimestamp<V2>> {
          auto v = get(key);
          if (!v) return std::nullopt;
          return internal::ValueAndTimestamp<V2>{internal::CallValueMapper(mapper, key, v->value),
                                                 v->timestamp};
        };
      };
      getter = std::move(g);
    }
    return KTable<K, V2>(state_, node, "", key_serde_, {}, std::move(getter));
  }

  // Updates as a stream (deletions are not forwarded: see toChangelogStream()).
  KStream<K, V> toStream(const Named& named = {}) const {
    auto node = Add("KTABLE-TOSTREAM-", named,
                    internal::LambdaFactory<K, internal::Change<V>>(
                        [](const Record<K, internal::Change<V>>& r, internal::NodeContext& ctx) {
                          if (!r.value.new_value) return;
                          Record<K, V> out{r.key, *r.value.new_value, r.timestamp, r.headers};
                          ctx.Forward(&out);
                        }));
    return KStream<K, V>(state_, node, false, key_serde_, value_serde_);
  }
  // Updates and deletions (nullopt values, written as tombstones by a sink).
  KStream<K, std::optional<V>> toChangelogStream(const Named& named = {}) const {
    auto node = Add("KTABLE-TOSTREAM-", named,
                    internal::LambdaFactory<K, internal::Change<V>>(
                        [](const Record<K, internal::Change<V>>& r, internal::NodeContext& ctx) {
                          Record<K, std::optional<V>> out{r.key, r.value.new_value, r.timestamp,
                                                          r.headers};
                          ctx.Forward(&out);
                        }));
    Serde<std::optional<V>> vs;
    if (Serde<V> inner = OrDefault(value_serde_)) vs = Serdes::Nullable(inner);
    return KStream<K, std::optional<V>>(state_, node, false, key_serde_, vs);
  }

  // Re-groups the table by selector(key, value) -> KeyValue<K2, V2>; the aggregation then
  // adds new values and subtracts old ones.
  template <class F>
  auto groupBy(F selector, const Grouped<typename internal::PairTypes<std::decay_t<std::invoke_result_t<const F&, const K&, const V&>>>::Key,
                                         typename internal::PairTypes<std::decay_t<std::invoke_result_t<const F&, const K&, const V&>>>::Value>& grouped = {}) const;

  const std::string& node() const { return node_; }
  const std::shared_ptr<internal::BuilderState>& state() const { return state_; }

  // KTable-KTable equi-joins, with the outputs of Kafka Streams' join tables: an update on
  // either side joins it with the other side's current value; deletions produce tombstones
  // where a joined value existed (see toChangelogStream()). Both tables need a key-value
  // store (their own or a parent's) and co-partitioned topics. Joiners:
  //   join:      VR(const V&, const V2&)
  //   leftJoin:  VR(const V&, const std::optional<V2>&)
  //   outerJoin: VR(const std::optional<V>&, const std::optional<V2>&)
  // The result is not materialized; it can be joined and queried through its parents.
  template <class V2, class F>
  auto join(const KTable<K, V2>& other, F joiner, const Named& named = {}) const {
    static_assert(std::is_invocable_v<const F&, const V&, const V2&>,
                  "KTable::join: the joiner must be callable as VR(const V&, const V2&)");
    using VR = std::decay_t<std::invoke_result_t<const F&, const V&, const V2&>>;
    return JoinTables<V2, VR>(other, internal::TableJoinType::kInner,
                              [joiner](const std::optional<V>& l, const std::optional<V2>& r)
                                  -> std::optional<VR> {
                                if (!l || !r) return std::nullopt;
                                return joiner(*l, *r);
                              },
                              named);
  }
  template <class V2, class F>
  auto leftJoin(const KTable<K, V2>& other, F joiner, const Named& named = {}) const {
    static_assert(std::is_invocable_v<const F&, const V&, const std::optional<V2>&>,
                  "KTable::leftJoin: the joiner must be callable as "
                  "VR(const V&, const std::optional<V2>&)");
    using VR = std::decay_t<std::invoke_result_t<const F&, const V&, const std::optional<V2>&>>;
    return JoinTables<V2, VR>(other, internal::TableJoinType::kLeft,
                              [joiner](const std::optional<V>& l, const std::optional<V2>& r)
                                  -> std::optional<VR> {
                                if (!l) return std::nullopt;
                                return joiner(*l, r);
                              },
                              named);
  }
  template <class V2, class F>
  auto outerJoin(const KTable<K, V2>& other, F joiner, const Named& named = {}) const {
    static_assert(
        std::is_invocable_v<const F&, const std::optional<V>&, const std::optional<V2>&>,
        "KTable::outerJoin: the joiner must be callable as "
        "VR(const std::optional<V>&, const std::optional<V2>&)");
    using VR = std::decay_t<
        std::invoke_result_t<const F&, const std::optional<V>&, const std::optional<V2>&>>;
    return JoinTables<V2, VR>(other, internal::TableJoinType::kOuter,
                              [joiner](const std::optional<V>& l, const std::optional<V2>& r)
                                  -> std::optional<VR> {
                                if (!l && !r) return std::nullopt;
                                return joiner(l, r);
                              },
                              named);
  }

  // Foreign-key joins (Kafka Streams' KTable#join(KTable, Function, ValueJoiner)): each
  // left value names a key of `other` through extractor(value) or extractor(key, value),
  // returning KO or std::optional<KO> (nullopt: no foreign key). The result is keyed like
  // this table and changes when either side changes: updates and deletes on both sides,
  // and a left row moving to another foreign key, retract what they joined before.
  // Neither side needs co-partitioning: subscriptions travel to the foreign table's
  // partitions through "<app>-<name>-subscription-registration-topic" and the answers come
  // back through "<app>-<name>-subscription-response-topic". The result is materialized
  // (queryable when Materialized names it). Joiners:
  //   join:     VR(const V&, const VO&)              (rows without a foreign value: none)
  //   leftJoin: VR(const V&, const std::optional<VO>&)
  // Needs serdes for both tables' keys and values and for VR (Materialized::withValueSerde
  // unless VR has a default serde); both tables need a key-value store (own or parent's).
  template <class KO, class VO, class FX, class F>
    requires internal::ForeignKeyExtractor<FX, K, V, KO>
  auto join(const KTable<KO, VO>& other, FX extractor, F joiner, const Named& named = {}) const {
    return join(other, std::move(extractor), std::move(joiner), named,
                Materialized<K, FkJoinResult<F, VO>>{});
  }
  template <class KO, class VO, class FX, class F, class MK, class MV>
    requires internal::ForeignKeyExtractor<FX, K, V, KO>
  auto join(const KTable<KO, VO>& other, FX extractor, F joiner,
            const Materialized<MK, MV>& materialized) const {
    return join(other, std::move(extractor), std::move(joiner), Named{}, materialized);
  }
  template <class KO, class VO, class FX, class F, class MK, class MV>
    requires internal::ForeignKeyExtractor<FX, K, V, KO>
  auto join(const KTable<KO, VO>& other, FX extractor, F joiner, const Named& named,
            const Materialized<MK, MV>& materialized) const {
    static_assert(std::is_invocable_v<const F&, const V&, const VO&>,
                  "KTable::join (foreign key): the joiner must be callable as "
                  "VR(const V&, const VO&)");
    using VR = FkJoinResult<F, VO>;
    return ForeignKeyJoin<KO, VO, VR>(
        other, WrapExtractor<KO>(std::move(extractor)),
        [joiner](const V& v, const std::optional<VO>& vo) -> VR { return joiner(v, *vo); },
        /*left_join=*/false, named, Materialized<K, VR>(materialized));
  }
  template <class KO, class VO, class FX, class F>
    requires internal::ForeignKeyExtractor<FX, K, V, KO>
  auto leftJoin(const KTable<KO, VO>& other, FX extractor, F joiner,
                const Named& named = {}) const {
    return leftJoin(other, std::move(extractor), std::move(joiner), named,
                    Materialized<K, FkLeftJoinResult<F, VO>>{});
  }
  template <class KO, class VO, class FX, class F, class MK, class MV>
    requires internal::ForeignKeyExtractor<FX, K, V, KO>
  auto leftJoin(const KTable<KO, VO>& other, FX extractor, F joiner,
                const Materialized<MK, MV>& materialized) const {
    return leftJoin(other, std::move(extractor), std::move(joiner), Named{}, materialized);
  }
  template <class KO, class VO, class FX, class F, class MK, class MV>
    requires internal::ForeignKeyExtractor<FX, K, V, KO>
  auto leftJoin(const KTable<KO, VO>& other, FX extractor, F joiner, const Named& named,
                const Materialized<MK, MV>& materialized) const {
    static_assert(std::is_invocable_v<const F&, const V&, const std::optional<VO>&>,
                  "KTable::leftJoin (foreign key): the joiner must be callable as "
                  "VR(const V&, const std::optional<VO>&)");
    using VR = FkLeftJoinResult<F, VO>;
    return ForeignKeyJoin<KO, VO, VR>(
        other, WrapExtractor<KO>(std::move(extractor)),
        [joiner](const V& v, const std::optional<VO>& vo) -> VR { return joiner(v, vo); },
        /*left_join=*/true, named, Materialized<K, VR>(materialized));
  }

  // Holds updates back and forwards each key's latest change later (Kafka Streams'
  // suppress; see Suppressed). Stream time here is the largest timestamp the suppress node
  // has seen. The buffer is an in-memory key-value store "<name>-store" (or
  // KTABLE-SUPPRESS-STATE-STORE-<n>) with a changelog, so what is buffered survives a
  // restart and is forwarded once after it. The result is not materialized; joins read a
  // buffered key as the value downstream last saw, other keys through the parent table.
  // Throws StreamsException when the table's values have no serde, or (untilWindowCloses)
  // when no windowed aggregation feeds the table.
  KTable suppress(const WindowCloseSuppressed& suppressed) const {
    static_assert(internal::kIsWindowedKey<K>,
                  "Suppressed::untilWindowCloses applies to windowed tables "
                  "(KTable<Windowed<K>, V>) only");
    return Suppress(suppressed);
  }
  KTable suppress(const Suppressed& suppressed) const { return Suppress(suppressed); }

 private:
  template <class K2, class V3>
  friend class KTable;

  KTable Suppress(const Suppressed& suppressed) const {
    // Kafka Streams' names: the node, then the store, from one counter.
    const std::string& given = suppressed.name();
    const std::string node = given.empty() ? state_->NewName("KTABLE-SUPPRESS-") : given;
    internal::SuppressConfig config;
    config.until_window_closes = suppressed.until_window_closes();
    config.duration_ms = suppressed.time_limit_ms();
    config.max_records = suppressed.buffer().max_records();
    config.max_bytes = suppressed.buffer().max_bytes();
    config.shut_down_when_full = suppressed.buffer().shut_down_when_full();
    if (config.until_window_closes) {
      if (!internal::kIsWindowedKey<K>) {
        throw StreamsException("suppress '" + node +
                               "': Suppressed::untilWindowCloses applies to windowed tables "
                               "(KTable<Windowed<K>, V>) only");
      }
      config.duration_ms = internal::FindWindowCloseGrace(*state_, node_);
    }
    config.store = given.empty() ? state_->NewName("KTABLE-SUPPRESS-STATE-STORE-") : given + "-store";
    Serde<V> vs = OrDefault(value_serde_);
    if (!vs) {
      throw StreamsException("suppress '" + node + "': the table's values (" +
                             internal::TypeName<V>() +
                             ") have no serde for the suppression buffer; give the table one "
                             "(Materialized::withValueSerde, Consumed)");
    }
    // In memory like Kafka Streams' buffer; the cache keeps the changelog to one write per
    // key and commit, as Kafka Streams logs only the keys dirtied since the last commit.
    state_->topology.AddStore(internal::MakeKeyValueStoreSpec<K, std::string>(
        config.store, /*persistent=*/false, suppressed.buffer().logging_enabled(),
        /*caching=*/true, suppressed.buffer().changelog_configs(), key_serde_, Serdes::String(),
        /*queryable=*/false));
    internal::NodeSpec spec;
    spec.name = node;
    spec.parents = {node_};
    spec.stores = {config.store};
    spec.factory = [config, vs]() -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::SuppressNode<K, V>>(config, vs);
    };
    state_->topology.AddNode(std::move(spec));
    std::shared_ptr<const internal::ValueGetterSupplier<K, V>> getter;
    if (auto parent = valueGetterSupplier()) {
      auto g = std::make_shared<internal::ValueGetterSupplier<K, V>>();
      g->stores = {config.store};
      g->stores.insert(g->stores.end(), parent->stores.begin(), parent->stores.end());
      std::string store = config.store;
      g->bind = [parent, store, vs](internal::NodeContext& ctx)
          -> std::function<std::optional<internal::ValueAndTimestamp<V>>(const K&)> {
        return internal::BindSuppressedLookup<K, V>(ctx, store, vs, parent->bind(ctx));
      };
      getter = std::move(g);
    }
    return KTable(state_, node, "", key_serde_, value_serde_, std::move(getter));
  }


  template <class F, class VO>
  using FkJoinResult = std::decay_t<std::invoke_result_t<const F&, const V&, const VO&>>;
  template <class F, class VO>
  using FkLeftJoinResult =
      std::decay_t<std::invoke_result_t<const F&, const V&, const std::optional<VO>&>>;

  template <class KO, class FX>
  static std::function<std::optional<KO>(const K&, const V&)> WrapExtractor(FX extractor) {
    return [extractor](const K& key, const V& value) -> std::optional<KO> {
      return internal::CallForeignKeyExtractor(extractor, key, value);
    };
  }

  // Builds the nodes, topics and stores of a foreign-key join, with Kafka Streams' names
  // (generated: one counter, in its order; named: "<name>-<suffix>").
  template <class KO, class VO, class VR>
  KTable<K, VR> ForeignKeyJoin(const KTable<KO, VO>& other,
                               std::function<std::optional<KO>(const K&, const V&)> extractor,
                               std::function<VR(const V&, const std::optional<VO>&)> joiner,
                               bool left_join, const Named& named,
                               Materialized<K, VR> materialized) const {
    const std::string what = left_join ? "KTable::leftJoin (foreign key)" : "KTable::join (foreign key)";
    auto mine = valueGetterSupplier();
    auto theirs = other.valueGetterSupplier();
    if (!mine || !theirs) {
      throw StreamsException(what + ": both tables need a key-value store (materialize them "
                             "with Materialized::as)");
    }
    Serde<K> ks = OrDefault(key_serde_);
    Serde<V> vs = OrDefault(value_serde_);
    Serde<KO> fks = OrDefault(other.key_serde_);
    Serde<VO> fvs = OrDefault(other.value_serde_);
    Serde<VR> rvs = OrDefault(materialized.value_serde);
    auto missing = [&](const std::string& which, const std::string& type) {
      throw StreamsException(what + ": no serde for " + which + " (" + type +
                             "); give one with Consumed/Materialized");
    };
    if (!ks) missing("this table's keys", internal::TypeName<K>());
    if (!vs) missing("this table's values", internal::TypeName<V>());
    if (!fks) missing("the other table's keys", internal::TypeName<KO>());
    if (!fvs) missing("the other table's values", internal::TypeName<VO>());
    if (!rvs) missing("the joined values", internal::TypeName<VR>());

    const std::string& base = named.name;
    auto name = [&](std::string_view suffix, std::string_view prefix) {
      return base.empty() ? state_->NewName(prefix) : base + std::string(suffix);
    };
    const std::string subscription_topic =
        name("-subscription-registration", "KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-") + "-topic";
    const std::string send =
        name("-subscription-registration-processor", "KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-");
    const std::string subscription_sink = name("-subscription-registration-sink", "KTABLE-SINK-");
    const std::string subscription_source =
        name("-subscription-registration-source", "KTABLE-SOURCE-");
    const std::string subscription_store =
        name("-subscription-store", "KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-");
    const std::string receive = name("-subscription-receive", "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-");
    const std::string join_foreign =
        name("-subscription-join-foreign", "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-");
    const std::string foreign_join =
        name("-foreign-join-subscription", "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-");
    const std::string response_topic =
        name("-subscription-response", "KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-") + "-topic";
    const std::string response_sink = name("-subscription-response-sink", "KTABLE-SINK-");
    const std::string response_source = name("-subscription-response-source", "KTABLE-SOURCE-");
    const std::string resolver =
        name("-subscription-response-resolver",
             "KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-");
    const std::string result = name("-result", "KTABLE-FK-JOIN-OUTPUT-");
    // Kafka Streams names the result's store even when it is not materialized.
    const bool queryable = !materialized.name.empty();
    const std::string result_store =
        queryable ? materialized.name : state_->NewName("KTABLE-FK-JOIN-OUTPUT-STATE-STORE-");

    Serde<internal::Subscription<K>> subscription_serde(
        std::make_shared<internal::SubscriptionSerdeImpl<K>>(ks));
    Serde<internal::SubscriptionResponse<VO>> response_serde(
        std::make_shared<internal::SubscriptionResponseSerdeImpl<VO>>(fvs));
    auto add = [&](internal::NodeSpec spec) { state_->topology.AddNode(std::move(spec)); };
    auto processor = [](std::string n, std::vector<std::string> parents,
                        std::vector<std::string> stores,
                        std::function<std::unique_ptr<internal::ProcessorNode>()> factory) {
      internal::NodeSpec spec;
      spec.name = std::move(n);
      spec.parents = std::move(parents);
      spec.stores = std::move(stores);
      spec.factory = std::move(factory);
      return spec;
    };

    // Left side: subscriptions out.
    add(processor(send, {node_}, {},
                  [extractor, fks, vs, left_join, subscription_sink, resolver]()
                      -> std::unique_ptr<internal::ProcessorNode> {
                    return std::make_unique<internal::SubscriptionSendNode<K, V, KO, VO>>(
                        extractor, fks, vs, left_join, subscription_sink, resolver);
                  }));
    internal::NodeSpec sink;
    sink.kind = internal::NodeKind::kSink;
    sink.name = subscription_sink;
    sink.parents = {send};
    sink.topics = {subscription_topic};
    sink.internal_topics = true;
    sink.factory = [subscription_topic, fks, subscription_serde]()
        -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::SinkNode<KO, internal::Subscription<K>>>(
          subscription_topic, nullptr, true, fks, subscription_serde);
    };
    add(std::move(sink));
    state_->topology.AddInternalTopic(
        {subscription_topic, internal::InternalTopic::Kind::kRepartition, -1, {}});

    // Foreign side: subscriptions in, kept in a store; lookups and foreign changes answer.
    internal::NodeSpec source;
    source.kind = internal::NodeKind::kSource;
    source.name = subscription_source;
    source.topics = {subscription_topic};
    source.internal_topics = true;
    source.factory = [fks, subscription_serde]() -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::SourceNode<KO, internal::Subscription<K>>>(
          fks, subscription_serde);
    };
    add(std::move(source));
    state_->topology.AddStore(internal::MakeKeyValueStoreSpec<std::string, std::string>(
        subscription_store, /*persistent=*/true, /*logging=*/true, /*caching=*/false, {},
        Serdes::String(), Serdes::String(), /*queryable=*/false));
    internal::NodeSpec receive_spec = processor(
        receive, {subscription_source}, {subscription_store},
        [subscription_store, fks, ks]() -> std::unique_ptr<internal::ProcessorNode> {
          return std::make_unique<internal::SubscriptionReceiveNode<KO, K>>(subscription_store,
                                                                            fks, ks);
        });
    // The subscription topic is co-partitioned with the foreign table's topic.
    receive_spec.copartitioned = true;
    add(std::move(receive_spec));
    add(processor(join_foreign, {receive}, theirs->stores,
                  [theirs]() -> std::unique_ptr<internal::ProcessorNode> {
                    return std::make_unique<internal::SubscriptionJoinForeignNode<KO, K, VO>>(
                        theirs);
                  }));
    add(processor(foreign_join, {other.node()}, {subscription_store},
                  [subscription_store, fks, ks]() -> std::unique_ptr<internal::ProcessorNode> {
                    return std::make_unique<internal::ForeignTableJoinNode<KO, VO, K>>(
                        subscription_store, fks, ks);
                  }));
    internal::NodeSpec response_sink_spec;
    response_sink_spec.kind = internal::NodeKind::kSink;
    response_sink_spec.name = response_sink;
    response_sink_spec.parents = {join_foreign, foreign_join};
    response_sink_spec.topics = {response_topic};
    response_sink_spec.internal_topics = true;
    response_sink_spec.factory = [response_topic, ks, response_serde]()
        -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::ResponseSinkNode<K, VO>>(response_topic, ks,
                                                                 response_serde);
    };
    add(std::move(response_sink_spec));
    state_->topology.AddInternalTopic(
        {response_topic, internal::InternalTopic::Kind::kRepartition, -1, {}});

    // Left side: responses in, joined with the current left value, into the result table.
    internal::NodeSpec response_source_spec;
    response_source_spec.kind = internal::NodeKind::kSource;
    response_source_spec.name = response_source;
    response_source_spec.topics = {response_topic};
    response_source_spec.internal_topics = true;
    response_source_spec.factory = [ks, response_serde]() -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::SourceNode<K, internal::SubscriptionResponse<VO>>>(
          ks, response_serde);
    };
    add(std::move(response_source_spec));
    internal::NodeSpec resolver_spec = processor(
        resolver, {response_source, send}, mine->stores,
        [mine, vs, joiner, left_join]() -> std::unique_ptr<internal::ProcessorNode> {
          return std::make_unique<internal::ResponseResolverNode<K, V, VO, VR>>(mine, vs, joiner,
                                                                              left_join);
        });
    // The response topic is co-partitioned with this table's topic.
    resolver_spec.copartitioned = true;
    add(std::move(resolver_spec));
    materialized.key_serde = ks;
    materialized.value_serde = rvs;
    state_->topology.AddStore(
        internal::MakeTimestampedStoreSpec(materialized, result_store, queryable));
    add(processor(result, {resolver}, {result_store},
                  [result_store]() -> std::unique_ptr<internal::ProcessorNode> {
                    return std::make_unique<internal::TableSourceNode<K, VR>>(result_store);
                  }));
    return KTable<K, VR>(state_, result, result_store, ks, rvs);
  }

  // `combine(left, right)`: the joined value, nullopt when the join type has none.
  template <class V2, class VR>
  KTable<K, VR> JoinTables(
      const KTable<K, V2>& other, internal::TableJoinType type,
      std::function<std::optional<VR>(const std::optional<V>&, const std::optional<V2>&)> combine,
      const Named& named) const {
    auto mine = valueGetterSupplier();
    auto theirs = other.valueGetterSupplier();
    if (!mine || !theirs) {
      throw StreamsException("KTable join: both tables need a key-value store (materialize them "
                             "with Materialized::as)");
    }
    // Kafka Streams' names: the two join nodes, then the merge node (the joined table).
    std::string base = named.name;
    std::string this_node = base.empty() ? state_->NewName("KTABLE-JOINTHIS-") : base + "-join-this";
    std::string other_node = base.empty() ? state_->NewName("KTABLE-JOINOTHER-") : base + "-join-other";
    std::string merge = base.empty() ? state_->NewName("KTABLE-MERGE-") : base;
    using LeftNode = internal::TableJoinSideNode<K, V, V2, VR>;
    using RightNode = internal::TableJoinSideNode<K, V2, V, VR>;
    const bool right_required = type == internal::TableJoinType::kInner;
    const bool left_required = type != internal::TableJoinType::kOuter;
    AddJoinNode(this_node, node_, theirs->stores,
                [theirs, combine, right_required]() -> std::unique_ptr<internal::ProcessorNode> {
                  return std::make_unique<LeftNode>(
                      theirs,
                      [combine](const std::optional<V>& l, const std::optional<V2>& r) {
                        return combine(l, r);
                      },
                      right_required);
                });
    AddJoinNode(other_node, other.node(), mine->stores,
                [mine, combine, left_required]() -> std::unique_ptr<internal::ProcessorNode> {
                  return std::make_unique<RightNode>(
                      mine,
                      [combine](const std::optional<V2>& r, const std::optional<V>& l) {
                        return combine(l, r);
                      },
                      left_required);
                });
    internal::NodeSpec spec;
    spec.name = merge;
    spec.parents = {this_node, other_node};
    spec.factory = internal::LambdaFactory<K, internal::Change<VR>>(
        [](const Record<K, internal::Change<VR>>& r, internal::NodeContext& ctx) { ctx.Forward(&r); });
    state_->topology.AddNode(std::move(spec));
    auto getter = std::make_shared<internal::ValueGetterSupplier<K, VR>>();
    getter->stores = mine->stores;
    getter->stores.insert(getter->stores.end(), theirs->stores.begin(), theirs->stores.end());
    getter->bind = [mine, theirs, combine](internal::NodeContext& ctx)
        -> std::function<std::optional<internal::ValueAndTimestamp<VR>>(const K&)> {
      auto left = mine->bind(ctx);
      auto right = theirs->bind(ctx);
      // Kafka Streams' KTableKTableJoinValueGetter: the larger timestamp of both sides.
      return [left, right, combine](const K& key) -> std::optional<internal::ValueAndTimestamp<VR>> {
        auto l = left(key);
        auto r = right(key);
        std::optional<VR> joined = combine(l ? std::optional<V>(l->value) : std::nullopt,
                                           r ? std::optional<V2>(r->value) : std::nullopt);
        if (!joined) return std::nullopt;
        int64_t ts = -1;
        if (l) ts = l->timestamp;
        if (r) ts = std::max(ts, r->timestamp);
        return internal::ValueAndTimestamp<VR>{std::move(*joined), ts};
      };
    };
    return KTable<K, VR>(state_, merge, "", key_serde_, {}, std::move(getter));
  }

  void AddJoinNode(const std::string& name, const std::string& parent,
                   const std::vector<std::string>& stores,
                   std::function<std::unique_ptr<internal::ProcessorNode>()> factory) const {
    internal::NodeSpec spec;
    spec.name = name;
    spec.parents = {parent};
    spec.stores = stores;
    spec.factory = std::move(factory);
    spec.copartitioned = true;
    state_->topology.AddNode(std::move(spec));
  }

  template <class P>
  KTable Filtered(P predicate, bool negate, const Named& named) const {
    auto node = Add("KTABLE-FILTER-", named,
                    internal::LambdaFactory<K, internal::Change<V>>(
                        [predicate, negate](const Record<K, internal::Change<V>>& r,
                                            internal::NodeContext& ctx) {
                          auto keep = [&](const std::optional<V>& v) -> std::optional<V> {
                            if (v && (predicate(r.key, *v) != negate)) return v;
                            return std::nullopt;
                          };
                          internal::Change<V> c{keep(r.value.new_value), keep(r.value.old_value)};
                          if (!c.new_value && !c.old_value) return;
                          Record<K, internal::Change<V>> out{r.key, std::move(c), r.timestamp, r.headers};
                          ctx.Forward(&out);
                        }));
    std::shared_ptr<const internal::ValueGetterSupplier<K, V>> getter;
    if (auto parent = valueGetterSupplier()) {
      auto g = std::make_shared<internal::ValueGetterSupplier<K, V>>();
      g->stores = parent->stores;
      g->bind = [parent, predicate, negate](internal::NodeContext& ctx)
          -> std::function<std::optional<internal::ValueAndTimestamp<V>>(const K&)> {
        auto get = parent->bind(ctx);
        return [get, predicate, negate](const K& key) -> std::optional<internal::ValueAndTimestamp<V>> {
          auto v = get(key);
          if (v && predicate(key, v->value) != negate) return v;
          return std::nullopt;
        };
      };
      getter = std::move(g);
    }
    return KTable(state_, node, "", key_serde_, value_serde_, std::move(getter));
  }

  std::string Add(std::string_view prefix, const Named& named,
                  std::function<std::unique_ptr<internal::ProcessorNode>()> factory) const {
    internal::NodeSpec spec;
    spec.name = state_->NameOr(named.name, prefix);
    spec.parents = {node_};
    spec.factory = std::move(factory);
    std::string name = spec.name;
    state_->topology.AddNode(std::move(spec));
    return name;
  }

  std::shared_ptr<internal::BuilderState> state_;
  std::string node_;
  std::string store_;
  Serde<K> key_serde_;
  Serde<V> value_serde_;
  std::shared_ptr<const internal::ValueGetterSupplier<K, V>> getter_;
};

}  // namespace rill::streams
