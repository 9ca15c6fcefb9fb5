#include "state/rocksdb_window_store.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/comparator.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "rocksdb/write_batch.h"
#include "spdlog/spdlog.h"
#include "state/internal/rocksdb_resources_impl.h"
#include "state/internal/segments.h"
#include "state/internal/window_iterators.h"
#include "state/window_key_schema.h"

namespace rill::state {
namespace {

using internal::Segments;
using internal::WindowScan;

// The store's bookkeeping lives in its own column family, never among the windows. The
// KV store (rocksdb_key_value_store.cc) uses the same family name and offset key.
constexpr char kMetaColumnFamily[] = "rill-meta";
constexpr char kChangelogOffsetKey[] = "changelog-offset";
constexpr char kStreamTimeKey[] = "observed-stream-time";
constexpr char kSeqnumKey[] = "seqnum";
constexpr char kSegmentIntervalKey[] = "segment-interval";
constexpr char kSegmentPrefix[] = "segment-";

// The tuning below is copied from rocksdb_key_value_store.cc, whose helpers are private to
// that file: keep the two in step.
constexpr uint64_t kWriteBufferBytes = 16 << 20;
constexpr int kMaxWriteBuffers = 3;
// The meta and (unused) default column families hold a few keys: tiny memtables keep
// their arenas from reserving megabytes of the shared write-buffer budget per store.
constexpr uint64_t kSmallWriteBufferBytes = 64 << 10;
constexpr uint64_t kBlockBytes = 4 << 10;
constexpr double kBloomBitsPerKey = 10;

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

absl::Status ToAbsl(const rocksdb::Status& s, std::string_view store) {
  if (s.ok()) return absl::OkStatus();
  std::string message = "rocksdb window store " + std::string(store) + ": " + s.ToString();
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (s.IsNotSupported()) return absl::UnimplementedError(message);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return absl::UnavailableError(message);
  if (s.IsAborted()) return absl::AbortedError(message);
  return absl::InternalError(message);
}

absl::Status ClosedError(std::string_view store) {
  return absl::FailedPreconditionError("rocksdb window store " + std::string(store) + " is closed");
}

// Big-endian, so the stored bytes read the same in any tool (ldb) and on any host.
std::string EncodeInt64(int64_t v) {
  std::string out(8, '\0');
  uint64_t u = static_cast<uint64_t>(v);
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  return out;
}

std::optional<int64_t> DecodeInt64(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return static_cast<int64_t>(v);
}

std::string SegmentName(int64_t id) { return absl::StrCat(kSegmentPrefix, id); }

std::optional<int64_t> SegmentIdFromName(std::string_view name) {
  // absl::string_view is not std::string_view in this Abseil build.
  const absl::string_view view(name.data(), name.size());
  if (!absl::StartsWith(view, kSegmentPrefix)) return std::nullopt;
  int64_t id = 0;
  if (!absl::SimpleAtoi(view.substr(sizeof(kSegmentPrefix) - 1), &id)) return std::nullopt;
  return id;
}

// Orders keys as CompareWindowStoreKeys does. The name is recorded in the DB: opening a
// directory written with another comparator (say, a key-value store's) fails cleanly.
class WindowKeyComparator final : public rocksdb::Comparator {
 public:
  const char* Name() const override { return "rill.WindowStoreKeyComparator"; }
  int Compare(const rocksdb::Slice& a, const rocksdb::Slice& b) const override {
    return CompareWindowStoreKeys(ToView(a), ToView(b));
  }
  // Shortening index separators is optional; doing nothing is always correct.
  void FindShortestSeparator(std::string*, const rocksdb::Slice&) const override {}
  void FindShortSuccessor(std::string*) const override {}
  bool CanKeysWithDifferentByteContentsBeEqual() const override { return false; }
};

const rocksdb::Comparator* WindowComparator() {
  static const WindowKeyComparator* comparator = new WindowKeyComparator();
  return comparator;
}

rocksdb::CompressionType PickCompression() {
  // LZ4 is the cheap choice for hot state; fall back to whatever this RocksDB build has.
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  for (rocksdb::CompressionType want : {rocksdb::kLZ4Compression, rocksdb::kSnappyCompression}) {
    if (std::find(supported.begin(), supported.end(), want) != supported.end()) return want;
  }
  return rocksdb::kNoCompression;
}

rocksdb::ColumnFamilyOptions SegmentColumnFamilyOptions(const RocksDbResources::Impl& resources) {
  rocksdb::ColumnFamilyOptions cf;
  cf.comparator = WindowComparator();
  cf.compaction_style = rocksdb::kCompactionStyleLevel;
  cf.level_compaction_dynamic_level_bytes = true;
  cf.write_buffer_size = kWriteBufferBytes;
  cf.max_write_buffer_number = kMaxWriteBuffers;
  cf.compression = PickCompression();

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = resources.block_cache;
  // Index and filter blocks go through the shared cache too, or they would grow outside
  // the bound with every SST file; pinning L0's keeps the hottest lookups cheap.
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.block_size = kBlockBytes;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(kBloomBitsPerKey));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

rocksdb::ColumnFamilyOptions SmallColumnFamilyOptions(const RocksDbResources::Impl& resources) {
  rocksdb::ColumnFamilyOptions cf = SegmentColumnFamilyOptions(resources);
  cf.comparator = rocksdb::BytewiseComparator();
  cf.write_buffer_size = kSmallWriteBufferBytes;
  cf.max_write_buffer_number = 2;
  return cf;
}

rocksdb::DBOptions MakeDbOptions(const RocksDbResources::Impl& resources) {
  rocksdb::DBOptions db;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.write_buffer_manager = resources.write_buffer_manager;
  // Flushing every column family together keeps the on-disk segments and meta consistent
  // without the WAL, and lets a WAL file go as soon as the data flushes.
  db.atomic_flush = true;
  db.keep_log_file_num = 2;
  db.max_log_file_size = 4 << 20;
  return db;
}

// Owns the open DB and its fixed column families. Shared by the store, its segments and
// its live iterators, so that Close() while an iterator is in use cannot free the DB
// under it.
struct DbHandle {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* default_cf = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  std::shared_ptr<RocksDbResources> resources;

