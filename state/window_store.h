// WindowStore: the byte-level window store under windowed aggregations and stream-stream
// joins (Kafka Streams' WindowStore<Bytes, byte[]>). Each entry is a serialized key, the
// start of its window (ms) and a value. Implementations: RocksDB (segmented) and
// in-memory, and the change-logging layer that wraps them.
//
// Retention, as Kafka Streams' segmented and in-memory window stores do it: the store
// tracks the largest window start any Put() has seen ("observed stream time"). A window
// whose start is <= observed stream time - retention_ms() is expired: a Put() for it is
// dropped silently, and reads never return it. Storage is reclaimed a whole segment (a
// range of window starts) at a time, once every window in the segment is expired.
//
// Order: every iterator returns entries by (key bytewise unsigned, window start, sequence
// number), or exactly the reverse when `backward`. Both implementations agree. (Kafka
// Streams' RocksDB fetchAll/all go segment by segment and its in-memory store time by
// time; one order for every call and implementation is simpler to rely on and to test.)
//
// Duplicates: a store created with retain_duplicates (the KStream-KStream join stores)
// keeps every Put() of the same key and window as its own entry, told apart by a sequence
// number (window_key_schema.h). In such a store a Put() with no value is ignored, since it
// cannot say which duplicate to delete (as in Kafka Streams).
//
// Thread safety: every method may be called from any thread. One stream thread writes a
// store; interactive queries read it concurrently from the HTTP server's threads.
//
// Commit protocol, exactly as every StateStore (state_store.h): writes become durable only
// in Commit(), together with the changelog offset they reach; reads always see every write
// made so far; after a crash a persistent store is exactly at its last Commit() (its
// observed stream time included), and restoration replays the changelog after
// CommittedOffset().
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "state/state_store.h"

namespace rill::state {

// Iterates window entries in the order above. An iterator sees the store as it was when
// the iterator was created; writes made afterwards may or may not show.
class WindowStoreIterator {
 public:
  virtual ~WindowStoreIterator() = default;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  // Only while Valid(). The views stay valid until Next() or destruction.
  virtual std::string_view key() const = 0;
  virtual int64_t window_start() const = 0;
  // 0 unless the store retains duplicates.
  virtual int32_t seqnum() const = 0;
  virtual std::string_view value() const = 0;
  // Non-OK when iteration stopped because of an error (then Valid() is false).
  virtual absl::Status status() const = 0;
};

// What a Put() did. The change-logging layer logs exactly the writes that were applied,
// under the sequence number the store gave them, so the changelog and the store agree.
struct WindowPutResult {
  // False when the put was dropped: the window is expired, or it is a delete in a store
  // that retains duplicates.
  bool applied = false;
  // The sequence number of the write (0 unless the store retains duplicates).
  int32_t seqnum = 0;
};

// The lifecycle methods (name through Close) are StateStore's, re-declared here with what
// they mean for a window store.
class WindowStore : public StateStore {
 public:
  ~WindowStore() override = default;

  // Counts the live windows: Kafka Streams has no estimate for window stores either. O(n),
  // for metrics at commit.
  uint64_t ApproximateNumEntries() override {
    uint64_t n = 0;
    for (auto it = All(); it->Valid(); it->Next()) ++n;
    return n;
  }

  const std::string& name() const override = 0;
  // True when the store keeps its data on disk across restarts (RocksDB).
  bool persistent() const override = 0;
  virtual int64_t retention_ms() const = 0;
  virtual bool retain_duplicates() const = 0;

  // Writes `value` for (key, window_start_ms); value nullopt deletes it (Kafka Streams'
  // put(key, null, windowStart)). Every Put() first advances the observed stream time; an
  // expired window is then dropped (OK, applied = false), which also makes later reads
  // drop windows that just expired. Errors: FailedPrecondition once closed, or the
  // storage error.
  virtual absl::StatusOr<WindowPutResult> Put(std::string_view key, int64_t window_start_ms,
                                              std::optional<std::string_view> value) = 0;

  // The value of (key, window_start_ms), or nullopt when absent or expired. In a store
  // that retains duplicates, the one with the highest sequence number.
  virtual absl::StatusOr<std::optional<std::string>> Fetch(std::string_view key,
                                                           int64_t window_start_ms) = 0;

  // The windows of `key` whose start is in [time_from, time_to], both inclusive, by start
  // time (latest first when `backward`). time_from > time_to yields nothing.
  virtual std::unique_ptr<WindowStoreIterator> Fetch(std::string_view key, int64_t time_from,
                                                     int64_t time_to, bool backward = false) = 0;

  // The windows of keys in [key_from, key_to] (inclusive; nullopt is open) whose start is
  // in [time_from, time_to]. key_from > key_to yields nothing, as in Kafka Streams.
  virtual std::unique_ptr<WindowStoreIterator> FetchRange(std::optional<std::string_view> key_from,
                                                          std::optional<std::string_view> key_to,
                                                          int64_t time_from, int64_t time_to,
                                                          bool backward = false) = 0;

  // Every key's windows whose start is in [time_from, time_to].
  std::unique_ptr<WindowStoreIterator> FetchAll(int64_t time_from, int64_t time_to,
                                                bool backward = false) {
    return FetchRange(std::nullopt, std::nullopt, time_from, time_to, backward);
  }
  // Every live window.
  std::unique_ptr<WindowStoreIterator> All(bool backward = false) {
    return FetchRange(std::nullopt, std::nullopt, std::numeric_limits<int64_t>::min(),
                      std::numeric_limits<int64_t>::max(), backward);
  }

  // Pushes writes buffered by upper layers down to the inner store and into the changelog.
  absl::Status Flush() override = 0;
  // Makes every write so far durable, atomically with `changelog_offset` (the offset of the
  // last changelog record those writes produced; nullopt when there is none) and with the
  // observed stream time. Segments that hold only expired windows are removed afterwards.
  absl::Status Commit(std::optional<int64_t> changelog_offset) override = 0;
  // The changelog offset saved by the last Commit() or Restore(); restoration resumes at
  // this + 1. nullopt: restore from the start of the changelog.
  std::optional<int64_t> CommittedOffset() override = 0;
  // Applies changelog records (keys in the window store key layout of window_key_schema.h,
  // value nullopt a tombstone) straight to the inner store, and records `last_offset` as
  // committed, atomically. The observed stream time first advances to the latest window
  // start in `records`; expired records are skipped. A record whose key is too short to
  // be a window store key fails the whole call (InvalidArgument) and applies nothing.
  absl::Status Restore(const std::vector<ChangelogRecord>& records,
                       int64_t last_offset) override = 0;
  // Drops uncommitted writes and releases resources. A closed store only answers errors.
  absl::Status Close() override = 0;
};

}  // namespace rill::state
