// KeyValueStore<K, V>: the typed view of a task's key-value store that processors use
// (Kafka Streams' KeyValueStore). A cheap handle: copies refer to the same store. Errors of
// the store underneath throw StreamsException (the runtime routes it to the processing
// exception handler).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "state/key_value_store.h"
#include "streams/processor/record.h"
#include "streams/serde/serde.h"

namespace rill::streams {

template <class K, class V>
class KeyValueIterator {
 public:
  KeyValueIterator(std::unique_ptr<state::KeyValueIterator> it, Serde<K> ks, Serde<V> vs)
      : it_(std::move(it)), ks_(std::move(ks)), vs_(std::move(vs)) {}
  bool hasNext() const { return it_->Valid(); }
  KeyValue<K, V> next() {
    auto k = ks_.deserialize(it_->key());
    auto v = vs_.deserialize(it_->value());
    if (!k.ok() || !v.ok()) {
      throw StreamsException("store iterator: cannot deserialize an entry: " +
                             std::string((!k.ok() ? k.status() : v.status()).message()));
    }
    it_->Next();
    return {std::move(*k), std::move(*v)};
  }
  // Every remaining entry.
  std::vector<KeyValue<K, V>> toList() {
    std::vector<KeyValue<K, V>> out;
    while (hasNext()) out.push_back(next());
    return out;
  }

 private:
  std::unique_ptr<state::KeyValueIterator> it_;
  Serde<K> ks_;
  Serde<V> vs_;
};

template <class K, class V>
class KeyValueStore {
 public:
  KeyValueStore(state::KeyValueStore* store, Serde<K> ks, Serde<V> vs)
      : store_(store), ks_(std::move(ks)), vs_(std::move(vs)) {}

  const std::string& name() const { return store_->name(); }

  std::optional<V> get(const K& key) const {
    auto bytes = Check(store_->Get(Key(key)));
    if (!bytes) return std::nullopt;
    auto v = vs_.deserialize(*bytes);
    if (!v.ok()) throw StreamsException("store " + name() + ": " + std::string(v.status().message()));
    return std::move(*v);
  }
  void put(const K& key, const V& value) {
    std::string v;
    if (vs_.serialize(value, v)) {
      Check(store_->Put(Key(key), v));
    } else {
      Check(store_->Put(Key(key), std::nullopt));
    }
  }
  // Returns the existing value when there was one (then nothing is written).
  std::optional<V> putIfAbsent(const K& key, const V& value) {
    std::string v;
    vs_.serialize(value, v);
    auto old = Check(store_->PutIfAbsent(Key(key), v));
    if (!old) return std::nullopt;
    return Value(*old);
  }
  void putAll(const std::vector<KeyValue<K, V>>& entries) {
    state::KeyValueEntries raw;
    for (const auto& e : entries) {
      std::string v;
      if (vs_.serialize(e.value, v)) {
        raw.emplace_back(Key(e.key), std::move(v));
      } else {
        raw.emplace_back(Key(e.key), std::nullopt);
      }
    }
    Check(store_->PutAll(raw));
  }
  // Kafka Streams' delete(key) ("delete" is a C++ keyword). Returns the old value.
  std::optional<V> remove(const K& key) {
    auto old = Check(store_->Delete(Key(key)));
    if (!old) return std::nullopt;
    return Value(*old);
  }
  // Entries with from <= key <= to in serialized-key order.
  KeyValueIterator<K, V> range(const K& from, const K& to) const {
    std::string f = Key(from), t = Key(to);
    return Iter(store_->Range(f, t, false));
  }
  KeyValueIterator<K, V> reverseRange(const K& from, const K& to) const {
    std::string f = Key(from), t = Key(to);
    return Iter(store_->Range(f, t, true));
  }
  KeyValueIterator<K, V> all() const { return Iter(store_->Range(std::nullopt, std::nullopt)); }
  KeyValueIterator<K, V> reverseAll() const {
    return Iter(store_->Range(std::nullopt, std::nullopt, true));
  }
  // Entries whose serialized key starts with the serialized `prefix` (of type P).
  template <class P>
  KeyValueIterator<K, V> prefixScan(const P& prefix, const Serde<P>& prefix_serde) const {
    std::string p;
    prefix_serde.serialize(prefix, p);
    return Iter(store_->PrefixScan(p));
  }
  uint64_t approximateNumEntries() const { return store_->ApproximateNumEntries(); }

 private:
  std::string Key(const K& key) const {
    std::string out;
    if (!ks_.serialize(key, out)) throw StreamsException("store " + name() + ": null key");
    return out;
  }
  V Value(const std::string& bytes) const {
    auto v = vs_.deserialize(bytes);
    if (!v.ok()) throw StreamsException("store " + name() + ": " + std::string(v.status().message()));
    return std::move(*v);
  }
  KeyValueIterator<K, V> Iter(std::unique_ptr<state::KeyValueIterator> it) const {
    return KeyValueIterator<K, V>(std::move(it), ks_, vs_);
  }
  void Check(const absl::Status& s) const {
    if (!s.ok()) throw StreamsException("store " + name() + ": " + std::string(s.message()));
  }
  template <class T>
  T Check(absl::StatusOr<T> s) const {
    if (!s.ok()) throw StreamsException("store " + name() + ": " + std::string(s.status().message()));
    return std::move(*s);
  }

  state::KeyValueStore* store_;
  Serde<K> ks_;
  Serde<V> vs_;
};

}  // namespace rill::streams