  ~DbHandle() {
    if (db == nullptr) return;
    if (default_cf != nullptr) db->DestroyColumnFamilyHandle(default_cf).PermitUncheckedError();
    if (meta != nullptr) db->DestroyColumnFamilyHandle(meta).PermitUncheckedError();
    db->Close().PermitUncheckedError();
    delete db;
  }
};

// One segment's column family. Iterators hold it too, so a segment dropped while they run
// keeps its data readable until they finish (RocksDB frees a dropped column family when
// its last handle goes).
struct SegmentHandle {
  std::shared_ptr<DbHandle> db;
  rocksdb::ColumnFamilyHandle* cf = nullptr;

  SegmentHandle(std::shared_ptr<DbHandle> db_in, rocksdb::ColumnFamilyHandle* cf_in)
      : db(std::move(db_in)), cf(cf_in) {}
  ~SegmentHandle() { db->db->DestroyColumnFamilyHandle(cf).PermitUncheckedError(); }
  SegmentHandle(const SegmentHandle&) = delete;
  SegmentHandle& operator=(const SegmentHandle&) = delete;
};

// A bounded rocksdb::Iterator over one segment, as a KeyValueIterator of store keys.
class SegmentIterator final : public KeyValueIterator {
 public:
  SegmentIterator(std::shared_ptr<SegmentHandle> segment, const std::string& store,
                  std::optional<std::string> lower, std::optional<std::string> upper_exclusive,
                  bool reverse)
      : segment_(std::move(segment)),
        store_(store),
        lower_bytes_(std::move(lower)),
        upper_bytes_(std::move(upper_exclusive)),
        reverse_(reverse) {
    rocksdb::ReadOptions options;
    // The bounds compare with the segment's comparator: window store keys both.
    if (lower_bytes_) {
      lower_ = ToSlice(*lower_bytes_);
      options.iterate_lower_bound = &lower_;
    }
    if (upper_bytes_) {
      upper_ = ToSlice(*upper_bytes_);
      options.iterate_upper_bound = &upper_;
    }
    // A scan would otherwise push the hot blocks out of the shared cache.
    options.fill_cache = false;
    iterator_.reset(segment_->db->db->NewIterator(options, segment_->cf));
    if (reverse_) {
      iterator_->SeekToLast();
    } else {
      iterator_->SeekToFirst();
    }
  }

