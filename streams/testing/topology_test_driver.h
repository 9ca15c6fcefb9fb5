// TopologyTestDriver: runs a Topology without a broker — pipe records into input topics,
// read what sinks wrote, look into stores, advance wall-clock time (Kafka Streams'
// TopologyTestDriver). It runs the same StreamTask code as the runtime: one task per
// sub-topology (partition 0), repartition topics looped back in-process, stores on RocksDB
// (in a temporary state directory) or in memory as the topology says. Everything sinks
// write, changelogs and repartition topics included, can be read with createOutputTopic.
// After each piped record the driver processes everything that follows from it and commits
// (flushing caches), so outputs are visible at once.
//
// Not thread-safe; single use per test.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "streams/processor/internal/node.h"
#include "streams/processor/key_value_store.h"
#include "streams/processor/session_store.h"
#include "streams/processor/window_store.h"
#include "streams/serde/serde.h"
#include "streams/topology/topology.h"

namespace rill::streams {

struct TestDriverConfig {
  std::string application_id = "test-app";
  int64_t initial_wall_clock_ms = 0;
  uint64_t cache_max_bytes = 10 * 1024 * 1024;  // Kafka Streams' default
  // "log-and-continue" (default) or "fail".
  std::string deserialization_handler = "log-and-continue";
  // "fail" (default: the pipe throws) or "log-and-continue" (the record is skipped and
  // counted as "processing-error").
  std::string processing_handler = "fail";
};

template <class K, class V>
class TestInputTopic;
template <class K, class V>
class TestOutputTopic;

class TopologyTestDriver {
 public:
  explicit TopologyTestDriver(Topology topology, TestDriverConfig config = {});
  ~TopologyTestDriver();
  TopologyTestDriver(const TopologyTestDriver&) = delete;
  TopologyTestDriver& operator=(const TopologyTestDriver&) = delete;

  template <class K, class V>
  TestInputTopic<K, V> createInputTopic(const std::string& topic, Serde<K> ks = {},
                                        Serde<V> vs = {}, int64_t start_timestamp_ms = 0,
                                        std::chrono::milliseconds auto_advance = {}) {
    return TestInputTopic<K, V>(this, topic, OrDefault(ks), OrDefault(vs), start_timestamp_ms,
                                auto_advance.count());
  }
  template <class K, class V>
  TestOutputTopic<K, V> createOutputTopic(const std::string& topic, Serde<K> ks = {},
                                          Serde<V> vs = {}) {
    return TestOutputTopic<K, V>(this, topic, OrDefault(ks), OrDefault(vs));
  }

  // The store's contents. Throws StreamsException for an unknown store or other types.
  template <class K, class V>
  KeyValueStore<K, V> getKeyValueStore(const std::string& name) {
    auto [store, ks, vs] = TypedStore<K, V>(name);
    if (store->store == nullptr) throw StreamsException("store '" + name + "' is not a key-value store");
    return KeyValueStore<K, V>(store->store, ks, vs);
  }
  // The window store's contents (keys K, values V; windows of the store's size).
  template <class K, class V>
  WindowStore<K, V> getWindowStore(const std::string& name) {
    auto [store, ks, vs] = TypedStore<K, V>(name);
    if (store->window_store == nullptr) throw StreamsException("store '" + name + "' is not a window store");
    return WindowStore<K, V>(store->window_store, ks, vs, store->spec->window_size_ms);
  }
  // The session store's contents (keys K, values V).
  template <class K, class V>
  SessionStore<K, V> getSessionStore(const std::string& name) {
    auto [store, ks, vs] = TypedStore<K, V>(name);
    if (store->session_store == nullptr) {
      throw StreamsException("store '" + name + "' is not a session store");
    }
    return SessionStore<K, V>(store->session_store, ks, vs);
  }

  // Moves wall-clock time forward and fires due wall-clock punctuations.
  void advanceWallClockTime(std::chrono::milliseconds by);

  // Records dropped so far (deserialization errors, null keys, ...), by reason.
  const std::map<std::string, int64_t>& droppedRecords() const { return dropped_; }

  // --- used by TestInputTopic / TestOutputTopic ---
  void PipeRaw(const std::string& topic, internal::RawRecord record);
  std::deque<internal::RawRecord>& OutputQueue(const std::string& topic) { return outputs_[topic]; }

