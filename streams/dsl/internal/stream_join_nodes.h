// The processors of KStream-KStream windowed joins (Kafka Streams' KStreamJoinWindow,
// KStreamKStreamJoin and its left/right sides, 3.1+ with the spurious-result fix), and the
// shared "outer join" store's key and value types (TimestampedKeyAndJoinSide,
// LeftOrRightValue).
//
// Each input goes through a JoinWindowNode, which forwards the record and then puts it into
// its side's window store (retaining duplicates), then through its side's
// StreamJoinSideNode, which joins it with the other side's window store. In left and outer
// joins a record of an outer side that finds no partner is parked in the shared store; it is
// emitted joined with null once stream time passes its timestamp + the window's far edge +
// grace, unless a partner arrives first (which removes it). Both side nodes of one task share
// a JoinTimeTracker: the join's stream time (the largest timestamp either side saw).
#pragma once

#include <algorithm>
#include <any>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "state/key_value_store.h"
#include "state/window_store.h"
#include "streams/dsl/internal/dsl_nodes.h"
#include "streams/processor/window_store.h"
#include "streams/serde/serde.h"
#include "streams/topology/topology.h"

namespace rill::streams {

// Key of the shared outer-join store: the unmatched record's timestamp, its side and key.
// Serialized as int64 timestamp (big-endian) ‖ 1 byte (1 = left, 0 = right) ‖ key bytes, as
// Kafka Streams does, so the store iterates by timestamp, then right before left, then key.
template <class K>
struct TimestampedKeyAndJoinSide {
  int64_t timestamp = 0;
  bool left_side = true;
  K key;
  bool operator==(const TimestampedKeyAndJoinSide&) const = default;
};

// Value of the shared outer-join store: the unmatched record's value on its side.
template <class VL, class VR>
struct LeftOrRightValue {
  std::optional<VL> left;
  std::optional<VR> right;
  bool operator==(const LeftOrRightValue&) const = default;
};

namespace internal {

inline void AppendInt64(std::string& out, int64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff));
}
inline void AppendInt32(std::string& out, int32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((static_cast<uint32_t>(v) >> (8 * i)) & 0xff));
}
inline uint64_t ReadBigEndian(std::string_view bytes, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

template <class K>
class TimestampedKeyAndJoinSideSerde : public Serde<TimestampedKeyAndJoinSide<K>>::Impl {
 public:
  explicit TimestampedKeyAndJoinSideSerde(Serde<K> ks) : ks_(std::move(ks)) {}
  bool Serialize(const TimestampedKeyAndJoinSide<K>& v, std::string& out) const override {
    std::string key;
    if (!ks_.serialize(v.key, key)) return false;
    AppendInt64(out, v.timestamp);
    out.push_back(v.left_side ? 1 : 0);
    out += key;
    return true;
  }
  absl::StatusOr<TimestampedKeyAndJoinSide<K>> Deserialize(
      std::optional<std::string_view> bytes) const override {
    if (!bytes || bytes->size() < 9) {
      return absl::InvalidArgumentError("outer join store key shorter than 9 bytes");
    }
    auto key = ks_.deserialize(bytes->substr(9));
    if (!key.ok()) return key.status();
    return TimestampedKeyAndJoinSide<K>{static_cast<int64_t>(ReadBigEndian(*bytes, 8)),
                                        (*bytes)[8] != 0, std::move(*key)};
  }

 private:
  Serde<K> ks_;
};

// The values parked under one key (several records of one side can share key and
// timestamp), as Kafka Streams' list-value store keeps them: each value is int32 length ‖
// 1 byte side (1 = left) ‖ value bytes, appended in arrival order.
template <class VL, class VR>
class LeftOrRightValueListSerde : public Serde<std::vector<LeftOrRightValue<VL, VR>>>::Impl {
 public:
  using List = std::vector<LeftOrRightValue<VL, VR>>;
  LeftOrRightValueListSerde(Serde<VL> left, Serde<VR> right)
      : left_(std::move(left)), right_(std::move(right)) {}

  // One element's bytes, ready to append to a stored list.
  bool SerializeOne(const LeftOrRightValue<VL, VR>& v, std::string& out) const {
    std::string bytes;
    bytes.push_back(v.left ? 1 : 0);
    if (v.left ? !left_.serialize(*v.left, bytes) : !v.right || !right_.serialize(*v.right, bytes)) {
      return false;
    }
    AppendInt32(out, static_cast<int32_t>(bytes.size()));
    out += bytes;
    return true;
  }
  bool Serialize(const List& list, std::string& out) const override {
    if (list.empty()) return false;  // an empty list is no entry
    for (const auto& v : list) {
      if (!SerializeOne(v, out)) return false;
    }
    return true;
  }
  absl::StatusOr<List> Deserialize(std::optional<std::string_view> bytes) const override {
    if (!bytes) return absl::InvalidArgumentError("outer join store value is null");
    List out;
    std::string_view rest = *bytes;
    while (!rest.empty()) {
      if (rest.size() < 4) return absl::InvalidArgumentError("outer join store value truncated");
      const uint64_t n = ReadBigEndian(rest, 4);
      if (n < 1 || rest.size() - 4 < n) {
        return absl::InvalidArgumentError("outer join store value truncated");
      }
      std::string_view one = rest.substr(4, n);
      rest.remove_prefix(4 + n);
      LeftOrRightValue<VL, VR> v;
      if (one[0] != 0) {
        auto l = left_.deserialize(one.substr(1));
        if (!l.ok()) return l.status();
        v.left = std::move(*l);
      } else {
        auto r = right_.deserialize(one.substr(1));
        if (!r.ok()) return r.status();
        v.right = std::move(*r);
      }
      out.push_back(std::move(v));
    }
    return out;
  }

 private:
  Serde<VL> left_;
  Serde<VR> right_;
};

// The join's own stream time, shared by its two side processors in one task (Kafka Streams'
// KStreamImplJoin.TimeTracker): both sides' records advance it, so one side's records close
// the other side's windows. `min_time` is the smallest timestamp that may still be parked in
// the shared store (a hint that saves scans); `next_time_to_emit` throttles scans by wall
// clock. Only the stream thread running the task touches it.
struct JoinTimeTracker {
  int64_t stream_time = -1;
  int64_t min_time = std::numeric_limits<int64_t>::max();
  int64_t next_time_to_emit = 0;
  int64_t emit_interval_ms = 1000;
};

// Hands both side processors of one task the same tracker. Held by both node factories;
// tasks on different threads ask for theirs concurrently.
class JoinTimeTrackerSupplier {
 public:
  std::shared_ptr<JoinTimeTracker> Get(const TaskId& task) {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(trackers_, [](const auto& e) { return e.second.expired(); });
    std::shared_ptr<JoinTimeTracker> tracker = trackers_[task].lock();
    if (!tracker) {
      tracker = std::make_shared<JoinTimeTracker>();
      trackers_[task] = tracker;
    }
    return tracker;
  }

 private:
  std::mutex mu_;
  // Weak: a tracker lives as long as a side processor of its task does.
  std::map<TaskId, std::weak_ptr<JoinTimeTracker>> trackers_;
};

// Forwards each record, then keeps it in its side's window store (Kafka Streams'
// KStreamJoinWindow): every record starts a window of its own; the store's retention
// (window size + grace) bounds how long it can be joined. Records with a null key or value
// are not kept (the join node drops and counts them). A record older than the store's
// retention is not kept either, and is counted as "expired-window-record-drop" (Kafka
// Streams' store-level metric of that name); the join node still joins it with what the
// other side's store holds.
template <class K, class V>
class JoinWindowNode : public ProcessorNode {
 public:
  explicit JoinWindowNode(std::string store) : store_name_(std::move(store)) {}

  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    StoreInstance* instance = context.task->GetStore(store_name_);
    if (instance == nullptr || instance->window_store == nullptr) {
      throw StreamsException("join window store '" + store_name_ + "' missing in task");
    }
    store_ = instance->window_store;
    ks_ = std::any_cast<Serde<K>>(instance->spec->key_serde);
    vs_ = std::any_cast<Serde<V>>(instance->spec->value_serde);
  }

  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, V>*>(record);
    context_->Forward(&r);
    if constexpr (kIsOptional<K>) {
      if (!r.key) return;
    }
    if constexpr (kIsOptional<V>) {
      if (!r.value) return;
    }
    std::string key, value;
    if (!ks_.serialize(r.key, key) || !vs_.serialize(r.value, value)) return;
    auto put = store_->Put(key, r.timestamp, value);
    if (!put.ok()) {
      throw StreamsException("join window store " + store_name_ + ": " +
                             std::string(put.status().message()));
    }
    if (!put->applied) context_->task->RecordDropped("expired-window-record-drop");
  }

 private:
  std::string store_name_;
  state::WindowStore* store_ = nullptr;
  Serde<K> ks_;
  Serde<V> vs_;
};

