#include "state/internal/rocksdb_util.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "rocksdb/convenience.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "state/internal/rocksdb_resources_impl.h"

namespace rill::state::internal {
namespace {

constexpr uint64_t kWriteBufferBytes = 16 << 20;
constexpr int kMaxWriteBuffers = 3;
// Column families holding a few keys get tiny memtables: their arenas then do not reserve
// megabytes of the shared write-buffer budget per store.
constexpr uint64_t kSmallWriteBufferBytes = 64 << 10;
constexpr int kSmallMaxWriteBuffers = 2;
constexpr uint64_t kBlockBytes = 4 << 10;
constexpr double kBloomBitsPerKey = 10;

rocksdb::CompressionType PickCompression() {
  // LZ4 is the cheap choice for hot state; fall back to whatever this RocksDB build has.
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  for (rocksdb::CompressionType want : {rocksdb::kLZ4Compression, rocksdb::kSnappyCompression}) {
    if (std::find(supported.begin(), supported.end(), want) != supported.end()) return want;
  }
  return rocksdb::kNoCompression;
}

// Adapts a bounded rocksdb::Iterator to KeyValueIterator.
class RocksDbIterator final : public KeyValueIterator {
 public:
  RocksDbIterator(std::shared_ptr<const void> owner, rocksdb::DB* db,
                  rocksdb::ColumnFamilyHandle* cf, std::string_view kind, std::string store,
                  std::optional<std::string> lower, std::optional<std::string> upper_exclusive,
                  bool reverse)
      : owner_(std::move(owner)),
        kind_(kind),
        store_(std::move(store)),
        lower_bytes_(std::move(lower)),
        upper_bytes_(std::move(upper_exclusive)),
        reverse_(reverse) {
    rocksdb::ReadOptions options;
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
    iterator_.reset(db->NewIterator(options, cf));
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
  absl::Status status() const override { return ToAbsl(iterator_->status(), kind_, store_); }

 private:
  std::shared_ptr<const void> owner_;
  std::string_view kind_;                   // a literal; for error messages
  std::string store_;                       // for error messages
  std::optional<std::string> lower_bytes_;  // own the bytes lower_ and upper_ point at
  std::optional<std::string> upper_bytes_;
  bool reverse_;
  rocksdb::Slice lower_;
  rocksdb::Slice upper_;
  std::unique_ptr<rocksdb::Iterator> iterator_;  // last: destroyed before the owner
};

// "<kind> <store>"; std::string_view is not absl::string_view in this Abseil build, so no
// StrCat.
std::string Describe(std::string_view kind, std::string_view store) {
  std::string out(kind);
  out += ' ';
  out += store;
  return out;
}

}  // namespace

absl::Status ToAbsl(const rocksdb::Status& s, std::string_view kind, std::string_view store) {
  if (s.ok()) return absl::OkStatus();
  std::string message = Describe(kind, store) + ": " + s.ToString();
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (s.IsNotSupported()) return absl::UnimplementedError(message);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return absl::UnavailableError(message);
  if (s.IsAborted()) return absl::AbortedError(message);
  return absl::InternalError(message);
}

absl::Status ClosedError(std::string_view kind, std::string_view store) {
  return absl::FailedPreconditionError(Describe(kind, store) + " is closed");
}

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

rocksdb::ColumnFamilyOptions DataColumnFamilyOptions(const RocksDbResources::Impl& resources,
                                                     const rocksdb::Comparator* comparator) {
  rocksdb::ColumnFamilyOptions cf;
  cf.comparator = comparator;
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
  rocksdb::ColumnFamilyOptions cf =
      DataColumnFamilyOptions(resources, rocksdb::BytewiseComparator());
  cf.write_buffer_size = kSmallWriteBufferBytes;
  cf.max_write_buffer_number = kSmallMaxWriteBuffers;
  return cf;
}

rocksdb::DBOptions MakeDbOptions(const RocksDbResources::Impl& resources) {
  rocksdb::DBOptions db;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.write_buffer_manager = resources.write_buffer_manager;
  // Flushing every column family together keeps the on-disk data and meta consistent
  // without the WAL, and lets a WAL file go as soon as the data flushes instead of waiting
  // for the meta column family, whose memtable would almost never fill.
  db.atomic_flush = true;
  db.keep_log_file_num = 2;
  db.max_log_file_size = 4 << 20;
  return db;
}

DbHandle::~DbHandle() {
  if (db == nullptr) return;
  if (default_cf != nullptr) db->DestroyColumnFamilyHandle(default_cf).PermitUncheckedError();
  if (meta != nullptr) db->DestroyColumnFamilyHandle(meta).PermitUncheckedError();
  db->Close().PermitUncheckedError();
  delete db;
}

absl::Status PrepareStoreDirectory(std::string_view kind, std::string_view store,
                                   const std::string& directory,
                                   const std::shared_ptr<RocksDbResources>& resources) {
  if (!resources) {
    return absl::InvalidArgumentError(
        Describe(kind, store) + ": RocksDbResources required");
  }
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    return absl::InternalError(
        Describe(kind, store) + ": cannot create " + directory + ": " + ec.message());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<DbHandle>> OpenDb(
    std::string_view kind, std::string_view store, const std::string& directory,
    std::shared_ptr<RocksDbResources> resources,
    const std::vector<rocksdb::ColumnFamilyDescriptor>& families,
    std::vector<rocksdb::ColumnFamilyHandle*>* extra_handles) {
  auto handle = std::make_shared<DbHandle>();
  handle->resources = std::move(resources);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status s = rocksdb::DB::Open(MakeDbOptions(handle->resources->impl()), directory,
                                        families, &handles, &handle->db);
  if (!s.ok()) return ToAbsl(s, kind, store);
  handle->default_cf = handles[0];
  handle->meta = handles[1];
  if (extra_handles != nullptr) extra_handles->assign(handles.begin() + 2, handles.end());
  return handle;
}

absl::StatusOr<std::optional<std::string>> GetMeta(const DbHandle& db, std::string_view key,
                                                   std::string_view kind,
                                                   std::string_view store) {
  std::string bytes;
  rocksdb::Status s = db.db->Get(rocksdb::ReadOptions(), db.meta, ToSlice(key), &bytes);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return ToAbsl(s, kind, store);
  return bytes;
}

std::unique_ptr<KeyValueIterator> NewRocksDbIterator(std::shared_ptr<const void> owner,
                                                     rocksdb::DB* db,
                                                     rocksdb::ColumnFamilyHandle* cf,
                                                     std::string_view kind, std::string store,
                                                     std::optional<std::string> lower,
                                                     std::optional<std::string> upper_exclusive,
                                                     bool reverse) {
  return std::make_unique<RocksDbIterator>(std::move(owner), db, cf, kind, std::move(store),
                                           std::move(lower), std::move(upper_exclusive),
                                           reverse);
}

Overlay BatchEntries(rocksdb::WriteBatchWithIndex& batch, rocksdb::ColumnFamilyHandle* cf,
                     const std::optional<std::string>& lower,
                     const std::optional<std::string>& upper_exclusive) {
  Overlay overlay;
  if (batch.GetWriteBatch()->Count() == 0) return overlay;
  const rocksdb::Comparator* comparator = cf->GetComparator();
  std::unique_ptr<rocksdb::WBWIIterator> it(batch.NewIterator(cf));
  if (lower) {
    it->Seek(ToSlice(*lower));
  } else {
    it->SeekToFirst();
  }
  for (; it->Valid(); it->Next()) {
    rocksdb::WriteEntry entry = it->Entry();
    if (upper_exclusive && comparator->Compare(entry.key, ToSlice(*upper_exclusive)) >= 0) break;
    std::string_view key = ToView(entry.key);
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

}  // namespace rill::state::internal
