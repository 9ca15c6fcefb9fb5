// The processor behind KTable::suppress (Kafka Streams' KTableSuppressProcessor): buffers a
// table's changes per key in a SuppressBuffer and forwards them when their time has come,
// or early (or fails) when the buffer is over its bounds. Also the suppressed table's value
// getter and the search for the upstream window grace.
#pragma once

#include <algorithm>
#include <any>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>

#include "streams/dsl/internal/builder_state.h"
#include "streams/dsl/internal/change.h"
#include "streams/dsl/internal/dsl_nodes.h"
#include "streams/dsl/internal/suppress_buffer.h"
#include "streams/dsl/internal/value_and_timestamp.h"
#include "streams/dsl/windows.h"

namespace rill::streams::internal {

template <class K>
inline constexpr bool kIsWindowedKey = false;
template <class K>
inline constexpr bool kIsWindowedKey<Windowed<K>> = true;

// What a suppress node does, resolved when the topology is built.
struct SuppressConfig {
  std::string store;
  // untilWindowCloses: buffer time = window end, duration = the upstream grace, deletions
  // dropped. untilTimeLimit: buffer time = record timestamp, duration = the limit.
  bool until_window_closes = false;
  int64_t duration_ms = 0;
  int64_t max_records = 0;
  int64_t max_bytes = 0;
  bool shut_down_when_full = false;
};

// Kafka Streams' GraphGraceSearchUtil: walks up from `node` to the windowed aggregations
// feeding it and returns their grace (the largest when several). Throws StreamsException
// when a path reaches a source without passing a windowed aggregation.
inline int64_t FindWindowCloseGrace(const BuilderState& state, const std::string& node,
                                    const std::string& chain = "") {
  auto grace = state.window_close_grace_ms.find(node);
  if (grace != state.window_close_grace_ms.end()) return grace->second;
  const std::string next_chain = chain.empty() ? node : node + "->" + chain;
  const NodeSpec* spec = state.topology.FindNode(node);
  if (spec == nullptr || spec->parents.empty()) {
    throw StreamsException("Window close time is only defined for windowed computations. Got [" +
                           next_chain + "].");
  }
  int64_t inherited = -1;
  for (const std::string& parent : spec->parents) {
    inherited = std::max(inherited, FindWindowCloseGrace(state, parent, next_chain));
  }
  return inherited;
}

template <class K, class V>
class SuppressNode : public ProcessorNode {
 public:
  SuppressNode(SuppressConfig config, Serde<V> value_serde)
      : config_(std::move(config)), vs_(std::move(value_serde)) {}

  void Init(NodeContext& context) override {
    ProcessorNode::Init(context);
    StoreInstance* instance = context.task->GetStore(config_.store);
    if (instance == nullptr || instance->store == nullptr) {
      throw StreamsException("suppression buffer store '" + config_.store + "' missing in task");
    }
    ks_ = std::any_cast<Serde<K>>(instance->spec->key_serde);
    buffer_.emplace(instance->store);
    Check(buffer_->Load());
  }

  void Process(const void* record) override {
    const auto& r = *static_cast<const Record<K, Change<V>>*>(record);
    observed_stream_time_ = std::max(observed_stream_time_, r.timestamp);
    std::string key;
    if (!ks_.serialize(r.key, key)) {
      context_->task->RecordDropped("null-key");
      return;
    }
    int64_t buffer_time = r.timestamp;
    if constexpr (kIsWindowedKey<K>) {
      if (config_.until_window_closes) buffer_time = r.key.window.end;
    }
    Check(buffer_->Put(buffer_time, key, Serialize(r.value.new_value),
                       Serialize(r.value.old_value), r.timestamp, r.headers,
                       context_->task->record_metadata()));
    EnforceConstraints();
  }

 private:
  void EnforceConstraints() {
    const int64_t expiry = observed_stream_time_ - config_.duration_ms;
    while (!buffer_->empty() && buffer_->min_time() <= expiry) Emit();
    if (!OverCapacity()) return;
    if (config_.shut_down_when_full) {
      throw StreamsException(
          context_->name + " buffer exceeded its max capacity. Currently [" +
          std::to_string(buffer_->num_records()) + "/" + std::to_string(config_.max_records) +
          "] records and [" + std::to_string(buffer_->size_bytes()) + "/" +
          std::to_string(config_.max_bytes) + "] bytes.");
    }
    while (!buffer_->empty() && OverCapacity()) Emit();
  }

