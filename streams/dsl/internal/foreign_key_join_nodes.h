// The processors of the foreign-key KTable-KTable join (Kafka Streams' foreignkeyjoin
// package). Left table L<K, V> joins foreign table F<KO, VO> where each left value names a
// foreign key KO:
//
//   left sub-topology:    L -> SubscriptionSend -> sink(subscription topic, keyed by KO)
//                         source(response topic) -> ResponseResolver -> result table
//   foreign sub-topology: source(subscription topic) -> SubscriptionReceive (store KO+K)
//                                                     -> SubscriptionJoinForeign -> sink(response)
//                         F -> ForeignTableJoin (scans the store for KO) -> sink(response topic)
//
// Each subscription carries a hash of the left value it was sent for; the resolver joins a
// response only while the left key still has that value, so responses that a newer update
// overtook are dropped instead of producing a stale result.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "streams/dsl/internal/change.h"
#include "streams/dsl/internal/dsl_nodes.h"
#include "streams/dsl/internal/foreign_key_join_wire.h"
#include "streams/dsl/internal/value_and_timestamp.h"
#include "streams/processor/key_value_store.h"

namespace rill::streams::internal {

template <class K, class V>
struct ValueGetterSupplier;

template <class V>
std::optional<ValueHash> HashOf(const Serde<V>& serde, const std::optional<V>& value) {
  if (!value) return std::nullopt;
  std::string bytes;
  serde.serialize(*value, bytes);
  return Murmur3Hash128(bytes);
}

// Left side: turns each change of the left table into subscriptions (Kafka Streams'
// SubscriptionSendProcessorSupplier, same instructions for inner and left joins). A left
// join's record without a foreign key needs no foreign lookup: its "no foreign value"
// response goes straight to the resolver instead of through the subscription topic.
template <class K, class V, class KO, class VO>
class SubscriptionSendNode : public ProcessorNode {
 public:
  using Extractor = std::function<std::optional<KO>(const K&, const V&)>;
  SubscriptionSendNode(Extractor extractor, Serde<KO> fk_serde, Serde<V> value_serde,
                       bool left_join, std::string sink, std::string resolver)
      : extractor_(std::move(extractor)),
        fk_serde_(std::move(fk_serde)),
        value_serde_(std::move(value_serde)),
        left_join_(left_join),
        sink_(std::move(sink)),
        resolver_(std::move(resolver)) {}

  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, Change<V>>*>(record);
    const std::optional<V>& old_value = r.value.old_value;
    const std::optional<V>& new_value = r.value.new_value;
    if (!old_value && !new_value) return;
    record_ = &r;
    hash_computed_ = false;
    const std::optional<KO> old_fk = old_value ? extractor_(r.key, *old_value) : std::nullopt;
    const std::optional<KO> new_fk = new_value ? extractor_(r.key, *new_value) : std::nullopt;
    using I = SubscriptionInstruction;
    if (left_join_) {
      if (old_fk && !SameKey(old_fk, new_fk)) Send(*old_fk, I::kDeleteKeyNoPropagate);
      if (new_fk) {
        Send(*new_fk, I::kPropagateNullIfNoForeignValue);
      } else {
        Record<K, SubscriptionResponse<VO>> none{r.key, {Hash(), std::nullopt, -1}, r.timestamp,
                                                 r.headers};
        context_->ForwardTo(&none, resolver_);
      }
      return;
    }
    if (!new_value) {
      if (old_fk) Send(*old_fk, I::kDeleteKeyAndPropagate);
      return;
    }
    if (!new_fk) {
      // Kafka Streams skips (and counts) an inner-join row without a foreign key, after
      // retracting what its old key joined.
      context_->task->RecordDropped("null-foreign-key");
      if (old_fk) Send(*old_fk, I::kDeleteKeyAndPropagate);
      return;
    }
    if (!old_fk) {
      Send(*new_fk, I::kPropagateOnlyIfForeignValue);
    } else if (SameKey(old_fk, new_fk)) {
      // Same foreign key: if it has no value, the old row did not join either.
      Send(*new_fk, I::kPropagateOnlyIfForeignValue);
    } else {
      Send(*old_fk, I::kDeleteKeyNoPropagate);
      Send(*new_fk, I::kPropagateNullIfNoForeignValue);
    }
  }

