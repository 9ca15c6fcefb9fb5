// WindowStore<K, V>: the typed view of a task's window store (Kafka Streams' WindowStore /
// ReadOnlyWindowStore): values per key and window start. Reads return the matching entries
// as vectors, oldest window first (latest first for the backward variants); a window store
// holds a bounded number of windows per key, so there is no open iterator to close. Errors
// of the store underneath throw StreamsException.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "state/window_store.h"
#include "streams/dsl/windows.h"
#include "streams/processor/record.h"
#include "streams/serde/serde.h"

namespace rill::streams {

template <class K, class V>
class WindowStore {
 public:
  // `window_size_ms` gives the windows' ends (the store keeps starts only).
  WindowStore(state::WindowStore* store, Serde<K> ks, Serde<V> vs, int64_t window_size_ms)
      : store_(store), ks_(std::move(ks)), vs_(std::move(vs)), window_size_ms_(window_size_ms) {}

  const std::string& name() const { return store_->name(); }

  // The value of `key`'s window starting at `window_start`.
  std::optional<V> fetch(const K& key, int64_t window_start) const {
    auto bytes = store_->Fetch(Key(key), window_start);
    if (!bytes.ok()) Fail(bytes.status());
    if (!bytes->has_value()) return std::nullopt;
    return Value(**bytes);
  }
  // (window start, value) of `key`'s windows starting in [time_from, time_to].
  std::vector<KeyValue<int64_t, V>> fetch(const K& key, int64_t time_from, int64_t time_to) const {
    return Starts(store_->Fetch(Key(key), time_from, time_to, /*backward=*/false));
  }
  std::vector<KeyValue<int64_t, V>> backwardFetch(const K& key, int64_t time_from,
                                                  int64_t time_to) const {
    return Starts(store_->Fetch(Key(key), time_from, time_to, /*backward=*/true));
  }
  // Every key's windows starting in [time_from, time_to], by key then start.
  std::vector<KeyValue<Windowed<K>, V>> fetchAll(int64_t time_from, int64_t time_to) const {
    return Entries(store_->FetchAll(time_from, time_to));
  }
  std::vector<KeyValue<Windowed<K>, V>> all() const { return Entries(store_->All()); }

  // Writes (or with nullopt deletes) `key`'s window starting at `window_start`. A window
  // already past the store's retention is dropped, as in Kafka Streams.
  void put(const K& key, const std::optional<V>& value, int64_t window_start) {
    std::string v;
    bool has_value = value && vs_.serialize(*value, v);
    auto r = store_->Put(Key(key), window_start,
                         has_value ? std::optional<std::string_view>(v) : std::nullopt);
    if (!r.ok()) Fail(r.status());
  }

 private:
  [[noreturn]] void Fail(const absl::Status& s) const {
    throw StreamsException("window store " + name() + ": " + std::string(s.message()));
  }
  std::string Key(const K& key) const {
    std::string out;
    if (!ks_.serialize(key, out)) throw StreamsException("window store " + name() + ": null key");
    return out;
  }
  V Value(std::string_view bytes) const {
    auto v = vs_.deserialize(bytes);
    if (!v.ok()) Fail(v.status());
    return std::move(*v);
  }
  std::vector<KeyValue<int64_t, V>> Starts(std::unique_ptr<state::WindowStoreIterator> it) const {
    std::vector<KeyValue<int64_t, V>> out;
    for (; it->Valid(); it->Next()) out.push_back({it->window_start(), Value(it->value())});
    if (!it->status().ok()) Fail(it->status());
    return out;
  }
  std::vector<KeyValue<Windowed<K>, V>> Entries(std::unique_ptr<state::WindowStoreIterator> it) const {
    std::vector<KeyValue<Windowed<K>, V>> out;
    for (; it->Valid(); it->Next()) {
      auto k = ks_.deserialize(it->key());
      if (!k.ok()) Fail(k.status());
      const int64_t start = it->window_start();
      out.push_back({Windowed<K>{std::move(*k), Window{start, start + window_size_ms_}},
                     Value(it->value())});
    }
    if (!it->status().ok()) Fail(it->status());
    return out;
  }

  state::WindowStore* store_;
  Serde<K> ks_;
  Serde<V> vs_;
  int64_t window_size_ms_;
};

}  // namespace rill::streams
