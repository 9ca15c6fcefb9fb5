#include "state/rocksdb_session_store.h"

#include <utility>

#include "rocksdb/comparator.h"
#include "rocksdb/slice.h"
#include "state/internal/rocksdb_segmented_store.h"
#include "state/internal/rocksdb_util.h"
#include "state/internal/segmented_session_store.h"
#include "state/session_key_schema.h"

namespace rill::state {
namespace {

constexpr char kKind[] = "rocksdb session store";

// Orders keys as CompareSessionKeys does. The name is recorded in the DB: opening a
// directory written with another comparator (a window or key-value store's) fails cleanly.
class SessionKeyComparator final : public rocksdb::Comparator {
 public:
  const char* Name() const override { return "rill.SessionKeyComparator"; }
  int Compare(const rocksdb::Slice& a, const rocksdb::Slice& b) const override {
    return CompareSessionKeys(internal::ToView(a), internal::ToView(b));
  }
  // Shortening index separators is optional; doing nothing is always correct.
  void FindShortestSeparator(std::string*, const rocksdb::Slice&) const override {}
  void FindShortSuccessor(std::string*) const override {}
  bool CanKeysWithDifferentByteContentsBeEqual() const override { return false; }
};

const rocksdb::Comparator* SessionComparator() {
  static const SessionKeyComparator* comparator = new SessionKeyComparator();
  return comparator;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SessionStore>> OpenRocksDbSessionStore(
    std::string name, std::string directory, std::shared_ptr<RocksDbResources> resources,
    int64_t retention_ms, int64_t segment_interval_ms) {
  absl::StatusOr<std::unique_ptr<internal::RocksDbSegmentedStore>> engine =
      internal::RocksDbSegmentedStore::Open(
          internal::SegmentedKeySchema{kKind, SessionComparator(), &CompareSessionKeys},
          std::move(name), std::move(directory), std::move(resources), retention_ms,
          segment_interval_ms);
  if (!engine.ok()) return engine.status();
  return std::make_unique<internal::SegmentedSessionStore<internal::RocksDbSegmentedStore>>(
      std::move(*engine), /*persistent=*/true, kKind);
}

absl::StatusOr<std::vector<int64_t>> ListRocksDbSessionSegments(const std::string& directory) {
  return internal::ListRocksDbSegments(directory);
}

}  // namespace rill::state
