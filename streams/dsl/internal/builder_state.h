// BuilderState: the topology a StreamsBuilder is growing and its name counter, shared by
// every KStream/KTable handle it hands out.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>

#include "streams/dsl/internal/value_and_timestamp.h"
#include "streams/dsl/materialized.h"
#include "streams/serde/query_codec.h"
#include "streams/serde/serde.h"
#include "streams/topology/topology.h"

namespace rill::streams::internal {

class BuilderState {
 public:
  Topology topology;
  // Windowed aggregation node -> how long after a window's end its result may still change
  // (time and sliding windows: the grace period; session windows: gap + grace, as Kafka
  // Streams' GraphGraceSearchUtil). Suppressed::untilWindowCloses looks it up upstream.
  std::map<std::string, int64_t> window_close_grace_ms;

  // Kafka Streams' generated names: "<PREFIX>" + 10-digit index, one counter for nodes and
  // stores.
  std::string NewName(std::string_view prefix) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "%010d", index_++);
    return std::string(prefix) + buf;
  }
  std::string NameOr(const std::string& given, std::string_view prefix) {
    return given.empty() ? NewName(prefix) : given;
  }

 private:
  int index_ = 0;
};

// Kafka Streams' test for a generated name ("KSTREAM.*-[0-9]{10}"): the nodes around a
// repartition topic whose base name was generated get generated names too.
inline bool IsGeneratedName(std::string_view name) {
  if (name.size() < 18 || name.substr(0, 7) != "KSTREAM" || name[name.size() - 11] != '-') {
    return false;
  }
  for (char c : name.substr(name.size() - 10)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Readable type names for error messages.
template <class T>
std::string TypeName() {
  if constexpr (std::is_same_v<T, std::string>) return "std::string";
  else if constexpr (std::is_same_v<T, int64_t>) return "int64_t";
  else if constexpr (std::is_same_v<T, int32_t>) return "int32_t";
  else if constexpr (std::is_same_v<T, double>) return "double";
  else return typeid(T).name();
}

// A StoreSpec for a key-value store of K -> V, with the query adapters. `timestamped`:
// the values carry their timestamps (StoreSpec::timestamped).
template <class K, class V>
StoreSpec MakeKeyValueStoreSpec(std::string name, bool persistent, bool logging, bool caching,
                                std::map<std::string, std::string> changelog_configs,
                                Serde<K> ks, Serde<V> vs, bool queryable,
                                bool timestamped = false) {
  ks = OrDefault(ks);
  vs = OrDefault(vs);
  if (!ks || !vs) {
    throw StreamsException("store '" + name + "' of <" + TypeName<K>() + ", " + TypeName<V>() +
                           ">: no serde for a type without a default serde; pass one with "
                           "Materialized/StoreBuilder");
  }
  StoreSpec spec;
  if (timestamped) {
    spec.timestamped = true;
    spec.timestamped_value_serde = TimestampedSerde(vs);
    vs = ValueOnlySerde(vs);
  }
  spec.name = std::move(name);
  spec.persistent = persistent;
  spec.logging = logging;
  spec.caching = caching;
  spec.changelog_configs = std::move(changelog_configs);
  spec.queryable = queryable;
  spec.key_serde = ks;
  spec.value_serde = vs;
  spec.type_names = "<" + TypeName<K>() + ", " + TypeName<V>() + ">";
  spec.key_text_to_bytes = [ks](std::string_view text) -> absl::StatusOr<std::string> {
    auto key = QueryCodec<K>::FromText(text);
    if (!key.ok()) return key.status();
    std::string out;
    if (!ks.serialize(*key, out)) return absl::InvalidArgumentError("key serializes to null");
    return out;
  };
  spec.key_bytes_to_text = [ks](std::string_view bytes) -> std::string {
    auto key = ks.deserialize(bytes);
    if (!key.ok()) return "<undecodable>";
    nlohmann::json j = QueryCodec<K>::ToJson(*key);
    return j.is_string() ? j.get<std::string>() : j.dump();
  };
  spec.value_bytes_to_json = [vs](std::string_view bytes) -> nlohmann::json {
    auto value = vs.deserialize(bytes);
    if (!value.ok()) return nlohmann::json{{"error", std::string(value.status().message())}};
    return QueryCodec<V>::ToJson(*value);
  };
  return spec;
}

template <class K, class V>
StoreSpec MakeStoreSpec(const Materialized<K, V>& m, std::string name, bool queryable) {
  return MakeKeyValueStoreSpec<K, V>(std::move(name), m.store_type == StoreType::kRocksDb,
                                     m.logging, m.caching, m.changelog_configs, m.key_serde,
                                     m.value_serde, queryable);
}

// The store of a DSL table or aggregation: values keep their timestamps, which decide the
// timestamps of aggregation and join results as in Kafka Streams.
template <class K, class V>
StoreSpec MakeTimestampedStoreSpec(const Materialized<K, V>& m, std::string name,
                                   bool queryable) {
  return MakeKeyValueStoreSpec<K, V>(std::move(name), m.store_type == StoreType::kRocksDb,
                                     m.logging, m.caching, m.changelog_configs, m.key_serde,
                                     m.value_serde, queryable, /*timestamped=*/true);
}

}  // namespace rill::streams::internal