  bool OverCapacity() const {
    return buffer_->num_records() > config_.max_records ||
           buffer_->size_bytes() > config_.max_bytes;
  }

  // Forwards the oldest entry with the context of its latest update. Final results drop
  // deletions: a window that ends up deleted had no final result downstream needs to undo.
  void Emit() {
    auto [key_bytes, entry] = Check(buffer_->PopOldest());
    if (!entry.new_value && config_.until_window_closes) return;
    auto key = ks_.deserialize(key_bytes);
    if (!key.ok()) {
      throw StreamsException("suppression buffer '" + config_.store +
                             "': cannot deserialize a key: " + std::string(key.status().message()));
    }
    Record<K, Change<V>> out{std::move(*key),
                             Change<V>{Deserialize(entry.new_value), Deserialize(entry.old_value)},
                             entry.timestamp, std::move(entry.headers)};
    context_->Forward(&out);
  }

  std::optional<std::string> Serialize(const std::optional<V>& value) const {
    if (!value) return std::nullopt;
    std::string out;
    if (!vs_.serialize(*value, out)) return std::nullopt;
    return out;
  }
  std::optional<V> Deserialize(const std::optional<std::string>& bytes) const {
    if (!bytes) return std::nullopt;
    auto v = vs_.deserialize(*bytes);
    if (!v.ok()) {
      throw StreamsException("suppression buffer '" + config_.store +
                             "': cannot deserialize a value: " + std::string(v.status().message()));
    }
    return std::move(*v);
  }

  void Check(const absl::Status& s) const {
    if (!s.ok()) throw StreamsException("suppression buffer '" + config_.store + "': " + std::string(s.message()));
  }
  template <class T>
  T Check(absl::StatusOr<T> s) const {
    Check(s.status());
    return std::move(*s);
  }

  SuppressConfig config_;
  Serde<K> ks_;
  Serde<V> vs_;
  std::optional<SuppressBuffer> buffer_;
  // The largest timestamp this processor has seen (Kafka Streams' observedStreamTime; not
  // kept across restarts, as there).
  int64_t observed_stream_time_ = -1;
};

// The suppressed table's lookup (KTableSuppressProcessorSupplier's view): a buffered key
// reads as its prior value — what downstream last saw — and any other key as the parent
// table reads it.
template <class K, class V>
std::function<std::optional<ValueAndTimestamp<V>>(const K&)> BindSuppressedLookup(
    NodeContext& ctx, const std::string& store, Serde<V> vs,
    std::function<std::optional<ValueAndTimestamp<V>>(const K&)> parent) {
  StoreInstance* instance = ctx.task->GetStore(store);
  if (instance == nullptr || instance->store == nullptr) {
    throw StreamsException("suppression buffer store '" + store + "' missing in task");
  }
  state::KeyValueStore* raw = instance->store;
  Serde<K> ks = std::any_cast<Serde<K>>(instance->spec->key_serde);
  return [raw, store, ks, vs, parent](const K& key) -> std::optional<ValueAndTimestamp<V>> {
    std::string key_bytes;
    if (!ks.serialize(key, key_bytes)) return std::nullopt;
    auto entry = SuppressBuffer::Lookup(raw, key_bytes);
    if (!entry.ok()) {
      throw StreamsException("suppression buffer '" + store + "': " +
                             std::string(entry.status().message()));
    }
    if (!*entry) return parent(key);
    if (!(*entry)->prior_value) return std::nullopt;
    auto v = vs.deserialize(*(*entry)->prior_value);
    if (!v.ok()) {
      throw StreamsException("suppression buffer '" + store +
                             "': cannot deserialize a value: " + std::string(v.status().message()));
    }
    // The buffered record's time: the prior value's own is not kept.
    return ValueAndTimestamp<V>{std::move(*v), (*entry)->timestamp};
  };
}

}  // namespace rill::streams::internal