  bool Valid() const override { return iterator_->Valid(); }
  void Next() override {
    if (reverse_) {
      iterator_->Prev();
    } else {
      iterator_->Next();
    }
  }
  std::string_view key() const override { return ToView(iterator_->key()); }
  std::string_view value() const override { return ToView(iterator_->value()); }
  absl::Status status() const override { return ToAbsl(iterator_->status(), store_); }

 private:
  std::shared_ptr<SegmentHandle> segment_;
  std::string store_;                       // for error messages
  std::optional<std::string> lower_bytes_;  // own the bytes lower_ and upper_ point at
  std::optional<std::string> upper_bytes_;
  bool reverse_;
  rocksdb::Slice lower_;
  rocksdb::Slice upper_;
  std::unique_ptr<rocksdb::Iterator> iterator_;  // last: destroyed before the segment
};

struct StoredState {
  std::optional<int64_t> committed_offset;
  std::optional<int64_t> stream_time;
  int32_t seqnum = 0;
};

class RocksDbWindowStore final : public WindowStore {
 public:
  RocksDbWindowStore(std::string name, std::shared_ptr<DbHandle> db,
                     std::map<int64_t, std::shared_ptr<SegmentHandle>> segment_handles,
                     int64_t retention_ms, int64_t segment_interval_ms, bool retain_duplicates,
                     const StoredState& stored)
      : name_(std::move(name)),
        retain_duplicates_(retain_duplicates),
        db_(std::move(db)),
        segment_options_(SegmentColumnFamilyOptions(db_->resources->impl())),
        segments_(retention_ms, segment_interval_ms),
        segment_handles_(std::move(segment_handles)),
        committed_offset_(stored.committed_offset),
        committed_stream_time_(stored.stream_time),
        seqnum_(stored.seqnum),
        committed_seqnum_(stored.seqnum) {
    segments_.set_observed_stream_time(stored.stream_time);
  }

  const std::string& name() const override { return name_; }
  bool persistent() const override { return true; }
  int64_t retention_ms() const override { return segments_.retention_ms(); }
  bool retain_duplicates() const override { return retain_duplicates_; }

  // At open: the committed stream time may have expired segments that a crash kept from
  // being dropped after their commit.
  void DropExpiredSegments() {
    std::lock_guard<std::mutex> lock(mu_);
    DropExpiredSegmentsLocked();
  }

  absl::StatusOr<WindowPutResult> Put(std::string_view key, int64_t window_start_ms,
                                      std::optional<std::string_view> value) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return ClosedError(name_);
    segments_.Observe(window_start_ms);
    if (segments_.IsExpired(window_start_ms)) return WindowPutResult{};
    if (!value && retain_duplicates_) return WindowPutResult{};
    const int64_t segment_id = segments_.SegmentId(window_start_ms);
    // Nothing to delete in a segment that does not exist (not even uncommitted): applied,
    // so the changelog still gets its tombstone, without creating an empty segment.
    if (!value && !segment_handles_.contains(segment_id)) {
      return WindowPutResult{.applied = true, .seqnum = 0};
    }
    absl::StatusOr<rocksdb::ColumnFamilyHandle*> cf = SegmentForWriteLocked(segment_id);
    if (!cf.ok()) return cf.status();
    int32_t seqnum = 0;
    if (retain_duplicates_) {
      seqnum_ = (seqnum_ + 1) & 0x7fffffff;
      seqnum = seqnum_;
    }
    const std::string store_key = EncodeWindowStoreKey(key, window_start_ms, seqnum);
    rocksdb::Status s =
        value ? batch_.Put(*cf, store_key, ToSlice(*value)) : batch_.Delete(*cf, store_key);
    if (!s.ok()) return ToAbsl(s, name_);
    return WindowPutResult{.applied = true, .seqnum = seqnum};
  }

