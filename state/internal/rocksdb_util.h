// Helpers shared by the RocksDB-backed stores (rocksdb_key_value_store.cc,
// rocksdb_window_store.cc): status and byte conversions, the common tuning, the DB handle
// and its opening, a bounded iterator and the copy of uncommitted batch entries. Keeping
// them in one place keeps both stores' on-disk layout and tuning in step.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/comparator.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "state/internal/merged_key_value_iterator.h"
#include "state/key_value_store.h"
#include "state/rocksdb_resources.h"

namespace rill::state::internal {

// The store's bookkeeping lives in its own column family: any key among the data could
// collide with a user's key, and iteration, counts and compaction of the data never see it.
inline constexpr char kMetaColumnFamily[] = "rill-meta";
inline constexpr char kChangelogOffsetKey[] = "changelog-offset";

inline rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
inline std::string_view ToView(const rocksdb::Slice& s) {
  return std::string_view(s.data(), s.size());
}

// `kind` names the type of store in messages ("rocksdb store", "rocksdb window store").
absl::Status ToAbsl(const rocksdb::Status& s, std::string_view kind, std::string_view store);
absl::Status ClosedError(std::string_view kind, std::string_view store);

// Big-endian, so the stored bytes read the same in any tool (ldb) and on any host.
std::string EncodeInt64(int64_t v);
std::optional<int64_t> DecodeInt64(std::string_view bytes);

// Options of a column family holding a store's data, ordered by `comparator`.
rocksdb::ColumnFamilyOptions DataColumnFamilyOptions(const RocksDbResources::Impl& resources,
                                                     const rocksdb::Comparator* comparator);
// Options of a bytewise column family holding a few keys (meta, an unused default).
rocksdb::ColumnFamilyOptions SmallColumnFamilyOptions(const RocksDbResources::Impl& resources);
rocksdb::DBOptions MakeDbOptions(const RocksDbResources::Impl& resources);

// Owns the open DB and its default and meta column families. Shared by a store and its
// live iterators, so that Close() while an iterator is in use cannot free the DB under it.
struct DbHandle {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* default_cf = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  std::shared_ptr<RocksDbResources> resources;

  DbHandle() = default;
  DbHandle(const DbHandle&) = delete;
  DbHandle& operator=(const DbHandle&) = delete;
  ~DbHandle();
};

// Checks `resources` and creates `directory`.
absl::Status PrepareStoreDirectory(std::string_view kind, std::string_view store,
                                   const std::string& directory,
                                   const std::shared_ptr<RocksDbResources>& resources);

// Opens the DB in `directory`. `families` starts with the default and the meta column
// family; the handles of the families after those two go to `extra_handles`.
absl::StatusOr<std::shared_ptr<DbHandle>> OpenDb(
    std::string_view kind, std::string_view store, const std::string& directory,
    std::shared_ptr<RocksDbResources> resources,
    const std::vector<rocksdb::ColumnFamilyDescriptor>& families,
    std::vector<rocksdb::ColumnFamilyHandle*>* extra_handles = nullptr);

// The bytes of one meta key; nullopt when absent.
absl::StatusOr<std::optional<std::string>> GetMeta(const DbHandle& db, std::string_view key,
                                                   std::string_view kind,
                                                   std::string_view store);

// A bounded rocksdb::Iterator over `cf`, as a KeyValueIterator. `owner` keeps the DB (and
// the column family) alive for as long as the iterator lives. The bounds compare with the
// column family's comparator.
std::unique_ptr<KeyValueIterator> NewRocksDbIterator(std::shared_ptr<const void> owner,
                                                     rocksdb::DB* db,
                                                     rocksdb::ColumnFamilyHandle* cf,
                                                     std::string_view kind, std::string store,
                                                     std::optional<std::string> lower,
                                                     std::optional<std::string> upper_exclusive,
                                                     bool reverse);

// A copy of the uncommitted entries of `cf` in [lower, upper_exclusive) (in the column
// family's order), ascending, newest write per key.
Overlay BatchEntries(rocksdb::WriteBatchWithIndex& batch, rocksdb::ColumnFamilyHandle* cf,
                     const std::optional<std::string>& lower,
                     const std::optional<std::string>& upper_exclusive);

}  // namespace rill::state::internal
