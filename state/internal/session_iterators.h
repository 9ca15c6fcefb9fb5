// The scan plumbing both session stores share, as window_iterators.h is for window stores:
//   - SessionScan turns a SessionRange into store-key bounds plus the exact filter;
//   - NewSessionStoreIterator decodes and filters a segmented engine's entries (session
//     keys in CompareSessionKeys order) for the public interface.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "state/internal/segments.h"
#include "state/key_value_store.h"
#include "state/session_key_schema.h"
#include "state/session_store.h"

namespace rill::state::internal {

struct SessionScan {
  std::optional<std::string> key_from;
  std::optional<std::string> key_to;
  int64_t end_from = 0;  // clipped to retention
  int64_t end_to = 0;
  int64_t start_to = 0;
  bool empty = false;
  SegmentedScan segments;  // segments by session end, and the store-key interval

  // `min_live_time` is the earliest live session end (Segments::MinLiveTime()).
  static SessionScan Make(const SessionRange& range, int64_t min_live_time);

  bool Matches(const SessionKey& key) const {
    return !empty && key.end_ms >= end_from && key.end_ms <= end_to && key.start_ms <= start_to &&
           (!key_from || key.key >= *key_from) && (!key_to || key.key <= *key_to);
  }
  bool Matches(std::string_view store_key) const {
    absl::StatusOr<SessionKey> decoded = DecodeSessionKey(store_key);
    return decoded.ok() && Matches(*decoded);
  }
};

// Decodes `entries` and skips those `scan` does not match. A key too short to be a session
// key stops iteration with DataLoss; an error of `entries` ends it with that error.
std::unique_ptr<SessionStoreIterator> NewSessionStoreIterator(
    std::unique_ptr<KeyValueIterator> entries, SessionScan scan);

// An iterator over already decoded, ordered sessions (key, start, end, value).
struct SessionEntry {
  std::string key;
  int64_t start = 0;
  int64_t end = 0;
  std::string value;
};
std::unique_ptr<SessionStoreIterator> NewVectorSessionStoreIterator(
    std::vector<SessionEntry> entries, absl::Status status = absl::OkStatus());

}  // namespace rill::state::internal
