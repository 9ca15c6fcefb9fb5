// One segment of a partition log: a `<base offset>.log` file of record batches plus its
// sparse offset index and time index, kept in memory and persisted as `.index` and
// `.timeindex` when the segment stops being the active one. Also BatchScanner, the
// chunked sequential reader that recovery and timestamp lookups use.
//
// Not thread-safe on its own: PartitionLog's mutex guards every mutable field. The only
// exceptions are ReadAt(), Sync() and the flushed-size mark, which touch nothing but the
// file descriptor (or an atomic) and therefore run without that mutex. The descriptor is
// closed only by the destructor, so a reader holding a shared_ptr is always safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/protocol/record_batch.h"

namespace rill::broker::log {

struct OffsetIndexEntry {
  uint32_t relative_offset;  // batch base offset - segment base offset
  uint32_t position;         // byte position of that batch in the .log file
};

struct TimeIndexEntry {
  int64_t timestamp;         // largest timestamp in the segment before `relative_offset`'s batch
  uint32_t relative_offset;  // base offset (relative) of the batch that first reached it
};

// "<20-digit zero-padded base offset><ext>", e.g. "00000000000000000042.log".
std::string SegmentFileName(int64_t base_offset, std::string_view ext);

class Segment {
 public:
  // Creates a new empty segment file (replacing any leftover files of that name).
  static absl::StatusOr<std::shared_ptr<Segment>> Create(const std::string& dir,
                                                         int64_t base_offset,
                                                         int32_t index_interval_bytes);
  // Opens an existing segment. With `recover`, every batch is checked (header sanity and
  // CRC-32C) and the file is truncated after the last good one; the indexes are rebuilt.
  // Otherwise the persisted indexes are used when they pass sanity checks (rebuilt from a
  // header-only scan when not) and only the bytes after the last index entry are scanned.
  static absl::StatusOr<std::shared_ptr<Segment>> Load(const std::string& dir, int64_t base_offset,
                                                       int32_t index_interval_bytes, bool recover);
  ~Segment();

  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  int64_t base_offset() const { return base_offset_; }
  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // One past the last offset in the segment; base_offset() while empty.
  int64_t next_offset() const { return next_offset_; }
  // Largest batch max timestamp, or -1.
  int64_t max_timestamp() const { return max_timestamp_; }
  // What time-based retention compares: the largest timestamp, or the last modification
  // time when batches carry no timestamps.
  int64_t largest_time_ms() const {
    return max_timestamp_ >= 0 ? max_timestamp_ : last_modified_ms_;
  }
  // When the segment.ms roll clock started (first append); -1 if unknown.
  int64_t roll_start_ms() const { return roll_start_ms_; }
  void set_roll_start_ms(int64_t ms) { roll_start_ms_ = ms; }
  void set_index_interval_bytes(int32_t bytes) { index_interval_bytes_ = bytes; }
  size_t index_entries() const { return offset_index_.size(); }

  // Writes whole batches (offsets already assigned) at the end of the file with one
  // pwrite(2) (looping only on short writes) and indexes them. On failure the file is cut
  // back to its previous size and nothing changes.
  absl::Status Append(std::string_view batches, int64_t now_ms);

  // Byte position from which a forward scan finds the batch holding `offset`.
  uint32_t PositionFor(int64_t offset) const;
  // Offset from which a forward scan finds the first record with timestamp >= ts.
  int64_t ScanStartForTimestamp(int64_t ts) const;

  // Reads exactly `n` bytes at `pos`. Safe without the log mutex.
  absl::Status ReadAt(uint64_t pos, size_t n, char* dst) const;

  // fdatasync(2). Safe without the log mutex.
  absl::Status Sync() const;
  int64_t flushed_size() const { return flushed_size_.load(std::memory_order_acquire); }
  void MarkFlushed(int64_t size) {
    int64_t cur = flushed_size_.load(std::memory_order_relaxed);
    while (cur < size && !flushed_size_.compare_exchange_weak(cur, size)) {
    }
  }

  // Persists the indexes (adding the final time-index entry first).
  absl::Status WriteIndexFiles();
  // Unlinks the segment's files; the open descriptor stays usable until destruction.
  void DeleteFiles() const;

 private:
  Segment(std::string dir, int64_t base_offset, int fd, int32_t index_interval_bytes);

  std::string PathFor(std::string_view ext) const;
  // Updates offsets, timestamps and (every index_interval_bytes) the indexes for one
  // batch written at `position`.
  void IndexBatch(const protocol::RecordBatchHeader& h, uint32_t position);
  // Scans from `from` to the end of the file, indexing every good batch, and truncates
  // the file after the last good one.
  absl::Status ScanAndTruncate(uint64_t from, bool verify_crc);
  bool LoadIndexFiles();
  void ResetIndexes();

  const std::string dir_;
  const int64_t base_offset_;
  const int fd_;
  int32_t index_interval_bytes_;

  int64_t size_ = 0;
  int64_t next_offset_;
  int64_t max_timestamp_ = -1;
  int64_t offset_of_max_timestamp_;
  int64_t last_modified_ms_ = -1;
  int64_t roll_start_ms_ = -1;
  int64_t bytes_since_index_entry_ = 0;
  std::vector<OffsetIndexEntry> offset_index_;
  std::vector<TimeIndexEntry> time_index_;
  std::atomic<int64_t> flushed_size_{0};
};

// Walks the batches in [pos, end) of a segment file, reading ahead in large chunks so a
// scan costs one pread(2) per chunk rather than per batch. Stops (done() and, if the bytes
// did not form a plausible batch, torn()) at the end or at the first batch whose header is
// insane: magic != 2, length too small, or extending past `end`.
class BatchScanner {
 public:
  BatchScanner(const Segment& segment, uint64_t pos, uint64_t end,
               size_t chunk_bytes = size_t{256} << 10);

  // Advances to the next batch; false when there is none (see torn() and status()).
  bool Next();
  const protocol::RecordBatchHeader& header() const { return header_; }
  // File position of the current batch.
  uint64_t position() const { return cursor_; }
  // Where the scan stopped: the end of the last batch returned by Next().
  uint64_t valid_end() const { return next_; }
  bool torn() const { return torn_; }
  const absl::Status& status() const { return status_; }
  // The current batch, whole. The view is valid until the next call.
  absl::StatusOr<std::string_view> Batch();

 private:
  // Makes [cursor_, cursor_ + n) available in buf_; false past `end_` or on I/O error.
  bool Ensure(size_t n);

  const Segment& segment_;
  const uint64_t end_;
  const size_t chunk_bytes_;
  uint64_t cursor_;  // current batch
  uint64_t next_;    // first byte after the current batch
  bool started_ = false;
  bool torn_ = false;
  absl::Status status_;
  std::string buf_;
  uint64_t buf_start_ = 0;  // file position of buf_[0]
  protocol::RecordBatchHeader header_{};
};

}  // namespace rill::broker::log
