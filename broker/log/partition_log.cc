#include "broker/log/partition_log.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <limits>

#include "broker/log/segment.h"
#include "broker/protocol/record_batch.h"
#include "broker/protocol/wire.h"
#include "spdlog/spdlog.h"

namespace rill::broker::log {
namespace {

using protocol::kBatchLogOverhead;
using protocol::kRecordBatchHeaderSize;

constexpr char kLogStartOffsetFile[] = "log-start-offset";
constexpr char kCleanShutdownFile[] = "clean-shutdown";
constexpr size_t kSegmentNameDigits = 20;

absl::Status ErrnoStatus(std::string_view what, const std::string& path, int err) {
  std::string msg = std::string(what) + " " + path + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  return absl::InternalError(msg);
}

absl::Status SyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", dir, errno);
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return ErrnoStatus("fsync", dir, err);
  return absl::OkStatus();
}

// Writes `data` to dir/name durably and atomically (temp file, fsync, rename, dir fsync).
absl::Status WriteFileDurably(const std::string& dir, const std::string& name,
                              std::string_view data) {
  std::string tmp = dir + "/" + name + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", tmp, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return ErrnoStatus("write", tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    int err = errno;
    close(fd);
    return ErrnoStatus("fsync", tmp, err);
  }
  close(fd);
  std::string path = dir + "/" + name;
  if (rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("rename", tmp, errno);
  return SyncDir(dir);
}

std::optional<int64_t> ReadOffsetFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[64];
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return std::nullopt;
  buf[n] = '\0';
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(buf, &end, 10);
  if (errno != 0 || end == buf || v < 0) return std::nullopt;
  return static_cast<int64_t>(v);
}

// Base offsets of the `<20 digits>.log` files in `dir`, ascending.
absl::StatusOr<std::vector<int64_t>> ListSegments(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus("opendir", dir, errno);
  std::vector<int64_t> bases;
  while (struct dirent* e = readdir(d)) {
    std::string_view name(e->d_name);
    if (name.size() != kSegmentNameDigits + 4 || name.substr(kSegmentNameDigits) != ".log") {
      continue;
    }
    std::string_view digits = name.substr(0, kSegmentNameDigits);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    int64_t base = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), base);
    if (ec != std::errc() || end != digits.data() + digits.size()) continue;  // > INT64_MAX
    bases.push_back(base);
  }
  closedir(d);
  std::sort(bases.begin(), bases.end());
  return bases;
}

// Header fields Append needs, read from a batch in the request buffer.
struct BatchFrame {
  size_t pos;
  size_t size;
  int32_t last_offset_delta;
};

}  // namespace

PartitionLog::PartitionLog(std::string dir, LogConfig config)
    : dir_(std::move(dir)), config_(config) {}

PartitionLog::~PartitionLog() {
  bool closed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed = closed_;
  }
  if (!closed) {
    absl::Status s = Close();
    if (!s.ok()) spdlog::warn("closing log {}: {}", dir_, s.ToString());
  }
}

absl::StatusOr<std::unique_ptr<PartitionLog>> PartitionLog::Open(std::string dir,
                                                                 LogConfig config) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError("cannot create " + dir + ": " + ec.message());
  std::unique_ptr<PartitionLog> log(new PartitionLog(std::move(dir), config));
  absl::Status s = log->Recover();
  if (!s.ok()) {
    log->closed_ = true;  // nothing to flush; skip Close() in the destructor
    if (log->lock_fd_ >= 0) close(log->lock_fd_);
    return s;
  }
  return log;
}

