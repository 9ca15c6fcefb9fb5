// The persistent inner store: one RocksDB instance per store per task (DESIGN.md §4).
//
// Uncommitted writes stay in memory, in a write batch that every read (Get, Range,
// PrefixScan) sees on top of the DB. Commit() writes that batch and the changelog offset it
// reaches to the DB in one atomic write, so after a crash, clean or not, the store is
// exactly at its last Commit() and CommittedOffset() says where restoration resumes
// ("stores that survive an unclean stop"). The offset lives in its own column family and
// never appears among the store's keys. The batch is not bounded: the caching layer above
// and the commit interval keep it small.
//
// Keys order bytewise (unsigned). Thread-safe: one internal mutex; iterators work on a
// RocksDB snapshot plus a copy of the uncommitted entries in their range, so they stay
// valid while the writer continues, and even after Close() (the DB closes when the last
// iterator is gone; until then the directory stays locked).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "state/key_value_store.h"
#include "state/rocksdb_resources.h"

namespace rill::state {

// Opens (creating if needed) the RocksDB store `name` in `directory`, which is created with
// its parents. Every store of the process should share one `resources` (required).
// Errors: InvalidArgument without resources; the RocksDB error (e.g. IOError when the
// directory is locked by another open store) otherwise.
absl::StatusOr<std::unique_ptr<KeyValueStore>> OpenRocksDbKeyValueStore(
    std::string name, std::string directory, std::shared_ptr<RocksDbResources> resources);

}  // namespace rill::state
