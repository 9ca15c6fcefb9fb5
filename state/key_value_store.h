// KeyValueStore: the byte-level key-value store every typed store of the streams library
// sits on (Kafka Streams' KeyValueStore<Bytes, byte[]>). Implementations: RocksDB and
// in-memory (the inner stores), and the change-logging and caching layers that wrap them.
//
// Keys order bytewise (unsigned), as serialized keys do in Kafka Streams.
//
// Thread safety: every method may be called from any thread. One stream thread writes a
// store; interactive queries read it concurrently from the HTTP server's threads.
//
// Commit protocol (DESIGN.md §4, "stores that survive an unclean stop"): writes become
// durable only in Commit(), together with the changelog offset they reach. Reads always see
// every write made so far, committed or not. After a crash a persistent store is exactly at
// its last Commit(), and restoration replays the changelog after CommittedOffset().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rill::state {

// Iterates key-value pairs in key order (or reverse order). An iterator sees the store as
// it was when the iterator was created; writes made afterwards may or may not show.
class KeyValueIterator {
 public:
  virtual ~KeyValueIterator() = default;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  // Only while Valid().
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // Non-OK when iteration stopped because of an error (then Valid() is false).
  virtual absl::Status status() const = 0;
};

// One changelog record as restoration reads it: value nullopt is a tombstone.
struct ChangelogRecord {
  std::string key;
  std::optional<std::string> value;
};

using KeyValueEntries = std::vector<std::pair<std::string, std::optional<std::string>>>;

class KeyValueStore {
 public:
  virtual ~KeyValueStore() = default;

  virtual const std::string& name() const = 0;
  // True when the inner store keeps its data on disk across restarts (RocksDB).
  virtual bool persistent() const = 0;

  // The value of `key`, or nullopt when absent.
  virtual absl::StatusOr<std::optional<std::string>> Get(std::string_view key) = 0;
  // value nullopt deletes the key (Kafka Streams' put(key, null)).
  virtual absl::Status Put(std::string_view key, std::optional<std::string_view> value) = 0;
  // Writes only when `key` is absent. Returns the existing value (nothing written), or
  // nullopt when it wrote.
  virtual absl::StatusOr<std::optional<std::string>> PutIfAbsent(std::string_view key,
                                                                 std::string_view value) = 0;
  virtual absl::Status PutAll(const KeyValueEntries& entries) = 0;
  // Deletes `key`; returns the value it had.
  virtual absl::StatusOr<std::optional<std::string>> Delete(std::string_view key) = 0;

  // Keys in [from, to], both inclusive as in Kafka Streams; a nullopt bound is open.
  // from > to yields an empty iterator.
  virtual std::unique_ptr<KeyValueIterator> Range(std::optional<std::string_view> from,
                                                  std::optional<std::string_view> to,
                                                  bool reverse = false) = 0;
  std::unique_ptr<KeyValueIterator> All(bool reverse = false) {
    return Range(std::nullopt, std::nullopt, reverse);
  }
  // Keys that start with `prefix`, in order.
  virtual std::unique_ptr<KeyValueIterator> PrefixScan(std::string_view prefix) = 0;
  virtual uint64_t ApproximateNumEntries() = 0;

  // Pushes writes buffered by upper layers (the cache) down to the inner store and into the
  // changelog. Called before the task's producer is flushed at commit.
  virtual absl::Status Flush() = 0;
  // Makes every write so far durable, atomically with `changelog_offset`: the offset of the
  // last changelog record those writes produced (nullopt when the store has no changelog or
  // produced nothing new). Layers forward it to the inner store.
  virtual absl::Status Commit(std::optional<int64_t> changelog_offset) = 0;
  // The changelog offset saved by the last Commit() or Restore(); restoration resumes at
  // this + 1. nullopt: restore from the start of the changelog.
  virtual std::optional<int64_t> CommittedOffset() = 0;
  // Applies changelog records read during restoration straight to the inner store (no
  // cache, no changelog write) and records `last_offset` as committed, atomically.
  virtual absl::Status Restore(const std::vector<ChangelogRecord>& records,
                               int64_t last_offset) = 0;
  // Drops uncommitted writes (never applied to disk) and releases resources. A closed store
  // only answers errors.
  virtual absl::Status Close() = 0;
};

}  // namespace rill::state
