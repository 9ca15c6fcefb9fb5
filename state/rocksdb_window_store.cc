#include "state/rocksdb_window_store.h"

#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/comparator.h"
#include "rocksdb/slice.h"
#include "state/internal/rocksdb_segmented_store.h"
#include "state/internal/rocksdb_util.h"
#include "state/internal/window_iterators.h"
#include "state/window_key_schema.h"

namespace rill::state {
namespace {

using internal::RocksDbSegmentedStore;
using internal::SegmentedScan;
using internal::ToView;
using internal::WindowScan;

constexpr char kKind[] = "rocksdb window store";
constexpr char kSeqnumKey[] = "seqnum";

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

// The window layer over the segmented engine: window store keys, segments by window
// start, and the sequence numbers of stores that retain duplicates (kept in the meta).
class RocksDbWindowStore final : public WindowStore {
 public:
  RocksDbWindowStore(std::unique_ptr<RocksDbSegmentedStore> engine, bool retain_duplicates,
                     int32_t seqnum)
      : engine_(std::move(engine)), retain_duplicates_(retain_duplicates), seqnum_(seqnum) {}

  const std::string& name() const override { return engine_->name(); }
  bool persistent() const override { return true; }
  int64_t retention_ms() const override { return engine_->retention_ms(); }
  bool retain_duplicates() const override { return retain_duplicates_; }

  absl::StatusOr<WindowPutResult> Put(std::string_view key, int64_t window_start_ms,
                                      std::optional<std::string_view> value) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    absl::StatusOr<bool> live = engine_->Observe(window_start_ms);
    if (!live.ok()) return live.status();
    if (!*live) return WindowPutResult{};
    if (!value && retain_duplicates_) return WindowPutResult{};
    int32_t seqnum = 0;
    if (retain_duplicates_) {
      seqnum_ = (seqnum_ + 1) & 0x7fffffff;
      seqnum = seqnum_;
      engine_->SetMeta(kSeqnumKey, seqnum_);
    }
    // A delete in a segment that does not exist writes nothing but is still applied, so
    // the changelog gets its tombstone.
    absl::Status s =
        engine_->Write(EncodeWindowStoreKey(key, window_start_ms, seqnum), window_start_ms, value);
    if (!s.ok()) return s;
    return WindowPutResult{.applied = true, .seqnum = seqnum};
  }

  absl::StatusOr<std::optional<std::string>> Fetch(std::string_view key,
                                                   int64_t window_start_ms) override {
    if (!retain_duplicates_) {
      return engine_->Get(EncodeWindowStoreKey(key, window_start_ms, 0), window_start_ms);
    }
    // The duplicates of (key, start) are adjacent, by sequence number: take the last.
    std::unique_ptr<KeyValueIterator> it = engine_->Scan(
        [&](int64_t min_live_time) -> std::optional<SegmentedScan> {
          if (window_start_ms < min_live_time) return std::nullopt;
          return SegmentedScan{window_start_ms, window_start_ms,
                               EncodeWindowStoreKey(key, window_start_ms, 0),
                               WindowStoreKeyUpperBound(key, window_start_ms)};
        },
        /*reverse=*/true);
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
    WindowScan scan;
    std::unique_ptr<KeyValueIterator> entries = engine_->Scan(
        [&](int64_t min_live_time) -> std::optional<SegmentedScan> {
          scan = WindowScan::Make(key_from, key_to, time_from, time_to, min_live_time);
          if (scan.empty) return std::nullopt;
          return SegmentedScan{scan.time_from, scan.time_to, scan.lower, scan.upper_exclusive};
        },
        backward);
    if (!entries->status().ok()) {
      return internal::NewEmptyWindowStoreIterator(entries->status());
    }
    return internal::NewWindowStoreIterator(std::move(entries), std::move(scan));
  }

  absl::Status Flush() override { return engine_->Flush(); }
  bool WantsCommit() override { return engine_->WantsCommit(); }
  absl::Status Commit(std::optional<int64_t> changelog_offset) override {
    return engine_->Commit(changelog_offset);
  }
  std::optional<int64_t> CommittedOffset() override { return engine_->CommittedOffset(); }

  absl::Status Restore(const std::vector<ChangelogRecord>& records, int64_t last_offset) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    // Decode everything first so a malformed record applies nothing.
    absl::StatusOr<std::vector<WindowStoreKey>> decoded =
        DecodeRestoreKeys(records, absl::StrCat(kKind, " ", name()));
    if (!decoded.ok()) return decoded.status();
    std::vector<int64_t> starts;
    starts.reserve(decoded->size());
    for (const WindowStoreKey& key : *decoded) starts.push_back(key.window_start_ms);
    // Continue the numbering where the logged writes left it, so new duplicates never
    // reuse a restored sequence number.
    if (retain_duplicates_ && !decoded->empty()) {
      seqnum_ = decoded->back().seqnum;
      engine_->SetMeta(kSeqnumKey, seqnum_);
    }
    return engine_->Restore(records, starts, last_offset);
  }

  absl::Status Close() override { return engine_->Close(); }

 private:
  std::unique_ptr<RocksDbSegmentedStore> engine_;
  const bool retain_duplicates_;
  std::mutex write_mu_;  // the sequence number (one writer, but Restore may race a put)
  int32_t seqnum_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<WindowStore>> OpenRocksDbWindowStore(
    std::string name, std::string directory, std::shared_ptr<RocksDbResources> resources,
    int64_t retention_ms, int64_t segment_interval_ms, bool retain_duplicates) {
  absl::StatusOr<std::unique_ptr<RocksDbSegmentedStore>> engine = RocksDbSegmentedStore::Open(
      internal::SegmentedKeySchema{kKind, WindowComparator(), &CompareWindowStoreKeys},
      std::move(name), std::move(directory), std::move(resources), retention_ms,
      segment_interval_ms);
  if (!engine.ok()) return engine.status();
  absl::StatusOr<std::optional<int64_t>> seqnum = (*engine)->StoredMeta(kSeqnumKey);
  if (!seqnum.ok()) return seqnum.status();
  return std::make_unique<RocksDbWindowStore>(std::move(*engine), retain_duplicates,
                                              static_cast<int32_t>(seqnum->value_or(0)));
}

absl::StatusOr<std::vector<int64_t>> ListRocksDbWindowSegments(const std::string& directory) {
  return internal::ListRocksDbSegments(directory);
}

}  // namespace rill::state
