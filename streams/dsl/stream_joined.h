// StreamJoined<K, V, VO>: how a KStream-KStream join keeps its state (Kafka Streams'
// StreamJoined) — the serdes of the key and of both sides' values, a name for the join's
// processors, a base name for its stores, RocksDB or in-memory stores, and whether the stores
// have changelogs. K, V and VO are the key, this stream's and the other stream's value types;
// StreamJoined<> (types left open) converts to any of them, like Materialized<>.
//
//   left.join(right, joiner, JoinWindows::ofTimeDifferenceWithNoGrace(5s),
//             StreamJoined<>::as("orders-payments").withName("match"));
//
// Store names: "<store name>-this-join-store" / "-other-join-store" (with "-outer-" before
// "this"/"other" on the outer sides, as Kafka Streams names them) and, for left and outer
// joins, "<store name>-outer-shared-join-store" / "-left-shared-join-store"; generated names
// ("KSTREAM-JOINTHIS-0000000004-store", ...) without a store name.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <type_traits>

#include "streams/dsl/materialized.h"
#include "streams/processor/record.h"
#include "streams/serde/serde.h"

namespace rill::streams {

template <class K = AnyType, class V = AnyType, class VO = AnyType>
struct StreamJoined {
  StreamJoined() = default;
  // From a StreamJoined whose types are left open (AnyType): the given parts carry over.
  template <class K2, class V2, class VO2>
    requires((std::is_same_v<K2, AnyType> || std::is_same_v<K2, K>) &&
             (std::is_same_v<V2, AnyType> || std::is_same_v<V2, V>) &&
             (std::is_same_v<VO2, AnyType> || std::is_same_v<VO2, VO>) &&
             !(std::is_same_v<K2, K> && std::is_same_v<V2, V> && std::is_same_v<VO2, VO>))
  StreamJoined(const StreamJoined<K2, V2, VO2>& other)  // NOLINT: implicit on purpose
      : name(other.name),
        store_name(other.store_name),
        store_type(other.store_type),
        logging(other.logging),
        changelog_configs(other.changelog_configs),
        outer_join_emit_interval(other.outer_join_emit_interval) {
    if constexpr (std::is_same_v<K2, K>) key_serde = other.key_serde;
    if constexpr (std::is_same_v<V2, V>) value_serde = other.value_serde;
    if constexpr (std::is_same_v<VO2, VO>) other_value_serde = other.other_value_serde;
  }

  // Base name of the join's processors ("<name>-this-join", "<name>-merge", ...) and of
  // its repartition topics ("<name>-left-repartition", "<name>-right-repartition").
  std::string name;
  // Base name of the join's stores; empty: generated (and not queryable).
  std::string store_name;
  Serde<K> key_serde;
  Serde<V> value_serde;
  Serde<VO> other_value_serde;
  StoreType store_type = StoreType::kRocksDb;
  bool logging = true;
  std::map<std::string, std::string> changelog_configs;
  // Left and outer joins find the records whose join window closed without a match by
  // scanning their shared store; like Kafka Streams, at most once per this much wall-clock
  // time (its internal __emit.interval.ms.kstreams.outer.join.spurious.results.fix__,
  // default 1 s). 0 scans after every record (tests).
  std::chrono::milliseconds outer_join_emit_interval{1000};

  static StreamJoined with(Serde<K> k, Serde<V> v, Serde<VO> vo) {
    StreamJoined s;
    s.key_serde = std::move(k);
    s.value_serde = std::move(v);
    s.other_value_serde = std::move(vo);
    return s;
  }
  static StreamJoined as(std::string store_name) {
    StreamJoined s;
    s.store_name = std::move(store_name);
    return s;
  }
  StreamJoined withName(std::string n) const { return Set([&](auto& s) { s.name = n; }); }
  StreamJoined withStoreName(std::string n) const {
    return Set([&](auto& s) { s.store_name = n; });
  }
  StreamJoined withKeySerde(Serde<K> k) const { return Set([&](auto& s) { s.key_serde = k; }); }
  StreamJoined withValueSerde(Serde<V> v) const {
    return Set([&](auto& s) { s.value_serde = v; });
  }
  StreamJoined withOtherValueSerde(Serde<VO> vo) const {
    return Set([&](auto& s) { s.other_value_serde = vo; });
  }
  // In-memory stores instead of RocksDB (Kafka Streams: in-memory store suppliers). They
  // still restore from their changelogs when logging is on.
  StreamJoined withStoreType(StoreType t) const { return Set([&](auto& s) { s.store_type = t; }); }
  StreamJoined withLoggingEnabled(std::map<std::string, std::string> configs = {}) const {
    return Set([&](auto& s) {
      s.logging = true;
      s.changelog_configs = configs;
    });
  }
  StreamJoined withLoggingDisabled() const { return Set([](auto& s) { s.logging = false; }); }
  StreamJoined withOuterJoinEmitInterval(std::chrono::milliseconds interval) const {
    if (interval.count() < 0) throw StreamsException("outer join emit interval must not be negative");
    return Set([&](auto& s) { s.outer_join_emit_interval = interval; });
  }

 private:
  template <class F>
  StreamJoined Set(F f) const {
    StreamJoined s = *this;
    f(s);
    return s;
  }
};

}  // namespace rill::streams
