#include "state/rocksdb_key_value_store.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/comparator.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "rocksdb/write_batch.h"
#include "state/internal/key_range.h"
#include "state/internal/merged_key_value_iterator.h"
#include "state/internal/rocksdb_resources_impl.h"
#include "state/internal/vector_key_value_iterator.h"

namespace rill::state {
namespace {

using internal::KeyRange;

// The changelog offset lives in its own column family: any key in the data column family
// could collide with a user's key, and iteration, counts and compaction of the data never
// see it.
constexpr char kMetaColumnFamily[] = "rill-meta";
constexpr char kChangelogOffsetKey[] = "changelog-offset";

constexpr uint64_t kWriteBufferBytes = 16 << 20;
constexpr int kMaxWriteBuffers = 3;
// The meta column family holds one key: a tiny memtable keeps its arena from reserving
// megabytes of the shared write-buffer budget per store.
constexpr uint64_t kMetaWriteBufferBytes = 64 << 10;
constexpr uint64_t kBlockBytes = 4 << 10;
constexpr double kBloomBitsPerKey = 10;

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

absl::Status ToAbsl(const rocksdb::Status& s, std::string_view store) {
  if (s.ok()) return absl::OkStatus();
  std::string message = "rocksdb store " + std::string(store) + ": " + s.ToString();
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (s.IsNotSupported()) return absl::UnimplementedError(message);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return absl::UnavailableError(message);
  if (s.IsAborted()) return absl::AbortedError(message);
  return absl::InternalError(message);
}

absl::Status ClosedError(std::string_view store) {
  return absl::FailedPreconditionError("rocksdb store " + std::string(store) + " is closed");
}

// Big-endian, so the stored bytes read the same in any tool (ldb) and on any host.
std::string EncodeOffset(int64_t offset) {
  std::string out(8, '\0');
  uint64_t v = static_cast<uint64_t>(offset);
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

std::optional<int64_t> DecodeOffset(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return static_cast<int64_t>(v);
}

rocksdb::CompressionType PickCompression() {
  // LZ4 is the cheap choice for hot state; fall back to whatever this RocksDB build has.
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  for (rocksdb::CompressionType want : {rocksdb::kLZ4Compression, rocksdb::kSnappyCompression}) {
    if (std::find(supported.begin(), supported.end(), want) != supported.end()) return want;
  }
  return rocksdb::kNoCompression;
}

rocksdb::ColumnFamilyOptions DataColumnFamilyOptions(const RocksDbResources::Impl& resources) {
  rocksdb::ColumnFamilyOptions cf;
  cf.comparator = rocksdb::BytewiseComparator();
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

rocksdb::DBOptions MakeDbOptions(const RocksDbResources::Impl& resources) {
  rocksdb::DBOptions db;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.write_buffer_manager = resources.write_buffer_manager;
  // Flushing both column families together keeps the on-disk data and offset consistent
  // without the WAL, and lets a WAL file go as soon as the data flushes instead of waiting
  // for the meta column family, whose memtable would almost never fill.
  db.atomic_flush = true;
  db.keep_log_file_num = 2;
  db.max_log_file_size = 4 << 20;
  return db;
}

// Owns the open DB. Shared by the store and its live iterators, so that Close() while an
// iterator is in use cannot free the DB under it.
struct DbHandle {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // [0] data (default), [1] meta
  std::shared_ptr<RocksDbResources> resources;

  rocksdb::ColumnFamilyHandle* data() const { return handles[0]; }
  rocksdb::ColumnFamilyHandle* meta() const { return handles[1]; }

  ~DbHandle() {
    if (db == nullptr) return;
    for (rocksdb::ColumnFamilyHandle* h : handles) db->DestroyColumnFamilyHandle(h);
    db->Close().PermitUncheckedError();
    delete db;
  }
};

// Adapts a bounded rocksdb::Iterator to KeyValueIterator.
class RocksDbIterator final : public KeyValueIterator {
 public:
  RocksDbIterator(std::shared_ptr<DbHandle> db, const std::string& store, const KeyRange& range,
                  bool reverse)
      : db_(std::move(db)), store_(store), range_(range), reverse_(reverse) {
    rocksdb::ReadOptions options;
    if (range_.lower) {
      lower_ = ToSlice(*range_.lower);
      options.iterate_lower_bound = &lower_;
    }
    if (range_.upper_exclusive) {
      upper_ = ToSlice(*range_.upper_exclusive);
      options.iterate_upper_bound = &upper_;
    }
    // A scan would otherwise push the hot blocks out of the shared cache.
    options.fill_cache = false;
    iterator_.reset(db_->db->NewIterator(options, db_->data()));
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
  std::shared_ptr<DbHandle> db_;
  std::string store_;  // for error messages
  KeyRange range_;     // owns the bytes lower_ and upper_ point at
  bool reverse_;
  rocksdb::Slice lower_;
  rocksdb::Slice upper_;
  std::unique_ptr<rocksdb::Iterator> iterator_;
};

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
    if (!db_->db->GetIntProperty(db_->data(), rocksdb::DB::Properties::kEstimateNumKeys,
                                 &on_disk)) {
      on_disk = 0;
    }
    // Uncommitted puts count as new keys and deletes as removed ones: an estimate, like
    // RocksDB's own, without a lookup per batched key.
    int64_t batched = 0;
    std::unique_ptr<rocksdb::WBWIIterator> it(batch_.NewIterator(db_->data()));
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
          batch_.Put(db_->meta(), kChangelogOffsetKey, EncodeOffset(*changelog_offset));
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
      rocksdb::Status s = record.value ? batch.Put(db_->data(), record.key, *record.value)
                                       : batch.Delete(db_->data(), record.key);
      if (!s.ok()) return ToAbsl(s, name_);
    }
    rocksdb::Status s = batch.Put(db_->meta(), kChangelogOffsetKey, EncodeOffset(last_offset));
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
    rocksdb::Status s = batch_.GetFromBatchAndDB(db_->db, rocksdb::ReadOptions(), db_->data(),
                                                 ToSlice(key), &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) return ToAbsl(s, name_);
    return value;
  }

  absl::Status PutLocked(std::string_view key, std::optional<std::string_view> value) {
    rocksdb::Status s = value ? batch_.Put(db_->data(), ToSlice(key), ToSlice(*value))
                              : batch_.Delete(db_->data(), ToSlice(key));
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
      base = std::make_unique<RocksDbIterator>(db_, name_, range, reverse);
      overlay = BatchEntriesLocked(range);
    }
    if (overlay.empty()) return base;
    if (reverse) std::reverse(overlay.begin(), overlay.end());
    return std::make_unique<internal::MergedKeyValueIterator>(std::move(base), std::move(overlay),
                                                              reverse);
  }