// What one side's join processor needs to know, from its own point of view: a left record
// at t joins right records in [t - before, t + after]; the right side's processor gets the
// two swapped (it joins left records in [t - after, t + before]).
struct StreamJoinSideParams {
  std::string other_store;
  std::string shared_store;  // empty: inner join, or the fix's shared store is not used
  int64_t join_before_ms = 0;
  int64_t join_after_ms = 0;
  // The JoinWindows' own before / after: how long a parked left record waits is `after`,
  // a parked right record `before` (the far edge of its window).
  int64_t windows_before_ms = 0;
  int64_t windows_after_ms = 0;
  int64_t grace_ms = 0;
  bool outer = false;  // this side's unmatched records are emitted joined with null
  int64_t emit_interval_ms = 1000;
};

// One side of a KStream-KStream join (Kafka Streams' KStreamKStreamJoin processor; kLeft
// says which side). `joiner(key, left, right)` gets nullptr for the missing side of a
// null-join result; the DSL wraps the user's joiner into it.
template <class K, class VL, class VR, class VOut, bool kLeft>
class StreamJoinSideNode : public ProcessorNode {
 public:
  using VThis = std::conditional_t<kLeft, VL, VR>;
  using VOther = std::conditional_t<kLeft, VR, VL>;
  using Joiner = std::function<VOut(const K&, const VL*, const VR*)>;
  using SharedKey = TimestampedKeyAndJoinSide<K>;

