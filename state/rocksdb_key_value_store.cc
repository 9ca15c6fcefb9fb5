#include "state/rocksdb_key_value_store.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/comparator.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "rocksdb/write_batch.h"
#include "state/internal/key_range.h"
#include "state/internal/merged_key_value_iterator.h"
#include "state/internal/rocksdb_resources_impl.h"
#include "state/internal/rocksdb_util.h"
#include "state/internal/vector_key_value_iterator.h"

namespace rill::state {
namespace {

using internal::DbHandle;
using internal::KeyRange;
using internal::kChangelogOffsetKey;
using internal::ToSlice;

constexpr char kKind[] = "rocksdb store";

absl::Status ToAbsl(const rocksdb::Status& s, std::string_view store) {
  return internal::ToAbsl(s, kKind, store);
}
absl::Status ClosedError(std::string_view store) { return internal::ClosedError(kKind, store); }

class RocksDbKeyValueStore final : public KeyValueStore {
 public:
  RocksDbKeyValueStore(std::string name, std::shared_ptr<DbHandle> db,
                       std::optional<int64_t> committed_offset)
      : name_(std::move(name)), db_(std::move(db)), committed_offset_(committed_offset) {}

  const std::string& name() const override { return name_; }
  bool persistent() const override { return true; }

  absl::StatusOr<std::optional<std::string>> Get(std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return ClosedError(name_);
    return GetLocked(key);
  }

  absl::Status Put(std::string_view key, std::optional<std::string_view> value) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return ClosedError(name_);
    return PutLocked(key, value);
  }

  absl::StatusOr<std::optional<std::string>> PutIfAbsent(std::string_view key,
                                                         std::string_view value) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return ClosedError(name_);
    absl::StatusOr<std::optional<std::string>> existing = GetLocked(key);
    if (!existing.ok() || existing->has_value()) return existing;
    absl::Status s = PutLocked(key, value);
    if (!s.ok()) return s;
    return std::nullopt;
  }

  absl::Status PutAll(const KeyValueEntries& entries) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return ClosedError(name_);
    for (const auto& [key, value] : entries) {
      absl::Status s =
          PutLocked(key, value ? std::optional<std::string_view>(*value) : std::nullopt);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<std::string>> Delete(std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return ClosedError(name_);
    absl::StatusOr<std::optional<std::string>> old = GetLocked(key);
    if (!old.ok()) return old;
    absl::Status s = PutLocked(key, std::nullopt);
    if (!s.ok()) return s;
    return old;
  }

  std::unique_ptr<KeyValueIterator> Range(std::optional<std::string_view> from,
                                          std::optional<std::string_view> to,
                                          bool reverse) override {
    return Iterate(KeyRange::Inclusive(from, to), reverse);
  }

  std::unique_ptr<KeyValueIterator> PrefixScan(std::string_view prefix) override {
    return Iterate(KeyRange::Prefix(prefix), /*reverse=*/false);
  }

  uint64_t ApproximateNumEntries() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return 0;
    uint64_t on_disk = 0;
    if (!db_->db->GetIntProperty(db_->default_cf, rocksdb::DB::Properties::kEstimateNumKeys,
                                 &on_disk)) {
      on_disk = 0;
    }
    // Uncommitted puts count as new keys and deletes as removed ones: an estimate, like
    // RocksDB's own, without a lookup per batched key.
    int64_t batched = 0;
    std::unique_ptr<rocksdb::WBWIIterator> it(batch_.NewIterator(db_->default_cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      rocksdb::WriteType type = it->Entry().type;
      if (type == rocksdb::kPutRecord) ++batched;
      if (type == rocksdb::kDeleteRecord || type == rocksdb::kSingleDeleteRecord) --batched;
    }
    int64_t total = static_cast<int64_t>(on_disk) + batched;
    return total < 0 ? 0 : static_cast<uint64_t>(total);
  }

  // Nothing is buffered above the batch, and the batch only goes to disk at commit.
  absl::Status Flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    return db_ ? absl::OkStatus() : ClosedError(name_);
  }

