// StateStore: what every store of a task has, whatever its shape (key-value, window,
// session): the lifecycle the runtime drives — flush before the producer is flushed, commit
// with the changelog offset reached, restore from the changelog, close. Kafka Streams'
// StateStore interface.
//
// Commit protocol (DESIGN.md §4, "stores that survive an unclean stop"): writes become
// durable only in Commit(), together with the changelog offset they reach. Reads always see
// every write made so far, committed or not. After a crash a persistent store is exactly at
// its last Commit(), and restoration replays the changelog after CommittedOffset().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace rill::state {

// One changelog record as restoration reads it: value nullopt is a tombstone. The key is in
// the store's changelog layout (for window stores: key, window start, sequence number).
struct ChangelogRecord {
  std::string key;
  std::optional<std::string> value;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  virtual const std::string& name() const = 0;
  // True when the inner store keeps its data on disk across restarts (RocksDB).
  virtual bool persistent() const = 0;

  virtual uint64_t ApproximateNumEntries() = 0;

  // Pushes writes buffered by upper layers (the cache) down to the inner store and into the
  // changelog. Called before the task's producer is flushed at commit.
  virtual absl::Status Flush() = 0;
  // Makes every write so far durable, atomically with `changelog_offset`: the offset of the
  // last changelog record those writes produced (nullopt when the store has no changelog or
  // produced nothing new). Layers forward it to the inner store.
  virtual absl::Status Commit(std::optional<int64_t> changelog_offset) = 0;
  // The changelog offset saved by the last Commit() or Restore(); restoration resumes at
  // this + 1. nullopt: restore from the start of the changelog.
  virtual std::optional<int64_t> CommittedOffset() = 0;
  // True when resources pile up until the next commit (a segmented store drops expired
  // segments only at commit): the task should commit early rather than wait for
  // commit.interval.ms. Layers forward it to the inner store.
  virtual bool WantsCommit() { return false; }
  // Applies changelog records read during restoration straight to the inner store (no
  // cache, no changelog write) and records `last_offset` as committed, atomically.
  virtual absl::Status Restore(const std::vector<ChangelogRecord>& records,
                               int64_t last_offset) = 0;
  // Drops uncommitted writes (never applied to disk) and releases resources. A closed store
  // only answers errors.
  virtual absl::Status Close() = 0;
};

}  // namespace rill::state
