#include "broker/log/segment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "broker/protocol/crc32c.h"
#include "broker/protocol/wire.h"
#include "spdlog/spdlog.h"

namespace rill::broker::log {
namespace {

using protocol::kBatchLogOverhead;
using protocol::kRecordBatchHeaderSize;
using protocol::RecordBatchHeader;

constexpr int32_t kMinBatchLength =
    static_cast<int32_t>(kRecordBatchHeaderSize - kBatchLogOverhead);
constexpr size_t kOffsetEntrySize = 8;
constexpr size_t kTimeEntrySize = 12;

absl::Status ErrnoStatus(std::string_view what, const std::string& path, int err) {
  std::string msg = std::string(what) + " " + path + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  if (err == ENOENT) return absl::NotFoundError(msg);
  return absl::InternalError(msg);
}

int64_t MtimeMs(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

// Reads a whole small file; nullopt if it cannot be read.
std::optional<std::string> ReadSmallFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string data;
  char buf[65536];
  while (true) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return data;
}

absl::Status WriteWholeFile(const std::string& path, std::string_view data) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return ErrnoStatus("write", path, err);
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return absl::OkStatus();
}

}  // namespace

std::string SegmentFileName(int64_t base_offset, std::string_view ext) {
  char name[32];
  std::snprintf(name, sizeof(name), "%020lld", static_cast<long long>(base_offset));
  std::string out(name);
  out.append(ext);
  return out;
}

Segment::Segment(std::string dir, int64_t base_offset, int fd, int32_t index_interval_bytes)
    : dir_(std::move(dir)),
      base_offset_(base_offset),
      fd_(fd),
      index_interval_bytes_(index_interval_bytes),
      next_offset_(base_offset),
      offset_of_max_timestamp_(base_offset) {}

Segment::~Segment() { close(fd_); }

std::string Segment::PathFor(std::string_view ext) const {
  return dir_ + "/" + SegmentFileName(base_offset_, ext);
}

absl::StatusOr<std::shared_ptr<Segment>> Segment::Create(const std::string& dir,
                                                         int64_t base_offset,
                                                         int32_t index_interval_bytes) {
  std::string path = dir + "/" + SegmentFileName(base_offset, ".log");
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create", path, errno);
  std::shared_ptr<Segment> seg(new Segment(dir, base_offset, fd, index_interval_bytes));
  // Stale indexes of an earlier segment with this name would describe other data.
  unlink(seg->PathFor(".index").c_str());
  unlink(seg->PathFor(".timeindex").c_str());
  return seg;
}

absl::StatusOr<std::shared_ptr<Segment>> Segment::Load(const std::string& dir, int64_t base_offset,
                                                       int32_t index_interval_bytes, bool recover) {
  std::string path = dir + "/" + SegmentFileName(base_offset, ".log");
  int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  std::shared_ptr<Segment> seg(new Segment(dir, base_offset, fd, index_interval_bytes));
  struct stat st;
  if (fstat(fd, &st) != 0) return ErrnoStatus("stat", path, errno);
  if (static_cast<uint64_t>(st.st_size) > std::numeric_limits<uint32_t>::max()) {
    return absl::FailedPreconditionError(path + " is larger than 4 GiB");
  }
  seg->size_ = st.st_size;
  seg->last_modified_ms_ = MtimeMs(fd);

  absl::Status s;
  if (recover) {
    s = seg->ScanAndTruncate(0, /*verify_crc=*/true);
  } else if (seg->LoadIndexFiles()) {
    uint64_t from = seg->offset_index_.empty() ? 0 : seg->offset_index_.back().position;
    s = seg->ScanAndTruncate(from, /*verify_crc=*/false);
    // The roll clock comes from the first batch, which the tail scan may not have seen.
    if (s.ok() && from > 0) {
      char header[kRecordBatchHeaderSize];
      if (seg->ReadAt(0, sizeof(header), header).ok()) {
        auto h = protocol::ParseRecordBatchHeader(std::string_view(header, sizeof(header)));
        seg->roll_start_ms_ = h->max_timestamp >= 0 ? h->max_timestamp : -1;
      }
    }
  } else {
    s = seg->ScanAndTruncate(0, /*verify_crc=*/false);
  }
  if (!s.ok()) return s;
  seg->flushed_size_.store(seg->size_);
  return seg;
}