absl::Status PartitionLog::Recover() {
  std::lock_guard<std::mutex> lock(mu_);
  lock_fd_ = open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_fd_ < 0) return ErrnoStatus("open", dir_, errno);
  if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(lock_fd_);
    lock_fd_ = -1;
    if (err == EWOULDBLOCK) return absl::FailedPreconditionError(dir_ + " is already open");
    return ErrnoStatus("flock", dir_, err);
  }
  const std::string marker = dir_ + "/" + kCleanShutdownFile;
  const bool clean = access(marker.c_str(), F_OK) == 0;
  if (clean) {
    // From here on a crash must count as unclean, so the marker goes before any append.
    if (unlink(marker.c_str()) != 0) return ErrnoStatus("unlink", marker, errno);
    absl::Status s = SyncDir(dir_);
    if (!s.ok()) return s;
  }
  absl::StatusOr<std::vector<int64_t>> bases = ListSegments(dir_);
  if (!bases.ok()) return bases.status();
  const int32_t interval = config_.index_interval_bytes;
  for (size_t i = 0; i < bases->size(); ++i) {
    // Only the last segment was being written; earlier ones were complete when rolled.
    bool recover = !clean && i + 1 == bases->size();
    absl::StatusOr<std::shared_ptr<Segment>> seg =
        Segment::Load(dir_, (*bases)[i], interval, recover);
    if (!seg.ok()) return seg.status();
    size_bytes_ += (*seg)->size();
    segments_.push_back(*std::move(seg));
  }
  std::optional<int64_t> persisted_start = ReadOffsetFile(dir_ + "/" + kLogStartOffsetFile);
  if (segments_.empty()) {
    absl::StatusOr<std::shared_ptr<Segment>> seg =
        Segment::Create(dir_, persisted_start.value_or(0), interval);
    if (!seg.ok()) return seg.status();
    segments_.push_back(*std::move(seg));
    dir_dirty_ = true;
  }
  log_end_offset_ = segments_.back()->next_offset();
  log_start_offset_ = std::max(persisted_start.value_or(0), segments_.front()->base_offset());
  if (log_start_offset_ > log_end_offset_) {
    // DeleteRecords moved the start past data that did not survive: start afresh there,
    // as Kafka does, so offsets below the start are never handed out again.
    spdlog::warn("{}: log start offset {} is past the log end {}; starting an empty log", dir_,
                 log_start_offset_, log_end_offset_);
    std::vector<std::shared_ptr<Segment>> doomed = DetachOldestLocked(segments_.size());
    DeleteSegmentFiles(doomed);
    absl::StatusOr<std::shared_ptr<Segment>> seg =
        Segment::Create(dir_, log_start_offset_, interval);
    if (!seg.ok()) return seg.status();
    segments_.push_back(*std::move(seg));
    log_end_offset_ = log_start_offset_;
    dir_dirty_ = true;
  }
  return absl::OkStatus();
}

std::shared_ptr<Segment> PartitionLog::SegmentFor(int64_t offset) const {
  auto it = std::upper_bound(
      segments_.begin(), segments_.end(), offset,
      [](int64_t o, const std::shared_ptr<Segment>& s) { return o < s->base_offset(); });
  if (it != segments_.begin()) --it;
  // Offsets can fall in a gap below the next segment (a truncated tail): move on to the
  // first segment that actually holds something at or after `offset`.
  while (std::next(it) != segments_.end() && (*it)->next_offset() <= offset) ++it;
  return *it;
}

absl::Status PartitionLog::RollLocked() {
  const std::shared_ptr<Segment>& active = segments_.back();
  if (active->empty()) return absl::OkStatus();
  absl::Status s = active->WriteIndexFiles();
  if (!s.ok()) {
    // Indexes are rebuilt from the .log file when missing, so this is not fatal.
    spdlog::warn("{}: writing indexes on roll: {}", dir_, s.ToString());
  }
  absl::StatusOr<std::shared_ptr<Segment>> seg =
      Segment::Create(dir_, log_end_offset_, config_.index_interval_bytes);
  if (!seg.ok()) return seg.status();
  segments_.push_back(*std::move(seg));
  dir_dirty_ = true;
  return absl::OkStatus();
}