  absl::StatusOr<std::optional<std::string>> Fetch(std::string_view key,
                                                   int64_t window_start_ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return ClosedError(name_);
    if (segments_.IsExpired(window_start_ms)) return std::nullopt;
    auto segment = segment_handles_.find(segments_.SegmentId(window_start_ms));
    if (segment == segment_handles_.end()) return std::nullopt;
    if (!retain_duplicates_) {
      std::string value;
      rocksdb::Status s =
          batch_.GetFromBatchAndDB(db_->db, rocksdb::ReadOptions(), segment->second->cf,
                                   EncodeWindowStoreKey(key, window_start_ms, 0), &value);
      if (s.IsNotFound()) return std::nullopt;
      if (!s.ok()) return ToAbsl(s, name_);
      return value;
    }
    // The duplicates of (key, start) are adjacent, by sequence number: take the last.
    std::unique_ptr<KeyValueIterator> it =
        SegmentEntriesLocked(segment->second, EncodeWindowStoreKey(key, window_start_ms, 0),
                             WindowStoreKeyUpperBound(key, window_start_ms), /*reverse=*/true);
    if (!it->status().ok()) return it->status();
    if (!it->Valid()) return std::nullopt;
    return std::string(it->value());
  }

  std::unique_ptr<WindowStoreIterator> Fetch(std::string_view key, int64_t time_from,
                                             int64_t time_to, bool backward) override {
    return FetchRange(key, key, time_from, time_to, backward);
  }

  std::unique_ptr<WindowStoreIterator> FetchRange(std::optional<std::string_view> key_from,
                                                  std::optional<std::string_view> key_to,
                                                  int64_t time_from, int64_t time_to,
                                                  bool backward) override {
    std::vector<std::unique_ptr<KeyValueIterator>> inputs;
    WindowScan scan;
    {
      // Every segment's DB iterator (with its implicit snapshot) and batch copy are taken
      // under the lock: the result shows the store at one instant, even if a Commit()
      // follows right after.
      std::lock_guard<std::mutex> lock(mu_);
      if (!db_) return internal::NewEmptyWindowStoreIterator(ClosedError(name_));
      scan = WindowScan::Make(key_from, key_to, time_from, time_to, segments_.MinLiveTime());
      if (scan.empty) return internal::NewEmptyWindowStoreIterator();
      auto segment = segment_handles_.lower_bound(segments_.SegmentId(scan.time_from));
      auto end = segment_handles_.upper_bound(segments_.SegmentId(scan.time_to));
      for (; segment != end; ++segment) {
        inputs.push_back(
            SegmentEntriesLocked(segment->second, scan.lower, scan.upper_exclusive, backward));
      }
    }
    if (inputs.empty()) return internal::NewEmptyWindowStoreIterator();
    return internal::NewWindowStoreIterator(
        internal::NewWindowMergingIterator(std::move(inputs), backward), std::move(scan));
  }

  // Nothing is buffered above the batch, and the batch only goes to disk at commit.
  absl::Status Flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    return db_ ? absl::OkStatus() : ClosedError(name_);
  }