void Segment::ResetIndexes() {
  offset_index_.clear();
  time_index_.clear();
  next_offset_ = base_offset_;
  max_timestamp_ = -1;
  offset_of_max_timestamp_ = base_offset_;
  bytes_since_index_entry_ = 0;
  roll_start_ms_ = -1;
}

bool Segment::LoadIndexFiles() {
  ResetIndexes();
  std::optional<std::string> index = ReadSmallFile(PathFor(".index"));
  std::optional<std::string> timeindex = ReadSmallFile(PathFor(".timeindex"));
  if (!index || !timeindex || index->size() % kOffsetEntrySize != 0 ||
      timeindex->size() % kTimeEntrySize != 0) {
    return false;
  }
  std::vector<OffsetIndexEntry> offsets;
  offsets.reserve(index->size() / kOffsetEntrySize);
  for (size_t i = 0; i < index->size(); i += kOffsetEntrySize) {
    OffsetIndexEntry e{protocol::LoadBigEndian32(index->data() + i),
                       protocol::LoadBigEndian32(index->data() + i + 4)};
    bool ordered = offsets.empty() || (e.relative_offset > offsets.back().relative_offset &&
                                       e.position > offsets.back().position);
    if (!ordered || e.position == 0 || e.position + kRecordBatchHeaderSize > uint64_t(size_)) {
      return false;
    }
    offsets.push_back(e);
  }
  std::vector<TimeIndexEntry> times;
  times.reserve(timeindex->size() / kTimeEntrySize);
  for (size_t i = 0; i < timeindex->size(); i += kTimeEntrySize) {
    TimeIndexEntry e{static_cast<int64_t>(protocol::LoadBigEndian64(timeindex->data() + i)),
                     protocol::LoadBigEndian32(timeindex->data() + i + 8)};
    bool ordered = times.empty() || (e.timestamp > times.back().timestamp &&
                                     e.relative_offset >= times.back().relative_offset);
    if (!ordered || e.timestamp < 0) return false;
    times.push_back(e);
  }
  // The batch at the last indexed position must be the one the entry names; this catches
  // an index left over from different data.
  if (!offsets.empty()) {
    char header[kRecordBatchHeaderSize];
    if (!ReadAt(offsets.back().position, sizeof(header), header).ok()) return false;
    auto h = protocol::ParseRecordBatchHeader(std::string_view(header, sizeof(header)));
    if (h->magic != 2 || h->base_offset != base_offset_ + offsets.back().relative_offset) {
      return false;
    }
  }
  if (!times.empty() && !offsets.empty() &&
      times.back().relative_offset > offsets.back().relative_offset) {
    // The final entry (added when the segment was closed) may point past the last offset
    // entry; it still must not point past the data, which the tail scan re-derives.
    times.back().relative_offset =
        std::min(times.back().relative_offset, offsets.back().relative_offset);
  }
  offset_index_ = std::move(offsets);
  time_index_ = std::move(times);
  if (!time_index_.empty()) {
    max_timestamp_ = time_index_.back().timestamp;
    offset_of_max_timestamp_ = base_offset_ + time_index_.back().relative_offset;
  }
  if (!offset_index_.empty()) next_offset_ = base_offset_ + offset_index_.back().relative_offset;
  return true;
}

void Segment::IndexBatch(const RecordBatchHeader& h, uint32_t position) {
  if (bytes_since_index_entry_ >= index_interval_bytes_ && position > 0 &&
      (offset_index_.empty() || position > offset_index_.back().position)) {
    offset_index_.push_back({static_cast<uint32_t>(h.base_offset - base_offset_), position});
    bytes_since_index_entry_ = 0;
    if (max_timestamp_ >= 0 &&
        (time_index_.empty() || max_timestamp_ > time_index_.back().timestamp)) {
      time_index_.push_back(
          {max_timestamp_, static_cast<uint32_t>(offset_of_max_timestamp_ - base_offset_)});
    }
  }
  bytes_since_index_entry_ += static_cast<int64_t>(h.total_size());
  if (h.max_timestamp > max_timestamp_) {
    max_timestamp_ = h.max_timestamp;
    offset_of_max_timestamp_ = h.base_offset;
  }
  next_offset_ = h.last_offset() + 1;
}