 private:
  bool SameKey(const std::optional<KO>& a, const std::optional<KO>& b) const {
    if (!a || !b) return !a && !b;
    std::string x, y;
    fk_serde_.serialize(*a, x);
    fk_serde_.serialize(*b, y);
    return x == y;
  }
  const std::optional<ValueHash>& Hash() {
    if (!hash_computed_) {
      hash_ = HashOf(value_serde_, record_->value.new_value);
      hash_computed_ = true;
    }
    return hash_;
  }
  void Send(const KO& fk, SubscriptionInstruction instruction) {
    const auto& r = *record_;
    Record<KO, Subscription<K>> out{
        fk, Subscription<K>{Hash(), instruction, r.key, context_->task->task_id().partition},
        r.timestamp, r.headers};
    context_->ForwardTo(&out, sink_);
  }

  Extractor extractor_;
  Serde<KO> fk_serde_;
  Serde<V> value_serde_;
  bool left_join_;
  std::string sink_;
  std::string resolver_;
  const Record<K, Change<V>>* record_ = nullptr;
  bool hash_computed_ = false;
  std::optional<ValueHash> hash_;
};

// The subscription store: combined key (KO, K) -> [timestamp][subscription], as Kafka
// Streams' timestamped subscription store.
template <class K>
class SubscriptionStore {
 public:
  void Connect(NodeContext& context, const std::string& name, Serde<K> primary_key_serde) {
    StoreInstance* instance = context.task->GetStore(name);
    if (instance == nullptr || instance->store == nullptr) {
      throw StreamsException("subscription store '" + name + "' missing in task");
    }
    store_.emplace(instance->store, Serdes::String(),
                   TimestampedSerde(Serde<Subscription<K>>(
                       std::make_shared<SubscriptionSerdeImpl<K>>(std::move(primary_key_serde)))));
  }
  KeyValueStore<std::string, ValueAndTimestamp<Subscription<K>>>& operator*() { return *store_; }
  KeyValueStore<std::string, ValueAndTimestamp<Subscription<K>>>* operator->() { return &*store_; }

 private:
  std::optional<KeyValueStore<std::string, ValueAndTimestamp<Subscription<K>>>> store_;
};

// Foreign side: records or removes a subscription (Kafka Streams'
// SubscriptionReceiveProcessorSupplier), then hands it on for the foreign lookup.
template <class KO, class K>
class SubscriptionReceiveNode : public ProcessorNode {
 public:
  SubscriptionReceiveNode(std::string store, Serde<KO> fk_serde, Serde<K> pk_serde)
      : store_name_(std::move(store)), fk_serde_(std::move(fk_serde)), pk_serde_(std::move(pk_serde)) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    store_.Connect(context, store_name_, pk_serde_);
  }
  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<KO, Subscription<K>>*>(record);
    std::string fk, pk;
    fk_serde_.serialize(r.key, fk);
    pk_serde_.serialize(r.value.primary_key, pk);
    const std::string combined = fk_wire::CombinedKey(fk, pk);
    using I = SubscriptionInstruction;
    if (r.value.instruction == I::kDeleteKeyAndPropagate ||
        r.value.instruction == I::kDeleteKeyNoPropagate) {
      store_->remove(combined);
    } else {
      store_->put(combined, ValueAndTimestamp<Subscription<K>>{r.value, r.timestamp});
    }
    context_->Forward(&r);
  }

 private:
  std::string store_name_;
  Serde<KO> fk_serde_;
  Serde<K> pk_serde_;
  SubscriptionStore<K> store_;
};

// Foreign side: answers a subscription with the foreign key's current value as its
// instruction asks (Kafka Streams' SubscriptionJoinProcessorSupplier).
template <class KO, class K, class VO>
class SubscriptionJoinForeignNode : public ProcessorNode {
 public:
  explicit SubscriptionJoinForeignNode(std::shared_ptr<const ValueGetterSupplier<KO, VO>> foreign)
      : foreign_(std::move(foreign)) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    lookup_ = foreign_->bind(context);
  }
  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<KO, Subscription<K>>*>(record);
    using I = SubscriptionInstruction;
    if (r.value.instruction == I::kDeleteKeyNoPropagate) return;
    std::optional<ValueAndTimestamp<VO>> found = lookup_(r.key);
    if (!found && r.value.instruction == I::kPropagateOnlyIfForeignValue) return;
    // Kafka Streams: the later of the subscription and the foreign value.
    const int64_t timestamp = found ? std::max(r.timestamp, found->timestamp) : r.timestamp;
    std::optional<VO> foreign;
    if (r.value.instruction != I::kDeleteKeyAndPropagate) foreign = ValueOf(std::move(found));
    Record<K, SubscriptionResponse<VO>> out{
        r.value.primary_key,
        SubscriptionResponse<VO>{r.value.hash, std::move(foreign), r.value.primary_partition},
        timestamp, r.headers};
    context_->Forward(&out);
  }

 private:
  std::shared_ptr<const ValueGetterSupplier<KO, VO>> foreign_;
  std::function<std::optional<ValueAndTimestamp<VO>>(const KO&)> lookup_;
};

