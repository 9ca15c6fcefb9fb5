#include "state/internal/segments.h"

#include <algorithm>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rill::state::internal {

int64_t DefaultSegmentInterval(int64_t retention_ms) {
  return std::max<int64_t>(retention_ms / 2, 60'000);
}

absl::StatusOr<int64_t> ResolveSegmentInterval(std::string_view store, int64_t retention_ms,
                                               int64_t segment_interval_ms) {
  if (retention_ms <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "window store ", std::string(store), ": retention_ms must be > 0, got ", retention_ms));
  }
  if (segment_interval_ms < 0) {
    return absl::InvalidArgumentError(absl::StrCat("window store ", std::string(store),
                                                   ": segment_interval_ms must be >= 0, got ",
                                                   segment_interval_ms));
  }
  return segment_interval_ms == 0 ? DefaultSegmentInterval(retention_ms) : segment_interval_ms;
}

int64_t Segments::SegmentId(int64_t window_start_ms) const {
  int64_t id = window_start_ms / segment_interval_ms_;
  if (window_start_ms % segment_interval_ms_ != 0 && window_start_ms < 0) --id;
  return id;
}

void Segments::Observe(int64_t window_start_ms) {
  if (!observed_ || window_start_ms > *observed_) observed_ = window_start_ms;
}

int64_t Segments::MinLiveTime() const {
  if (!observed_) return std::numeric_limits<int64_t>::min();
  // In 128 bits: stream times near the int64 limits must not wrap around.
  __int128 min_live = static_cast<__int128>(*observed_) - retention_ms_ + 1;
  min_live = std::max<__int128>(min_live, std::numeric_limits<int64_t>::min());
  return static_cast<int64_t>(min_live);
}

}  // namespace rill::state::internal
