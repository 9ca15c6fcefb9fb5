#include "state/in_memory_window_store.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "state/internal/segments.h"
#include "state/internal/vector_key_value_iterator.h"
#include "state/internal/window_iterators.h"
#include "state/window_key_schema.h"

namespace rill::state {
namespace {

using internal::Segments;
using internal::WindowScan;

// Orders window store keys as every window store iterates; transparent so lookups take
// string_view keys without a copy.
struct WindowKeyLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const {
    return CompareWindowStoreKeys(a, b) < 0;
  }
};

using SegmentMap = std::map<std::string, std::string, WindowKeyLess>;

class InMemoryWindowStore final : public WindowStore {
 public:
  InMemoryWindowStore(std::string name, int64_t retention_ms, int64_t segment_interval_ms,
                      bool retain_duplicates)
      : name_(std::move(name)),
        retain_duplicates_(retain_duplicates),
        segments_(retention_ms, segment_interval_ms) {}

  const std::string& name() const override { return name_; }
  bool persistent() const override { return false; }
  int64_t retention_ms() const override { return segments_.retention_ms(); }
  bool retain_duplicates() const override { return retain_duplicates_; }

  absl::StatusOr<WindowPutResult> Put(std::string_view key, int64_t window_start_ms,
                                      std::optional<std::string_view> value) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    segments_.Observe(window_start_ms);
    DropExpiredSegmentsLocked();
    if (segments_.IsExpired(window_start_ms)) return WindowPutResult{};
    if (!value && retain_duplicates_) return WindowPutResult{};
    int32_t seqnum = 0;
    if (retain_duplicates_) {
      seqnum_ = (seqnum_ + 1) & 0x7fffffff;
      seqnum = seqnum_;
    }
    ApplyLocked(EncodeWindowStoreKey(key, window_start_ms, seqnum), window_start_ms, value);
    return WindowPutResult{.applied = true, .seqnum = seqnum};
  }