// Foreign side: a change of a foreign key's value is sent to every left key subscribed to
// it (Kafka Streams' ForeignTableJoinProcessorSupplier: a prefix scan of the store).
template <class KO, class VO, class K>
class ForeignTableJoinNode : public ProcessorNode {
 public:
  ForeignTableJoinNode(std::string store, Serde<KO> fk_serde, Serde<K> pk_serde)
      : store_name_(std::move(store)), fk_serde_(std::move(fk_serde)), pk_serde_(std::move(pk_serde)) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    store_.Connect(context, store_name_, pk_serde_);
  }
  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<KO, Change<VO>>*>(record);
    std::string fk;
    fk_serde_.serialize(r.key, fk);
    const std::string prefix = fk_wire::CombinedKeyPrefix(fk);
    // Collected first: forwarding must not run while a store iterator is open.
    auto subscriptions = store_->prefixScan(prefix, Serdes::String()).toList();
    for (auto& entry : subscriptions) {
      const Subscription<K>& s = entry.value.value;
      Record<K, SubscriptionResponse<VO>> out{
          s.primary_key, SubscriptionResponse<VO>{s.hash, r.value.new_value, s.primary_partition},
          r.timestamp, r.headers};
      context_->Forward(&out);
    }
  }

 private:
  std::string store_name_;
  Serde<KO> fk_serde_;
  Serde<K> pk_serde_;
  SubscriptionStore<K> store_;
};

// Sends a response to the partition its left record came from (Kafka Streams' default
// response partitioner), so it reaches the task that holds the left key.
template <class K, class VO>
class ResponseSinkNode : public ProcessorNode {
 public:
  ResponseSinkNode(std::string topic, Serde<K> ks, Serde<SubscriptionResponse<VO>> vs)
      : topic_(std::move(topic)), ks_(std::move(ks)), vs_(std::move(vs)) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    resolved_ = context.task->ResolveTopic(topic_, /*internal=*/true);
  }
  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, SubscriptionResponse<VO>>*>(record);
    std::string key, value;
    ks_.serialize(r.key, key);
    vs_.serialize(r.value, value);
    context_->task->collector().Send(resolved_, r.value.primary_partition, key, value,
                                     r.timestamp, r.headers);
  }

 private:
  std::string topic_;
  std::string resolved_;
  Serde<K> ks_;
  Serde<SubscriptionResponse<VO>> vs_;
};

// Left side: joins a response with the left key's current value, or drops it when that
// value changed since the subscription was sent (Kafka Streams'
// SubscriptionResolverJoinProcessorSupplier). Forwards the joined value (nullopt: delete)
// to the result table.
template <class K, class V, class VO, class VR>
class ResponseResolverNode : public ProcessorNode {
 public:
  using Joiner = std::function<VR(const V&, const std::optional<VO>&)>;
  ResponseResolverNode(std::shared_ptr<const ValueGetterSupplier<K, V>> left,
                       Serde<V> value_serde, Joiner joiner, bool left_join)
      : left_(std::move(left)),
        value_serde_(std::move(value_serde)),
        joiner_(std::move(joiner)),
        left_join_(left_join) {}
  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    lookup_ = left_->bind(context);
  }
  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, SubscriptionResponse<VO>>*>(record);
    const std::optional<V> current = ValueOf(lookup_(r.key));
    if (HashOf(value_serde_, current) != r.value.hash) return;  // stale: a newer update won
    std::optional<VR> result;
    if (current && (r.value.foreign_value || left_join_)) {
      result = joiner_(*current, r.value.foreign_value);
    }
    Record<K, std::optional<VR>> out{r.key, std::move(result), r.timestamp, r.headers};
    context_->Forward(&out);
  }

 private:
  std::shared_ptr<const ValueGetterSupplier<K, V>> left_;
  Serde<V> value_serde_;
  Joiner joiner_;
  bool left_join_;
  std::function<std::optional<ValueAndTimestamp<V>>(const K&)> lookup_;
};

}  // namespace rill::streams::internal
