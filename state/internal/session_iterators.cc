#include "state/internal/session_iterators.h"

#include <algorithm>
#include <limits>

#include "state/internal/decoding_scan.h"

namespace rill::state::internal {

SessionScan SessionScan::Make(const SessionRange& range, int64_t min_live_time) {
  SessionScan scan;
  scan.end_from = std::max(range.earliest_end, min_live_time);
  scan.end_to = range.latest_end;
  scan.start_to = range.latest_start;
  if (range.key_from) scan.key_from = std::string(*range.key_from);
  if (range.key_to) scan.key_to = std::string(*range.key_to);
  if (scan.end_from > scan.end_to ||
      (range.key_from && range.key_to && *range.key_from > *range.key_to)) {
    scan.empty = true;
    return scan;
  }
  scan.segments.time_from = scan.end_from;
  scan.segments.time_to = scan.end_to;
  // Any key part above key_from sorts after (key_from, end_from, any start).
  if (range.key_from) {
    scan.segments.lower =
        EncodeSessionKey(*range.key_from, std::numeric_limits<int64_t>::min(), scan.end_from);
  }
  // Every match of key_to has end <= end_to, and start <= start_to where end == end_to.
  if (range.key_to) {
    scan.segments.upper_exclusive = SessionKeyUpperBound(*range.key_to, scan.end_to, scan.start_to);
  }
  return scan;
}

namespace {

class DecodingSessionStoreIterator final : public SessionStoreIterator {
 public:
  DecodingSessionStoreIterator(std::unique_ptr<KeyValueIterator> entries, SessionScan scan)
      : scan_(std::move(entries), std::move(scan)) {}

  bool Valid() const override { return scan_.Valid(); }
  void Next() override { scan_.Next(); }
  std::string_view key() const override { return scan_.current().key; }
  int64_t start() const override { return scan_.current().start_ms; }
  int64_t end() const override { return scan_.current().end_ms; }
  std::string_view value() const override { return scan_.value(); }
  absl::Status status() const override { return scan_.status(); }

 private:
  DecodingScan<SessionKey, SessionScan, &DecodeSessionKey> scan_;
};

class VectorSessionStoreIterator final : public SessionStoreIterator {
 public:
  VectorSessionStoreIterator(std::vector<SessionEntry> entries, absl::Status status)
      : entries_(std::move(entries)), status_(std::move(status)) {}
  bool Valid() const override { return status_.ok() && index_ < entries_.size(); }
  void Next() override { ++index_; }
  std::string_view key() const override { return entries_[index_].key; }
  int64_t start() const override { return entries_[index_].start; }
  int64_t end() const override { return entries_[index_].end; }
  std::string_view value() const override { return entries_[index_].value; }
  absl::Status status() const override { return status_; }

 private:
  std::vector<SessionEntry> entries_;
  size_t index_ = 0;
  absl::Status status_;
};

}  // namespace

std::unique_ptr<SessionStoreIterator> NewSessionStoreIterator(
    std::unique_ptr<KeyValueIterator> entries, SessionScan scan) {
  return std::make_unique<DecodingSessionStoreIterator>(std::move(entries), std::move(scan));
}

std::unique_ptr<SessionStoreIterator> NewVectorSessionStoreIterator(
    std::vector<SessionEntry> entries, absl::Status status) {
  return std::make_unique<VectorSessionStoreIterator>(std::move(entries), std::move(status));
}

}  // namespace rill::state::internal