absl::Status Segment::ScanAndTruncate(uint64_t from, bool verify_crc) {
  BatchScanner scanner(*this, from, static_cast<uint64_t>(size_));
  int64_t expected_min = from == 0 ? base_offset_ : next_offset_;
  bool first = from == 0;
  const char* why = nullptr;
  while (scanner.Next()) {
    const RecordBatchHeader& h = scanner.header();
    // Offsets only grow within a segment and must fit the 4-byte relative form.
    if (h.base_offset < expected_min || h.last_offset_delta < 0 ||
        h.last_offset() - base_offset_ > std::numeric_limits<uint32_t>::max()) {
      why = "out-of-order offsets";
      break;
    }
    if (verify_crc) {
      absl::StatusOr<std::string_view> batch = scanner.Batch();
      if (!batch.ok()) return batch.status();
      uint32_t crc = protocol::Crc32c(batch->substr(protocol::batch_layout::kAttributes));
      if (crc != h.crc) {
        why = "CRC mismatch";
        break;
      }
    }
    if (first) {
      roll_start_ms_ = h.max_timestamp >= 0 ? h.max_timestamp : -1;
      first = false;
    }
    IndexBatch(h, static_cast<uint32_t>(scanner.position()));
    expected_min = h.last_offset() + 1;
  }
  if (!scanner.status().ok()) return scanner.status();
  uint64_t valid_end = why != nullptr ? scanner.position() : scanner.valid_end();
  if (why == nullptr && scanner.torn()) why = "torn batch";
  if (valid_end < static_cast<uint64_t>(size_)) {
    spdlog::warn("{}: truncating {} bytes after position {} ({})", PathFor(".log"),
                 static_cast<uint64_t>(size_) - valid_end, valid_end,
                 why != nullptr ? why : "trailing bytes");
    if (ftruncate(fd_, static_cast<off_t>(valid_end)) != 0) {
      return ErrnoStatus("truncate", PathFor(".log"), errno);
    }
    size_ = static_cast<int64_t>(valid_end);
  }
  return absl::OkStatus();
}

