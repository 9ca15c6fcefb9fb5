// The RocksDB objects behind RocksDbResources, for the stores of the state library only:
// every store's options point at these same two objects.
#pragma once

#include <memory>

#include "rocksdb/cache.h"
#include "rocksdb/write_buffer_manager.h"
#include "state/rocksdb_resources.h"

namespace rill::state {

struct RocksDbResources::Impl {
  std::shared_ptr<rocksdb::Cache> block_cache;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffer_manager;
};

}  // namespace rill::state