absl::StatusOr<AppendResult> PartitionLog::Append(std::string batches, int64_t now_ms) {
  if (batches.empty()) return absl::InvalidArgumentError("no batches to append");
  // Framing pass without the lock: the batches were validated, but patching in place on
  // the strength of that alone would turn a caller bug into memory corruption.
  thread_local std::vector<BatchFrame> frames;
  frames.clear();
  int64_t record_offsets = 0;
  for (size_t pos = 0; pos < batches.size();) {
    if (batches.size() - pos < kRecordBatchHeaderSize) {
      return absl::InvalidArgumentError("partial batch header");
    }
    const char* b = batches.data() + pos;
    int32_t length =
        static_cast<int32_t>(protocol::LoadBigEndian32(b + protocol::batch_layout::kBatchLength));
    int32_t last_delta = static_cast<int32_t>(
        protocol::LoadBigEndian32(b + protocol::batch_layout::kLastOffsetDelta));
    if (length < static_cast<int32_t>(kRecordBatchHeaderSize - kBatchLogOverhead) ||
        kBatchLogOverhead + static_cast<size_t>(length) > batches.size() - pos ||
        b[protocol::batch_layout::kMagic] != 2 || last_delta < 0) {
      return absl::InvalidArgumentError("malformed batch at byte " + std::to_string(pos));
    }
    size_t size = kBatchLogOverhead + static_cast<size_t>(length);
    frames.push_back({pos, size, last_delta});
    record_offsets += int64_t{last_delta} + 1;
    pos += size;
  }
  const int64_t total = static_cast<int64_t>(batches.size());

  std::vector<std::shared_ptr<Segment>> to_sync;
  bool sync_dir = false;
  AppendResult result;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return absl::FailedPreconditionError("log " + dir_ + " is closed");
    Segment* active = segments_.back().get();
    if (!active->empty()) {
      // A recovered segment's clock starts at its first batch's timestamp; one from a
      // client clock running ahead must not postpone the roll indefinitely.
      if (active->roll_start_ms() < 0 || active->roll_start_ms() > now_ms) {
        active->set_roll_start_ms(now_ms);
      }
      // Positions and relative offsets are 4 bytes in the indexes.
      const bool full = active->size() + total > config_.segment_bytes ||
                        active->size() + total > int64_t{std::numeric_limits<int32_t>::max()} ||
                        log_end_offset_ + record_offsets - active->base_offset() >
                            int64_t{std::numeric_limits<int32_t>::max()};
      const bool old = now_ms - active->roll_start_ms() >= config_.segment_ms;
      if (full || old) {
        absl::Status s = RollLocked();
        if (!s.ok()) return s;
        active = segments_.back().get();
      }
    }
    int64_t next = log_end_offset_;
    for (const BatchFrame& f : frames) {
      char* b = batches.data() + f.pos;
      protocol::SetBaseOffset(b, next);
      if (config_.log_append_time) protocol::SetLogAppendTime(b, now_ms);
      next += int64_t{f.last_offset_delta} + 1;
    }
    absl::Status s = active->Append(batches, now_ms);
    if (!s.ok()) return s;
    result.base_offset = log_end_offset_;
    result.last_offset = next - 1;
    result.log_append_time_ms = config_.log_append_time ? now_ms : -1;
    log_end_offset_ = next;
    size_bytes_ += total;

    records_since_flush_ += record_offsets;
    if (last_flush_ms_ < 0) last_flush_ms_ = now_ms;
    if (records_since_flush_ >= config_.flush_interval_messages ||
        now_ms - last_flush_ms_ >= config_.flush_interval_ms) {
      for (const auto& seg : segments_) {
        if (seg->size() > seg->flushed_size()) to_sync.push_back(seg);
      }
      sync_dir = dir_dirty_;
      dir_dirty_ = false;
      records_since_flush_ = 0;
      last_flush_ms_ = now_ms;
    }
  }
  if (!to_sync.empty() || sync_dir) {
    absl::Status s = SyncSegments(to_sync, sync_dir);
    // The data is written but not durable; Kafka treats this as a storage failure.
    if (!s.ok()) return s;
  }
  return result;
}

