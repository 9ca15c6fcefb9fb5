#include "state/internal/rocksdb_segmented_store.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "rocksdb/write_batch.h"
#include "spdlog/spdlog.h"
#include "state/internal/rocksdb_resources_impl.h"
#include "state/internal/rocksdb_util.h"
#include "state/internal/segments.h"
#include "state/internal/vector_key_value_iterator.h"

namespace rill::state::internal {
namespace {

constexpr char kStreamTimeKey[] = "observed-stream-time";
constexpr char kSegmentIntervalKey[] = "segment-interval";
constexpr char kSegmentPrefix[] = "segment-";

std::string SegmentName(int64_t id) { return absl::StrCat(kSegmentPrefix, id); }

std::optional<int64_t> SegmentIdFromName(std::string_view name) {
  // absl::string_view is not std::string_view in this Abseil build.
  const absl::string_view view(name.data(), name.size());
  if (!absl::StartsWith(view, kSegmentPrefix)) return std::nullopt;
  int64_t id = 0;
  if (!absl::SimpleAtoi(view.substr(sizeof(kSegmentPrefix) - 1), &id)) return std::nullopt;
  return id;
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

// Reads one optional int64 meta key; DataLoss when it is there but malformed.
absl::StatusOr<std::optional<int64_t>> ReadMeta(const DbHandle& db, std::string_view key,
                                                std::string_view kind, std::string_view store) {
  absl::StatusOr<std::optional<std::string>> bytes = GetMeta(db, key, kind, store);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  std::optional<int64_t> value = DecodeInt64(**bytes);
  if (!value) {
    return absl::DataLossError(absl::StrCat(std::string(kind), " ", std::string(store),
                                            ": malformed ", std::string(key), " in rill-meta"));
  }
  return value;
}

// The column families of an existing DB in `directory`; none for a new one.
absl::StatusOr<std::vector<std::string>> ExistingColumnFamilies(const std::string& directory,
                                                                std::string_view kind,
                                                                std::string_view store) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(directory) / "CURRENT", ec)) {
    return std::vector<std::string>{};
  }
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), directory, &names);
  if (!s.ok()) return ToAbsl(s, kind, store);
  return names;
}

// A linear pick of the smallest head per step: a store has a handful of live segments
// (about three with the default interval), where a heap would only add overhead.
class MergingIterator final : public KeyValueIterator {
 public:
  MergingIterator(std::vector<std::unique_ptr<KeyValueIterator>> inputs, bool reverse,
                  KeyCompare compare)
      : inputs_(std::move(inputs)), reverse_(reverse), compare_(compare) {
    Pick();
  }

  bool Valid() const override { return current_ != kNone; }
  void Next() override {
    inputs_[current_]->Next();
    Pick();
  }
  std::string_view key() const override { return inputs_[current_]->key(); }
  std::string_view value() const override { return inputs_[current_]->value(); }
  absl::Status status() const override {
    for (const auto& input : inputs_) {
      if (!input->status().ok()) return input->status();
    }
    return absl::OkStatus();
  }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  void Pick() {
    current_ = kNone;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const KeyValueIterator& input = *inputs_[i];
      if (!input.status().ok()) {
        current_ = kNone;
        return;
      }
      if (!input.Valid()) continue;
      if (current_ == kNone) {
        current_ = i;
        continue;
      }
      int order = compare_(input.key(), inputs_[current_]->key());
      if (reverse_) order = -order;
      if (order < 0) current_ = i;
    }
  }

  std::vector<std::unique_ptr<KeyValueIterator>> inputs_;
  bool reverse_;
  KeyCompare compare_;
  size_t current_ = kNone;
};

}  // namespace

class RocksDbSegmentedStore::Impl {
 public:
  Impl(SegmentedKeySchema schema, std::string name, std::shared_ptr<DbHandle> db,
       std::map<int64_t, std::shared_ptr<SegmentHandle>> segment_handles, int64_t retention_ms,
       int64_t segment_interval_ms, std::optional<int64_t> committed_offset,
       std::optional<int64_t> stream_time)
      : schema_(std::move(schema)),
        name_(std::move(name)),
        db_(std::move(db)),
        segment_options_(DataColumnFamilyOptions(db_->resources->impl(), schema_.comparator)),
        segments_(retention_ms, segment_interval_ms),
        segment_handles_(std::move(segment_handles)),
        committed_offset_(committed_offset),
        committed_stream_time_(stream_time) {
    segments_.set_observed_stream_time(stream_time);
  }

  int64_t retention_ms() const { return segments_.retention_ms(); }