  // A copy of the uncommitted entries in `range`, ascending, newest write per key.
  internal::Overlay BatchEntriesLocked(const KeyRange& range) {
    internal::Overlay overlay;
    if (batch_.GetWriteBatch()->Count() == 0) return overlay;
    std::unique_ptr<rocksdb::WBWIIterator> it(batch_.NewIterator(db_->data()));
    if (range.lower) {
      it->Seek(ToSlice(*range.lower));
    } else {
      it->SeekToFirst();
    }
    for (; it->Valid(); it->Next()) {
      rocksdb::WriteEntry entry = it->Entry();
      std::string_view key = ToView(entry.key);
      if (!range.BelowUpper(key)) break;
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
  if (!resources) {
    return absl::InvalidArgumentError(
        absl::StrCat("rocksdb store ", name, ": RocksDbResources required"));
  }
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("rocksdb store ", name, ": cannot create ", directory, ": ", ec.message()));
  }

  const RocksDbResources::Impl& impl = resources->impl();
  rocksdb::ColumnFamilyOptions data_options = DataColumnFamilyOptions(impl);
  rocksdb::ColumnFamilyOptions meta_options = data_options;
  meta_options.write_buffer_size = kMetaWriteBufferBytes;
  meta_options.max_write_buffer_number = 2;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, data_options},
      {kMetaColumnFamily, meta_options},
  };

  auto handle = std::make_shared<DbHandle>();
  handle->resources = resources;
  rocksdb::Status s =
      rocksdb::DB::Open(MakeDbOptions(impl), directory, families, &handle->handles, &handle->db);
  if (!s.ok()) return ToAbsl(s, name);

  std::optional<int64_t> committed_offset;
  std::string offset_bytes;
  s = handle->db->Get(rocksdb::ReadOptions(), handle->meta(), kChangelogOffsetKey, &offset_bytes);
  if (s.ok()) {
    committed_offset = DecodeOffset(offset_bytes);
    if (!committed_offset) {
      return absl::DataLossError(
          absl::StrCat("rocksdb store ", name, " in ", directory, ": malformed changelog offset"));
    }
  } else if (!s.IsNotFound()) {
    return ToAbsl(s, name);
  }
  return std::make_unique<RocksDbKeyValueStore>(std::move(name), std::move(handle),
                                                committed_offset);
}

}  // namespace rill::state
