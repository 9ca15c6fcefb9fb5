#include "state/internal/window_iterators.h"

#include <algorithm>
#include <utility>

#include "state/internal/decoding_scan.h"
#include "state/internal/vector_key_value_iterator.h"

namespace rill::state::internal {

WindowScan WindowScan::Make(std::optional<std::string_view> key_from,
                            std::optional<std::string_view> key_to, int64_t time_from,
                            int64_t time_to, int64_t min_live_time) {
  WindowScan scan;
  scan.time_from = std::max(time_from, min_live_time);
  scan.time_to = time_to;
  if (key_from) scan.key_from = std::string(*key_from);
  if (key_to) scan.key_to = std::string(*key_to);
  if (scan.time_from > scan.time_to || (key_from && key_to && *key_from > *key_to)) {
    scan.empty = true;
    return scan;
  }
  // Any key part above key_from sorts after (key_from, time_from, 0), whatever its start.
  if (key_from) scan.lower = EncodeWindowStoreKey(*key_from, scan.time_from, 0);
  if (key_to) scan.upper_exclusive = WindowStoreKeyUpperBound(*key_to, scan.time_to);
  return scan;
}

namespace {

class DecodingWindowStoreIterator final : public WindowStoreIterator {
 public:
  DecodingWindowStoreIterator(std::unique_ptr<KeyValueIterator> entries, WindowScan scan)
      : scan_(std::move(entries), std::move(scan)) {}

  bool Valid() const override { return scan_.Valid(); }
  void Next() override { scan_.Next(); }
  std::string_view key() const override { return scan_.current().key; }
  int64_t window_start() const override { return scan_.current().window_start_ms; }
  int32_t seqnum() const override { return scan_.current().seqnum; }
  std::string_view value() const override { return scan_.value(); }
  absl::Status status() const override { return scan_.status(); }

 private:
  DecodingScan<WindowStoreKey, WindowScan, &DecodeWindowStoreKey> scan_;
};

}  // namespace

std::unique_ptr<WindowStoreIterator> NewWindowStoreIterator(
    std::unique_ptr<KeyValueIterator> entries, WindowScan scan) {
  return std::make_unique<DecodingWindowStoreIterator>(std::move(entries), std::move(scan));
}

std::unique_ptr<WindowStoreIterator> NewEmptyWindowStoreIterator(absl::Status status) {
  return NewWindowStoreIterator(NewEmptyIterator(std::move(status)), WindowScan{});
}

}  // namespace rill::state::internal
