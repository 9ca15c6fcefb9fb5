// KStream<K, V>: an unbounded stream of records (Kafka Streams' KStream). Operators return
// new handles; the topology grows inside the StreamsBuilder that made the stream. Handles
// are cheap to copy.
//
// Lambdas take (key, value) — or just (value) for mapValues/flatMapValues — by const
// reference; a lambda of the wrong signature is a compile-time error naming the operator.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "streams/dsl/consumed.h"
#include "streams/dsl/grouped.h"
#include "streams/dsl/internal/builder_state.h"
#include "streams/dsl/internal/callable_traits.h"
#include "streams/dsl/internal/dsl_nodes.h"
#include "streams/dsl/kstream_fwd.h"
#include "streams/dsl/materialized.h"
#include "streams/dsl/named.h"
#include "streams/dsl/produced.h"
#include "streams/dsl/stream_joined.h"
#include "streams/dsl/windows.h"
#include "streams/processor/processor.h"

namespace rill::streams {

namespace internal {

// Adds parent -> [filter ->] sink -> internal `topic` -> source (no filter when
// `filter_name` is empty); returns the source's name.
template <class K, class V>
std::string AddRepartition(BuilderState& state, const std::string& parent,
                           const std::string& filter_name, const std::string& sink_name,
                           const std::string& source_name, const std::string& topic, Serde<K> ks,
                           Serde<V> vs) {
  std::string sink_parent = parent;
  if (!filter_name.empty()) {
    NodeSpec filter;
    filter.name = filter_name;
    filter.parents = {parent};
    // Drops records whose key is null (only an optional key can be).
    filter.factory = LambdaFactory<K, V>([](const Record<K, V>& r, NodeContext& ctx) {
      if constexpr (kIsOptional<K>) {
        if (!r.key) return ctx.task->RecordDropped("null-key");
      }
      ctx.Forward(&r);
    });
    state.topology.AddNode(std::move(filter));
    sink_parent = filter_name;
  }
  NodeSpec sink;
  sink.kind = NodeKind::kSink;
  sink.name = sink_name;
  sink.parents = {sink_parent};
  sink.topics = {topic};
  sink.internal_topics = true;
  sink.factory = [topic, ks, vs]() -> std::unique_ptr<ProcessorNode> {
    return std::make_unique<SinkNode<K, V>>(topic, nullptr, true, ks, vs);
  };
  state.topology.AddNode(std::move(sink));
  NodeSpec source;
  source.kind = NodeKind::kSource;
  source.name = source_name;
  source.topics = {topic};
  source.internal_topics = true;
  source.factory = [ks, vs]() -> std::unique_ptr<ProcessorNode> {
    return std::make_unique<SourceNode<K, V>>(ks, vs);
  };
  state.topology.AddNode(std::move(source));
  state.topology.AddInternalTopic({topic, InternalTopic::Kind::kRepartition, -1, {}});
  return source_name;
}

}  // namespace internal

template <class K, class V>
class KStream {
 public:
  using KeyType = K;
  using ValueType = V;

  KStream(std::shared_ptr<internal::BuilderState> state, std::string node,
          bool repartition_required, Serde<K> key_serde, Serde<V> value_serde)
      : state_(std::move(state)),
        node_(std::move(node)),
        repartition_required_(repartition_required),
        key_serde_(std::move(key_serde)),
        value_serde_(std::move(value_serde)) {}

  // Records for which predicate(key, value) holds.
  template <class P>
  KStream filter(P predicate, const Named& named = {}) const {
    static_assert(std::is_invocable_r_v<bool, const P&, const K&, const V&>,
                  "KStream::filter: the predicate must be callable as bool(const K&, const V&)");
    return Same(Add("KSTREAM-FILTER-", named,
                    internal::LambdaFactory<K, V>(
                        [predicate](const Record<K, V>& r, internal::NodeContext& ctx) {
                          if (predicate(r.key, r.value)) ctx.Forward(&r);
                        })));
  }
  template <class P>
  KStream filterNot(P predicate, const Named& named = {}) const {
    static_assert(std::is_invocable_r_v<bool, const P&, const K&, const V&>,
                  "KStream::filterNot: the predicate must be callable as bool(const K&, const V&)");
    return Same(Add("KSTREAM-FILTER-", named,
                    internal::LambdaFactory<K, V>(
                        [predicate](const Record<K, V>& r, internal::NodeContext& ctx) {
                          if (!predicate(r.key, r.value)) ctx.Forward(&r);
                        })));
  }

