// The persistent window store: Kafka Streams' segmented RocksDB window store
// (RocksDBWindowStore over RocksDBSegmentedBytesStore / KeyValueSegments), with the
// semantics and iteration order of window_store.h and the commit protocol of
// rocksdb_key_value_store.h.
//
// One RocksDB instance per store directory, using the process-wide RocksDbResources. Each
// segment (window starts [id * interval, (id + 1) * interval)) is a column family named
// "segment-<id>"; Kafka Streams opens one RocksDB per segment instead, which multiplies
// WALs, manifests and open files. A column family rather than a key prefix removed with
// DeleteRange, because dropping a column family frees the segment's files at once, while
// a range tombstone only hides the keys until compaction rewrites them and slows every
// read that crosses it until then. Keys are the changelog's window store keys
// (window_key_schema.h) ordered by a comparator on (key, window start, seqnum), so the
// bytes on disk are the bytes in the changelog and scans come out in the store's order
// without filtering.
//
// Uncommitted writes stay in a write batch that every read sees; Commit() writes it with
// the changelog offset, the observed stream time and (when it retains duplicates) the
// sequence number to the `rill-meta` column family in one atomic write. Segments are only
// dropped after that write, for the stream time it committed: dropping one earlier could
// lose windows that the last commit still holds if the process then crashes. A store that
// reopens is therefore exactly at its last commit, and continues its stream time and
// sequence numbers from there.
//
// Thread-safe: one internal mutex; iterators work on RocksDB's implicit snapshots plus a
// copy of the uncommitted entries in their range, so they stay valid while the writer
// continues, and even after Close() or a segment drop (the column families and the DB
// close when the last iterator is gone).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "state/rocksdb_resources.h"
#include "state/window_store.h"

namespace rill::state {

// Opens (creating if needed) the RocksDB window store `name` in `directory`, which is
// created with its parents. Every store of the process should share one `resources`
// (required). retention_ms > 0; segment_interval_ms > 0, or 0 for Kafka Streams' default
// max(retention / 2, 60 s). The interval is fixed when the directory is created (the data
// is laid out by it): a reopen keeps the stored one, whatever `segment_interval_ms` says.
// Errors: InvalidArgument for missing resources or bad parameters; the RocksDB error
// otherwise (e.g. IOError when another open store holds the directory).
absl::StatusOr<std::unique_ptr<WindowStore>> OpenRocksDbWindowStore(
    std::string name, std::string directory, std::shared_ptr<RocksDbResources> resources,
    int64_t retention_ms, int64_t segment_interval_ms, bool retain_duplicates);

// The ids of the segments (column families) in the store at `directory`, ascending;
// readable while the store is open. For tests and tools.
absl::StatusOr<std::vector<int64_t>> ListRocksDbWindowSegments(const std::string& directory);

}  // namespace rill::state