  absl::Status Commit(std::optional<int64_t> changelog_offset) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return ClosedError(name_);
    batch_.SetSavePoint();
    rocksdb::Status s = PutMetaLocked(&batch_, changelog_offset);
    if (!s.ok()) {
      batch_.RollbackToSavePoint().PermitUncheckedError();
      return ToAbsl(s, name_);
    }
    if (batch_.GetWriteBatch()->Count() == 0) {
      batch_.PopSavePoint().PermitUncheckedError();
      DropExpiredSegmentsLocked();  // retries a drop that failed after the last commit
      return absl::OkStatus();
    }
    // One write, windows and meta together: RocksDB applies a write batch atomically,
    // across column families and across a crash. WAL on, sync off, as the KV store: a
    // power loss can lose the last commits, but the store then is at an earlier commit
    // with that commit's offset and restoration replays a longer tail.
    rocksdb::WriteOptions options;
    options.sync = false;
    s = db_->db->Write(options, batch_.GetWriteBatch());
    if (!s.ok()) {
      // Keep the uncommitted writes (still visible, retried at the next commit), drop the
      // meta they did not reach.
      batch_.RollbackToSavePoint().PermitUncheckedError();
      return ToAbsl(s, name_);
    }
    batch_.Clear();
    MarkCommittedLocked(changelog_offset);
    DropExpiredSegmentsLocked();
    return absl::OkStatus();
  }

  std::optional<int64_t> CommittedOffset() override {
    std::lock_guard<std::mutex> lock(mu_);
    return committed_offset_;
  }

  absl::Status Restore(const std::vector<ChangelogRecord>& records, int64_t last_offset) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return ClosedError(name_);
    // Decode everything first so a malformed record applies nothing.
    std::vector<WindowStoreKey> keys;
    keys.reserve(records.size());
    for (const ChangelogRecord& record : records) {
      absl::StatusOr<WindowStoreKey> decoded = DecodeWindowStoreKey(record.key);
      if (!decoded.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("rocksdb window store ", name_,
                                                       ": restore: ", decoded.status().message()));
      }
      keys.push_back(*decoded);
    }
    // Stream time first, as Kafka Streams' restore does: records of the batch that the
    // batch itself expires are skipped.
    for (const WindowStoreKey& key : keys) segments_.Observe(key.window_start_ms);
    // Continue the numbering where the logged writes left it, so new duplicates never
    // reuse a restored sequence number.
    if (retain_duplicates_ && !keys.empty()) seqnum_ = keys.back().seqnum;
    // Straight to the DB (restoration runs before processing, with an empty batch), in
    // one atomic write with the meta so that a crash mid-restore resumes consistently.
    rocksdb::WriteBatch batch;
    for (size_t i = 0; i < records.size(); ++i) {
      if (segments_.IsExpired(keys[i].window_start_ms)) continue;
      absl::StatusOr<rocksdb::ColumnFamilyHandle*> cf =
          SegmentForWriteLocked(segments_.SegmentId(keys[i].window_start_ms));
      if (!cf.ok()) return cf.status();
      rocksdb::Status s = records[i].value ? batch.Put(*cf, records[i].key, *records[i].value)
                                           : batch.Delete(*cf, records[i].key);
      if (!s.ok()) return ToAbsl(s, name_);
    }
    rocksdb::Status s = PutMetaLocked(&batch, last_offset);
    if (s.ok()) s = db_->db->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return ToAbsl(s, name_);
    MarkCommittedLocked(last_offset);
    // Restoration normally runs with nothing uncommitted. If writes are pending anyway, the
    // changelog records are the newer truth: mirror them into the pending batch so reads
    // (and the next commit) do not resurrect older pending values, as in the in-memory
    // store.
    if (batch_.GetWriteBatch()->Count() > 0) {
      for (size_t i = 0; i < records.size(); ++i) {
        auto segment = segment_handles_.find(segments_.SegmentId(keys[i].window_start_ms));
        if (segments_.IsExpired(keys[i].window_start_ms) || segment == segment_handles_.end()) {
          continue;
        }
        rocksdb::ColumnFamilyHandle* cf = segment->second->cf;
        rocksdb::Status mirrored = records[i].value
                                       ? batch_.Put(cf, records[i].key, *records[i].value)
                                       : batch_.Delete(cf, records[i].key);
        if (!mirrored.ok()) return ToAbsl(mirrored, name_);
      }
    }
    DropExpiredSegmentsLocked();
    return absl::OkStatus();
  }

  absl::Status Close() override {
    std::shared_ptr<DbHandle> db;
    std::map<int64_t, std::shared_ptr<SegmentHandle>> segment_handles;
    {
      std::lock_guard<std::mutex> lock(mu_);
      batch_.Clear();
      db = std::move(db_);
      segment_handles = std::move(segment_handles_);
      segment_handles_.clear();
      committed_offset_.reset();
    }
    // The column families and the DB close here unless an iterator still holds them;
    // outside the lock because closing may wait for background flushes.
    segment_handles.clear();
    db.reset();
    return absl::OkStatus();
  }

 private:
  // The meta keys a commit (or restore) writes: the offset when given, and whatever
  // changed since the last commit. WriteBatchBase covers both the indexed batch and the
  // plain one Restore() uses.
  rocksdb::Status PutMetaLocked(rocksdb::WriteBatchBase* batch,
                                std::optional<int64_t> changelog_offset) {
    rocksdb::Status s;
    if (changelog_offset) {
      s = batch->Put(db_->meta, kChangelogOffsetKey, EncodeInt64(*changelog_offset));
      if (!s.ok()) return s;
    }
    std::optional<int64_t> stream_time = segments_.observed_stream_time();
    if (stream_time && stream_time != committed_stream_time_) {
      s = batch->Put(db_->meta, kStreamTimeKey, EncodeInt64(*stream_time));
      if (!s.ok()) return s;
    }
    if (retain_duplicates_ && seqnum_ != committed_seqnum_) {
      s = batch->Put(db_->meta, kSeqnumKey, EncodeInt64(seqnum_));
    }
    return s;
  }

  void MarkCommittedLocked(std::optional<int64_t> changelog_offset) {
    if (changelog_offset) committed_offset_ = changelog_offset;
    committed_stream_time_ = segments_.observed_stream_time();
    committed_seqnum_ = seqnum_;
  }

  absl::StatusOr<rocksdb::ColumnFamilyHandle*> SegmentForWriteLocked(int64_t id) {
    auto it = segment_handles_.find(id);
    if (it != segment_handles_.end()) return it->second->cf;
    // Created at once, outside the batch: an empty column family left by a crash is
    // harmless, and the next open drops it once it expires.
    rocksdb::ColumnFamilyHandle* cf = nullptr;
    rocksdb::Status s = db_->db->CreateColumnFamily(segment_options_, SegmentName(id), &cf);
    if (!s.ok()) return ToAbsl(s, name_);
    segment_handles_.emplace(id, std::make_shared<SegmentHandle>(db_, cf));
    return cf;
  }

  // Only called with the observed stream time committed, so a crash right after never
  // leaves the last commit without windows it held.
  void DropExpiredSegmentsLocked() {
    const int64_t min_live = segments_.MinLiveSegment();
    for (auto it = segment_handles_.begin();
         it != segment_handles_.end() && it->first < min_live;) {
      rocksdb::Status s = db_->db->DropColumnFamily(it->second->cf);
      if (!s.ok()) {
        // Expired windows stay hidden from reads; the next commit tries again.
        spdlog::warn("rocksdb window store {}: cannot drop segment {}: {}", name_, it->first,
                     s.ToString());
        return;
      }
      it = segment_handles_.erase(it);
    }
  }

  // One segment's entries in [lower, upper_exclusive): the DB's, with the uncommitted ones
  // laid over them.
  std::unique_ptr<KeyValueIterator> SegmentEntriesLocked(
      const std::shared_ptr<SegmentHandle>& segment, const std::optional<std::string>& lower,
      const std::optional<std::string>& upper_exclusive, bool reverse) {
    auto base = std::make_unique<SegmentIterator>(segment, name_, lower, upper_exclusive, reverse);
    internal::Overlay overlay = BatchEntriesLocked(segment->cf, lower, upper_exclusive);
    if (overlay.empty()) return base;
    if (reverse) std::reverse(overlay.begin(), overlay.end());
    return internal::NewWindowOverlayIterator(std::move(base), std::move(overlay), reverse);
  }

  // A copy of the uncommitted entries of `cf` in [lower, upper_exclusive), ascending,
  // newest write per key.
  internal::Overlay BatchEntriesLocked(rocksdb::ColumnFamilyHandle* cf,
                                       const std::optional<std::string>& lower,
                                       const std::optional<std::string>& upper_exclusive) {
    internal::Overlay overlay;
    if (batch_.GetWriteBatch()->Count() == 0) return overlay;
    std::unique_ptr<rocksdb::WBWIIterator> it(batch_.NewIterator(cf));
    if (lower) {
      it->Seek(ToSlice(*lower));
    } else {
      it->SeekToFirst();
    }
    for (; it->Valid(); it->Next()) {
      rocksdb::WriteEntry entry = it->Entry();
      std::string_view key = ToView(entry.key);
      if (upper_exclusive && CompareWindowStoreKeys(key, *upper_exclusive) >= 0) break;
      std::optional<std::string> value;
      if (entry.type == rocksdb::kPutRecord) value = std::string(ToView(entry.value));
      // Entries of one key come oldest first: the last one is the key's current state.
      if (!overlay.empty() && overlay.back().first == key) {
        overlay.back().second = std::move(value);
      } else {
        overlay.emplace_back(std::string(key), std::move(value));
      }
    }
    return overlay;
  }

  const std::string name_;
  const bool retain_duplicates_;
  std::mutex mu_;
  std::shared_ptr<DbHandle> db_;  // null once closed
  const rocksdb::ColumnFamilyOptions segment_options_;
  Segments segments_;
  std::map<int64_t, std::shared_ptr<SegmentHandle>> segment_handles_;
  // overwrite_key: one index entry per key, so a hot window does not grow the index. The
  // index orders each column family by that family's comparator.
  rocksdb::WriteBatchWithIndex batch_{rocksdb::BytewiseComparator(), /*reserved_bytes=*/0,
                                      /*overwrite_key=*/true};
  std::optional<int64_t> committed_offset_;
  std::optional<int64_t> committed_stream_time_;
  int32_t seqnum_ = 0;
  int32_t committed_seqnum_ = 0;
};