  // mapper(key, value) -> KeyValue<K2, V2> (or std::pair). Changes the key: a later
  // grouping repartitions.
  template <class F>
  auto map(F mapper, const Named& named = {}) const {
    static_assert(std::is_invocable_v<const F&, const K&, const V&>,
                  "KStream::map: the mapper must be callable as KeyValue<K2, V2>(const K&, const V&)");
    using R = std::decay_t<std::invoke_result_t<const F&, const K&, const V&>>;
    using P = internal::PairTypes<R>;
    static_assert(P::kValid, "KStream::map: the mapper must return KeyValue<K2, V2> or std::pair<K2, V2>");
    using K2 = typename P::Key;
    using V2 = typename P::Value;
    auto node = Add("KSTREAM-MAP-", named,
                    internal::LambdaFactory<K, V>(
                        [mapper](const Record<K, V>& r, internal::NodeContext& ctx) {
                          R kv = mapper(r.key, r.value);
                          Record<K2, V2> out{P::key(kv), P::value(kv), r.timestamp, r.headers};
                          ctx.Forward(&out);
                        }));
    return KStream<K2, V2>(state_, node, true, {}, {});
  }

  // mapper(value) or mapper(key, value) -> V2. Keeps the key.
  template <class F>
  auto mapValues(F mapper, const Named& named = {}) const {
    using V2 = typename internal::ValueMapperResult<F, K, V>::type;
    static_assert(!std::is_void_v<V2>,
                  "KStream::mapValues: the mapper must be callable as V2(const V&) or "
                  "V2(const K&, const V&) and return a value");
    auto node = Add("KSTREAM-MAPVALUES-", named,
                    internal::LambdaFactory<K, V>(
                        [mapper](const Record<K, V>& r, internal::NodeContext& ctx) {
                          Record<K, V2> out{r.key, internal::CallValueMapper(mapper, r.key, r.value),
                                            r.timestamp, r.headers};
                          ctx.Forward(&out);
                        }));
    return KStream<K, V2>(state_, node, repartition_required_, key_serde_, {});
  }

  // mapper(key, value) -> a range of KeyValue<K2, V2>: zero or more records per input.
  template <class F>
  auto flatMap(F mapper, const Named& named = {}) const {
    static_assert(std::is_invocable_v<const F&, const K&, const V&>,
                  "KStream::flatMap: the mapper must be callable as a range of KeyValue<K2, V2>"
                  "(const K&, const V&)");
    using R = std::decay_t<std::invoke_result_t<const F&, const K&, const V&>>;
    static_assert(std::ranges::range<R>, "KStream::flatMap: the mapper must return a range");
    using E = std::decay_t<std::ranges::range_value_t<R>>;
    using P = internal::PairTypes<E>;
    static_assert(P::kValid, "KStream::flatMap: elements must be KeyValue<K2, V2> or std::pair");
    using K2 = typename P::Key;
    using V2 = typename P::Value;
    auto node = Add("KSTREAM-FLATMAP-", named,
                    internal::LambdaFactory<K, V>(
                        [mapper](const Record<K, V>& r, internal::NodeContext& ctx) {
                          for (const auto& kv : mapper(r.key, r.value)) {
                            Record<K2, V2> out{P::key(kv), P::value(kv), r.timestamp, r.headers};
                            ctx.Forward(&out);
                          }
                        }));
    return KStream<K2, V2>(state_, node, true, {}, {});
  }

  // mapper(value) or mapper(key, value) -> a range of V2.
  template <class F>
  auto flatMapValues(F mapper, const Named& named = {}) const {
    using R = typename internal::ValueMapperResult<F, K, V>::type;
    static_assert(!std::is_void_v<R> && std::ranges::range<R>,
                  "KStream::flatMapValues: the mapper must be callable as a range of V2"
                  "(const V&) or (const K&, const V&)");
    using V2 = std::decay_t<std::ranges::range_value_t<R>>;
    auto node = Add("KSTREAM-FLATMAPVALUES-", named,
                    internal::LambdaFactory<K, V>(
                        [mapper](const Record<K, V>& r, internal::NodeContext& ctx) {
                          for (auto&& v : internal::CallValueMapper(mapper, r.key, r.value)) {
                            Record<K, V2> out{r.key, v, r.timestamp, r.headers};
                            ctx.Forward(&out);
                          }
                        }));
    return KStream<K, V2>(state_, node, repartition_required_, key_serde_, {});
  }