  using ListSerde = LeftOrRightValueListSerde<VL, VR>;

  // `list_serde`: the shared store's value serde (nullptr without a shared store).
  StreamJoinSideNode(StreamJoinSideParams params, Joiner joiner,
                     std::shared_ptr<JoinTimeTrackerSupplier> trackers,
                     std::shared_ptr<const ListSerde> list_serde)
      : params_(std::move(params)),
        joiner_(std::move(joiner)),
        trackers_(std::move(trackers)),
        list_impl_(std::move(list_serde)) {}

  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    StoreInstance* other = context.task->GetStore(params_.other_store);
    if (other == nullptr || other->window_store == nullptr) {
      throw StreamsException("join window store '" + params_.other_store + "' missing in task");
    }
    ks_ = std::any_cast<Serde<K>>(other->spec->key_serde);
    other_.emplace(other->window_store, ks_, std::any_cast<Serde<VOther>>(other->spec->value_serde),
                   other->spec->window_size_ms);
    tracker_ = trackers_->Get(context.task->task_id());
    if (!params_.shared_store.empty()) {
      StoreInstance* shared = context.task->GetStore(params_.shared_store);
      if (shared == nullptr || shared->store == nullptr) {
        throw StreamsException("outer join store '" + params_.shared_store + "' missing in task");
      }
      shared_ = shared->store;
      if (list_impl_ == nullptr) {
        throw StreamsException("outer join store '" + params_.shared_store + "' has no value serde");
      }
      shared_key_serde_ = std::any_cast<Serde<SharedKey>>(shared->spec->key_serde);
      tracker_->emit_interval_ms = params_.emit_interval_ms;
    }
  }

  void Close() override { tracker_.reset(); }

  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, VThis>*>(record);
    const int64_t ts = r.timestamp;
    tracker_->stream_time = std::max(tracker_->stream_time, ts);
    if (DropNullKeyOrValue(r, *context_)) return;
    // Only an in-order record moves the closing edge, so only it looks for closed windows.
    if (shared_ != nullptr && ts == tracker_->stream_time) EmitNonJoined(r);

    const int64_t time_from = std::max<int64_t>(0, ts - params_.join_before_ms);
    const int64_t time_to = std::max<int64_t>(0, ts + params_.join_after_ms);
    auto matches = other_->fetch(r.key, time_from, time_to);
    for (const auto& other : matches) {
      // The partner is joined now: it must not come out as a null-join later. This removes
      // every parked record of that side, key and timestamp: each of them is in range too.
      if (shared_ != nullptr) RemoveParked(SharedKey{other.key, !kLeft, r.key});
      Record<K, VOut> out{r.key, Join(r.key, &r.value, &other.value), std::max(ts, other.key),
                          r.headers};
      context_->Forward(&out);
    }
    if (!params_.outer || !matches.empty()) return;
    // A record whose whole window already lies behind stream time can never find a partner
    // any more (it came out of order): its null-join result is final at once.
    if (shared_ == nullptr || time_to < tracker_->stream_time) {
      Record<K, VOut> out{r.key, Join(r.key, &r.value, nullptr), ts, r.headers};
      context_->Forward(&out);
      return;
    }
    tracker_->min_time = std::min(tracker_->min_time, ts);
    Park(SharedKey{ts, kLeft, r.key}, r.value);
  }

 private:
  // Java's long arithmetic wraps; Kafka Streams' scan hint relies on it after a restart
  // (min_time = Long.MAX_VALUE plus the window wraps negative, so the first record scans).
  static int64_t WrappingAdd(int64_t a, int64_t b, int64_t c) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b) +
                                static_cast<uint64_t>(c));
  }

  VOut Join(const K& key, const VThis* mine, const VOther* other) const {
    if constexpr (kLeft) {
      return joiner_(key, mine, other);
    } else {
      return joiner_(key, other, mine);
    }
  }

  std::string SharedKeyBytes(const SharedKey& key) const {
    std::string out;
    if (!shared_key_serde_.serialize(key, out)) {
      throw StreamsException("outer join store " + params_.shared_store + ": null key");
    }
    return out;
  }

  void RemoveParked(const SharedKey& key) {
    const std::string bytes = SharedKeyBytes(key);
    auto existing = shared_->Get(bytes);
    Check(existing.status());
    if (existing->has_value()) Check(shared_->Put(bytes, std::nullopt));
  }

  void Park(const SharedKey& key, const VThis& value) {
    const std::string bytes = SharedKeyBytes(key);
    auto existing = shared_->Get(bytes);
    Check(existing.status());
    std::string list = existing->value_or(std::string());
    LeftOrRightValue<VL, VR> v;
    if constexpr (kLeft) {
      v.left = value;
    } else {
      v.right = value;
    }
    if (!list_impl_->SerializeOne(v, list)) {
      throw StreamsException("outer join store " + params_.shared_store +
                             ": the value serializes to null");
    }
    Check(shared_->Put(bytes, list));
  }

  // Emits every parked record whose window has closed — its timestamp + its side's far edge
  // + grace is before stream time — joined with null, at its own timestamp, in the store's
  // (timestamp, side, key) order, and removes it (Kafka Streams'
  // emitNonJoinedOuterRecords).
  template <class R>
  void EmitNonJoined(const R& trigger) {
    JoinTimeTracker& t = *tracker_;
    if (WrappingAdd(t.min_time, params_.join_after_ms, params_.grace_ms) >= t.stream_time) return;
    const int64_t now = context_->task->wall_clock_ms();
    if (now < t.next_time_to_emit) return;
    t.next_time_to_emit = now + params_.emit_interval_ms;
    t.min_time = std::numeric_limits<int64_t>::max();

    std::vector<std::string> emitted;
    bool left_open = false;
    bool right_open = false;
    auto it = shared_->All();
    for (; it->Valid(); it->Next()) {
      auto key = shared_key_serde_.deserialize(it->key());
      if (!key.ok()) Check(key.status());
      t.min_time = key->timestamp;
      if (left_open && right_open) break;
      const int64_t far_edge = key->left_side ? params_.windows_after_ms : params_.windows_before_ms;
      if (WrappingAdd(t.min_time, far_edge, params_.grace_ms) >= t.stream_time) {
        // The store is in timestamp order: nothing later on this side is closed either.
        (key->left_side ? left_open : right_open) = true;
        continue;
      }
      auto values = list_impl_->Deserialize(it->value());
      if (!values.ok()) Check(values.status());
      for (const auto& v : *values) {
        VOut joined = joiner_(key->key, v.left ? &*v.left : nullptr, v.right ? &*v.right : nullptr);
        Record<K, VOut> out{key->key, std::move(joined), key->timestamp, trigger.headers};
        context_->Forward(&out);
      }
      emitted.emplace_back(it->key());
    }
    Check(it->status());
    for (const auto& key : emitted) Check(shared_->Put(key, std::nullopt));
  }

  void Check(const absl::Status& s) const {
    if (!s.ok()) {
      throw StreamsException("outer join store " + params_.shared_store + ": " +
                             std::string(s.message()));
    }
  }

  StreamJoinSideParams params_;
  Joiner joiner_;
  std::shared_ptr<JoinTimeTrackerSupplier> trackers_;
  std::shared_ptr<JoinTimeTracker> tracker_;
  Serde<K> ks_;
  std::optional<WindowStore<K, VOther>> other_;
  state::KeyValueStore* shared_ = nullptr;
  Serde<SharedKey> shared_key_serde_;
  std::shared_ptr<const ListSerde> list_impl_;
};

}  // namespace internal
}  // namespace rill::streams
