// The on-disk log of one partition replica: a directory of segment files holding record
// batches exactly as producers sent them (offsets assigned by the broker), with sparse
// offset and time indexes. Appends, fetch reads, ListOffsets by timestamp, DeleteRecords
// and retention all go through this class; crash recovery happens in Open().
//
// Directory layout (DESIGN.md §3):
//   <20-digit base offset>.log        record batches, back to back
//   <20-digit base offset>.index      sparse: 4-byte relative offset -> 4-byte file position
//   <20-digit base offset>.timeindex  8-byte max timestamp so far -> 4-byte relative offset
//   log-start-offset                  the log start offset raised by DeleteRecords
//   clean-shutdown                    present only between Close() and the next Open()
// Index files of the active segment are written when it is rolled or the log is closed;
// after an unclean stop they are rebuilt from the .log files.
//
// Thread-safe: one internal mutex guards the segment list and offsets. Reads copy data
// with pread(2) outside that mutex, and fsync(2) never runs under it, so a fetch never
// waits behind a flush.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/log/log_config.h"

namespace rill::broker::log {

class Segment;

struct AppendResult {
  int64_t base_offset;         // offset of the first appended record
  int64_t last_offset;         // offset of the last appended record
  int64_t log_append_time_ms;  // the stamped time under LogAppendTime; -1 under CreateTime
};

class PartitionLog {
 public:
  // Opens the log in `dir`, creating the directory and an empty first segment if needed.
  // The directory is locked (flock) until Close(): a second Open of the same directory,
  // from this process or another, fails with FailedPrecondition.
  // An existing log is recovered: missing or inconsistent index files are rebuilt, and
  // unless the log was closed cleanly the last segment is scanned batch by batch (header
  // sanity + CRC-32C) and truncated after its last valid batch.
  static absl::StatusOr<std::unique_ptr<PartitionLog>> Open(std::string dir, LogConfig config);

  // Closes the log cleanly if Close() was not called.
  ~PartitionLog();

  PartitionLog(const PartitionLog&) = delete;
  PartitionLog& operator=(const PartitionLog&) = delete;

  // Appends `batches`, one or more whole magic-2 record batches that already passed
  // protocol::ValidateBatches. Assigns consecutive offsets from the log end offset
  // (patching each batch's base offset in place; under LogAppendTime also its timestamp
  // type, max timestamp and CRC), rolls the active segment by size or time first if due,
  // and writes everything with one write(2). Once this returns OK the data is in the OS
  // page cache and survives kill -9 of the process; it is fsynced only per the flush
  // policy. Errors: InvalidArgument if the batch framing is broken, FailedPrecondition
  // after Close(), Internal/ResourceExhausted on I/O failure (nothing is appended then).
  absl::StatusOr<AppendResult> Append(std::string batches, int64_t now_ms);

  // Replaces `*out` with whole batches starting at the batch that contains `offset`, at
  // most `max_bytes` in total except that the first batch is always returned whole
  // (KIP-74). Batches whose base offset is >= `upper_bound` (exclusive; the high
  // watermark) are not returned. Reads stop at the end of the segment that holds
  // `offset`, as in Kafka; the client simply fetches again. OutOfRange status if
  // offset < log_start_offset() or offset > log_end_offset(); offset ==
  // log_end_offset() or max_bytes <= 0 yields an empty `*out`. DataLoss if the segment
  // file turns out to be corrupt (it was checked on Open, so only outside tampering).
  absl::Status Read(int64_t offset, int32_t max_bytes, int64_t upper_bound, std::string* out) const;

  int64_t log_start_offset() const;
  int64_t log_end_offset() const;
  // Bytes in all segment files.
  int64_t size_bytes() const;

  // ListOffsets by timestamp: the first offset >= log_start_offset() whose record
  // timestamp is >= `ts`, with that record's timestamp (the batch's max timestamp for
  // LogAppendTime batches); nullopt if there is none. Not limited by the high watermark:
  // ListOffsets filters the result against it.
  std::optional<std::pair<int64_t, int64_t>> OffsetForTimestamp(int64_t ts) const;

  // DeleteRecords: raises the log start offset to `offset` (persisted before returning)
  // and deletes every segment that lies wholly below it, except the active one.
  // OutOfRange if offset > log_end_offset(); a lower offset than the current start is a
  // no-op.
  absl::Status DeleteRecordsBefore(int64_t offset);

  // Rolls the active segment if it is segment_ms old, then deletes closed segments from
  // the oldest while their largest timestamp is more than retention_ms before `now_ms`
  // or the log exceeds retention_bytes. Never deletes the active segment.
  void ApplyRetention(int64_t now_ms);

  // fsyncs every segment with unflushed data (and the directory after file creations).
  absl::Status Flush();
  // New settings apply to the next append / retention pass.
  void SetConfig(LogConfig config);
  LogConfig config() const;
  const std::string& dir() const { return dir_; }

  // Flushes, persists the active segment's indexes, marks the shutdown clean and
  // releases the segments. Every other call fails (or returns empty) afterwards;
  // PartitionLog::Open on the same directory restores the log.
  absl::Status Close();

 private:
  PartitionLog(std::string dir, LogConfig config);

  absl::Status Recover();
  // The segment holding `offset` (the last one whose base offset <= offset). mu_ held.
  std::shared_ptr<Segment> SegmentFor(int64_t offset) const;
  absl::Status RollLocked();
  absl::Status PersistLogStartOffset(int64_t offset) const;
  // fsyncs `segments` (outside mu_) and marks what was flushed.
  absl::Status SyncSegments(const std::vector<std::shared_ptr<Segment>>& segments, bool sync_dir);
  // Detaches segments [0, n) from the list (mu_ held) and returns them for unlinking.
  std::vector<std::shared_ptr<Segment>> DetachOldestLocked(size_t n);
  static void DeleteSegmentFiles(const std::vector<std::shared_ptr<Segment>>& doomed);

  const std::string dir_;
  // Serializes DeleteRecordsBefore calls so the persisted start offset never goes
  // backwards while its fsync runs without mu_. Acquired before mu_.
  std::mutex persist_mu_;
  mutable std::mutex mu_;
  LogConfig config_;
  // Ordered by base offset; the last one is the active segment. Shared so that a read or
  // flush that dropped mu_ keeps its segment's file descriptor alive.
  std::vector<std::shared_ptr<Segment>> segments_;
  int64_t log_start_offset_ = 0;
  int64_t log_end_offset_ = 0;
  int64_t size_bytes_ = 0;
  // Flush policy state.
  int64_t records_since_flush_ = 0;
  int64_t last_flush_ms_ = -1;
  bool dir_dirty_ = false;  // a file was created since the last directory fsync
  bool closed_ = false;
  // The directory, open and flock(2)ed for as long as the log is open.
  int lock_fd_ = -1;
};

}  // namespace rill::broker::log