  // selector(key, value) -> the new key.
  template <class F>
  auto selectKey(F selector, const Named& named = {}) const {
    static_assert(std::is_invocable_v<const F&, const K&, const V&>,
                  "KStream::selectKey: the selector must be callable as K2(const K&, const V&)");
    using K2 = std::decay_t<std::invoke_result_t<const F&, const K&, const V&>>;
    auto node = Add("KSTREAM-KEY-SELECT-", named,
                    internal::LambdaFactory<K, V>(
                        [selector](const Record<K, V>& r, internal::NodeContext& ctx) {
                          Record<K2, V> out{selector(r.key, r.value), r.value, r.timestamp, r.headers};
                          ctx.Forward(&out);
                        }));
    return KStream<K2, V>(state_, node, true, {}, value_serde_);
  }

  // action(key, value) for each record; the stream continues unchanged.
  template <class F>
  KStream peek(F action, const Named& named = {}) const {
    static_assert(std::is_invocable_v<const F&, const K&, const V&>,
                  "KStream::peek: the action must be callable as void(const K&, const V&)");
    return Same(Add("KSTREAM-PEEK-", named,
                    internal::LambdaFactory<K, V>(
                        [action](const Record<K, V>& r, internal::NodeContext& ctx) {
                          action(r.key, r.value);
                          ctx.Forward(&r);
                        })));
  }

  // action(key, value) for each record; terminal.
  template <class F>
  void foreach(F action, const Named& named = {}) const {
    static_assert(std::is_invocable_v<const F&, const K&, const V&>,
                  "KStream::foreach: the action must be callable as void(const K&, const V&)");
    Add("KSTREAM-FOREACH-", named,
        internal::LambdaFactory<K, V>([action](const Record<K, V>& r, internal::NodeContext&) {
          action(r.key, r.value);
        }));
  }

  // Writes the stream to `topic` (partitioned by the key with murmur2, as Kafka's Java
  // producer does).
  void to(const std::string& topic, const Produced<K, V>& produced = {}) const {
    AddSink(topic, {}, produced);
  }
  // Writes each record to the topic extractor(key, value, metadata) names.
  void to(std::function<std::string(const K&, const V&, const RecordMetadata*)> extractor,
          const Produced<K, V>& produced = {}) const {
    AddSink("", std::move(extractor), produced);
  }

  // Both streams' records in one stream.
  KStream merge(const KStream& other, const Named& named = {}) const {
    std::string name = state_->NameOr(named.name, "KSTREAM-MERGE-");
    internal::NodeSpec spec;
    spec.name = name;
    spec.parents = {node_, other.node_};
    spec.factory = internal::LambdaFactory<K, V>(
        [](const Record<K, V>& r, internal::NodeContext& ctx) { ctx.Forward(&r); });
    state_->topology.AddNode(std::move(spec));
    return KStream(state_, name, repartition_required_ || other.repartition_required_, key_serde_,
                   value_serde_);
  }

  // Branches: split().branch(pred, "a").branch(pred2, "b").defaultBranch() returns the
  // branches by name ("<split name><branch name>").
  BranchedKStream<K, V> split(const Named& named = {}) const;

  // Writes through an internal topic "<application.id>-<name>-repartition" so that records
  // are partitioned by their current key (Kafka Streams' repartition(Repartitioned)).
  KStream repartition(const Grouped<K, V>& as = {}) const {
    std::string base = state_->NameOr(as.name, "KSTREAM-REPARTITION-");
    Serde<K> ks = as.key_serde ? as.key_serde : key_serde_;
    Serde<V> vs = as.value_serde ? as.value_serde : value_serde_;
    return KStream(state_, RepartitionThrough(base, ks, vs), false, ks, vs);
  }

