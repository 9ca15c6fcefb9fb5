// Materialized<K, V>: the store behind a table or aggregation — its name (queryable over
// HTTP, and the changelog "<application.id>-<name>-changelog"), serdes, RocksDB or
// in-memory, caching and logging. K and V must be the key and result types of the operator
// it is given to; a mismatch is a compile-time error.
//
//   .count(Materialized<>::as("counts"))                  // types taken from count()
//   .count(Materialized<std::string, int64_t>::as("counts").withCachingDisabled())
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <type_traits>

#include "streams/serde/serde.h"

namespace rill::streams {

enum class StoreType { kRocksDb, kInMemory };

// "Whatever type the operator has": Materialized<> converts to the operator's
// Materialized<K, V>.
struct AnyType {};

template <class K = AnyType, class V = AnyType>
struct Materialized {
  Materialized() = default;
  // From a Materialized whose types are left open (AnyType): the given parts carry over.
  template <class K2, class V2>
    requires((std::is_same_v<K2, AnyType> || std::is_same_v<K2, K>) &&
             (std::is_same_v<V2, AnyType> || std::is_same_v<V2, V>) &&
             !(std::is_same_v<K2, K> && std::is_same_v<V2, V>))
  Materialized(const Materialized<K2, V2>& other)  // NOLINT: implicit on purpose
      : name(other.name),
        store_type(other.store_type),
        caching(other.caching),
        logging(other.logging),
        changelog_configs(other.changelog_configs),
        retention(other.retention) {
    if constexpr (std::is_same_v<K2, K>) key_serde = other.key_serde;
    if constexpr (std::is_same_v<V2, V>) value_serde = other.value_serde;
  }

  std::string name;  // empty: generated, and not queryable
  Serde<K> key_serde;
  Serde<V> value_serde;
  StoreType store_type = StoreType::kRocksDb;
  bool caching = true;
  bool logging = true;
  std::map<std::string, std::string> changelog_configs;
  // Window stores: how long windows are kept; unset: window size + grace (Kafka Streams'
  // default). Must be at least that much.
  std::optional<std::chrono::milliseconds> retention;

  static Materialized as(std::string n) {
    Materialized m;
    m.name = std::move(n);
    return m;
  }
  static Materialized as(StoreType type) {
    Materialized m;
    m.store_type = type;
    return m;
  }
  static Materialized with(Serde<K> k, Serde<V> v) {
    Materialized m;
    m.key_serde = std::move(k);
    m.value_serde = std::move(v);
    return m;
  }
  Materialized withKeySerde(Serde<K> k) const { return Set([&](auto& m) { m.key_serde = k; }); }
  Materialized withValueSerde(Serde<V> v) const {
    return Set([&](auto& m) { m.value_serde = v; });
  }
  Materialized withStoreType(StoreType t) const { return Set([&](auto& m) { m.store_type = t; }); }
  Materialized withCachingEnabled() const { return Set([](auto& m) { m.caching = true; }); }
  Materialized withCachingDisabled() const { return Set([](auto& m) { m.caching = false; }); }
  Materialized withLoggingEnabled(std::map<std::string, std::string> configs = {}) const {
    return Set([&](auto& m) {
      m.logging = true;
      m.changelog_configs = configs;
    });
  }
  Materialized withLoggingDisabled() const { return Set([](auto& m) { m.logging = false; }); }
  Materialized withRetention(std::chrono::milliseconds r) const {
    return Set([&](auto& m) { m.retention = r; });
  }

 private:
  template <class F>
  Materialized Set(F f) const {
    Materialized m = *this;
    f(m);
    return m;
  }
};

}  // namespace rill::streams
