// Segments: the retention arithmetic both window stores share (Kafka Streams'
// AbstractSegments and the observed stream time of AbstractRocksDBSegmentedBytesStore).
// Window starts are grouped into segments of segment_interval_ms; a segment is the unit
// in which storage is reclaimed, while single windows expire exactly at observed stream
// time - retention. Sharing it keeps the RocksDB and in-memory stores expiring alike.
//
// Not thread-safe: each store calls it under its own lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rill::state::internal {

// Kafka Streams' default (Stores.persistentWindowStore): max(retention / 2, 60 s), so a
// store keeps about three segments.
int64_t DefaultSegmentInterval(int64_t retention_ms);

// The segment interval a window store `store` runs with: `segment_interval_ms`, or the
// default when it is 0. InvalidArgument unless retention_ms > 0 and segment_interval_ms >= 0.
absl::StatusOr<int64_t> ResolveSegmentInterval(std::string_view store, int64_t retention_ms,
                                               int64_t segment_interval_ms);

// One scan of a segmented store (rocksdb_segmented_store.h, in_memory_segmented_store.h):
// the segments whose timestamps may hold matches ([time_from, time_to]) and the store-key
// interval [lower, upper_exclusive) (nullopt: open) in the store's key order.
struct SegmentedScan {
  int64_t time_from = 0;
  int64_t time_to = 0;
  std::optional<std::string> lower;
  std::optional<std::string> upper_exclusive;
};

class Segments {
 public:
  // retention_ms > 0 and segment_interval_ms > 0 (the stores validate them).
  Segments(int64_t retention_ms, int64_t segment_interval_ms)
      : retention_ms_(retention_ms), segment_interval_ms_(segment_interval_ms) {}

  int64_t retention_ms() const { return retention_ms_; }
  int64_t segment_interval_ms() const { return segment_interval_ms_; }

  // floor(window_start / interval), so negative starts get their own segments too.
  int64_t SegmentId(int64_t window_start_ms) const;

  // The largest window start seen; nullopt before the first.
  std::optional<int64_t> observed_stream_time() const { return observed_; }
  void Observe(int64_t window_start_ms);
  // For a store reopened with its committed stream time.
  void set_observed_stream_time(std::optional<int64_t> t) { observed_ = t; }

  // The earliest window start still live: observed stream time - retention + 1 (the
  // smallest int64 before anything was observed).
  int64_t MinLiveTime() const;
  bool IsExpired(int64_t window_start_ms) const { return window_start_ms < MinLiveTime(); }
  // Segments with a smaller id hold only expired windows and can be removed whole.
  int64_t MinLiveSegment() const { return SegmentId(MinLiveTime()); }

 private:
  const int64_t retention_ms_;
  const int64_t segment_interval_ms_;
  std::optional<int64_t> observed_;
};

}  // namespace rill::state::internal