absl::Status PartitionLog::Read(int64_t offset, int32_t max_bytes, int64_t upper_bound,
                                std::string* out) const {
  out->clear();
  std::shared_ptr<Segment> seg;
  uint64_t pos;
  uint64_t end;
  int32_t interval;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return absl::FailedPreconditionError("log " + dir_ + " is closed");
    if (offset < log_start_offset_ || offset > log_end_offset_) {
      return absl::OutOfRangeError("offset " + std::to_string(offset) + " is outside [" +
                                   std::to_string(log_start_offset_) + ", " +
                                   std::to_string(log_end_offset_) + "]");
    }
    if (offset == log_end_offset_ || max_bytes <= 0) return absl::OkStatus();
    seg = SegmentFor(offset);
    pos = seg->PositionFor(offset);
    end = static_cast<uint64_t>(seg->size());
    interval = config_.index_interval_bytes;
  }

  // `*out` holds file bytes [buf_pos, buf_pos + out->size()). Reads past what is needed
  // are bounded by the segment end snapshot taken under the lock, so only complete
  // batches are ever seen.
  uint64_t buf_pos = pos;
  auto ensure = [&](uint64_t need_end, uint64_t want_end) -> absl::Status {
    uint64_t have_end = buf_pos + out->size();
    if (need_end <= have_end) return absl::OkStatus();
    if (need_end > end) return absl::DataLossError(dir_ + ": batch extends past segment end");
    uint64_t to = std::min(end, std::max(need_end, want_end));
    size_t old = out->size();
    out->resize(old + (to - have_end));
    absl::Status s = seg->ReadAt(have_end, to - have_end, out->data() + old);
    if (!s.ok()) out->clear();
    return s;
  };

  // Find the batch holding `offset`: it lies within about one index interval of `pos`,
  // so one read normally covers both that search and the whole response.
  const uint64_t first_read =
      pos + std::max<uint64_t>(64 << 10, uint64_t(std::max(interval, 0)) + uint64_t(max_bytes));
  uint64_t start = pos;
  while (true) {
    if (start + kRecordBatchHeaderSize > end) {
      out->clear();
      return absl::DataLossError(dir_ + ": offset " + std::to_string(offset) +
                                 " not found in its segment");
    }
    absl::Status s = ensure(start + kRecordBatchHeaderSize, first_read);
    if (!s.ok()) return s;
    const char* h = out->data() + (start - buf_pos);
    int64_t base = static_cast<int64_t>(protocol::LoadBigEndian64(h));
    int32_t length = static_cast<int32_t>(protocol::LoadBigEndian32(h + 8));
    int32_t last_delta = static_cast<int32_t>(
        protocol::LoadBigEndian32(h + protocol::batch_layout::kLastOffsetDelta));
    if (length < static_cast<int32_t>(kRecordBatchHeaderSize - kBatchLogOverhead)) {
      out->clear();
      return absl::DataLossError(dir_ + ": corrupt batch header");
    }
    if (base + last_delta >= offset) {
      if (base >= upper_bound) {
        out->clear();
        return absl::OkStatus();
      }
      break;
    }
    start += kBatchLogOverhead + static_cast<uint64_t>(length);
  }
  if (start > buf_pos) {
    out->erase(0, start - buf_pos);
    buf_pos = start;
  }

  // Whole batches from `start`: the first regardless of size, then while they fit.
  uint64_t cursor = start;
  bool first = true;
  while (cursor + kBatchLogOverhead <= end) {
    absl::Status s = ensure(cursor + kBatchLogOverhead, start + uint64_t(max_bytes));
    if (!s.ok()) return s;
    const char* h = out->data() + (cursor - buf_pos);
    int64_t base = static_cast<int64_t>(protocol::LoadBigEndian64(h));
    uint64_t size = kBatchLogOverhead + protocol::LoadBigEndian32(h + 8);
    if (!first) {
      if (base >= upper_bound || cursor + size - start > uint64_t(max_bytes)) break;
    }
    if (cursor + size > end) {
      out->clear();
      return absl::DataLossError(dir_ + ": batch extends past segment end");
    }
    cursor += size;
    first = false;
  }
  absl::Status s = ensure(cursor, cursor);
  if (!s.ok()) return s;
  out->resize(cursor - start);
  return absl::OkStatus();
}

