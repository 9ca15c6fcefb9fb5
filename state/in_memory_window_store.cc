#include "state/in_memory_window_store.h"

#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "state/internal/in_memory_segmented_store.h"
#include "state/internal/segments.h"
#include "state/internal/window_iterators.h"
#include "state/window_key_schema.h"

namespace rill::state {
namespace {

using internal::InMemorySegmentedStore;
using internal::SegmentedScan;
using internal::WindowScan;

constexpr char kKind[] = "in-memory window store";

// The window layer over the in-memory segmented engine: window store keys, segments by
// window start, and the sequence numbers of stores that retain duplicates.
class InMemoryWindowStore final : public WindowStore {
 public:
  InMemoryWindowStore(std::string name, int64_t retention_ms, int64_t segment_interval_ms,
                      bool retain_duplicates)
      : engine_(kKind, std::move(name), &CompareWindowStoreKeys, retention_ms,
                segment_interval_ms),
        retain_duplicates_(retain_duplicates) {}

  const std::string& name() const override { return engine_.name(); }
  bool persistent() const override { return false; }
  int64_t retention_ms() const override { return engine_.retention_ms(); }
  bool retain_duplicates() const override { return retain_duplicates_; }

  absl::StatusOr<WindowPutResult> Put(std::string_view key, int64_t window_start_ms,
                                      std::optional<std::string_view> value) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    absl::StatusOr<bool> live = engine_.Observe(window_start_ms);
    if (!live.ok()) return live.status();
    if (!*live) return WindowPutResult{};
    if (!value && retain_duplicates_) return WindowPutResult{};
    int32_t seqnum = 0;
    if (retain_duplicates_) {
      seqnum_ = (seqnum_ + 1) & 0x7fffffff;
      seqnum = seqnum_;
    }
    absl::Status s =
        engine_.Write(EncodeWindowStoreKey(key, window_start_ms, seqnum), window_start_ms, value);
    if (!s.ok()) return s;
    return WindowPutResult{.applied = true, .seqnum = seqnum};
  }

  absl::StatusOr<std::optional<std::string>> Fetch(std::string_view key,
                                                   int64_t window_start_ms) override {
    if (!retain_duplicates_) {
      return engine_.Get(EncodeWindowStoreKey(key, window_start_ms, 0), window_start_ms);
    }
    // The duplicates of (key, start) are adjacent, by sequence number: take the last.
    std::unique_ptr<KeyValueIterator> it = engine_.Scan(
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
    std::unique_ptr<KeyValueIterator> entries = engine_.Scan(
        [&](int64_t min_live_time) -> std::optional<SegmentedScan> {
          scan = WindowScan::Make(key_from, key_to, time_from, time_to, min_live_time);
          if (scan.empty) return std::nullopt;
          return SegmentedScan{scan.time_from, scan.time_to, scan.lower, scan.upper_exclusive};
        },
        backward,
        // Filtered before the copy: only matches cost memory.
        [&](std::string_view store_key) {
          absl::StatusOr<WindowStoreKey> decoded = DecodeWindowStoreKey(store_key);
          return decoded.ok() && scan.Matches(*decoded);
        });
    if (!entries->status().ok()) {
      return internal::NewEmptyWindowStoreIterator(entries->status());
    }
    return internal::NewWindowStoreIterator(std::move(entries), std::move(scan));
  }

  absl::Status Flush() override { return engine_.Flush(); }
  absl::Status Commit(std::optional<int64_t> changelog_offset) override {
    return engine_.Commit(changelog_offset);
  }
  std::optional<int64_t> CommittedOffset() override { return engine_.CommittedOffset(); }

  absl::Status Restore(const std::vector<ChangelogRecord>& records, int64_t last_offset) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    // Decode everything first so a malformed record applies nothing.
    absl::StatusOr<std::vector<WindowStoreKey>> decoded =
        DecodeRestoreKeys(records, absl::StrCat(kKind, " ", name()));
    if (!decoded.ok()) return decoded.status();
    std::vector<int64_t> starts;
    starts.reserve(decoded->size());
    for (const WindowStoreKey& key : *decoded) starts.push_back(key.window_start_ms);
    absl::Status s = engine_.Restore(records, starts, last_offset);
    if (!s.ok()) return s;
    // Continue the numbering where the logged writes left it, so new duplicates never
    // reuse a restored sequence number.
    if (retain_duplicates_ && !decoded->empty()) seqnum_ = decoded->back().seqnum;
    return absl::OkStatus();
  }

  absl::Status Close() override { return engine_.Close(); }

 private:
  InMemorySegmentedStore engine_;
  const bool retain_duplicates_;
  std::mutex write_mu_;
  int32_t seqnum_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<WindowStore>> NewInMemoryWindowStore(std::string name,
                                                                    int64_t retention_ms,
                                                                    int64_t segment_interval_ms,
                                                                    bool retain_duplicates) {
  absl::StatusOr<int64_t> interval =
      internal::ResolveSegmentInterval(name, retention_ms, segment_interval_ms);
  if (!interval.ok()) return interval.status();
  return std::make_unique<InMemoryWindowStore>(std::move(name), retention_ms, *interval,
                                               retain_duplicates);
}

}  // namespace rill::state
