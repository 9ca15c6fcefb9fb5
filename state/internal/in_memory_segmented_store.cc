#include "state/internal/in_memory_segmented_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "state/internal/vector_key_value_iterator.h"

namespace rill::state::internal {

InMemorySegmentedStore::InMemorySegmentedStore(std::string kind, std::string name,
                                               KeyCompare compare, int64_t retention_ms,
                                               int64_t segment_interval_ms)
    : kind_(std::move(kind)),
      name_(std::move(name)),
      compare_(compare),
      segments_(retention_ms, segment_interval_ms) {}

absl::Status InMemorySegmentedStore::Closed() const {
  return absl::FailedPreconditionError(absl::StrCat(kind_, " ", name_, " is closed"));
}

absl::StatusOr<bool> InMemorySegmentedStore::Observe(int64_t timestamp) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Closed();
  segments_.Observe(timestamp);
  DropExpiredSegmentsLocked();
  return !segments_.IsExpired(timestamp);
}

absl::Status InMemorySegmentedStore::Write(std::string_view store_key, int64_t timestamp,
                                           std::optional<std::string_view> value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Closed();
  ApplyLocked(store_key, timestamp, value);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> InMemorySegmentedStore::Get(std::string_view store_key,
                                                                       int64_t timestamp) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Closed();
  if (segments_.IsExpired(timestamp)) return std::nullopt;
  auto segment = segments_by_id_.find(segments_.SegmentId(timestamp));
  if (segment == segments_by_id_.end()) return std::nullopt;
  auto it = segment->second.find(store_key);
  if (it == segment->second.end()) return std::nullopt;
  return it->second;
}

std::unique_ptr<KeyValueIterator> InMemorySegmentedStore::Scan(
    const std::function<std::optional<SegmentedScan>(int64_t min_live_time)>& plan, bool reverse,
    const std::function<bool(std::string_view store_key)>& keep) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return NewEmptyIterator(Closed());
  std::optional<SegmentedScan> scan = plan(segments_.MinLiveTime());
  if (!scan || scan->time_from > scan->time_to) return NewEmptyIterator();
  if (scan->lower && scan->upper_exclusive && compare_(*scan->lower, *scan->upper_exclusive) >= 0) {
    return NewEmptyIterator();
  }
  std::vector<std::pair<std::string, std::string>> copy;
  int segments_used = 0;
  auto segment = segments_by_id_.lower_bound(segments_.SegmentId(scan->time_from));
  auto segments_end = segments_by_id_.upper_bound(segments_.SegmentId(scan->time_to));
  for (; segment != segments_end; ++segment) {
    const SegmentMap& entries = segment->second;
    auto it = scan->lower ? entries.lower_bound(*scan->lower) : entries.begin();
    auto end = scan->upper_exclusive ? entries.lower_bound(*scan->upper_exclusive) : entries.end();
    const size_t before = copy.size();
    for (; it != end; ++it) {
      if (!keep || keep(it->first)) copy.emplace_back(it->first, it->second);
    }
    if (copy.size() > before) ++segments_used;
  }
  // Segments split by timestamp, the order is the schema's: merge when several contributed.
  if (segments_used > 1) {
    std::sort(copy.begin(), copy.end(),
              [this](const auto& a, const auto& b) { return compare_(a.first, b.first) < 0; });
  }
  if (reverse) std::reverse(copy.begin(), copy.end());
  return std::make_unique<VectorKeyValueIterator>(std::move(copy));
}

absl::Status InMemorySegmentedStore::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_ ? Closed() : absl::OkStatus();
}

absl::Status InMemorySegmentedStore::Commit(std::optional<int64_t> changelog_offset) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Closed();
  if (changelog_offset) committed_offset_ = changelog_offset;
  return absl::OkStatus();
}

std::optional<int64_t> InMemorySegmentedStore::CommittedOffset() {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_offset_;
}

absl::Status InMemorySegmentedStore::Restore(const std::vector<ChangelogRecord>& records,
                                             const std::vector<int64_t>& timestamps,
                                             int64_t last_offset) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Closed();
  // Stream time first, as Kafka Streams' restore does: records of the batch that the batch
  // itself expires are skipped.
  for (int64_t t : timestamps) segments_.Observe(t);
  DropExpiredSegmentsLocked();
  for (size_t i = 0; i < records.size(); ++i) {
    if (segments_.IsExpired(timestamps[i])) continue;
    ApplyLocked(records[i].key, timestamps[i],
                records[i].value ? std::optional<std::string_view>(*records[i].value)
                                 : std::nullopt);
  }
  committed_offset_ = last_offset;
  return absl::OkStatus();
}

absl::Status InMemorySegmentedStore::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  segments_by_id_.clear();
  committed_offset_.reset();
  return absl::OkStatus();
}

void InMemorySegmentedStore::ApplyLocked(std::string_view store_key, int64_t timestamp,
                                         std::optional<std::string_view> value) {
  const int64_t id = segments_.SegmentId(timestamp);
  if (value) {
    auto [segment, inserted] = segments_by_id_.try_emplace(id, SegmentMap(Less{compare_}));
    SegmentMap& entries = segment->second;
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

void InMemorySegmentedStore::DropExpiredSegmentsLocked() {
  segments_by_id_.erase(segments_by_id_.begin(),
                        segments_by_id_.lower_bound(segments_.MinLiveSegment()));
}

}  // namespace rill::state::internal