int64_t PartitionLog::log_start_offset() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_start_offset_;
}

int64_t PartitionLog::log_end_offset() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_end_offset_;
}

int64_t PartitionLog::size_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return size_bytes_;
}

std::optional<std::pair<int64_t, int64_t>> PartitionLog::OffsetForTimestamp(int64_t ts) const {
  struct Candidate {
    std::shared_ptr<Segment> seg;
    uint64_t pos;
    uint64_t end;
  };
  std::vector<Candidate> candidates;
  int64_t start_offset;
  int64_t end_offset;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return std::nullopt;
    start_offset = log_start_offset_;
    end_offset = log_end_offset_;
    for (const auto& seg : segments_) {
      if (seg->next_offset() <= start_offset || seg->max_timestamp() < ts) continue;
      int64_t from = std::max(start_offset, seg->ScanStartForTimestamp(ts));
      candidates.push_back({seg, seg->PositionFor(from), static_cast<uint64_t>(seg->size())});
    }
  }
  for (const Candidate& c : candidates) {
    BatchScanner scanner(*c.seg, c.pos, c.end, size_t{64} << 10);
    while (scanner.Next()) {
      const protocol::RecordBatchHeader& h = scanner.header();
      if (h.last_offset() < start_offset || h.base_offset >= end_offset || h.max_timestamp < ts) {
        continue;
      }
      if (h.log_append_time()) {
        // Every record of the batch has the batch's max timestamp.
        return std::make_pair(std::max(h.base_offset, start_offset), h.max_timestamp);
      }
      absl::StatusOr<std::string_view> batch = scanner.Batch();
      if (!batch.ok()) break;
      absl::StatusOr<std::vector<protocol::Record>> records = protocol::DecodeRecords(*batch);
      if (!records.ok()) {
        spdlog::warn("{}: undecodable batch at offset {}: {}", dir_, h.base_offset,
                     records.status().ToString());
        continue;
      }
      for (const protocol::Record& r : *records) {
        int64_t offset = h.base_offset + r.offset_delta;
        int64_t timestamp = h.base_timestamp + r.timestamp_delta;
        if (offset >= start_offset && timestamp >= ts) return std::make_pair(offset, timestamp);
      }
    }
    if (!scanner.status().ok()) {
      spdlog::warn("{}: timestamp lookup: {}", dir_, scanner.status().ToString());
    }
  }
  return std::nullopt;
}

absl::Status PartitionLog::PersistLogStartOffset(int64_t offset) const {
  return WriteFileDurably(dir_, kLogStartOffsetFile, std::to_string(offset) + "\n");
}

std::vector<std::shared_ptr<Segment>> PartitionLog::DetachOldestLocked(size_t n) {
  std::vector<std::shared_ptr<Segment>> doomed(segments_.begin(), segments_.begin() + n);
  segments_.erase(segments_.begin(), segments_.begin() + n);
  for (const auto& seg : doomed) size_bytes_ -= seg->size();
  if (!segments_.empty()) {
    log_start_offset_ = std::max(log_start_offset_, segments_.front()->base_offset());
  }
  return doomed;
}

void PartitionLog::DeleteSegmentFiles(const std::vector<std::shared_ptr<Segment>>& doomed) {
  for (const auto& seg : doomed) seg->DeleteFiles();
}

absl::Status PartitionLog::DeleteRecordsBefore(int64_t offset) {
  std::lock_guard<std::mutex> persist_lock(persist_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return absl::FailedPreconditionError("log " + dir_ + " is closed");
    if (offset > log_end_offset_) {
      return absl::OutOfRangeError("offset " + std::to_string(offset) +
                                   " is past the log end offset " +
                                   std::to_string(log_end_offset_));
    }
    if (offset <= log_start_offset_) return absl::OkStatus();
  }
  absl::Status s = PersistLogStartOffset(offset);
  if (!s.ok()) return s;
  std::vector<std::shared_ptr<Segment>> doomed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return absl::OkStatus();  // persisted; Open() will apply it
    log_start_offset_ = std::max(log_start_offset_, offset);
    size_t n = 0;
    while (n + 1 < segments_.size() && segments_[n]->next_offset() <= log_start_offset_) ++n;
    doomed = DetachOldestLocked(n);
  }
  DeleteSegmentFiles(doomed);
  return absl::OkStatus();
}