// Reads one optional int64 meta key; DataLoss when it is there but malformed.
absl::StatusOr<std::optional<int64_t>> ReadMeta(const DbHandle& db, const char* key,
                                                std::string_view store) {
  std::string bytes;
  rocksdb::Status s = db.db->Get(rocksdb::ReadOptions(), db.meta, key, &bytes);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return ToAbsl(s, store);
  std::optional<int64_t> value = DecodeInt64(bytes);
  if (!value) {
    return absl::DataLossError(absl::StrCat("rocksdb window store ", std::string(store),
                                            ": malformed ", key, " in rill-meta"));
  }
  return value;
}

// The column families of an existing DB in `directory`; none for a new one.
absl::StatusOr<std::vector<std::string>> ExistingColumnFamilies(const std::string& directory,
                                                                std::string_view store) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(directory) / "CURRENT", ec)) {
    return std::vector<std::string>{};
  }
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), directory, &names);
  if (!s.ok()) return ToAbsl(s, store);
  return names;
}

}  // namespace

absl::StatusOr<std::unique_ptr<WindowStore>> OpenRocksDbWindowStore(
    std::string name, std::string directory, std::shared_ptr<RocksDbResources> resources,
    int64_t retention_ms, int64_t segment_interval_ms, bool retain_duplicates) {
  if (!resources) {
    return absl::InvalidArgumentError(
        absl::StrCat("rocksdb window store ", name, ": RocksDbResources required"));
  }
  absl::StatusOr<int64_t> interval =
      internal::ResolveSegmentInterval(name, retention_ms, segment_interval_ms);
  if (!interval.ok()) return interval.status();
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("rocksdb window store ", name, ": cannot create ",
                                            directory, ": ", ec.message()));
  }

  absl::StatusOr<std::vector<std::string>> existing = ExistingColumnFamilies(directory, name);
  if (!existing.ok()) return existing.status();
  const RocksDbResources::Impl& impl = resources->impl();
  const rocksdb::ColumnFamilyOptions small_options = SmallColumnFamilyOptions(impl);
  const rocksdb::ColumnFamilyOptions segment_options = SegmentColumnFamilyOptions(impl);
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, small_options},
      {kMetaColumnFamily, small_options},
  };
  std::vector<int64_t> segment_ids;
  for (const std::string& family : *existing) {
    if (family == rocksdb::kDefaultColumnFamilyName || family == kMetaColumnFamily) continue;
    std::optional<int64_t> id = SegmentIdFromName(family);
    if (!id) {
      return absl::DataLossError(absl::StrCat("rocksdb window store ", name, " in ", directory,
                                              ": unexpected column family ", family));
    }
    families.emplace_back(family, segment_options);
    segment_ids.push_back(*id);
  }

  auto handle = std::make_shared<DbHandle>();
  handle->resources = resources;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s =
      rocksdb::DB::Open(MakeDbOptions(impl), directory, families, &handles, &handle->db);
  if (!s.ok()) return ToAbsl(s, name);
  handle->default_cf = handles[0];
  handle->meta = handles[1];
  std::map<int64_t, std::shared_ptr<SegmentHandle>> segment_handles;
  for (size_t i = 0; i < segment_ids.size(); ++i) {
    segment_handles.emplace(segment_ids[i],
                            std::make_shared<SegmentHandle>(handle, handles[i + 2]));
  }

  absl::StatusOr<std::optional<int64_t>> stored_interval =
      ReadMeta(*handle, kSegmentIntervalKey, name);
  if (!stored_interval.ok()) return stored_interval.status();
  if (!stored_interval->has_value()) {
    // Structure, not state: written at once rather than with the first commit.
    s = handle->db->Put(rocksdb::WriteOptions(), handle->meta, kSegmentIntervalKey,
                        EncodeInt64(*interval));
    if (!s.ok()) return ToAbsl(s, name);
  } else if (**stored_interval != *interval) {
    if (**stored_interval <= 0) {
      return absl::DataLossError(absl::StrCat("rocksdb window store ", name,
                                              ": stored segment interval ", **stored_interval));
    }
    spdlog::info("rocksdb window store {}: keeps its segment interval {} ms (asked for {} ms)",
                 name, **stored_interval, *interval);
    interval = **stored_interval;
  }

  StoredState stored;
  absl::StatusOr<std::optional<int64_t>> offset = ReadMeta(*handle, kChangelogOffsetKey, name);
  if (!offset.ok()) return offset.status();
  stored.committed_offset = *offset;
  absl::StatusOr<std::optional<int64_t>> stream_time = ReadMeta(*handle, kStreamTimeKey, name);
  if (!stream_time.ok()) return stream_time.status();
  stored.stream_time = *stream_time;
  absl::StatusOr<std::optional<int64_t>> seqnum = ReadMeta(*handle, kSeqnumKey, name);
  if (!seqnum.ok()) return seqnum.status();
  stored.seqnum = static_cast<int32_t>(seqnum->value_or(0));

  auto store = std::make_unique<RocksDbWindowStore>(std::move(name), std::move(handle),
                                                    std::move(segment_handles), retention_ms,
                                                    *interval, retain_duplicates, stored);
  store->DropExpiredSegments();
  return store;
}

absl::StatusOr<std::vector<int64_t>> ListRocksDbWindowSegments(const std::string& directory) {
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), directory, &names);
  if (!s.ok()) return ToAbsl(s, directory);
  std::vector<int64_t> ids;
  for (const std::string& family : names) {
    if (std::optional<int64_t> id = SegmentIdFromName(family)) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace rill::state