  // Plugs in a Processor<K, V, KOut, VOut> made by `supplier` for each task; `stores` are
  // the names of stores (added with addStateStore) it may use.
  template <class KOut, class VOut>
  KStream<KOut, VOut> process(
      std::function<std::unique_ptr<Processor<K, V, KOut, VOut>>()> supplier,
      std::vector<std::string> stores = {}, const Named& named = {}) const {
    auto node = Add("KSTREAM-PROCESSOR-", named,
                    [supplier]() -> std::unique_ptr<internal::ProcessorNode> {
                      return std::make_unique<internal::UserProcessorNode<K, V, KOut, VOut>>(supplier());
                    },
                    stores);
    return KStream<KOut, VOut>(state_, node, true, {}, {});
  }
  template <class VOut>
  KStream<K, VOut> processValues(
      std::function<std::unique_ptr<FixedKeyProcessor<K, V, VOut>>()> supplier,
      std::vector<std::string> stores = {}, const Named& named = {}) const {
    auto node = Add("KSTREAM-PROCESSVALUES-", named,
                    [supplier]() -> std::unique_ptr<internal::ProcessorNode> {
                      return std::make_unique<internal::UserFixedKeyProcessorNode<K, V, VOut>>(supplier());
                    },
                    stores);
    return KStream<K, VOut>(state_, node, repartition_required_, key_serde_, {});
  }

  // The stream as a table: each record upserts its key.
  KTable<K, V> toTable(const Materialized<K, V>& materialized = {}, const Named& named = {}) const;

  // Stream-table joins (Kafka Streams' KStream#join / #leftJoin with a KTable): each stream
  // record is joined with the table's value for its key at the time the record is processed;
  // table updates produce no output. joiner(value, tableValue) -> VR for join;
  // joiner(value, std::optional<VT> tableValue) -> VR for leftJoin, which also emits records
  // whose key is absent from the table. The output keeps the stream record's key, timestamp
  // and headers. Records with a null key or value are dropped ("null-key" / "null-value").
  // Both inputs must be co-partitioned (checked at start); a stream whose key was changed is
  // repartitioned first.
  template <class VT, class F>
  auto join(const KTable<K, VT>& table, F joiner, const Named& named = {}) const;
  template <class VT, class F>
  auto leftJoin(const KTable<K, VT>& table, F joiner, const Named& named = {}) const;

  // Stream-stream joins (Kafka Streams' KStream#join / #leftJoin / #outerJoin with a
  // KStream, 3.1+ semantics): a record joins every record of the other stream with the same
  // key whose timestamp is within `windows` — a left record at t joins right records in
  // [t - before, t + after], both ends inclusive — whichever arrives first; the output's
  // timestamp is the larger of the two. Each side keeps its records in a window store (with
  // a changelog) for before + after + grace. joiner(value, otherValue) -> VR, or
  // joiner(key, value, otherValue). leftJoin's joiner takes the other value as
  // std::optional<VO>, outerJoin's both values as optionals: a record that found no partner
  // is joined with nullopt once its window has closed (stream time past its timestamp + the
  // window + grace), never before (Kafka Streams' shared outer-join store). Records with a
  // null key or value are dropped ("null-key" / "null-value"). Both inputs must be
  // co-partitioned (checked at start); a re-keyed stream is repartitioned first.
  template <class VO, class F>
  auto join(const KStream<K, VO>& other, F joiner, const JoinWindows& windows,
            const StreamJoined<K, V, std::type_identity_t<VO>>& joined = {}) const;
  template <class VO, class F>
  auto leftJoin(const KStream<K, VO>& other, F joiner, const JoinWindows& windows,
                const StreamJoined<K, V, std::type_identity_t<VO>>& joined = {}) const;
  template <class VO, class F>
  auto outerJoin(const KStream<K, VO>& other, F joiner, const JoinWindows& windows,
                 const StreamJoined<K, V, std::type_identity_t<VO>>& joined = {}) const;

  // KStream-GlobalKTable joins (Kafka Streams' KStream#join / #leftJoin with a
  // GlobalKTable): keySelector(key, value) -> GK (or std::optional<GK>, nullopt meaning no
  // key) picks the table row; joiner(value, tableValue) -> VR for join, joiner(value,
  // std::optional<GV>) -> VR for leftJoin. The output keeps the stream's key, timestamp and
  // headers. No co-partitioning or repartitioning: every instance holds the whole table.
  template <class GK, class GV, class KS, class F>
  auto join(const GlobalKTable<GK, GV>& table, KS keySelector, F joiner,
            const Named& named = {}) const;
  template <class GK, class GV, class KS, class F>
  auto leftJoin(const GlobalKTable<GK, GV>& table, KS keySelector, F joiner,
                const Named& named = {}) const;

