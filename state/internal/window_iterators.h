// The scan plumbing both window stores share. Entries travel as KeyValueIterators whose
// keys are window store keys (window_key_schema.h) in CompareWindowStoreKeys order:
//   - WindowScan turns a Fetch/FetchRange into store-key bounds plus the exact filter;
//   - NewWindowStoreIterator decodes and filters that stream for the public interface.
// (Overlaying uncommitted writes and merging segments is the segmented engines' job:
// rocksdb_segmented_store.h.)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "state/internal/merged_key_value_iterator.h"
#include "state/key_value_store.h"
#include "state/window_key_schema.h"
#include "state/window_store.h"

namespace rill::state::internal {

// One Fetch/FetchRange: inclusive key and window-start bounds, and the store-key interval
// [lower, upper_exclusive) in CompareWindowStoreKeys order that contains every match. The
// interval also holds non-matches (other keys' windows outside the time range), so scans
// apply Matches() too.
struct WindowScan {
  std::optional<std::string> key_from;
  std::optional<std::string> key_to;
  int64_t time_from = 0;
  int64_t time_to = 0;
  bool empty = false;
  std::optional<std::string> lower;
  std::optional<std::string> upper_exclusive;

  // `min_live_time` clips time_from to retention (Segments::MinLiveTime()).
  static WindowScan Make(std::optional<std::string_view> key_from,
                         std::optional<std::string_view> key_to, int64_t time_from, int64_t time_to,
                         int64_t min_live_time);

  bool AboveLower(std::string_view store_key) const {
    return !lower || CompareWindowStoreKeys(store_key, *lower) >= 0;
  }
  bool BelowUpper(std::string_view store_key) const {
    return !upper_exclusive || CompareWindowStoreKeys(store_key, *upper_exclusive) < 0;
  }
  bool Matches(const WindowStoreKey& key) const {
    return !empty && key.window_start_ms >= time_from && key.window_start_ms <= time_to &&
           (!key_from || key.key >= *key_from) && (!key_to || key.key <= *key_to);
  }
};

// Decodes `entries` and skips those `scan` does not match. A key too short to be a window
// store key stops iteration with DataLoss.
std::unique_ptr<WindowStoreIterator> NewWindowStoreIterator(
    std::unique_ptr<KeyValueIterator> entries, WindowScan scan);

// An iterator with nothing in it: for empty scans (status OK) and closed stores.
std::unique_ptr<WindowStoreIterator> NewEmptyWindowStoreIterator(
    absl::Status status = absl::OkStatus());

}  // namespace rill::state::internal
