// MergedKeyValueIterator: lays a small, ordered overlay of newer writes (values and
// tombstones) over a base iterator. The RocksDB store overlays its uncommitted write batch
// on a DB iterator, the caching store its dirty entries on the inner store's iterator; in
// both the overlay is a copy taken under the store's lock, so iteration never races the
// writer, while the base stays lazy and never materializes the whole store.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "state/key_value_store.h"

namespace rill::state::internal {

// Newer writes by key; value nullopt is a tombstone that hides the base's entry.
using Overlay = std::vector<std::pair<std::string, std::optional<std::string>>>;

// Orders keys like strcmp: negative, zero or positive.
using KeyCompare = int (*)(std::string_view a, std::string_view b);

class MergedKeyValueIterator final : public KeyValueIterator {
 public:
  // `base` and `overlay` must cover the same key range and be in the same order (ascending,
  // or descending when `reverse`) by `compare`, bytewise unless given. On equal keys the
  // overlay wins.
  MergedKeyValueIterator(std::unique_ptr<KeyValueIterator> base, Overlay overlay, bool reverse,
                         KeyCompare compare = nullptr);

  bool Valid() const override { return current_ != Source::kNone; }
  void Next() override;
  std::string_view key() const override;
  std::string_view value() const override;
  absl::Status status() const override { return base_->status(); }

 private:
  enum class Source { kNone, kBase, kOverlay };

  // Positions on the next visible entry: skips tombstones and base entries the overlay
  // shadows.
  void Settle();

  std::unique_ptr<KeyValueIterator> base_;
  Overlay overlay_;
  size_t overlay_index_ = 0;
  bool reverse_;
  KeyCompare compare_;
  Source current_ = Source::kNone;
};

}  // namespace rill::state::internal