  absl::StatusOr<std::optional<std::string>> Fetch(std::string_view key,
                                                   int64_t window_start_ms) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    if (segments_.IsExpired(window_start_ms)) return std::nullopt;
    auto segment = segments_by_id_.find(segments_.SegmentId(window_start_ms));
    if (segment == segments_by_id_.end()) return std::nullopt;
    const SegmentMap& entries = segment->second;
    if (!retain_duplicates_) {
      auto it = entries.find(EncodeWindowStoreKey(key, window_start_ms, 0));
      if (it == entries.end()) return std::nullopt;
      return it->second;
    }
    // The duplicates of (key, start) are adjacent, by sequence number: take the last.
    auto first = entries.lower_bound(EncodeWindowStoreKey(key, window_start_ms, 0));
    auto end = entries.lower_bound(WindowStoreKeyUpperBound(key, window_start_ms));
    if (first == end) return std::nullopt;
    return std::prev(end)->second;
  }

  std::unique_ptr<WindowStoreIterator> Fetch(std::string_view key, int64_t time_from,
                                             int64_t time_to, bool backward) override {
    return FetchRange(key, key, time_from, time_to, backward);
  }

  std::unique_ptr<WindowStoreIterator> FetchRange(std::optional<std::string_view> key_from,
                                                  std::optional<std::string_view> key_to,
                                                  int64_t time_from, int64_t time_to,
                                                  bool backward) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return internal::NewEmptyWindowStoreIterator(ClosedError());
    WindowScan scan =
        WindowScan::Make(key_from, key_to, time_from, time_to, segments_.MinLiveTime());
    if (scan.empty) return internal::NewEmptyWindowStoreIterator();

    std::vector<std::pair<std::string, std::string>> copy;
    int segments_used = 0;
    auto segment = segments_by_id_.lower_bound(segments_.SegmentId(scan.time_from));
    auto segments_end = segments_by_id_.upper_bound(segments_.SegmentId(scan.time_to));
    for (; segment != segments_end; ++segment) {
      const SegmentMap& entries = segment->second;
      auto it = scan.lower ? entries.lower_bound(*scan.lower) : entries.begin();
      auto end = scan.upper_exclusive ? entries.lower_bound(*scan.upper_exclusive) : entries.end();
      if (scan.lower && scan.upper_exclusive && !scan.BelowUpper(*scan.lower)) end = it;
      const size_t before = copy.size();
      for (; it != end; ++it) {
        absl::StatusOr<WindowStoreKey> decoded = DecodeWindowStoreKey(it->first);
        if (decoded.ok() && scan.Matches(*decoded)) copy.emplace_back(it->first, it->second);
      }
      if (copy.size() > before) ++segments_used;
    }
    // Segments split by window start, the order by key first: merge when several
    // contributed.
    if (segments_used > 1) {
      std::sort(copy.begin(), copy.end(), [](const auto& a, const auto& b) {
        return CompareWindowStoreKeys(a.first, b.first) < 0;
      });
    }
    if (backward) std::reverse(copy.begin(), copy.end());
    return internal::NewWindowStoreIterator(
        std::make_unique<internal::VectorKeyValueIterator>(std::move(copy)), std::move(scan));
  }

  absl::Status Flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_ ? ClosedError() : absl::OkStatus();
  }

  absl::Status Commit(std::optional<int64_t> changelog_offset) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    if (changelog_offset) committed_offset_ = changelog_offset;
    return absl::OkStatus();
  }

  std::optional<int64_t> CommittedOffset() override {
    std::lock_guard<std::mutex> lock(mu_);
    return committed_offset_;
  }

  absl::Status Restore(const std::vector<ChangelogRecord>& records, int64_t last_offset) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    // Decode everything first so a malformed record applies nothing.
    absl::StatusOr<std::vector<WindowStoreKey>> decoded = DecodeRestoreKeys(records, absl::StrCat("in-memory window store ", name_));
    if (!decoded.ok()) return decoded.status();
    const std::vector<WindowStoreKey>& keys = *decoded;
    // Stream time first, as Kafka Streams' restore does: records of the batch that the
    // batch itself expires are skipped.
    for (const WindowStoreKey& key : keys) segments_.Observe(key.window_start_ms);
    DropExpiredSegmentsLocked();
    for (size_t i = 0; i < records.size(); ++i) {
      if (segments_.IsExpired(keys[i].window_start_ms)) continue;
      ApplyLocked(
          records[i].key, keys[i].window_start_ms,
          records[i].value ? std::optional<std::string_view>(*records[i].value) : std::nullopt);
    }
    // Continue the numbering where the logged writes left it, so new duplicates never
    // reuse a restored sequence number.
    if (retain_duplicates_ && !keys.empty()) seqnum_ = keys.back().seqnum;
    committed_offset_ = last_offset;
    return absl::OkStatus();
  }

  absl::Status Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    segments_by_id_.clear();
    committed_offset_.reset();
    return absl::OkStatus();
  }

 private:
  absl::Status ClosedError() const {
    return absl::FailedPreconditionError(
        absl::StrCat("in-memory window store ", name_, " is closed"));
  }

  void ApplyLocked(std::string_view store_key, int64_t window_start_ms,
                   std::optional<std::string_view> value) {
    const int64_t id = segments_.SegmentId(window_start_ms);
    if (value) {
      SegmentMap& entries = segments_by_id_[id];
      auto it = entries.find(store_key);
      if (it != entries.end()) {
        it->second.assign(value->data(), value->size());
      } else {
        entries.emplace(std::string(store_key), std::string(*value));
      }
      return;
    }
    auto segment = segments_by_id_.find(id);
    if (segment == segments_by_id_.end()) return;
    auto it = segment->second.find(store_key);
    if (it != segment->second.end()) segment->second.erase(it);
    if (segment->second.empty()) segments_by_id_.erase(segment);
  }

  void DropExpiredSegmentsLocked() {
    segments_by_id_.erase(segments_by_id_.begin(),
                          segments_by_id_.lower_bound(segments_.MinLiveSegment()));
  }

  const std::string name_;
  const bool retain_duplicates_;
  std::mutex mu_;
  Segments segments_;
  std::map<int64_t, SegmentMap> segments_by_id_;
  int32_t seqnum_ = 0;
  std::optional<int64_t> committed_offset_;
  bool closed_ = false;
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