  // Groups by the current key (repartitions first when an earlier operator changed it).
  KGroupedStream<K, V> groupByKey(const Grouped<K, V>& grouped = {}) const;
  // Groups by selector(key, value): always repartitions.
  template <class F>
  auto groupBy(F selector, const Grouped<std::decay_t<std::invoke_result_t<const F&, const K&, const V&>>, V>& grouped = {}) const;

  // --- used by the other DSL types ---
  const std::string& node() const { return node_; }
  const std::shared_ptr<internal::BuilderState>& state() const { return state_; }
  bool repartition_required() const { return repartition_required_; }
  const Serde<K>& key_serde() const { return key_serde_; }
  const Serde<V>& value_serde() const { return value_serde_; }

  // Adds a processor node after this one; returns its name.
  std::string Add(std::string_view prefix, const Named& named,
                  std::function<std::unique_ptr<internal::ProcessorNode>()> factory,
                  std::vector<std::string> stores = {}) const {
    internal::NodeSpec spec;
    spec.name = state_->NameOr(named.name, prefix);
    spec.parents = {node_};
    spec.stores = std::move(stores);
    spec.factory = std::move(factory);
    std::string name = spec.name;
    state_->topology.AddNode(std::move(spec));
    return name;
  }

  // filter (drops null keys) -> sink -> internal topic "<base>-repartition" -> source;
  // returns the source's name. Nodes are named as Kafka Streams names them: generated
  // names when `base` is generated, else "<topic>-filter", "<topic>-sink", "<topic>-source".
  template <class GK, class GV, class VR, bool kLeft>
  KStream<K, VR> JoinGlobalTable(const GlobalKTable<GK, GV>& table,
                                 std::function<std::optional<GK>(const K&, const V&)> selector,
                                 std::function<VR(const V&, const std::optional<GV>&)> joiner,
                                 const Named& named) const;
  template <class VT, class VR, bool kLeft>
  KStream<K, VR> JoinTable(const KTable<K, VT>& table,
                           std::function<VR(const V&, const std::optional<VT>&)> joiner,
                           const Named& named) const;

  std::string RepartitionThrough(const std::string& base, Serde<K> ks, Serde<V> vs) const {
    ks = OrDefault(ks);
    vs = OrDefault(vs);
    if (!ks || !vs) {
      throw StreamsException("repartition '" + base + "': no serde for <" +
                             internal::TypeName<K>() + ", " + internal::TypeName<V>() +
                             ">; pass one with Grouped::with");
    }
    std::string topic = base.ends_with("-repartition") ? base : base + "-repartition";
    // Generated even when unused, as Kafka Streams does, so that later names match.
    std::string sink = state_->NewName("KSTREAM-SINK-");
    std::string filter = state_->NewName("KSTREAM-FILTER-");
    std::string source = state_->NewName("KSTREAM-SOURCE-");
    if (!internal::IsGeneratedName(base)) {
      sink = topic + "-sink";
      filter = topic + "-filter";
      source = topic + "-source";
    }
    return internal::AddRepartition<K, V>(*state_, node_, filter, sink, source, topic, ks, vs);
  }

 private:
  KStream Same(std::string node) const {
    return KStream(state_, std::move(node), repartition_required_, key_serde_, value_serde_);
  }
  void AddSink(const std::string& topic,
               std::function<std::string(const K&, const V&, const RecordMetadata*)> extractor,
               const Produced<K, V>& produced) const {
    Serde<K> ks = OrDefault(produced.key_serde ? produced.key_serde : key_serde_);
    Serde<V> vs = OrDefault(produced.value_serde ? produced.value_serde : value_serde_);
    if (!ks || !vs) {
      throw StreamsException("to('" + topic + "'): no serde for <" + internal::TypeName<K>() +
                             ", " + internal::TypeName<V>() + ">; pass Produced::with");
    }
    internal::NodeSpec sink;
    sink.kind = internal::NodeKind::kSink;
    sink.name = state_->NameOr(produced.name, "KSTREAM-SINK-");
    sink.parents = {node_};
    if (!topic.empty()) sink.topics = {topic};
    sink.factory = [topic, extractor, ks, vs]() -> std::unique_ptr<internal::ProcessorNode> {
      return std::make_unique<internal::SinkNode<K, V>>(topic, extractor, false, ks, vs);
    };
    state_->topology.AddNode(std::move(sink));
  }

  std::shared_ptr<internal::BuilderState> state_;
  std::string node_;
  bool repartition_required_ = false;
  Serde<K> key_serde_;
  Serde<V> value_serde_;
};

}  // namespace rill::streams
