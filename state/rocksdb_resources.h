// RocksDbResources: the memory every RocksDB store of the process shares — one LRU block
// cache and one write-buffer manager whose memtables are charged to that cache — so the
// RocksDB footprint stays bounded by `block_cache_bytes` whatever the number of tasks and
// stores (DESIGN.md §4; Kafka Streams' BoundedMemoryRocksDBConfig). Create one per process
// (KafkaStreams does) and pass it to every OpenRocksDbKeyValueStore().
//
// Thread-safe. Stores keep the resources alive, so the handle may be dropped before them.
#pragma once

#include <cstdint>
#include <memory>

namespace rill::state {

struct RocksDbResourceOptions {
  // Total memory of all RocksDB stores: data, index and filter blocks, plus memtables.
  uint64_t block_cache_bytes = 64 << 20;
  // The part of block_cache_bytes memtables may take before RocksDB flushes them.
  uint64_t write_buffer_bytes = 32 << 20;
};

class RocksDbResources {
 public:
  static std::shared_ptr<RocksDbResources> Create(const RocksDbResourceOptions& options);
  ~RocksDbResources();

  RocksDbResources(const RocksDbResources&) = delete;
  RocksDbResources& operator=(const RocksDbResources&) = delete;

  const RocksDbResourceOptions& options() const { return options_; }
  // Bytes charged to the shared block cache now, memtable reservations included.
  uint64_t BlockCacheUsage() const;
  // Bytes of memtables across every store now.
  uint64_t MemtableUsage() const;

  // The RocksDB objects, defined in state/internal/rocksdb_resources_impl.h so that this
  // header stays free of RocksDB's; only the state library's stores use them.
  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  RocksDbResources(const RocksDbResourceOptions& options, std::unique_ptr<Impl> impl);

  RocksDbResourceOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rill::state
