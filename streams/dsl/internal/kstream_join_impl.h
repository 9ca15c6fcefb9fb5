// Definitions of KStream's windowed stream-stream joins (join / leftJoin / outerJoin with
// another KStream, declared in kstream.h): the topology Kafka Streams' KStreamImplJoin
// builds, with its node, store and repartition-topic names.
//
//   left  -> <this-windowed> (puts into the this-side store)   -> <this-join>  -> <merge>
//   right -> <other-windowed> (puts into the other-side store) -> <other-join> -> <merge>
//
// Each join node probes the other side's window store; left and outer joins add the shared
// outer-join store, connected to both join nodes.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "streams/dsl/internal/stream_join_nodes.h"
#include "streams/dsl/kstream.h"
#include "streams/dsl/stream_joined.h"
#include "streams/dsl/windows.h"

namespace rill::streams {
namespace internal {

// A ValueJoiner (a, b) or a ValueJoinerWithKey (key, a, b).
template <class F, class K, class A, class B>
inline constexpr bool kJoinerWithoutKey = std::is_invocable_v<const F&, const A&, const B&>;
template <class F, class K, class A, class B>
inline constexpr bool kJoinerWithKey = std::is_invocable_v<const F&, const K&, const A&, const B&>;

template <class F, class K, class A, class B, class = void>
struct StreamJoinerResult {
  using type = void;
};
template <class F, class K, class A, class B>
struct StreamJoinerResult<F, K, A, B, std::enable_if_t<kJoinerWithoutKey<F, K, A, B>>> {
  using type = std::decay_t<std::invoke_result_t<const F&, const A&, const B&>>;
};
template <class F, class K, class A, class B>
struct StreamJoinerResult<
    F, K, A, B, std::enable_if_t<!kJoinerWithoutKey<F, K, A, B> && kJoinerWithKey<F, K, A, B>>> {
  using type = std::decay_t<std::invoke_result_t<const F&, const K&, const A&, const B&>>;
};

template <class F, class K, class A, class B>
decltype(auto) CallStreamJoiner(const F& f, const K& key, const A& a, const B& b) {
  if constexpr (kJoinerWithoutKey<F, K, A, B>) {
    (void)key;
    return f(a, b);
  } else {
    return f(key, a, b);
  }
}

template <class T>
std::optional<T> OptionalOf(const T* v) {
  return v != nullptr ? std::optional<T>(*v) : std::nullopt;
}

template <class K, class V>
StoreSpec JoinWindowStoreSpec(const std::string& name, Serde<K> ks, Serde<V> vs,
                              const JoinWindows& windows, StoreType type, bool logging,
                              const std::map<std::string, std::string>& changelog_configs,
                              bool queryable) {
  StoreSpec spec = MakeKeyValueStoreSpec<K, V>(name, type == StoreType::kRocksDb, logging,
                                               /*caching=*/false, changelog_configs, ks, vs,
                                               queryable);
  spec.kind = StoreKind::kWindow;
  spec.window_size_ms = windows.size_ms();
  spec.retention_ms = windows.size_ms() + windows.grace_ms();
  spec.retain_duplicates = true;
  return spec;
}

template <class K, class VL, class VR>
StoreSpec SharedOuterJoinStoreSpec(const std::string& name, Serde<K> ks,
                                   std::shared_ptr<const LeftOrRightValueListSerde<VL, VR>> values,
                                   StoreType type, bool logging,
                                   const std::map<std::string, std::string>& changelog_configs) {
  StoreSpec spec;
  spec.name = name;
  spec.kind = StoreKind::kKeyValue;
  spec.persistent = type == StoreType::kRocksDb;
  spec.logging = logging;
  spec.changelog_configs = changelog_configs;
  spec.caching = false;
  spec.queryable = false;  // an internal store, as in Kafka Streams
  spec.key_serde = Serde<TimestampedKeyAndJoinSide<K>>(
      std::make_shared<TimestampedKeyAndJoinSideSerde<K>>(ks));
  spec.value_serde = Serde<std::vector<LeftOrRightValue<VL, VR>>>(values);
  spec.type_names = "<TimestampedKeyAndJoinSide<" + TypeName<K>() + ">, LeftOrRightValue<" +
                    TypeName<VL>() + ", " + TypeName<VR>() + ">>";
  spec.key_text_to_bytes = [](std::string_view) -> absl::StatusOr<std::string> {
    return absl::InvalidArgumentError("the outer join store cannot be queried by key");
  };
  spec.key_bytes_to_text = [](std::string_view bytes) {
    return "<" + std::to_string(bytes.size()) + " bytes>";
  };
  spec.value_bytes_to_json = [](std::string_view bytes) -> nlohmann::json {
    return nlohmann::json{{"type", "opaque"}, {"size", bytes.size()}};
  };
  return spec;
}

// The join of `self` (left) and `other` (right). `joiner(key, left, right)` gets nullptr for
// the missing side of a null-join result. left_outer: the left side's unmatched records
// come out (leftJoin, outerJoin); right_outer: the right side's too (outerJoin).
template <class K, class V, class VO, class VOut>
KStream<K, VOut> StreamStreamJoin(const KStream<K, V>& self, const KStream<K, VO>& other,
                                  std::function<VOut(const K&, const V*, const VO*)> joiner,
                                  const JoinWindows& windows, const StreamJoined<K, V, VO>& joined,
                                  bool left_outer, bool right_outer) {
  const std::string op = right_outer ? "outerJoin" : left_outer ? "leftJoin" : "join";
  const auto& state = self.state();
  if (other.state() != state) {
    throw StreamsException("KStream::" + op +
                           "(KStream): both streams must come from the same StreamsBuilder");
  }
  Serde<K> ks = OrDefault(joined.key_serde ? joined.key_serde : self.key_serde());
  Serde<V> vs = OrDefault(joined.value_serde ? joined.value_serde : self.value_serde());
  Serde<VO> vos = OrDefault(joined.other_value_serde ? joined.other_value_serde : other.value_serde());
  if (!ks || !vs || !vos) {
    throw StreamsException("KStream::" + op + "(KStream): no serde for the key, this stream's " +
                           "values or the other stream's values (<" + TypeName<K>() + ", " +
                           TypeName<V>() + ", " + TypeName<VO>() +
                           ">); the join stores need them: pass StreamJoined::with(keySerde, "
                           "valueSerde, otherValueSerde)");
  }
  const std::string& name = joined.name;

  // A re-keyed input is repartitioned first, through "<name>-left/-right-repartition" or,
  // unnamed, "<its node>-repartition" (Kafka Streams' repartitionForJoin).
  KStream<K, V> left = self;
  if (self.repartition_required()) {
    std::string base = name.empty() ? self.node() : name + "-left";
    left = KStream<K, V>(state, self.RepartitionThrough(base, ks, vs), false, ks, vs);
  }
  KStream<K, VO> right = other;
  if (other.repartition_required()) {
    bool same_input = false;
    if constexpr (std::is_same_v<V, VO>) {
      // A self-join: one repartition topic serves both sides.
      if (other.node() == self.node()) {
        right = left;
        same_input = true;
      }
    }
    if (!same_input) {
      std::string base = name.empty() ? other.node() : name + "-right";
      right = KStream<K, VO>(state, other.RepartitionThrough(base, ks, vos), false, ks, vos);
    }
  }

  // Names in Kafka Streams' order; a named join still burns the generated indices.
  auto named_or = [&](const std::string& suffix, std::string_view prefix) {
    std::string generated = state->NewName(prefix);
    return name.empty() ? generated : name + suffix;
  };
  const std::string this_windowed = named_or("-this-windowed", "KSTREAM-WINDOWED-");
  const std::string other_windowed = named_or("-other-windowed", "KSTREAM-WINDOWED-");
  const std::string this_prefix = right_outer ? "KSTREAM-OUTERTHIS-" : "KSTREAM-JOINTHIS-";
  const std::string this_generated = state->NewName(this_prefix);
  const std::string other_generated =
      state->NewName(left_outer ? "KSTREAM-OUTEROTHER-" : "KSTREAM-JOINOTHER-");
  const std::string this_suffix = right_outer ? "-outer-this-join" : "-this-join";
  const std::string other_suffix = left_outer ? "-outer-other-join" : "-other-join";
  const std::string join_this = name.empty() ? this_generated : name + this_suffix;
  const std::string join_other = name.empty() ? other_generated : name + other_suffix;
  const std::string merge = named_or("-merge", "KSTREAM-MERGE-");

  const std::string& base = joined.store_name;
  const std::string this_store = (base.empty() ? this_generated : base + this_suffix) + "-store";
  const std::string other_store = (base.empty() ? other_generated : base + other_suffix) + "-store";
  std::string shared_store;
  std::shared_ptr<const LeftOrRightValueListSerde<V, VO>> list_serde;
  if (left_outer) {
    shared_store = (base.empty() ? "KSTREAM-OUTERSHARED-" + this_generated.substr(this_prefix.size())
                                 : base + (right_outer ? "-outer-shared-join" : "-left-shared-join")) +
                   "-store";
    list_serde = std::make_shared<LeftOrRightValueListSerde<V, VO>>(vs, vos);
  }

  auto& topology = state->topology;
  const bool queryable = !base.empty();
  topology.AddStore(JoinWindowStoreSpec<K, V>(this_store, ks, vs, windows, joined.store_type,
                                              joined.logging, joined.changelog_configs, queryable));
  topology.AddStore(JoinWindowStoreSpec<K, VO>(other_store, ks, vos, windows, joined.store_type,
                                               joined.logging, joined.changelog_configs, queryable));
  if (left_outer) {
    topology.AddStore(SharedOuterJoinStoreSpec<K, V, VO>(shared_store, ks, list_serde,
                                                         joined.store_type, joined.logging,
                                                         joined.changelog_configs));
  }

  auto add = [&](const std::string& node, std::vector<std::string> parents,
                 std::vector<std::string> stores,
                 std::function<std::unique_ptr<ProcessorNode>()> factory) {
    NodeSpec spec;
    spec.name = node;
    spec.parents = std::move(parents);
    spec.stores = std::move(stores);
    spec.factory = std::move(factory);
    topology.AddNode(std::move(spec));
  };
  add(this_windowed, {left.node()}, {this_store}, [this_store]() -> std::unique_ptr<ProcessorNode> {
    return std::make_unique<JoinWindowNode<K, V>>(this_store);
  });
  add(other_windowed, {right.node()}, {other_store},
      [other_store]() -> std::unique_ptr<ProcessorNode> {
        return std::make_unique<JoinWindowNode<K, VO>>(other_store);
      });

  const int64_t emit_interval = joined.outer_join_emit_interval.count();
  StreamJoinSideParams left_params{other_store,         shared_store,          windows.before_ms(),
                                   windows.after_ms(),  windows.before_ms(),   windows.after_ms(),
                                   windows.grace_ms(),  left_outer,            emit_interval};
  StreamJoinSideParams right_params{this_store,          shared_store,          windows.after_ms(),
                                    windows.before_ms(), windows.before_ms(),   windows.after_ms(),
                                    windows.grace_ms(),  right_outer,           emit_interval};
  auto trackers = std::make_shared<JoinTimeTrackerSupplier>();
  std::vector<std::string> this_join_stores{other_store};
  std::vector<std::string> other_join_stores{this_store};
  if (left_outer) {
    this_join_stores.push_back(shared_store);
    other_join_stores.push_back(shared_store);
  }
  add(join_this, {this_windowed}, this_join_stores,
      [left_params, joiner, trackers, list_serde]() -> std::unique_ptr<ProcessorNode> {
        return std::make_unique<StreamJoinSideNode<K, V, VO, VOut, true>>(left_params, joiner,
                                                                         trackers, list_serde);
      });
  add(join_other, {other_windowed}, other_join_stores,
      [right_params, joiner, trackers, list_serde]() -> std::unique_ptr<ProcessorNode> {
        return std::make_unique<StreamJoinSideNode<K, V, VO, VOut, false>>(right_params, joiner,
                                                                          trackers, list_serde);
      });
  add(merge, {join_this, join_other}, {},
      LambdaFactory<K, VOut>([](const Record<K, VOut>& r, NodeContext& ctx) { ctx.Forward(&r); }));
  topology.MarkCopartitioned(merge);
  return KStream<K, VOut>(state, merge, false, ks, {});
}

}  // namespace internal

template <class K, class V>
template <class VO, class F>
auto KStream<K, V>::join(const KStream<K, VO>& other, F joiner, const JoinWindows& windows,
                         const StreamJoined<K, V, std::type_identity_t<VO>>& joined) const {
  using VR = typename internal::StreamJoinerResult<F, K, V, VO>::type;
  static_assert(!std::is_void_v<VR>,
                "KStream::join(KStream): the joiner must be callable as VR(const V& value, "
                "const VO& otherValue) or VR(const K& key, const V& value, const VO& otherValue)");
  return internal::StreamStreamJoin<K, V, VO, VR>(
      *this, other,
      [joiner](const K& key, const V* v, const VO* o) -> VR {
        return internal::CallStreamJoiner(joiner, key, *v, *o);
      },
      windows, joined, false, false);
}

template <class K, class V>
template <class VO, class F>
auto KStream<K, V>::leftJoin(const KStream<K, VO>& other, F joiner, const JoinWindows& windows,
                             const StreamJoined<K, V, std::type_identity_t<VO>>& joined) const {
  using VR = typename internal::StreamJoinerResult<F, K, V, std::optional<VO>>::type;
  static_assert(!std::is_void_v<VR>,
                "KStream::leftJoin(KStream): the joiner must be callable as VR(const V& value, "
                "const std::optional<VO>& otherValue) or with the key first");
  return internal::StreamStreamJoin<K, V, VO, VR>(
      *this, other,
      [joiner](const K& key, const V* v, const VO* o) -> VR {
        // Only left records come out unmatched: v is never null here.
        return internal::CallStreamJoiner(joiner, key, *v, internal::OptionalOf(o));
      },
      windows, joined, true, false);
}

template <class K, class V>
template <class VO, class F>
auto KStream<K, V>::outerJoin(const KStream<K, VO>& other, F joiner, const JoinWindows& windows,
                              const StreamJoined<K, V, std::type_identity_t<VO>>& joined) const {
  using VR = typename internal::StreamJoinerResult<F, K, std::optional<V>, std::optional<VO>>::type;
  static_assert(!std::is_void_v<VR>,
                "KStream::outerJoin(KStream): the joiner must be callable as VR(const "
                "std::optional<V>& value, const std::optional<VO>& otherValue) or with the key "
                "first");
  return internal::StreamStreamJoin<K, V, VO, VR>(
      *this, other,
      [joiner](const K& key, const V* v, const VO* o) -> VR {
        return internal::CallStreamJoiner(joiner, key, internal::OptionalOf(v),
                                          internal::OptionalOf(o));
      },
      windows, joined, true, true);
}

}  // namespace rill::streams
