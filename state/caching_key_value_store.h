// The caching layer (Kafka Streams' CachingKeyValueStore): absorbs repeated writes to the
// same key so that only the latest value per key reaches the layers below (changelog,
// RocksDB) and the downstream processors, at flush/commit time or when the process-wide
// CacheBudget runs out. Sits on top: caching -> change-logging -> inner store.
//
// Writes land in a per-store dirty cache: the latest value of each key (nullopt for a
// delete), with the record timestamp current at the write. Reads see the cache first, then
// the inner store; Range and PrefixScan merge both (the cache wins, cached deletes hide
// keys). Flush() writes every dirty entry to the inner store, oldest write first, and calls
// the listener with the new value, the value the inner store held before (the "old value"
// Kafka Streams' sendOldValues forwards) and the remembered timestamp; the listener is not
// called when both are absent (deleting a key that never existed). After a write that
// leaves the budget exceeded, this store evicts its least recently written entries the
// same way until the budget is met or its cache is empty. With a budget of 0 every write
// therefore goes straight through, listener included.
//
// Only dirty entries are cached; a flushed entry leaves the cache. Old values are read
// from the inner store only when a listener is set.
//
// Thread-safe: a mutex guards the cache; flushes are serialized and call the inner store
// and the listener without holding it, so readers and a listener that reads or writes this
// same store do not deadlock. A write made from inside the listener stays dirty until the
// next eviction or the rest of the running Flush(). A listener exception propagates out of
// the write or Flush() that flushed; entries flushed before it are not flushed twice.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "state/cache_budget.h"
#include "state/key_value_store.h"

namespace rill::state {

// One entry as it leaves the cache. The views are valid during the listener call only.
struct CacheFlushEntry {
  std::string_view key;
  std::optional<std::string_view> new_value;  // nullopt: the key was deleted
  std::optional<std::string_view> old_value;  // what the inner store held before
  int64_t timestamp;                          // record_timestamp() at the latest write
};

using CacheFlushListener = std::function<void(const CacheFlushEntry&)>;

// `budget` is shared with every other cache of the process (required). `record_timestamp`
// returns the timestamp of the record being processed (empty: 0). `listener` may be empty.
std::unique_ptr<KeyValueStore> NewCachingKeyValueStore(std::unique_ptr<KeyValueStore> inner,
                                                       std::shared_ptr<CacheBudget> budget,
                                                       std::function<int64_t()> record_timestamp,
                                                       CacheFlushListener listener);

}  // namespace rill::state
