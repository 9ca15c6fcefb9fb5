#include "state/rocksdb_resources.h"

#include <utility>

#include "state/internal/rocksdb_resources_impl.h"

namespace rill::state {
namespace {

// Share of the cache kept for index and filter blocks (high priority), so a burst of
// data-block reads cannot evict the blocks every lookup needs.
constexpr double kHighPriorityPoolRatio = 0.1;

}  // namespace

std::shared_ptr<RocksDbResources> RocksDbResources::Create(const RocksDbResourceOptions& options) {
  auto impl = std::make_unique<Impl>();
  // Not a strict limit: RocksDB would fail reads when the cache is full of pinned blocks.
  impl->block_cache = rocksdb::NewLRUCache(options.block_cache_bytes, /*num_shard_bits=*/-1,
                                           /*strict_capacity_limit=*/false, kHighPriorityPoolRatio);
  // Charging memtables to the cache makes block_cache_bytes the bound on both. No stall:
  // over the limit RocksDB flushes memtables early instead of blocking the stream thread.
  impl->write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
      options.write_buffer_bytes, impl->block_cache, /*allow_stall=*/false);
  return std::shared_ptr<RocksDbResources>(new RocksDbResources(options, std::move(impl)));
}

RocksDbResources::RocksDbResources(const RocksDbResourceOptions& options,
                                   std::unique_ptr<Impl> impl)
    : options_(options), impl_(std::move(impl)) {}

RocksDbResources::~RocksDbResources() = default;

uint64_t RocksDbResources::BlockCacheUsage() const { return impl_->block_cache->GetUsage(); }

uint64_t RocksDbResources::MemtableUsage() const {
  return impl_->write_buffer_manager->memory_usage();
}

}  // namespace rill::state
