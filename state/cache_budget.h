// CacheBudget: the one byte budget every caching store of the process draws on (Kafka
// Streams' statestore.cache.max.bytes, shared across threads and tasks). A cache reserves
// the bytes of each dirty entry it holds and, when a write pushes the total over the
// maximum, evicts its own oldest entries to the layer below until the total is back under
// or it has nothing left. A budget of 0 disables caching: every write goes through at once.
//
// Thread-safe (atomic counters). Create one per process and share it by shared_ptr.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace rill::state {

class CacheBudget {
 public:
  // What one cached entry costs beyond its key and value bytes: the map and LRU-order
  // nodes, the timestamp and bookkeeping. Approximate, as in Kafka Streams.
  static constexpr uint64_t kEntryOverheadBytes = 64;

  explicit CacheBudget(uint64_t max_bytes);

  CacheBudget(const CacheBudget&) = delete;
  CacheBudget& operator=(const CacheBudget&) = delete;

  // The bytes an entry with a key and value of these sizes reserves.
  static uint64_t EntryBytes(size_t key_size, size_t value_size) {
    return key_size + value_size + kEntryOverheadBytes;
  }

  uint64_t max_bytes() const { return max_bytes_; }
  uint64_t used_bytes() const { return used_bytes_.load(std::memory_order_relaxed); }
  // True while the caches together hold more than max_bytes().
  bool Exceeded() const { return used_bytes() > max_bytes_; }

  void Reserve(uint64_t bytes);
  // Returns bytes a cache reserved earlier; never more than it reserved.
  void Release(uint64_t bytes);

 private:
  const uint64_t max_bytes_;
  std::atomic<uint64_t> used_bytes_{0};
};

}  // namespace rill::state
