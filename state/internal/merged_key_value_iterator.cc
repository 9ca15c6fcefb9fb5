#include "state/internal/merged_key_value_iterator.h"

namespace rill::state::internal {

namespace {

int CompareBytes(std::string_view a, std::string_view b) { return a.compare(b); }

}  // namespace

MergedKeyValueIterator::MergedKeyValueIterator(std::unique_ptr<KeyValueIterator> base,
                                               Overlay overlay, bool reverse, KeyCompare compare)
    : base_(std::move(base)),
      overlay_(std::move(overlay)),
      reverse_(reverse),
      compare_(compare != nullptr ? compare : &CompareBytes) {
  Settle();
}

void MergedKeyValueIterator::Next() {
  if (current_ == Source::kBase) {
    base_->Next();
  } else if (current_ == Source::kOverlay) {
    ++overlay_index_;
  }
  Settle();
}

std::string_view MergedKeyValueIterator::key() const {
  return current_ == Source::kBase ? base_->key()
                                   : std::string_view(overlay_[overlay_index_].first);
}

std::string_view MergedKeyValueIterator::value() const {
  return current_ == Source::kBase ? base_->value()
                                   : std::string_view(*overlay_[overlay_index_].second);
}

void MergedKeyValueIterator::Settle() {
  while (true) {
    // A failed base must not be papered over by the overlay: stop and report.
    if (!base_->status().ok()) {
      current_ = Source::kNone;
      return;
    }
    const bool base_valid = base_->Valid();
    if (overlay_index_ >= overlay_.size()) {
      current_ = base_valid ? Source::kBase : Source::kNone;
      return;
    }
    const auto& [overlay_key, overlay_value] = overlay_[overlay_index_];
    if (base_valid) {
      int order = compare_(base_->key(), overlay_key);
      if (reverse_) order = -order;
      if (order < 0) {
        current_ = Source::kBase;
        return;
      }
      if (order == 0) base_->Next();  // shadowed by the newer overlay entry
    }
    if (!overlay_value) {
      ++overlay_index_;  // tombstone: the key is deleted
      continue;
    }
    current_ = Source::kOverlay;
    return;
  }
}

}  // namespace rill::state::internal
