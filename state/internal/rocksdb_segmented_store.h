// RocksDbSegmentedStore: the storage engine under the RocksDB window and session stores
// (Kafka Streams' AbstractRocksDBSegmentedBytesStore), shared so both keep one on-disk
// layout, one commit protocol and one retention rule. It knows store keys only as bytes
// ordered by a key schema's comparator, each written with the timestamp that picks its
// segment (a window's start, a session's end); the window and session stores build keys,
// scan bounds and filters on top.
//
// Layout: one RocksDB instance per store directory (process-wide RocksDbResources). Each
// segment (timestamps [id * interval, (id + 1) * interval)) is a column family named
// "segment-<id>", dropped whole once expired: dropping a column family frees its files at
// once, while a range tombstone only hides keys until compaction. Kafka Streams opens one
// RocksDB per segment instead, which multiplies WALs, manifests and open files.
//
// Commit protocol (state_store.h): uncommitted writes stay in a write batch every read
// sees; Commit() writes it with the changelog offset, the observed stream time and the
// owner's extra meta values (SetMeta) to the `rill-meta` column family in one atomic write.
// Segments are dropped only after that write, for the stream time it committed, so a crash
// never leaves the last commit without data it held.
//
// Thread-safe: one internal mutex; iterators work on RocksDB's implicit snapshots plus a
// copy of the uncommitted entries in their range, so they stay valid while the writer
// continues, and even after Close() or a segment drop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/comparator.h"
#include "state/internal/merged_key_value_iterator.h"
#include "state/internal/segments.h"
#include "state/key_value_store.h"
#include "state/rocksdb_resources.h"
#include "state/state_store.h"

namespace rill::state::internal {

// How a store's keys are ordered. `comparator` orders them inside RocksDB (its name is
// recorded in the DB, so a directory written with another schema fails to open) and must
// agree with `compare`. `kind` names the store type in messages ("rocksdb window store").
struct SegmentedKeySchema {
  std::string kind;
  const rocksdb::Comparator* comparator = nullptr;
  KeyCompare compare = nullptr;
};

class RocksDbSegmentedStore {
 public:
  // Opens (creating if needed) the store in `directory`. retention_ms > 0;
  // segment_interval_ms > 0, or 0 for the default max(retention / 2, 60 s). The interval
  // is fixed when the directory is created: a reopen keeps the stored one.
  static absl::StatusOr<std::unique_ptr<RocksDbSegmentedStore>> Open(
      SegmentedKeySchema schema, std::string name, std::string directory,
      std::shared_ptr<RocksDbResources> resources, int64_t retention_ms,
      int64_t segment_interval_ms);
  ~RocksDbSegmentedStore();

  const std::string& name() const { return name_; }
  int64_t retention_ms() const;

  // An extra meta value as committed (read at open); nullopt when never committed.
  absl::StatusOr<std::optional<int64_t>> StoredMeta(std::string_view key);
  // Sets an extra meta value, written with the next Commit() or Restore() when changed.
  void SetMeta(std::string key, int64_t value);

  // Advances the observed stream time to `timestamp`; false when `timestamp` is expired
  // (then writes for it must be dropped). FailedPrecondition once closed.
  absl::StatusOr<bool> Observe(int64_t timestamp);
  // Writes (value nullopt: deletes) `store_key` into the segment of `timestamp`, which the
  // caller checked is live. A delete in a segment that does not exist creates none.
  absl::Status Write(std::string_view store_key, int64_t timestamp,
                     std::optional<std::string_view> value);
  // The value of `store_key` in the segment of `timestamp`; nullopt when absent or expired.
  absl::StatusOr<std::optional<std::string>> Get(std::string_view store_key, int64_t timestamp);
  // Entries of the segments `plan` names, merged in schema order (descending when
  // `reverse`). `plan` runs under the store's lock with the earliest live timestamp and
  // returns nullopt for an empty scan; the result shows the store at one instant. Callers
  // filter the entries further (the interval also holds non-matches).
  std::unique_ptr<KeyValueIterator> Scan(
      const std::function<std::optional<SegmentedScan>(int64_t min_live_time)>& plan,
      bool reverse);

  absl::Status Flush();
  absl::Status Commit(std::optional<int64_t> changelog_offset);
  std::optional<int64_t> CommittedOffset();
  // True once several expired segments wait for a commit to be dropped: each one is a
  // column family, and every column family created or dropped makes RocksDB rewrite its
  // OPTIONS file listing all of them, so creating segments while expired ones pile up
  // costs more and more (stream time racing ahead, as in a replay).
  bool WantsCommit();
  // Applies changelog records straight to the DB with the meta, atomically; `timestamps`
  // are the records' segment timestamps (same length). The stream time first advances to
  // the latest of them; expired records are skipped.
  absl::Status Restore(const std::vector<ChangelogRecord>& records,
                       const std::vector<int64_t>& timestamps, int64_t last_offset);
  absl::Status Close();

 private:
  class Impl;
  explicit RocksDbSegmentedStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string name_;
};

// The ids of the segments (column families) in the store at `directory`, ascending;
// readable while the store is open.
absl::StatusOr<std::vector<int64_t>> ListRocksDbSegments(const std::string& directory);

// Merges `inputs` (each ordered by `compare`, descending when `reverse`; no key in two of
// them) into one ordered stream. Stops at the first input error.
std::unique_ptr<KeyValueIterator> NewMergingIterator(
    std::vector<std::unique_ptr<KeyValueIterator>> inputs, bool reverse, KeyCompare compare);

}  // namespace rill::state::internal