  absl::Status Commit(std::optional<int64_t> changelog_offset) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return ClosedError(name_);
    if (changelog_offset) {
      batch_.SetSavePoint();
      rocksdb::Status s =
          batch_.Put(db_->meta, kChangelogOffsetKey, internal::EncodeInt64(*changelog_offset));
      if (!s.ok()) {
        batch_.RollbackToSavePoint().PermitUncheckedError();
        return ToAbsl(s, name_);
      }
    }
    if (batch_.GetWriteBatch()->Count() == 0) return absl::OkStatus();
    // One write, data and offset together: RocksDB applies a write batch atomically, also
    // across column families and across a crash during recovery. The WAL stays on and
    // sync stays off: once Write() returns the batch is in the OS page cache and survives
    // a crash of the process; a power loss can lose the last commits, but RocksDB then
    // recovers a prefix of the writes, so the store is at an earlier commit *with that
    // commit's offset* and restoration simply replays a longer tail. An fsync per store per
    // commit would buy nothing the changelog does not already give.
    rocksdb::WriteOptions options;
    options.sync = false;
    rocksdb::Status s = db_->db->Write(options, batch_.GetWriteBatch());
    if (!s.ok()) {
      // Keep the uncommitted writes (still visible, retried at the next commit), drop the
      // offset they did not reach.
      if (changelog_offset) batch_.RollbackToSavePoint().PermitUncheckedError();
      return ToAbsl(s, name_);
    }
    batch_.Clear();
    if (changelog_offset) committed_offset_ = changelog_offset;
    return absl::OkStatus();
  }

  std::optional<int64_t> CommittedOffset() override {
    std::lock_guard<std::mutex> lock(mu_);
    return committed_offset_;
  }

  absl::Status Restore(const std::vector<ChangelogRecord>& records, int64_t last_offset) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!db_) return ClosedError(name_);
    // Straight to the DB (restoration runs before processing, with an empty batch), in one
    // atomic write with the offset so that a crash mid-restore resumes from a consistent
    // point.
    rocksdb::WriteBatch batch;
    for (const ChangelogRecord& record : records) {
      rocksdb::Status s = record.value ? batch.Put(db_->default_cf, record.key, *record.value)
                                       : batch.Delete(db_->default_cf, record.key);
      if (!s.ok()) return ToAbsl(s, name_);
    }
    rocksdb::Status s = batch.Put(db_->meta, kChangelogOffsetKey, internal::EncodeInt64(last_offset));
    if (s.ok()) s = db_->db->Write(rocksdb::WriteOptions(), &batch);
    if (!s.ok()) return ToAbsl(s, name_);
    committed_offset_ = last_offset;
    return absl::OkStatus();
  }

  absl::Status Close() override {
    std::shared_ptr<DbHandle> db;
    {
      std::lock_guard<std::mutex> lock(mu_);
      batch_.Clear();
      db = std::move(db_);
      committed_offset_.reset();
    }
    // The DB closes here unless an iterator still holds it; outside the lock because
    // closing may wait for background flushes.
    db.reset();
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<std::optional<std::string>> GetLocked(std::string_view key) {
    std::string value;
    rocksdb::Status s = batch_.GetFromBatchAndDB(db_->db, rocksdb::ReadOptions(), db_->default_cf,
                                                 ToSlice(key), &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) return ToAbsl(s, name_);
    return value;
  }

  absl::Status PutLocked(std::string_view key, std::optional<std::string_view> value) {
    rocksdb::Status s = value ? batch_.Put(db_->default_cf, ToSlice(key), ToSlice(*value))
                              : batch_.Delete(db_->default_cf, ToSlice(key));
    return ToAbsl(s, name_);
  }

  std::unique_ptr<KeyValueIterator> Iterate(const KeyRange& range, bool reverse) {
    if (range.empty) return internal::NewEmptyIterator();
    internal::Overlay overlay;
    std::unique_ptr<KeyValueIterator> base;
    {
      // Both under the lock: the DB iterator's implicit snapshot and the batch copy then
      // show the store at one instant, even if a Commit() follows right after.
      std::lock_guard<std::mutex> lock(mu_);
      if (!db_) return internal::NewEmptyIterator(ClosedError(name_));
      base = internal::NewRocksDbIterator(db_, db_->db, db_->default_cf, kKind, name_,
                                          range.lower, range.upper_exclusive, reverse);
      overlay = internal::BatchEntries(batch_, db_->default_cf, range.lower,
                                       range.upper_exclusive);
    }
    if (overlay.empty()) return base;
    if (reverse) std::reverse(overlay.begin(), overlay.end());
    return std::make_unique<internal::MergedKeyValueIterator>(std::move(base), std::move(overlay),
                                                              reverse);
  }

  const std::string name_;
  std::mutex mu_;
  std::shared_ptr<DbHandle> db_;  // null once closed
  // overwrite_key: one index entry per key, so a hot key does not grow the index.
  rocksdb::WriteBatchWithIndex batch_{rocksdb::BytewiseComparator(), /*reserved_bytes=*/0,
                                      /*overwrite_key=*/true};
  std::optional<int64_t> committed_offset_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<KeyValueStore>> OpenRocksDbKeyValueStore(
    std::string name, std::string directory, std::shared_ptr<RocksDbResources> resources) {
  absl::Status prepared = internal::PrepareStoreDirectory(kKind, name, directory, resources);
  if (!prepared.ok()) return prepared;

  // The data lives in the default column family.
  const RocksDbResources::Impl& impl = resources->impl();
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName,
       internal::DataColumnFamilyOptions(impl, rocksdb::BytewiseComparator())},
      {internal::kMetaColumnFamily, internal::SmallColumnFamilyOptions(impl)},
  };
  absl::StatusOr<std::shared_ptr<DbHandle>> handle =
      internal::OpenDb(kKind, name, directory, std::move(resources), families);
  if (!handle.ok()) return handle.status();

  absl::StatusOr<std::optional<std::string>> offset_bytes =
      internal::GetMeta(**handle, kChangelogOffsetKey, kKind, name);
  if (!offset_bytes.ok()) return offset_bytes.status();
  std::optional<int64_t> committed_offset;
  if (offset_bytes->has_value()) {
    committed_offset = internal::DecodeInt64(**offset_bytes);
    if (!committed_offset) {
      return absl::DataLossError(
          absl::StrCat("rocksdb store ", name, " in ", directory, ": malformed changelog offset"));
    }
  }
  return std::make_unique<RocksDbKeyValueStore>(std::move(name), std::move(*handle),
                                                committed_offset);
}

}  // namespace rill::state