 private:
  class Collector;
  struct Impl;
  internal::StoreInstance* FindStore(const std::string& name);
  // The store and its serdes, checked against the requested types.
  template <class K, class V>
  std::tuple<internal::StoreInstance*, Serde<K>, Serde<V>> TypedStore(const std::string& name) {
    internal::StoreInstance* store = FindStore(name);
    const auto* ks = std::any_cast<Serde<K>>(&store->spec->key_serde);
    const auto* vs = std::any_cast<Serde<V>>(&store->spec->value_serde);
    if (ks == nullptr || vs == nullptr) {
      throw StreamsException("store '" + name + "' holds " + store->spec->type_names +
                             ", not the types requested");
    }
    return {store, *ks, *vs};
  }
  void ProcessAll();
  void Commit();

  std::unique_ptr<Impl> impl_;
  std::map<std::string, std::deque<internal::RawRecord>> outputs_;
  std::map<std::string, int64_t> dropped_;
};

template <class K, class V>
class TestInputTopic {
 public:
  TestInputTopic(TopologyTestDriver* driver, std::string topic, Serde<K> ks, Serde<V> vs,
                 int64_t start_ms, int64_t advance_ms)
      : driver_(driver), topic_(std::move(topic)), ks_(std::move(ks)), vs_(std::move(vs)),
        next_ms_(start_ms), advance_ms_(advance_ms) {}

  void pipeInput(const K& key, const V& value, int64_t timestamp_ms) {
    pipeRecord(Record<K, V>{key, value, timestamp_ms, {}});
  }
  // Uses the topic's current time, then advances it by the auto-advance step.
  void pipeInput(const K& key, const V& value) {
    pipeInput(key, value, next_ms_);
    next_ms_ += advance_ms_;
  }
  void pipeRecord(const Record<K, V>& r) {
    internal::RawRecord raw;
    std::string buf;
    if (ks_.serialize(r.key, buf)) raw.key = std::move(buf);
    buf.clear();
    if (vs_.serialize(r.value, buf)) raw.value = std::move(buf);
    raw.timestamp = r.timestamp;
    raw.headers = r.headers;
    driver_->PipeRaw(topic_, std::move(raw));
  }
  void pipeKeyValueList(const std::vector<KeyValue<K, V>>& records) {
    for (const auto& kv : records) pipeInput(kv.key, kv.value);
  }
  // Bytes as they would arrive from a producer that does not use Rill's serdes (poison
  // records in tests).
  void pipeRawBytes(std::optional<std::string> key, std::optional<std::string> value,
                    int64_t timestamp_ms) {
    driver_->PipeRaw(topic_, internal::RawRecord{std::move(key), std::move(value), timestamp_ms, {}});
  }
  void advanceTime(std::chrono::milliseconds by) { next_ms_ += by.count(); }

 private:
  TopologyTestDriver* driver_;
  std::string topic_;
  Serde<K> ks_;
  Serde<V> vs_;
  int64_t next_ms_;
  int64_t advance_ms_;
};

template <class K, class V>
class TestOutputTopic {
 public:
  TestOutputTopic(TopologyTestDriver* driver, std::string topic, Serde<K> ks, Serde<V> vs)
      : driver_(driver), topic_(std::move(topic)), ks_(std::move(ks)), vs_(std::move(vs)) {}

  bool isEmpty() const { return driver_->OutputQueue(topic_).empty(); }
  size_t getQueueSize() const { return driver_->OutputQueue(topic_).size(); }

  Record<K, V> readRecord() {
    auto& q = driver_->OutputQueue(topic_);
    if (q.empty()) throw StreamsException("output topic '" + topic_ + "' is empty");
    internal::RawRecord raw = std::move(q.front());
    q.pop_front();
    auto k = ks_.deserialize(raw.key);
    auto v = vs_.deserialize(raw.value);
    if (!k.ok() || !v.ok()) {
      throw StreamsException("output topic '" + topic_ + "': " +
                             std::string((!k.ok() ? k.status() : v.status()).message()));
    }
    return Record<K, V>{std::move(*k), std::move(*v), raw.timestamp, std::move(raw.headers)};
  }
  KeyValue<K, V> readKeyValue() {
    Record<K, V> r = readRecord();
    return {std::move(r.key), std::move(r.value)};
  }
  V readValue() { return readRecord().value; }
  std::vector<KeyValue<K, V>> readKeyValuesToList() {
    std::vector<KeyValue<K, V>> out;
    while (!isEmpty()) out.push_back(readKeyValue());
    return out;
  }
  // The last value per key.
  std::map<K, V> readKeyValuesToMap() {
    std::map<K, V> out;
    while (!isEmpty()) {
      KeyValue<K, V> kv = readKeyValue();
      out.insert_or_assign(std::move(kv.key), std::move(kv.value));
    }
    return out;
  }

 private:
  TopologyTestDriver* driver_;
  std::string topic_;
  Serde<K> ks_;
  Serde<V> vs_;
};

}  // namespace rill::streams