  absl::StatusOr<std::optional<int64_t>> StoredMeta(std::string_view key) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return Closed();
    return ReadMeta(*db_, key, schema_.kind, name_);
  }

  void SetMeta(std::string key, int64_t value) {
    std::lock_guard<std::mutex> lock(mu_);
    extra_meta_[std::move(key)] = value;
  }

  // At open: the committed stream time may have expired segments that a crash kept from
  // being dropped after their commit.
  void DropExpiredSegments() {
    std::lock_guard<std::mutex> lock(mu_);
    DropExpiredSegmentsLocked();
  }

  absl::StatusOr<bool> Observe(int64_t timestamp) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return Closed();
    segments_.Observe(timestamp);
    return !segments_.IsExpired(timestamp);
  }

  absl::Status Write(std::string_view store_key, int64_t timestamp,
                     std::optional<std::string_view> value) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return Closed();
    const int64_t segment_id = segments_.SegmentId(timestamp);
    // Nothing to delete in a segment that does not exist (not even uncommitted).
    if (!value && !segment_handles_.contains(segment_id)) return absl::OkStatus();
    absl::StatusOr<rocksdb::ColumnFamilyHandle*> cf = SegmentForWriteLocked(segment_id);
    if (!cf.ok()) return cf.status();
    rocksdb::Status s =
        value ? batch_.Put(*cf, ToSlice(store_key), ToSlice(*value)) : batch_.Delete(*cf, ToSlice(store_key));
    return s.ok() ? absl::OkStatus() : Error(s);
  }

  absl::StatusOr<std::optional<std::string>> Get(std::string_view store_key, int64_t timestamp) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return Closed();
    if (segments_.IsExpired(timestamp)) return std::nullopt;
    auto segment = segment_handles_.find(segments_.SegmentId(timestamp));
    if (segment == segment_handles_.end()) return std::nullopt;
    std::string value;
    rocksdb::Status s = batch_.GetFromBatchAndDB(db_->db, rocksdb::ReadOptions(),
                                                 segment->second->cf, ToSlice(store_key), &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) return Error(s);
    return value;
  }

  std::unique_ptr<KeyValueIterator> Scan(
      const std::function<std::optional<SegmentedScan>(int64_t min_live_time)>& plan,
      bool reverse) {
    std::vector<std::unique_ptr<KeyValueIterator>> inputs;
    {
      // Every segment's DB iterator (with its implicit snapshot) and batch copy are taken
      // under the lock: the result shows the store at one instant, even if a Commit()
      // follows right after.
      std::lock_guard<std::mutex> lock(mu_);
      if (!db_) return NewEmptyIterator(Closed());
      std::optional<SegmentedScan> scan = plan(segments_.MinLiveTime());
      if (!scan || scan->time_from > scan->time_to) return NewEmptyIterator();
      auto segment = segment_handles_.lower_bound(segments_.SegmentId(scan->time_from));
      auto end = segment_handles_.upper_bound(segments_.SegmentId(scan->time_to));
      for (; segment != end; ++segment) {
        inputs.push_back(
            SegmentEntriesLocked(segment->second, scan->lower, scan->upper_exclusive, reverse));
      }
    }
    if (inputs.empty()) return NewEmptyIterator();
    if (inputs.size() == 1) return std::move(inputs.front());
    return NewMergingIterator(std::move(inputs), reverse, schema_.compare);
  }

  // Nothing is buffered above the batch, and the batch only goes to disk at commit.
  absl::Status Flush() {
    std::lock_guard<std::mutex> lock(mu_);
    return db_ ? absl::OkStatus() : Closed();
  }

  absl::Status Commit(std::optional<int64_t> changelog_offset) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return Closed();
    batch_.SetSavePoint();
    rocksdb::Status s = PutMetaLocked(&batch_, changelog_offset);
    if (!s.ok()) {
      batch_.RollbackToSavePoint().PermitUncheckedError();
      return Error(s);
    }
    if (batch_.GetWriteBatch()->Count() == 0) {
      batch_.PopSavePoint().PermitUncheckedError();
      DropExpiredSegmentsLocked();  // retries a drop that failed after the last commit
      return absl::OkStatus();
    }
    // One write, data and meta together: RocksDB applies a write batch atomically, across
    // column families and across a crash. WAL on, sync off, as the KV store: a power loss
    // can lose the last commits, but the store then is at an earlier commit with that
    // commit's offset and restoration replays a longer tail.
    rocksdb::WriteOptions options;
    options.sync = false;
    s = db_->db->Write(options, batch_.GetWriteBatch());
    if (!s.ok()) {
      // Keep the uncommitted writes (still visible, retried at the next commit), drop the
      // meta they did not reach.
      batch_.RollbackToSavePoint().PermitUncheckedError();
      return Error(s);
    }
    batch_.Clear();
    MarkCommittedLocked(changelog_offset);
    DropExpiredSegmentsLocked();
    return absl::OkStatus();
  }

  bool WantsCommit() {
    constexpr int kExpiredSegmentsBeforeCommit = 4;
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t min_live = segments_.MinLiveSegment();
    int expired = 0;
    for (const auto& [id, handle] : segment_handles_) {
      if (id >= min_live) break;
      if (++expired >= kExpiredSegmentsBeforeCommit) return true;
    }
    return false;
  }

  std::optional<int64_t> CommittedOffset() {
    std::lock_guard<std::mutex> lock(mu_);
    return committed_offset_;
  }

  absl::Status Restore(const std::vector<ChangelogRecord>& records,
                       const std::vector<int64_t>& timestamps, int64_t last_offset) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return Closed();
    // Stream time first, as Kafka Streams' restore does: records of the batch that the
    // batch itself expires are skipped.
    for (int64_t t : timestamps) segments_.Observe(t);
    // Straight to the DB (restoration runs before processing, with an empty batch), in
    // one atomic write with the meta so that a crash mid-restore resumes consistently.
    rocksdb::WriteBatch batch;
    for (size_t i = 0; i < records.size(); ++i) {
      if (segments_.IsExpired(timestamps[i])) continue;
      absl::StatusOr<rocksdb::ColumnFamilyHandle*> cf =
          SegmentForWriteLocked(segments_.SegmentId(timestamps[i]));
      if (!cf.ok()) return cf.status();
      rocksdb::Status s = records[i].value ? batch.Put(*cf, records[i].key, *records[i].value)
                                           : batch.Delete(*cf, records[i].key);
      if (!s.ok()) return Error(s);
    }
    rocksdb::Status s = PutMetaLocked(&batch, last_offset);
    if (s.ok()) s = db_->db->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return Error(s);
    MarkCommittedLocked(last_offset);
    // Restoration normally runs with nothing uncommitted. If writes are pending anyway, the
    // changelog records are the newer truth: mirror them into the pending batch so reads
    // (and the next commit) do not resurrect older pending values, as in the in-memory
    // stores.
    if (batch_.GetWriteBatch()->Count() > 0) {
      for (size_t i = 0; i < records.size(); ++i) {
        auto segment = segment_handles_.find(segments_.SegmentId(timestamps[i]));
        if (segments_.IsExpired(timestamps[i]) || segment == segment_handles_.end()) continue;
        rocksdb::ColumnFamilyHandle* cf = segment->second->cf;
        rocksdb::Status mirrored = records[i].value
                                       ? batch_.Put(cf, records[i].key, *records[i].value)
                                       : batch_.Delete(cf, records[i].key);
        if (!mirrored.ok()) return Error(mirrored);
      }
    }
    DropExpiredSegmentsLocked();
    return absl::OkStatus();
  }

  absl::Status Close() {
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
  absl::Status Error(const rocksdb::Status& s) const { return ToAbsl(s, schema_.kind, name_); }
  absl::Status Closed() const { return ClosedError(schema_.kind, name_); }

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
    for (const auto& [key, value] : extra_meta_) {
      auto committed = committed_extra_meta_.find(key);
      if (committed != committed_extra_meta_.end() && committed->second == value) continue;
      s = batch->Put(db_->meta, key, EncodeInt64(value));
      if (!s.ok()) return s;
    }
    return s;
  }

  void MarkCommittedLocked(std::optional<int64_t> changelog_offset) {
    if (changelog_offset) committed_offset_ = changelog_offset;
    committed_stream_time_ = segments_.observed_stream_time();
    committed_extra_meta_ = extra_meta_;
  }

  absl::StatusOr<rocksdb::ColumnFamilyHandle*> SegmentForWriteLocked(int64_t id) {
    auto it = segment_handles_.find(id);
    if (it != segment_handles_.end()) return it->second->cf;
    // Created at once, outside the batch: an empty column family left by a crash is
    // harmless, and the next open drops it once it expires.
    rocksdb::ColumnFamilyHandle* cf = nullptr;
    rocksdb::Status s = db_->db->CreateColumnFamily(segment_options_, SegmentName(id), &cf);
    if (!s.ok()) return Error(s);
    segment_handles_.emplace(id, std::make_shared<SegmentHandle>(db_, cf));
    return cf;
  }

  // Only called with the observed stream time committed, so a crash right after never
  // leaves the last commit without data it held.
  void DropExpiredSegmentsLocked() {
    if (!db_) return;
    const int64_t min_live = segments_.MinLiveSegment();
    for (auto it = segment_handles_.begin();
         it != segment_handles_.end() && it->first < min_live;) {
      rocksdb::Status s = db_->db->DropColumnFamily(it->second->cf);
      if (!s.ok()) {
        // Expired entries stay hidden from reads; the next commit tries again.
        spdlog::warn("{} {}: cannot drop segment {}: {}", schema_.kind, name_, it->first,
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
    // The bounds compare with the segment's comparator.
    std::unique_ptr<KeyValueIterator> base = NewRocksDbIterator(
        segment, db_->db, segment->cf, schema_.kind, name_, lower, upper_exclusive, reverse);
    Overlay overlay = BatchEntries(batch_, segment->cf, lower, upper_exclusive);
    if (overlay.empty()) return base;
    if (reverse) std::reverse(overlay.begin(), overlay.end());
    return std::make_unique<MergedKeyValueIterator>(std::move(base), std::move(overlay), reverse,
                                                    schema_.compare);
  }

  const SegmentedKeySchema schema_;
  const std::string name_;
  std::mutex mu_;
  std::shared_ptr<DbHandle> db_;  // null once closed
  const rocksdb::ColumnFamilyOptions segment_options_;
  Segments segments_;
  std::map<int64_t, std::shared_ptr<SegmentHandle>> segment_handles_;
  // overwrite_key: one index entry per key, so a hot key does not grow the index. The
  // index orders each column family by that family's comparator.
  rocksdb::WriteBatchWithIndex batch_{rocksdb::BytewiseComparator(), /*reserved_bytes=*/0,
                                      /*overwrite_key=*/true};
  std::optional<int64_t> committed_offset_;
  std::optional<int64_t> committed_stream_time_;
  std::map<std::string, int64_t> extra_meta_;
  std::map<std::string, int64_t> committed_extra_meta_;
};

RocksDbSegmentedStore::RocksDbSegmentedStore(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
RocksDbSegmentedStore::~RocksDbSegmentedStore() = default;

absl::StatusOr<std::unique_ptr<RocksDbSegmentedStore>> RocksDbSegmentedStore::Open(
    SegmentedKeySchema schema, std::string name, std::string directory,
    std::shared_ptr<RocksDbResources> resources, int64_t retention_ms,
    int64_t segment_interval_ms) {
  const std::string kind = schema.kind;
  if (!resources) {
    return absl::InvalidArgumentError(
        absl::StrCat(kind, " ", name, ": RocksDbResources required"));
  }
  absl::StatusOr<int64_t> interval =
      ResolveSegmentInterval(name, retention_ms, segment_interval_ms);
  if (!interval.ok()) return interval.status();
  absl::Status prepared = PrepareStoreDirectory(kind, name, directory, resources);
  if (!prepared.ok()) return prepared;

  absl::StatusOr<std::vector<std::string>> existing =
      ExistingColumnFamilies(directory, kind, name);
  if (!existing.ok()) return existing.status();
  const RocksDbResources::Impl& impl = resources->impl();
  const rocksdb::ColumnFamilyOptions small_options = SmallColumnFamilyOptions(impl);
  const rocksdb::ColumnFamilyOptions segment_options =
      DataColumnFamilyOptions(impl, schema.comparator);
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, small_options},
      {kMetaColumnFamily, small_options},
  };
  std::vector<int64_t> segment_ids;
  for (const std::string& family : *existing) {
    if (family == rocksdb::kDefaultColumnFamilyName || family == kMetaColumnFamily) continue;
    std::optional<int64_t> id = SegmentIdFromName(family);
    if (!id) {
      return absl::DataLossError(absl::StrCat(kind, " ", name, " in ", directory,
                                              ": unexpected column family ", family));
    }
    families.emplace_back(family, segment_options);
    segment_ids.push_back(*id);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  absl::StatusOr<std::shared_ptr<DbHandle>> opened =
      OpenDb(kind, name, directory, std::move(resources), families, &handles);
  if (!opened.ok()) return opened.status();
  std::shared_ptr<DbHandle> handle = std::move(*opened);
  std::map<int64_t, std::shared_ptr<SegmentHandle>> segment_handles;
  for (size_t i = 0; i < segment_ids.size(); ++i) {
    segment_handles.emplace(segment_ids[i], std::make_shared<SegmentHandle>(handle, handles[i]));
  }

  absl::StatusOr<std::optional<int64_t>> stored_interval =
      ReadMeta(*handle, kSegmentIntervalKey, kind, name);
  if (!stored_interval.ok()) return stored_interval.status();
  if (!stored_interval->has_value()) {
    // Structure, not state: written at once rather than with the first commit.
    rocksdb::Status s = handle->db->Put(rocksdb::WriteOptions(), handle->meta,
                                        kSegmentIntervalKey, EncodeInt64(*interval));
    if (!s.ok()) return ToAbsl(s, kind, name);
  } else if (**stored_interval != *interval) {
    if (**stored_interval <= 0) {
      return absl::DataLossError(
          absl::StrCat(kind, " ", name, ": stored segment interval ", **stored_interval));
    }
    spdlog::info("{} {}: keeps its segment interval {} ms (asked for {} ms)", kind, name,
                 **stored_interval, *interval);
    interval = **stored_interval;
  }

  absl::StatusOr<std::optional<int64_t>> offset =
      ReadMeta(*handle, kChangelogOffsetKey, kind, name);
  if (!offset.ok()) return offset.status();
  absl::StatusOr<std::optional<int64_t>> stream_time =
      ReadMeta(*handle, kStreamTimeKey, kind, name);
  if (!stream_time.ok()) return stream_time.status();

  auto impl_store = std::make_unique<Impl>(std::move(schema), name, std::move(handle),
                                           std::move(segment_handles), retention_ms, *interval,
                                           *offset, *stream_time);
  impl_store->DropExpiredSegments();
  std::unique_ptr<RocksDbSegmentedStore> store(new RocksDbSegmentedStore(std::move(impl_store)));
  store->name_ = std::move(name);
  return store;
}

int64_t RocksDbSegmentedStore::retention_ms() const { return impl_->retention_ms(); }
absl::StatusOr<std::optional<int64_t>> RocksDbSegmentedStore::StoredMeta(std::string_view key) {
  return impl_->StoredMeta(key);
}
void RocksDbSegmentedStore::SetMeta(std::string key, int64_t value) {
  impl_->SetMeta(std::move(key), value);
}
absl::StatusOr<bool> RocksDbSegmentedStore::Observe(int64_t timestamp) {
  return impl_->Observe(timestamp);
}
absl::Status RocksDbSegmentedStore::Write(std::string_view store_key, int64_t timestamp,
                                          std::optional<std::string_view> value) {
  return impl_->Write(store_key, timestamp, value);
}
absl::StatusOr<std::optional<std::string>> RocksDbSegmentedStore::Get(std::string_view store_key,
                                                                      int64_t timestamp) {
  return impl_->Get(store_key, timestamp);
}
std::unique_ptr<KeyValueIterator> RocksDbSegmentedStore::Scan(
    const std::function<std::optional<SegmentedScan>(int64_t min_live_time)>& plan,
    bool reverse) {
  return impl_->Scan(plan, reverse);
}
absl::Status RocksDbSegmentedStore::Flush() { return impl_->Flush(); }
absl::Status RocksDbSegmentedStore::Commit(std::optional<int64_t> changelog_offset) {
  return impl_->Commit(changelog_offset);
}
bool RocksDbSegmentedStore::WantsCommit() { return impl_->WantsCommit(); }
std::optional<int64_t> RocksDbSegmentedStore::CommittedOffset() {
  return impl_->CommittedOffset();
}
absl::Status RocksDbSegmentedStore::Restore(const std::vector<ChangelogRecord>& records,
                                            const std::vector<int64_t>& timestamps,
                                            int64_t last_offset) {
  return impl_->Restore(records, timestamps, last_offset);
}
absl::Status RocksDbSegmentedStore::Close() { return impl_->Close(); }

absl::StatusOr<std::vector<int64_t>> ListRocksDbSegments(const std::string& directory) {
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), directory, &names);
  if (!s.ok()) return ToAbsl(s, "rocksdb segmented store", directory);
  std::vector<int64_t> ids;
  for (const std::string& family : names) {
    if (std::optional<int64_t> id = SegmentIdFromName(family)) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::unique_ptr<KeyValueIterator> NewMergingIterator(
    std::vector<std::unique_ptr<KeyValueIterator>> inputs, bool reverse, KeyCompare compare) {
  if (inputs.size() == 1) return std::move(inputs.front());
  return std::make_unique<MergingIterator>(std::move(inputs), reverse, compare);
}

}  // namespace rill::state::internal
