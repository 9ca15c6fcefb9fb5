// InMemorySegmentedStore: the storage under the in-memory window and session stores
// (Kafka Streams' InMemoryWindowStore / InMemorySessionStore), shared so both expire and
// iterate alike. Store keys are bytes in a key schema's order, each written with the
// timestamp that picks its segment (a window's start, a session's end). Entries live in
// sorted maps, one per segment, so expired entries are freed a segment at a time as soon
// as a write advances the observed stream time; reads hide single expired entries before
// that (the callers clip their scans to the earliest live timestamp).
//
// Nothing survives a restart: CommittedOffset() only reports this object's last
// Commit()/Restore(), and a new instance restores from the start of the changelog.
//
// Thread-safe (one mutex). Scans copy the matching entries under the lock, so iterators
// never race the writer; O(result) memory per scan, fine for a store already in memory.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "state/internal/merged_key_value_iterator.h"
#include "state/internal/segments.h"
#include "state/key_value_store.h"
#include "state/state_store.h"

namespace rill::state::internal {

class InMemorySegmentedStore {
 public:
  // `kind` names the store type in messages ("in-memory window store"). retention_ms and
  // segment_interval_ms > 0 (resolved by the caller).
  InMemorySegmentedStore(std::string kind, std::string name, KeyCompare compare,
                         int64_t retention_ms, int64_t segment_interval_ms);

  const std::string& name() const { return name_; }
  int64_t retention_ms() const { return segments_.retention_ms(); }

  // Advances the observed stream time to `timestamp` and frees expired segments; false
  // when `timestamp` is expired (writes for it must be dropped). FailedPrecondition once
  // closed.
  absl::StatusOr<bool> Observe(int64_t timestamp);
  // Writes (value nullopt: deletes) `store_key` into the segment of `timestamp`.
  absl::Status Write(std::string_view store_key, int64_t timestamp,
                     std::optional<std::string_view> value);
  // The value of `store_key` in the segment of `timestamp`; nullopt when absent or expired.
  absl::StatusOr<std::optional<std::string>> Get(std::string_view store_key, int64_t timestamp);
  // As RocksDbSegmentedStore::Scan; `keep` (optional) drops entries before they are copied.
  std::unique_ptr<KeyValueIterator> Scan(
      const std::function<std::optional<SegmentedScan>(int64_t min_live_time)>& plan,
      bool reverse, const std::function<bool(std::string_view store_key)>& keep = nullptr);

  absl::Status Flush();
  absl::Status Commit(std::optional<int64_t> changelog_offset);
  std::optional<int64_t> CommittedOffset();
  bool WantsCommit() { return false; }  // expired segments go at once
  // Applies changelog records; `timestamps` are their segment timestamps. The stream time
  // first advances to the latest of them; expired records are skipped.
  absl::Status Restore(const std::vector<ChangelogRecord>& records,
                       const std::vector<int64_t>& timestamps, int64_t last_offset);
  absl::Status Close();

 private:
  // Orders store keys by the schema; transparent so lookups take string_view keys.
  struct Less {
    using is_transparent = void;
    KeyCompare compare;
    bool operator()(std::string_view a, std::string_view b) const { return compare(a, b) < 0; }
  };
  using SegmentMap = std::map<std::string, std::string, Less>;

  absl::Status Closed() const;
  void ApplyLocked(std::string_view store_key, int64_t timestamp,
                   std::optional<std::string_view> value);
  void DropExpiredSegmentsLocked();

  const std::string kind_;
  const std::string name_;
  const KeyCompare compare_;
  std::mutex mu_;
  Segments segments_;
  std::map<int64_t, SegmentMap> segments_by_id_;
  std::optional<int64_t> committed_offset_;
  bool closed_ = false;
};

}  // namespace rill::state::internal
