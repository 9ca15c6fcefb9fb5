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
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "rocksdb/write_batch.h"
#include "spdlog/spdlog.h"
#include "state/internal/rocksdb_resources_impl.h"
#include "state/internal/rocksdb_util.h"
#include "state/internal/segments.h"
#include "state/internal/window_iterators.h"
#include "state/window_key_schema.h"

namespace rill::state {
namespace {

using internal::Segments;
using internal::WindowScan;

using internal::DbHandle;
using internal::kChangelogOffsetKey;
using internal::kMetaColumnFamily;
using internal::ToSlice;
using internal::ToView;

// The meta column family and the changelog offset key are the KV store's
// (internal/rocksdb_util.h); the window store adds its own bookkeeping keys.
constexpr char kKind[] = "rocksdb window store";
constexpr char kStreamTimeKey[] = "observed-stream-time";
constexpr char kSeqnumKey[] = "seqnum";
constexpr char kSegmentIntervalKey[] = "segment-interval";
constexpr char kSegmentPrefix[] = "segment-";

absl::Status ToAbsl(const rocksdb::Status& s, std::string_view store) {
  return internal::ToAbsl(s, kKind, store);
}
absl::Status ClosedError(std::string_view store) { return internal::ClosedError(kKind, store); }

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

rocksdb::ColumnFamilyOptions SegmentColumnFamilyOptions(const RocksDbResources::Impl& resources) {
  return internal::DataColumnFamilyOptions(resources, WindowComparator());
}

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
    absl::StatusOr<std::vector<WindowStoreKey>> decoded = DecodeRestoreKeys(records, absl::StrCat("rocksdb window store ", name_));
    if (!decoded.ok()) return decoded.status();
    const std::vector<WindowStoreKey>& keys = *decoded;
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
      s = batch->Put(db_->meta, kChangelogOffsetKey, internal::EncodeInt64(*changelog_offset));
      if (!s.ok()) return s;
    }
    std::optional<int64_t> stream_time = segments_.observed_stream_time();
    if (stream_time && stream_time != committed_stream_time_) {
      s = batch->Put(db_->meta, kStreamTimeKey, internal::EncodeInt64(*stream_time));
      if (!s.ok()) return s;
    }
    if (retain_duplicates_ && seqnum_ != committed_seqnum_) {
      s = batch->Put(db_->meta, kSeqnumKey, internal::EncodeInt64(seqnum_));
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
    // The bounds compare with the segment's comparator: window store keys both.
    std::unique_ptr<KeyValueIterator> base = internal::NewRocksDbIterator(
        segment, db_->db, segment->cf, kKind, name_, lower, upper_exclusive, reverse);
    internal::Overlay overlay = internal::BatchEntries(batch_, segment->cf, lower, upper_exclusive);
    if (overlay.empty()) return base;
    if (reverse) std::reverse(overlay.begin(), overlay.end());
    return internal::NewWindowOverlayIterator(std::move(base), std::move(overlay), reverse);
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
  absl::StatusOr<std::optional<std::string>> bytes = internal::GetMeta(db, key, kKind, store);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  std::optional<int64_t> value = internal::DecodeInt64(**bytes);
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
  absl::Status prepared = internal::PrepareStoreDirectory(kKind, name, directory, resources);
  if (!prepared.ok()) return prepared;

  absl::StatusOr<std::vector<std::string>> existing = ExistingColumnFamilies(directory, name);
  if (!existing.ok()) return existing.status();
  const RocksDbResources::Impl& impl = resources->impl();
  const rocksdb::ColumnFamilyOptions small_options = internal::SmallColumnFamilyOptions(impl);
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

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  absl::StatusOr<std::shared_ptr<DbHandle>> opened =
      internal::OpenDb(kKind, name, directory, std::move(resources), families, &handles);
  if (!opened.ok()) return opened.status();
  std::shared_ptr<DbHandle> handle = std::move(*opened);
  std::map<int64_t, std::shared_ptr<SegmentHandle>> segment_handles;
  for (size_t i = 0; i < segment_ids.size(); ++i) {
    segment_handles.emplace(segment_ids[i], std::make_shared<SegmentHandle>(handle, handles[i]));
  }

  absl::StatusOr<std::optional<int64_t>> stored_interval =
      ReadMeta(*handle, kSegmentIntervalKey, name);
  if (!stored_interval.ok()) return stored_interval.status();
  if (!stored_interval->has_value()) {
    // Structure, not state: written at once rather than with the first commit.
    rocksdb::Status s = handle->db->Put(rocksdb::WriteOptions(), handle->meta,
                                        kSegmentIntervalKey, internal::EncodeInt64(*interval));
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