absl::Status Segment::Append(std::string_view batches, int64_t now_ms) {
  const uint64_t start = static_cast<uint64_t>(size_);
  size_t done = 0;
  while (done < batches.size()) {
    ssize_t n =
        pwrite(fd_, batches.data() + done, batches.size() - done, static_cast<off_t>(start + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      // Leave no partial batch behind: a later append would land after it.
      if (ftruncate(fd_, static_cast<off_t>(start)) != 0) {
        spdlog::error("{}: cannot truncate after a failed write: {}", PathFor(".log"),
                      std::strerror(errno));
      }
      return ErrnoStatus("write", PathFor(".log"), err);
    }
    done += static_cast<size_t>(n);
  }
  if (roll_start_ms_ < 0) roll_start_ms_ = now_ms;
  last_modified_ms_ = now_ms;
  size_t pos = 0;
  while (pos < batches.size()) {
    RecordBatchHeader h = *protocol::ParseRecordBatchHeader(batches.substr(pos));
    IndexBatch(h, static_cast<uint32_t>(start + pos));
    pos += h.total_size();
  }
  size_ = static_cast<int64_t>(start + batches.size());
  return absl::OkStatus();
}

uint32_t Segment::PositionFor(int64_t offset) const {
  if (offset_index_.empty() || offset < base_offset_) return 0;
  int64_t rel = offset - base_offset_;
  if (rel > std::numeric_limits<uint32_t>::max()) return offset_index_.back().position;
  auto it =
      std::upper_bound(offset_index_.begin(), offset_index_.end(), static_cast<uint32_t>(rel),
                       [](uint32_t r, const OffsetIndexEntry& e) { return r < e.relative_offset; });
  return it == offset_index_.begin() ? 0 : std::prev(it)->position;
}

int64_t Segment::ScanStartForTimestamp(int64_t ts) const {
  auto it = std::upper_bound(time_index_.begin(), time_index_.end(), ts,
                             [](int64_t t, const TimeIndexEntry& e) { return t < e.timestamp; });
  return it == time_index_.begin() ? base_offset_ : base_offset_ + std::prev(it)->relative_offset;
}

absl::Status Segment::ReadAt(uint64_t pos, size_t n, char* dst) const {
  size_t done = 0;
  while (done < n) {
    ssize_t r = pread(fd_, dst + done, n - done, static_cast<off_t>(pos + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ErrnoStatus("read", PathFor(".log"), errno);
    if (r == 0) return absl::DataLossError(PathFor(".log") + ": unexpected end of file");
    done += static_cast<size_t>(r);
  }
  return absl::OkStatus();
}

absl::Status Segment::Sync() const {
  if (fdatasync(fd_) != 0) return ErrnoStatus("fdatasync", PathFor(".log"), errno);
  return absl::OkStatus();
}

absl::Status Segment::WriteIndexFiles() {
  // The entry for the segment's final max timestamp lets lookups skip straight to it.
  if (max_timestamp_ >= 0 &&
      (time_index_.empty() || max_timestamp_ > time_index_.back().timestamp)) {
    time_index_.push_back(
        {max_timestamp_, static_cast<uint32_t>(offset_of_max_timestamp_ - base_offset_)});
  }
  std::string index(offset_index_.size() * kOffsetEntrySize, '\0');
  for (size_t i = 0; i < offset_index_.size(); ++i) {
    protocol::StoreBigEndian32(index.data() + i * kOffsetEntrySize,
                               offset_index_[i].relative_offset);
    protocol::StoreBigEndian32(index.data() + i * kOffsetEntrySize + 4, offset_index_[i].position);
  }
  std::string times(time_index_.size() * kTimeEntrySize, '\0');
  for (size_t i = 0; i < time_index_.size(); ++i) {
    protocol::StoreBigEndian64(times.data() + i * kTimeEntrySize,
                               static_cast<uint64_t>(time_index_[i].timestamp));
    protocol::StoreBigEndian32(times.data() + i * kTimeEntrySize + 8,
                               time_index_[i].relative_offset);
  }
  absl::Status s = WriteWholeFile(PathFor(".index"), index);
  if (!s.ok()) return s;
  return WriteWholeFile(PathFor(".timeindex"), times);
}

void Segment::DeleteFiles() const {
  for (std::string_view ext : {".log", ".index", ".timeindex"}) {
    std::string path = PathFor(ext);
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      spdlog::warn("cannot delete {}: {}", path, std::strerror(errno));
    }
  }
}

BatchScanner::BatchScanner(const Segment& segment, uint64_t pos, uint64_t end, size_t chunk_bytes)
    : segment_(segment),
      end_(end),
      chunk_bytes_(chunk_bytes),
      cursor_(pos),
      next_(pos),
      buf_start_(pos) {}

bool BatchScanner::Ensure(size_t n) {
  if (cursor_ + n > end_) return false;
  uint64_t have_end = buf_start_ + buf_.size();
  if (cursor_ >= buf_start_ && cursor_ + n <= have_end) return true;
  // Keep nothing before the cursor; read at least a chunk so the next batches are there.
  if (cursor_ >= buf_start_ && cursor_ < have_end) {
    buf_.erase(0, cursor_ - buf_start_);
  } else {
    buf_.clear();
  }
  buf_start_ = cursor_;
  uint64_t read_from = buf_start_ + buf_.size();
  uint64_t read_to =
      std::min<uint64_t>(end_, std::max<uint64_t>(cursor_ + n, read_from + chunk_bytes_));
  size_t old = buf_.size();
  buf_.resize(old + (read_to - read_from));
  absl::Status s = segment_.ReadAt(read_from, read_to - read_from, buf_.data() + old);
  if (!s.ok()) {
    status_ = s;
    buf_.resize(old);
    return false;
  }
  return true;
}

bool BatchScanner::Next() {
  if (!status_.ok() || torn_) return false;
  if (started_) cursor_ = next_;
  started_ = true;
  if (cursor_ >= end_) return false;
  if (!Ensure(kRecordBatchHeaderSize)) {
    if (status_.ok()) torn_ = true;
    return false;
  }
  header_ = *protocol::ParseRecordBatchHeader(
      std::string_view(buf_.data() + (cursor_ - buf_start_), kRecordBatchHeaderSize));
  if (header_.magic != 2 || header_.batch_length < kMinBatchLength ||
      cursor_ + header_.total_size() > end_) {
    torn_ = true;
    return false;
  }
  next_ = cursor_ + header_.total_size();
  return true;
}

absl::StatusOr<std::string_view> BatchScanner::Batch() {
  size_t total = header_.total_size();
  if (!Ensure(total)) {
    return status_.ok() ? absl::DataLossError("batch extends past the scanned range") : status_;
  }
  return std::string_view(buf_.data() + (cursor_ - buf_start_), total);
}

}  // namespace rill::broker::log
