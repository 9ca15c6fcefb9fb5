// Stores and StoreBuilder<K, V>: state stores a Processor API user adds with
// StreamsBuilder::addStateStore and connects to process()/processValues() by name
// (Kafka Streams' Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), ...)).
#pragma once

#include <map>
#include <string>

#include "streams/dsl/materialized.h"
#include "streams/serde/serde.h"

namespace rill::streams {

struct KeyValueBytesStoreSupplier {
  std::string name;
  StoreType type = StoreType::kRocksDb;
};

template <class K, class V>
struct StoreBuilder {
  KeyValueBytesStoreSupplier supplier;
  Serde<K> key_serde;
  Serde<V> value_serde;
  bool caching = false;  // Kafka Streams' default for built stores
  bool logging = true;
  std::map<std::string, std::string> changelog_configs;

  StoreBuilder withCachingEnabled() const { return Set([](auto& b) { b.caching = true; }); }
  StoreBuilder withCachingDisabled() const { return Set([](auto& b) { b.caching = false; }); }
  StoreBuilder withLoggingEnabled(std::map<std::string, std::string> configs = {}) const {
    return Set([&](auto& b) {
      b.logging = true;
      b.changelog_configs = configs;
    });
  }
  StoreBuilder withLoggingDisabled() const { return Set([](auto& b) { b.logging = false; }); }

 private:
  template <class F>
  StoreBuilder Set(F f) const {
    StoreBuilder b = *this;
    f(b);
    return b;
  }
};

struct Stores {
  static KeyValueBytesStoreSupplier persistentKeyValueStore(std::string name) {
    return {std::move(name), StoreType::kRocksDb};
  }
  static KeyValueBytesStoreSupplier inMemoryKeyValueStore(std::string name) {
    return {std::move(name), StoreType::kInMemory};
  }
  template <class K, class V>
  static StoreBuilder<K, V> keyValueStoreBuilder(KeyValueBytesStoreSupplier supplier,
                                                 Serde<K> key_serde, Serde<V> value_serde) {
    StoreBuilder<K, V> builder;
    builder.supplier = std::move(supplier);
    builder.key_serde = std::move(key_serde);
    builder.value_serde = std::move(value_serde);
    return builder;
  }
};

}  // namespace rill::streams
