// KeyValueStore: the byte-level key-value store every typed store of the streams library
// sits on (Kafka Streams' KeyValueStore<Bytes, byte[]>). Implementations: RocksDB and
// in-memory (the inner stores), and the change-logging and caching layers that wrap them.
//
// Keys order bytewise (unsigned), as serialized keys do in Kafka Streams.
//
// Thread safety: every method may be called from any thread. One stream thread writes a
// store; interactive queries read it concurrently from the HTTP server's threads.
//
// Lifecycle (flush, commit with the changelog offset, restore, close): see StateStore.
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
#include "state/state_store.h"

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

using KeyValueEntries = std::vector<std::pair<std::string, std::optional<std::string>>>;

class KeyValueStore : public StateStore {
 public:
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
};

}  // namespace rill::state