void PartitionLog::ApplyRetention(int64_t now_ms) {
  std::vector<std::shared_ptr<Segment>> doomed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    Segment* active = segments_.back().get();
    if (!active->empty()) {
      if (active->roll_start_ms() < 0 || active->roll_start_ms() > now_ms) {
        active->set_roll_start_ms(now_ms);
      }
      if (now_ms - active->roll_start_ms() >= config_.segment_ms) {
        absl::Status s = RollLocked();
        if (!s.ok()) spdlog::warn("{}: time-based roll failed: {}", dir_, s.ToString());
      }
    }
    const size_t closed_segments = segments_.size() - 1;
    size_t n = 0;
    // Whole segments below a start offset raised by DeleteRecords.
    while (n < closed_segments && segments_[n]->next_offset() <= log_start_offset_) ++n;
    if (config_.retention_ms >= 0) {
      while (n < closed_segments &&
             now_ms - segments_[n]->largest_time_ms() > config_.retention_ms) {
        ++n;
      }
    }
    if (config_.retention_bytes >= 0) {
      int64_t remaining = size_bytes_;
      for (size_t i = 0; i < n; ++i) remaining -= segments_[i]->size();
      while (n < closed_segments && remaining - segments_[n]->size() >= config_.retention_bytes) {
        remaining -= segments_[n]->size();
        ++n;
      }
    }
    if (n == 0) return;
    doomed = DetachOldestLocked(n);
    spdlog::info("{}: retention deleted {} segment(s); log start offset now {}", dir_, n,
                 log_start_offset_);
  }
  DeleteSegmentFiles(doomed);
}

absl::Status PartitionLog::SyncSegments(const std::vector<std::shared_ptr<Segment>>& segments,
                                        bool sync_dir) {
  for (const auto& seg : segments) {
    // Whatever size is visible now is covered by the fdatasync that follows.
    int64_t size;
    {
      std::lock_guard<std::mutex> lock(mu_);
      size = seg->size();
    }
    absl::Status s = seg->Sync();
    if (!s.ok()) return s;
    seg->MarkFlushed(size);
  }
  if (sync_dir) return SyncDir(dir_);
  return absl::OkStatus();
}

absl::Status PartitionLog::Flush() {
  std::vector<std::shared_ptr<Segment>> to_sync;
  bool sync_dir;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return absl::FailedPreconditionError("log " + dir_ + " is closed");
    for (const auto& seg : segments_) {
      if (seg->size() > seg->flushed_size()) to_sync.push_back(seg);
    }
    sync_dir = dir_dirty_;
    dir_dirty_ = false;
    records_since_flush_ = 0;
  }
  return SyncSegments(to_sync, sync_dir);
}

void PartitionLog::SetConfig(LogConfig config) {
  std::lock_guard<std::mutex> lock(mu_);
  config_ = config;
  for (const auto& seg : segments_) seg->set_index_interval_bytes(config.index_interval_bytes);
}

LogConfig PartitionLog::config() const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_;
}

absl::Status PartitionLog::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  absl::Status result;
  for (const auto& seg : segments_) {
    if (seg->size() > seg->flushed_size()) {
      absl::Status s = seg->Sync();
      if (s.ok()) seg->MarkFlushed(seg->size());
      result.Update(s);
    }
  }
  result.Update(segments_.back()->WriteIndexFiles());
  if (result.ok()) {
    // Only a fully flushed log with current indexes may skip recovery next time.
    std::string marker = dir_ + "/" + kCleanShutdownFile;
    int fd = open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      result.Update(ErrnoStatus("create", marker, errno));
    } else {
      close(fd);
    }
  }
  result.Update(SyncDir(dir_));
  segments_.clear();
  close(lock_fd_);  // releases the flock
  lock_fd_ = -1;
  return result;
}

}  // namespace rill::broker::log
