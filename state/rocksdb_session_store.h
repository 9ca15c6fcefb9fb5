// The persistent session store: Kafka Streams' RocksDBSessionStore over a segmented bytes
// store, with the semantics and iteration order of session_store.h. It runs on the same
// segmented RocksDB engine as the window store (internal/rocksdb_segmented_store.h): one
// RocksDB per store directory, a column family per segment of session ENDS, dropped whole
// once expired, and the commit protocol of the other RocksDB stores (writes become
// durable, with the changelog offset and observed stream time, in one atomic write at
// Commit()). Keys on disk are the changelog's session keys (session_key_schema.h) ordered
// by a comparator on (key, end, start), so scans come out in the store's order.
//
// Thread-safe; iterators stay valid while the writer continues, and after Close().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "state/rocksdb_resources.h"
#include "state/session_store.h"

namespace rill::state {

// Opens (creating if needed) the RocksDB session store `name` in `directory`. Every store
// of the process should share one `resources` (required). retention_ms > 0;
// segment_interval_ms > 0, or 0 for Kafka Streams' default max(retention / 2, 60 s); the
// interval is fixed when the directory is created. Errors: InvalidArgument for missing
// resources or bad parameters; the RocksDB error otherwise (e.g. IOError when another
// open store holds the directory, InvalidArgument for a directory of another store type).
absl::StatusOr<std::unique_ptr<SessionStore>> OpenRocksDbSessionStore(
    std::string name, std::string directory, std::shared_ptr<RocksDbResources> resources,
    int64_t retention_ms, int64_t segment_interval_ms);

// The ids of the segments in the store at `directory`, ascending. For tests and tools.
absl::StatusOr<std::vector<int64_t>> ListRocksDbSessionSegments(const std::string& directory);

}  // namespace rill::state
